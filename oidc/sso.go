package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gorilla/sessions"

	"github.com/idbridge/idbridge/pkg/storage"
)

// ssoSession is the server record of a browser's single sign-on session.
// The cookie holds only its random id.
type ssoSession struct {
	ID         string    `json:"id"`
	Subject    string    `json:"sub"`
	AuthTime   time.Time `json:"auth_time"`
	ACR        string    `json:"acr"`
	AMR        []string  `json:"amr"`
	VerifiedAt time.Time `json:"verified_at,omitempty"`
}

func ssoKey(id string) string { return "sso:{" + id + "}" }

// userSessionsKey indexes a person's SSO sessions, each until it ends.
func userSessionsKey(sub string) string { return "sso-index:{" + sub + "}" }

// legacySessionsKey is the set earlier versions kept the index in.
func legacySessionsKey(sub string) string { return "user-sessions:{" + sub + "}" }

// maxSessions bounds the SSO sessions of one person; beyond it the oldest
// ends.
const maxSessions = 100

func (p *Provider) cookieName() string { return p.cfg.Session.CookieName }
func (p *Provider) secureCookies() bool {
	return len(p.cfg.Issuer) > 8 && p.cfg.Issuer[:8] == "https://"
}

// browser returns the cookie session, creating a browser id on first use.
// A cookie that no longer decodes (rotated keys, tampering) starts a fresh
// session; an error is shared storage failing.
func (p *Provider) browser(w http.ResponseWriter, r *http.Request) (*sessions.Session, string, error) {
	s, err := p.cookies.Get(r, p.cookieName())
	if errors.Is(err, storage.ErrUnavailable) {
		return nil, "", err
	}
	if err != nil {
		s, _ = p.cookies.New(r, p.cookieName())
	}
	s.Options = &sessions.Options{Path: "/", MaxAge: int(p.cfg.Session.Lifetime.Seconds()), HttpOnly: true, Secure: p.secureCookies(), SameSite: http.SameSiteLaxMode}
	bid, _ := s.Values["bid"].(string)
	if bid == "" {
		bid = newID()
		s.Values["bid"] = bid
		if err := s.Save(r, w); err != nil {
			return nil, "", err
		}
	}
	return s, bid, nil
}

// currentSSO returns the browser's live SSO session, or nil.
func (p *Provider) currentSSO(ctx context.Context, s *sessions.Session) (*ssoSession, error) {
	sid, _ := s.Values["sid"].(string)
	if sid == "" {
		return nil, nil
	}
	raw, err := p.store.Get(ctx, ssoKey(sid))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var sso ssoSession
	if err := json.Unmarshal(raw, &sso); err != nil {
		return nil, err
	}
	return &sso, nil
}

// startSSO records a successful authentication for this browser.
func (p *Provider) startSSO(ctx context.Context, w http.ResponseWriter, r *http.Request, s *sessions.Session, sso *ssoSession) error {
	sso.ID = newID()
	raw, err := json.Marshal(sso)
	if err != nil {
		return err
	}
	ended, err := p.store.SetAndIndex(ctx, ssoKey(sso.ID), raw, p.cfg.Session.Lifetime,
		userSessionsKey(sso.Subject), sso.ID, p.now().Add(p.cfg.Session.Lifetime), maxSessions)
	if err != nil {
		return err
	}
	for _, id := range ended {
		_ = p.store.Delete(ctx, ssoKey(id))
	}
	if old, _ := s.Values["sid"].(string); old != "" {
		_ = p.store.Delete(ctx, ssoKey(old))
	}
	s.Values["sid"] = sso.ID
	return s.Save(r, w)
}
