package api

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
)

// SignatureHeader is the Descope connector's HMAC header: base64 of
// HMAC-SHA256 of the JSON payload keyed with the connector's secret
// (docs/connector.md cites Descope's description). A request without a
// body is signed over the empty body.
const SignatureHeader = "x-descope-webhook-s256"

// request is an authenticated call: its caller, its raw body and the
// body as compact JSON (what replays and Idempotency-Keys are compared
// by: insignificant white space changes nothing).
type request struct {
	*http.Request
	client  Caller
	body    []byte
	compact []byte
}

// handler serves an authenticated request.
type handler func(w http.ResponseWriter, req *request)

// endpoint computes an answer; the wrappers write it.
type endpoint func(ctx context.Context, req *request) (status int, v any, err error)

// authed authenticates the caller (bearer token or X-API-Key), applies its
// rate limit, reads the body (size and content type) and checks the
// Descope HMAC when the caller has a secret: on every request, over the
// empty body when there is none. An address that failed too often is
// refused before its credentials are looked at (guard.go).
func (s *Server) authed(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.authBlocked(w, r) {
			return
		}
		c, err := s.authenticate(r)
		if err != nil {
			s.authFailed(w, r, err)
			return
		}
		if l := s.limiters[c.ID]; l != nil {
			if ok, retry, _ := l.Allow(r.Context(), c.ID); !ok {
				e := *ErrRateLimited
				e.RetryAfter = retry
				s.writeError(w, r, &e)
				return
			}
		}
		body, err := s.readBody(w, r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if c.HMACSecret != "" && !checkSignature(c.HMACSecret, body, r.Header.Get(SignatureHeader)) {
			s.authFailed(w, r, ErrBadSignature)
			return
		}
		h(w, &request{Request: r, client: c, body: body, compact: compactJSON(body)})
	})
}

// authenticate finds the configured client whose token the request
// carries. Every client is compared, so timing does not tell which
// prefix of which token matched.
func (s *Server) authenticate(r *http.Request) (Caller, error) {
	token := r.Header.Get("X-API-Key")
	if a := r.Header.Get("Authorization"); token == "" && a != "" {
		scheme, t, ok := strings.Cut(a, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return Caller{}, ErrInvalidToken.With("use the Bearer scheme or X-API-Key")
		}
		token = strings.TrimSpace(t)
	}
	if token == "" {
		return Caller{}, ErrUnauthorized
	}
	var found Caller
	ok := false
	for _, c := range s.cfg.Clients {
		if c.CheckToken(token) && !ok {
			found, ok = c, true
		}
	}
	if !ok {
		return Caller{}, ErrInvalidToken
	}
	return found, nil
}

// readBody reads at most MaxBodyBytes; a body must be JSON.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil, nil
	}
	if r.ContentLength > s.cfg.MaxBodyBytes {
		return nil, ErrTooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, ErrTooLarge
	case err != nil:
		return nil, ErrMalformed.With("the request body could not be read")
	}
	if len(body) > 0 {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, ErrContentType
		}
	}
	return body, nil
}

// Sign returns the x-descope-webhook-s256 value of body under secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// checkSignature compares got with the HMAC of body in constant time.
// Descope "creates the HMAC signature from a JSON string, not the raw post
// body" (docs/connector.md cites the page): the signature is accepted over
// the body as received and over the same JSON without insignificant white
// space, which is what a serialiser that signs one string and sends an
// indented or newline-terminated one produces.
func checkSignature(secret string, body []byte, got string) bool {
	got = strings.TrimSpace(got)
	if got == "" {
		return false
	}
	dec, err := base64.StdEncoding.DecodeString(got)
	if err != nil {
		if dec, err = base64.RawStdEncoding.DecodeString(got); err != nil {
			return false
		}
	}
	mac := func(msg []byte) []byte {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(msg)
		return m.Sum(nil)
	}
	if hmac.Equal(dec, mac(body)) {
		return true
	}
	compact := compactJSON(body)
	return !bytes.Equal(compact, body) && hmac.Equal(dec, mac(compact))
}

// compactJSON is body without insignificant white space when it is JSON,
// else body itself.
func compactJSON(body []byte) []byte {
	var b bytes.Buffer
	if len(body) == 0 || json.Compact(&b, body) != nil {
		return body
	}
	return b.Bytes()
}
