// Package admin is idbridge's policy administration page at
// /admin/policy: an identity administrator sees the active step-up policy
// and its history, edits it with server-side validation as they type,
// previews the decision for sample or recent (anonymised) requests under
// the active and the edited policy, applies it to every replica and rolls
// back. Everything essential works without JavaScript: the page is one
// form whose buttons post it.
//
// It is off unless configured (config.Admin). An administrator signs in
// with the admin token, or through idbridge itself as the admin client
// (with a face check), when their subject is listed.
package admin

import (
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gorilla/securecookie"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/journey"
	"github.com/idbridge/idbridge/pkg/policy"
	"github.com/idbridge/idbridge/templates"
)

// Deps are what the page needs.
type Deps struct {
	// Config is the admin section; Issuer the provider's public URL.
	Config config.Admin
	Issuer string
	// ClientSecret is the admin client's secret (when Config.ClientID is
	// set): the page redeems its own sign-in codes.
	ClientSecret string
	// HTTPClient reaches the issuer (the same process, over loopback).
	HTTPClient *http.Client
	// HashKey and BlockKey sign and encrypt the administrator's cookie;
	// replicas share them (session.hash_key, session.block_key).
	HashKey, BlockKey []byte
	// Policy is the live policy of this replica, with its store.
	Policy *policy.Live
	// Journey replays recent decisions for previews.
	Journey *journey.Core
	Logger  *slog.Logger
}

// Server serves /admin/. It is safe for concurrent use.
type Server struct {
	d      Deps
	cookie *securecookie.SecureCookie
	pages  map[string]*template.Template
	oidc   *signIn
	mux    *http.ServeMux
	secure bool
}

// Paths of the page.
const (
	PathPolicy   = "/admin/policy"
	PathLogin    = "/admin/login"
	PathSignIn   = "/admin/signin"
	PathLogout   = "/admin/logout"
	PathRollback = "/admin/policy/rollback"
	PathCheck    = "/admin/policy/check"
	PathScript   = "/admin/static/policy.js"
)

// New builds the page.
func New(d Deps) (*Server, error) {
	switch {
	case d.Policy == nil || d.Journey == nil:
		return nil, errors.New("admin: Policy and Journey are required")
	case len(d.HashKey) < 32 || len(d.BlockKey) < 32:
		return nil, errors.New("admin: HashKey and BlockKey must be at least 32 bytes")
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.HTTPClient == nil {
		d.HTTPClient = http.DefaultClient
	}
	s := &Server{d: d, cookie: securecookie.New(d.HashKey, d.BlockKey[:32]), pages: map[string]*template.Template{},
		secure: strings.HasPrefix(d.Issuer, "https://")}
	s.cookie.MaxAge(int(d.Config.SessionLifetime.Seconds()))
	for _, name := range []string{"admin_login.html", "admin_policy.html"} {
		t, err := template.New(name).Funcs(funcs).ParseFS(templates.FS, "admin_layout.html", name)
		if err != nil {
			return nil, err
		}
		s.pages[name] = t
	}
	if d.Config.ClientID != "" {
		s.oidc = newSignIn(d, s.secure)
	}
	s.routes()
	return s, nil
}

// Handler serves /admin/...; mount it at "/admin/".
func (s *Server) Handler() http.Handler { return s.mux }

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET "+PathLogin, s.loginPage)
	m.HandleFunc("POST "+PathLogin, s.tokenLogin)
	m.HandleFunc("POST "+PathLogout, s.logout)
	if s.oidc != nil {
		m.HandleFunc("GET "+PathSignIn, s.oidc.start)
		m.HandleFunc("GET "+config.AdminCallbackPath, s.callback)
	}
	m.HandleFunc("GET "+PathScript, s.script)
	m.Handle("GET "+PathPolicy, s.authed(s.policyPage))
	m.Handle("POST "+PathPolicy, s.authed(s.policyForm))
	m.Handle("POST "+PathCheck, s.authed(s.check))
	m.Handle("POST "+PathRollback, s.authed(s.rollback))
	m.HandleFunc("/admin/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/admin/" || r.URL.Path == "/admin" {
			http.Redirect(w, r, PathPolicy, http.StatusSeeOther)
			return
		}
		http.NotFound(w, r)
	})
	s.mux = m
}

// script serves the page's one script (validation as you type).
func (s *Server) script(w http.ResponseWriter, _ *http.Request) {
	b, err := templates.FS.ReadFile("admin_policy.js")
	if err != nil {
		http.Error(w, "script unavailable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(b)
}
