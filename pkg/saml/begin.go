package saml

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net"
	"net/http"

	"github.com/idbridge/idbridge/pkg/journey"
)

// bindCookie names the cookie that binds SAML logins to the browser that
// brought their request.
const bindCookie = "idbridge_saml"

// bindBrowser returns the digest of this browser's binding cookie, setting
// one first when it has none. The cookie is random, HttpOnly, limited to
// /saml/ and SameSite=Lax: the request may arrive by a cross-site POST,
// and the browser comes back to begin and resume by top-level GETs.
func (s *Server) bindBrowser(w http.ResponseWriter, r *http.Request) string {
	v := ""
	if c, err := r.Cookie(bindCookie); err == nil && len(c.Value) >= 32 && len(c.Value) <= 64 {
		v = c.Value
	} else {
		v = newToken()
		http.SetCookie(w, &http.Cookie{Name: bindCookie, Value: v, Path: "/saml/", HttpOnly: true, Secure: s.o.SecureCookies,
			SameSite: http.SameSiteLaxMode, MaxAge: int(s.o.LoginLifetime.Seconds()) + 3600})
	}
	return digest(v)
}

// sameBrowser reports whether r comes from the browser l was bound to.
func (s *Server) sameBrowser(r *http.Request, l *login) bool {
	c, err := r.Cookie(bindCookie)
	return err == nil && subtle.ConstantTimeCompare([]byte(digest(c.Value)), []byte(l.Browser)) == 1
}

func digest(v string) string {
	h := sha256.Sum256([]byte("saml-browser:" + v))
	return hex.EncodeToString(h[:])
}

// begin starts the journey of an accepted request, once, in the browser
// that brought it: the provider's pages take over and end at resume.
func (s *Server) begin(w http.ResponseWriter, r *http.Request) {
	l, raw, sp, ok := s.ownLogin(w, r, "login")
	if !ok {
		return
	}
	ctx := r.Context()
	if l.Started {
		s.page(w, r, sp.Client, http.StatusConflict, "completed", "This SAML login is already under way.", "Continue in the window where it started, or go back to the application and sign in again.")
		return
	}
	if err := s.markStarted(ctx, l, raw); errors.Is(err, errLoginGone) {
		s.page(w, r, sp.Client, http.StatusConflict, "completed", "This SAML login is already under way.", "Continue in the window where it started, or go back to the application and sign in again.")
		return
	} else if err != nil {
		s.unavailable(w, r, sp.Client, err)
		return
	}
	s.front.BeginLogin(w, r, journey.LoginRequest{
		Client: sp.Client, ACR: l.Want.Accept, ACREssential: l.Want.Asked, Fresh: l.Force, Passive: l.Passive, State: l.ID,
	})
}

// ownLogin loads the login named by the query parameter param for a GET
// of the browser that brought its request; when it cannot, it has
// answered with the error page that says why.
func (s *Server) ownLogin(w http.ResponseWriter, r *http.Request, param string) (*login, []byte, *sp, bool) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		s.page(w, r, "", http.StatusMethodNotAllowed, "method", "The SAML login's steps are opened with GET.", "Follow idbridge's redirects.")
		return nil, nil, nil, false
	}
	l, raw, err := s.load(r.Context(), r.URL.Query().Get(param))
	if errors.Is(err, errLoginGone) {
		s.page(w, r, "", http.StatusNotFound, "expired", "This SAML login has expired or was already answered.", "Go back to the application and sign in again.")
		return nil, nil, nil, false
	}
	if err != nil {
		s.unavailable(w, r, "", err)
		return nil, nil, nil, false
	}
	sp := s.sps.byID[l.SP]
	if sp == nil {
		s.page(w, r, "", http.StatusNotFound, "expired", "The service provider of this login is no longer configured.", "Go back to the application and sign in again.")
		return nil, nil, nil, false
	}
	if !s.sameBrowser(r, l) {
		s.page(w, r, sp.Client, http.StatusForbidden, "other_browser", "This SAML login was started in another browser.", "Continue in the browser where you started signing in, or start again here.")
		return nil, nil, nil, false
	}
	return l, raw, sp, true
}

// hostOf is the address part of host:port.
func hostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}
