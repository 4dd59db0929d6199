package oidc

import (
	"context"
	"net/http"
	"net/url"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
)

// authResponse is where and how an authorization response goes: only
// built once the client and its exact redirect_uri are known.
type authResponse struct {
	redirectURI string
	mode        zoidc.ResponseMode
	state       string
	// clientID and uiLocales frame the form_post page.
	clientID, uiLocales string
}

func (a *authRequest) response() authResponse {
	return authResponse{redirectURI: a.RedirectURI, mode: a.ResponseMode, state: a.State, clientID: a.ClientID, uiLocales: a.UILocales}
}

// redirect sends params to the client with state and iss (RFC 9207), by
// query or form_post.
func (p *Provider) redirect(w http.ResponseWriter, r *http.Request, to authResponse, params url.Values) {
	if to.state != "" {
		params.Set("state", to.state)
	}
	params.Set("iss", p.cfg.Issuer)
	if to.mode == zoidc.ResponseModeFormPost {
		p.render(w, r, http.StatusOK, "form_post.html", p.frameFor(r, to.clientID, to.uiLocales), map[string]any{"Action": to.redirectURI, "Params": params})
		return
	}
	u, err := url.Parse(to.redirectURI)
	if err != nil {
		p.errorPage(w, r, http.StatusBadRequest, problemBadRequest, "The redirect URI is not a valid URL.", "Register a valid redirect URI for the client.")
		return
	}
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

// redirectError returns an OAuth error to the client (RFC 6749 4.1.2.1).
func (p *Provider) redirectError(w http.ResponseWriter, r *http.Request, to authResponse, e *zoidc.Error) {
	p.log.InfoContext(r.Context(), "authorization error", "error", string(e.ErrorType), "description", e.Description)
	v := url.Values{"error": {string(e.ErrorType)}}
	if e.Description != "" {
		v.Set("error_description", e.Description)
	}
	p.redirect(w, r, to, v)
}

// failRequest answers a stored auth request with an error and forgets it.
func (p *Provider) failRequest(w http.ResponseWriter, r *http.Request, a *authRequest, e *zoidc.Error) {
	p.metrics.Login(a.Journey, string(e.ErrorType))
	keys := []string{authRequestKey(a.ID)}
	if a.Handoff != "" {
		keys = append(keys, handoffKey(a.Handoff))
	}
	_ = p.store.Delete(context.WithoutCancel(r.Context()), keys...)
	p.redirectError(w, r, a.response(), e)
}
