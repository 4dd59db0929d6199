package oidc

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/idbridge/idbridge/templates"
)

var pageNames = []string{"error.html", "wait.html", "identify.html", "form_post.html", "logged_out.html", "capture.html", "handoff.html", "logout_confirm.html"}

// pageSet is one parsed template per page, each with the shared layout.
type pageSet map[string]*template.Template

func parsePages() (pageSet, error) {
	set := pageSet{}
	for _, name := range pageNames {
		t, err := template.ParseFS(templates.FS, "layout.html", name)
		if err != nil {
			return nil, err
		}
		set[name] = t
	}
	return set, nil
}

// render writes a page with idbridge's security headers: a strict CSP
// (no inline script, no framing) and no caching.
func (p *Provider) render(w http.ResponseWriter, r *http.Request, status int, name string, data map[string]any) {
	var buf bytes.Buffer
	if err := p.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		p.log.ErrorContext(r.Context(), "rendering page", "page", name, "error", err)
		http.Error(w, "page unavailable", http.StatusInternalServerError)
		return
	}
	formAction := "'self'"
	if name == "form_post.html" {
		if u, err := url.Parse(data["Action"].(string)); err == nil {
			formAction = u.Scheme + "://" + u.Host
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action "+formAction+"; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// static serves the two small scripts the pages use.
func (p *Provider) static(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	if name != "wait.js" && name != "autosubmit.js" {
		http.NotFound(w, r)
		return
	}
	b, err := templates.FS.ReadFile(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(b)
}

func (p *Provider) loggedOut(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, http.StatusOK, "logged_out.html", map[string]any{})
}
