package simulator

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"html/template"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/idbridge/idbridge/templates"
)

// pageFormLimit bounds a hosted-page form: two images and a few fields.
const pageFormLimit = 16 << 20

// Content-Security-Policy of every hosted page: no scripts at all.
const pageCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// pages holds one template set per hosted page, each with the shared layout.
type pages struct {
	idproofing, liveid, done *template.Template
}

func parsePages() (*pages, error) {
	parse := func(name string) (*template.Template, error) {
		return template.New(name).ParseFS(templates.FS, "simulator/layout.html", "simulator/"+name+".html")
	}
	var p pages
	var err error
	if p.idproofing, err = parse("idproofing"); err != nil {
		return nil, err
	}
	if p.liveid, err = parse("liveid"); err != nil {
		return nil, err
	}
	if p.done, err = parse("done"); err != nil {
		return nil, err
	}
	return &p, nil
}

// pageHeaders forbids framing, scripts and caching on every hosted page.
func pageHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", pageCSP)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// render executes a page into a buffer first so that a template error
// never leaves half a page.
func render(w http.ResponseWriter, t *template.Template, status int, data any) {
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "sim-layout", data); err != nil {
		http.Error(w, "page cannot be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func plainError(w http.ResponseWriter, status int, msg string) {
	http.Error(w, msg, status)
}

// parseForm reads a multipart or urlencoded form and checks its csrf field
// against the session's token. On failure it has answered.
func parseForm(w http.ResponseWriter, r *http.Request, token string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, pageFormLimit)
	err := r.ParseMultipartForm(1 << 20)
	if errors.Is(err, http.ErrNotMultipart) {
		err = r.ParseForm()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			plainError(w, http.StatusRequestEntityTooLarge, "form too large")
		} else {
			plainError(w, http.StatusBadRequest, "form cannot be read")
		}
		return false
	}
	if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(token)) != 1 {
		plainError(w, http.StatusForbidden, "form expired or forged: reload the page")
		return false
	}
	return true
}

// formFile returns the bytes of an uploaded file, nil when none was sent.
func formFile(r *http.Request, field string) ([]byte, error) {
	f, _, err := r.FormFile(field)
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer func(f multipart.File) { _ = f.Close() }(f)
	b, err := io.ReadAll(f)
	if len(b) == 0 {
		return nil, err
	}
	return b, err
}

// sample is a sample image shown on a page as a data: URL (the CSP
// allows img-src data:).
type sample struct {
	Label string
	Src   template.URL
}

func dataURL(png []byte) template.URL {
	// The bytes are images the simulator itself generated or accepted;
	// base64 cannot break out of the attribute.
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
}

// donePage is the page shown after the person finished.
type donePage struct {
	Heading, SessionID, Status, Verification, Liveness, FaceMatch, Reason, ReasonCode, SignedInAs string
}

func doneHeading(st state) string {
	switch st {
	case stateSucceeded:
		return "Thank you"
	case stateFailed:
		return "Verification failed"
	case stateDeclined:
		return "Verification declined"
	case stateExpired:
		return "This session has expired"
	case stateAbandoned:
		return "Verification stopped"
	}
	return "Verification in progress"
}

func (s *Simulator) idvPageURL(id string) string  { return s.url("/idproofing/session/" + id) }
func (s *Simulator) livePageURL(id string) string { return s.url("/liveid/session/" + id) }

// pagePath is the path of a page as the browser sees it (under BaseURL).
func (s *Simulator) pagePath(p string) string { return s.base.Path + p }
