package oidc

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/idbridge/idbridge/pkg/storage"
)

// EndBrowserSession ends the SSO session of the browser sending r, when
// that session's person is one belongs accepts: the server record, its
// entry among the person's sessions and the cookie's reference, with an
// audit line naming client. It reports whether a session ended; a browser
// without a session, or with another person's, ends nothing. An error is
// shared storage failing. Other front doors' single logout uses it
// (SAML SP-initiated logout), with the same rule as /end_session: only
// the requesting browser's own session ends.
func (p *Provider) EndBrowserSession(w http.ResponseWriter, r *http.Request, client string, belongs func(sub string) bool) (bool, error) {
	ctx := r.Context()
	s, err := p.cookies.Get(r, p.cookieName())
	if errors.Is(err, storage.ErrUnavailable) {
		return false, err
	}
	if s == nil || err != nil {
		return false, nil // no cookie that decodes: nothing to end
	}
	sso, err := p.currentSSO(ctx, s)
	if err != nil {
		return false, err
	}
	if sso == nil || !belongs(sso.Subject) {
		return false, nil
	}
	if err := p.endBrowserSSO(ctx, w, r, s, sso); err != nil {
		return false, err
	}
	p.audit.Event(ctx, "session.ended", slog.String("client_id", client), slog.Bool("confirmed", false))
	return true, nil
}
