package oidc

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"

	"github.com/gorilla/sessions"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	zop "github.com/zitadel/oidc/v3/pkg/op"
)

// endSession is RP-Initiated Logout 1.0. It ends only the SSO session of
// the browser that sends the request, and only with that browser's
// consent: an id_token_hint naming the person the browser's session
// belongs to ends it at once; without one (or naming someone else) the
// person is asked to confirm first. A browser without a session ends
// nothing, so an ID token alone, replayed from anywhere, logs nobody out.
// The browser then goes to the client's registered
// post_logout_redirect_uri (with state) or to the signed-out page.
func (p *Provider) endSession(w http.ResponseWriter, r *http.Request) {
	if !p.readBrowserForm(w, r, "logout") {
		return
	}
	req, perr := p.parseLogout(r.Context(), r.Form)
	if perr != nil {
		p.errorPageIn(w, r, p.frameFor(r, perr.clientID, uiLocalesOf(r)), perr.status, perr.kind(), perr.detail, perr.fix)
		return
	}
	ctx := r.Context()
	s, _ := p.cookies.Get(r, p.cookieName())
	var sso *ssoSession
	if s != nil {
		var err error
		if sso, err = p.currentSSO(ctx, s); err != nil {
			p.errorPage(w, r, http.StatusServiceUnavailable, problemUnavailable, "The service is temporarily unavailable.", "Try again in a moment.")
			return
		}
	}
	switch {
	case sso == nil:
		// Nothing to end in this browser, and nothing elsewhere.
	case req.hintSubject != "" && req.hintSubject == sso.Subject,
		r.Method == http.MethodPost && p.logoutConfirmed(r.PostForm.Get("confirm"), sso):
		if err := p.endBrowserSSO(ctx, w, r, s, sso); err != nil {
			p.errorPage(w, r, http.StatusServiceUnavailable, problemUnavailable, "The service is temporarily unavailable.", "Try again in a moment.")
			return
		}
		p.audit.Event(ctx, "session.ended", slog.String("client_id", req.clientID), slog.Bool("confirmed", req.hintSubject != sso.Subject))
	default:
		p.askLogout(w, r, req, sso)
		return
	}
	if req.redirectURI == "" {
		// The signed-out page speaks the logout's language and names its
		// client, when known.
		q := url.Values{}
		if _, ok := p.clients[req.clientID]; ok {
			q.Set("client_id", req.clientID)
		}
		if ui := req.form.Get("ui_locales"); ui != "" {
			q.Set("ui_locales", ui)
		}
		to := "/logged-out"
		if len(q) > 0 {
			to += "?" + q.Encode()
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, req.redirectURI, http.StatusSeeOther)
}

// logoutRequest is a validated RP-initiated logout.
type logoutRequest struct {
	form        url.Values // the parameters, for the confirmation form
	clientID    string
	hintSubject string
	// redirectURI is the registered post_logout_redirect_uri with state,
	// or "" for the signed-out page.
	redirectURI string
}

// parseLogout validates the logout parameters; problems are shown on a
// page, never redirected, since the redirect target is what is checked.
func (p *Provider) parseLogout(ctx context.Context, form url.Values) (*logoutRequest, *authzError) {
	for _, l := range []paramLimit{{"id_token_hint", 8192}, {"state", maxState}, {"post_logout_redirect_uri", 2048}, {"client_id", 256}, {"logout_hint", 256}, {"ui_locales", 256}} {
		if len(form.Get(l.name)) > l.max {
			return nil, pageError(http.StatusBadRequest, "The "+l.name+" parameter is too long.", "Send the parameters your client registered and received from idbridge.")
		}
	}
	req := &logoutRequest{form: url.Values{}, clientID: form.Get("client_id")}
	for _, k := range []string{"id_token_hint", "client_id", "post_logout_redirect_uri", "state", "ui_locales"} {
		if v := form.Get(k); v != "" {
			req.form.Set(k, v)
		}
	}
	if hint := form.Get("id_token_hint"); hint != "" {
		ctx = zop.ContextWithIssuer(ctx, p.cfg.Issuer)
		// An expired hint still names who it was issued to (RP-Initiated
		// Logout 1.0 section 2).
		claims, err := zop.VerifyIDTokenHint[*zoidc.IDTokenClaims](ctx, hint, p.op.IDTokenHintVerifier(ctx))
		if err != nil && !errors.As(err, &zop.IDTokenHintExpiredError{}) {
			return nil, pageError(http.StatusBadRequest, "The id_token_hint is not an ID token idbridge issued.", "Send an ID token this provider issued to your client, or leave id_token_hint out.")
		}
		azp := claims.GetAuthorizedParty()
		if req.clientID != "" && req.clientID != azp {
			return nil, pageError(http.StatusBadRequest, "The client_id differs from the client the id_token_hint was issued to.", "Send the client_id the ID token was issued to, or leave it out.")
		}
		req.clientID, req.hintSubject = azp, claims.GetSubject()
	}
	ru := form.Get("post_logout_redirect_uri")
	if ru == "" {
		return req, nil
	}
	cl, ok := p.clients[req.clientID]
	if !ok {
		return nil, pageError(http.StatusBadRequest, "The post_logout_redirect_uri cannot be checked without knowing the client.", "Send client_id or id_token_hint with post_logout_redirect_uri.")
	}
	if !slices.Contains(cl.cfg.PostLogoutRedirectURIs, ru) {
		return nil, pageError(http.StatusBadRequest, "The post_logout_redirect_uri is not registered for this client.", "Send exactly one of the client's post_logout_redirect_uris (compared character for character).").forClient(req.clientID)
	}
	u, err := url.Parse(ru)
	if err != nil {
		return nil, pageError(http.StatusBadRequest, "The post_logout_redirect_uri is not a valid URL.", "Register a valid URL for the client.")
	}
	if st := form.Get("state"); st != "" {
		q := u.Query()
		q.Set("state", st)
		u.RawQuery = q.Encode()
	}
	req.redirectURI = u.String()
	return req, nil
}

// askLogout shows the confirmation page. Its form carries the logout
// parameters and a confirmation bound to this browser's session.
func (p *Provider) askLogout(w http.ResponseWriter, r *http.Request, req *logoutRequest, sso *ssoSession) {
	confirm, err := p.tokenCrypto.Encrypt("logout:" + sso.ID)
	if err != nil {
		p.errorPage(w, r, http.StatusInternalServerError, problemInternal, "The sign-out page could not be prepared.", "Try again in a moment.")
		return
	}
	p.render(w, r, http.StatusOK, "logout_confirm.html", p.frameFor(r, req.clientID, req.form.Get("ui_locales")), map[string]any{
		"Action": PathEndSession, "Params": req.form, "Confirm": confirm,
	})
}

// logoutConfirmed reports whether confirm was made by askLogout for this
// browser's session.
func (p *Provider) logoutConfirmed(confirm string, sso *ssoSession) bool {
	if confirm == "" {
		return false
	}
	plain, err := p.tokenCrypto.Decrypt(confirm)
	return err == nil && plain == "logout:"+sso.ID
}

// endBrowserSSO ends this browser's SSO session: the server record, its
// entry among the person's sessions, and the cookie's reference to it.
func (p *Provider) endBrowserSSO(ctx context.Context, w http.ResponseWriter, r *http.Request, s *sessions.Session, sso *ssoSession) error {
	if err := p.store.Delete(ctx, ssoKey(sso.ID)); err != nil {
		return err
	}
	if err := p.store.IndexRemove(ctx, userSessionsKey(sso.Subject), sso.ID); err != nil {
		p.log.WarnContext(ctx, "ending a browser session: person's session list", "error", err)
	}
	delete(s.Values, "sid")
	s.Options = &sessions.Options{Path: "/", MaxAge: int(p.cfg.Session.Lifetime.Seconds()), HttpOnly: true, Secure: p.secureCookies(), SameSite: http.SameSiteLaxMode}
	return s.Save(r, w)
}
