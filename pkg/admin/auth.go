package admin

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"time"
)

const cookieName = "idbridge_admin"

// session is a signed-in administrator, kept in a signed and encrypted
// cookie; nothing is stored server-side.
type session struct {
	// Who signed in: "admin-token", or the administrator's subject.
	Who string
	// Exp is when the sign-in ends (Unix seconds).
	Exp int64
	// CSRF is the token every form of the session posts back.
	CSRF string
}

type ctxKey struct{}

// current is the session of an authenticated request.
func current(r *http.Request) session {
	s, _ := r.Context().Value(ctxKey{}).(session)
	return s
}

// authed lets through a request with a live admin cookie (and, for a
// form, its CSRF token) or the admin token as a bearer; others go to the
// sign-in page (pages) or get 401 (scripts).
func (s *Server) authed(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
			if !s.d.Config.CheckToken(strings.TrimSpace(tok)) {
				s.denied(w, r, http.StatusUnauthorized, "the admin token is not valid")
				return
			}
			next(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, session{Who: "admin-token"})))
			return
		}
		sess, ok := s.readCookie(r)
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, PathLogin, http.StatusSeeOther)
				return
			}
			s.denied(w, r, http.StatusUnauthorized, "sign in again: the administrator's session has ended")
			return
		}
		if r.Method == http.MethodPost {
			got := r.PostFormValue("csrf")
			if got == "" {
				got = r.Header.Get("X-CSRF-Token")
			}
			if subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) != 1 {
				s.denied(w, r, http.StatusForbidden, "the form is stale or was not sent by this page; reload it and try again")
				return
			}
		}
		next(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, sess)))
	})
}

func (s *Server) readCookie(r *http.Request) (session, bool) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return session{}, false
	}
	var sess session
	if err := s.cookie.Decode(cookieName, c.Value, &sess); err != nil || time.Now().Unix() >= sess.Exp {
		return session{}, false
	}
	return sess, true
}

// signedIn starts an administrator's session and sends them to the page.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request, who string) {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	life := s.d.Config.SessionLifetime
	sess := session{Who: who, Exp: time.Now().Add(life).Unix(), CSRF: base64.RawURLEncoding.EncodeToString(b)}
	v, err := s.cookie.Encode(cookieName, sess)
	if err != nil {
		http.Error(w, "cannot start the session", http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: v, Path: "/admin", MaxAge: int(life.Seconds()), HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode})
	s.d.Logger.InfoContext(r.Context(), "audit", "audit", "admin.signin", "by", who)
	http.Redirect(w, r, PathPolicy, http.StatusSeeOther)
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "admin_login.html", map[string]any{
		"Token": s.d.Config.Token != "" || s.d.Config.TokenHash != "", "OIDC": s.oidc != nil, "Error": r.URL.Query().Get("error"),
	})
}

// tokenLogin signs in the holder of the admin token.
func (s *Server) tokenLogin(w http.ResponseWriter, r *http.Request) {
	if !s.d.Config.CheckToken(r.PostFormValue("token")) {
		s.d.Logger.WarnContext(r.Context(), "audit", "audit", "admin.signin_failed", "how", "token")
		s.render(w, http.StatusUnauthorized, "admin_login.html", map[string]any{
			"Token": s.d.Config.Token != "" || s.d.Config.TokenHash != "", "OIDC": s.oidc != nil, "Error": "That is not the admin token.",
		})
		return
	}
	s.signedIn(w, r, "admin-token")
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/admin", MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, PathLogin, http.StatusSeeOther)
}

// allowed reports whether sub may administer.
func (s *Server) allowed(sub string) bool {
	return sub != "" && slices.Contains(s.d.Config.Subjects, sub)
}

// denied answers a refused request: JSON for scripts, text otherwise.
func (s *Server) denied(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		writeJSON(w, status, map[string]any{"error": http.StatusText(status), "message": msg})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg + "\n"))
}
