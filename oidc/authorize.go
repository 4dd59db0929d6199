package oidc

import (
	"net/http"
	"slices"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	zop "github.com/zitadel/oidc/v3/pkg/op"

	"github.com/idbridge/idbridge/pkg/claims"
)

// authorize is the authorization endpoint (OIDC Core 3.1.2), GET and POST.
// Until the client and its exact redirect_uri are known, errors are shown
// on a page; after that they go back to the client with state and iss.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		p.errorPage(w, r, http.StatusMethodNotAllowed, "The authorization endpoint accepts GET and POST only.", "Send the browser here with a GET redirect or a form POST.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		p.errorPage(w, r, http.StatusBadRequest, "The authorization request could not be read.", "Send a well-formed query string or form body (at most 64 KiB).")
		return
	}
	cl, ok := p.clients[r.Form.Get("client_id")]
	if !ok {
		p.errorPage(w, r, http.StatusBadRequest, "Unknown client_id.", "Use the client_id registered in idbridge's configuration (clients[].id).")
		return
	}
	redirectURI := r.Form.Get("redirect_uri")
	if !slices.Contains(cl.cfg.RedirectURIs, redirectURI) {
		p.errorPage(w, r, http.StatusBadRequest, "The redirect_uri is not registered for this client.", "Send exactly one of the client's registered redirect URIs (compared character for character).")
		return
	}
	to := authResponse{redirectURI: redirectURI, state: r.Form.Get("state")}
	switch mode := zoidc.ResponseMode(r.Form.Get("response_mode")); mode {
	case "", zoidc.ResponseModeQuery, zoidc.ResponseModeFormPost:
		to.mode = mode
	default:
		p.redirectError(w, r, to, zoidc.ErrInvalidRequest().WithDescription("response_mode must be query or form_post"))
		return
	}
	if r.Form.Get("request_uri") != "" {
		p.redirectError(w, r, to, errRequestURINotSupported().WithDescription("request_uri is supported only for pushed authorization requests"))
		return
	}
	if r.Form.Get("request") != "" {
		p.redirectError(w, r, to, zoidc.ErrRequestNotSupported().WithDescription("request objects are not supported; send the parameters directly"))
		return
	}
	var ar zoidc.AuthRequest
	if err := p.op.Decoder().Decode(&ar, r.Form); err != nil {
		p.redirectError(w, r, to, zoidc.ErrInvalidRequest().WithDescription("malformed parameter: check max_age is a non-negative integer and every parameter appears once"))
		return
	}
	if ar.ResponseType != zoidc.ResponseTypeCode {
		p.redirectError(w, r, to, errUnsupportedResponseType().WithDescription("only response_type=code is supported"))
		return
	}
	if !slices.Contains(ar.Scopes, zoidc.ScopeOpenID) {
		p.redirectError(w, r, to, zoidc.ErrInvalidScope().WithDescription("the openid scope is required"))
		return
	}
	maxAge, err := zop.ValidateAuthReqPrompt(ar.Prompt, ar.MaxAge)
	if err != nil {
		p.redirectError(w, r, to, asOIDCError(err))
		return
	}
	for _, pr := range ar.Prompt {
		if !slices.Contains([]string{zoidc.PromptNone, zoidc.PromptLogin, zoidc.PromptConsent, zoidc.PromptSelectAccount}, pr) {
			p.redirectError(w, r, to, zoidc.ErrInvalidRequest().WithDescription("unknown prompt value %q", pr))
			return
		}
	}
	if ar.CodeChallenge != "" && ar.CodeChallengeMethod != zoidc.CodeChallengeMethodS256 {
		p.redirectError(w, r, to, zoidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256"))
		return
	}
	if cl.requirePKCE() && ar.CodeChallenge == "" {
		p.redirectError(w, r, to, zoidc.ErrInvalidRequest().WithDescription("this client must use PKCE: send code_challenge with code_challenge_method=S256"))
		return
	}
	creq, err := claims.ParseRequest(r.Form.Get("claims"))
	if err != nil {
		p.redirectError(w, r, to, zoidc.ErrInvalidRequest().WithDescription("%s", err.Error()))
		return
	}
	// The hint verifier reads the issuer from the context, as zitadel's own
	// router would have set it.
	ctx := zop.ContextWithIssuer(r.Context(), p.cfg.Issuer)
	hintSub, err := zop.ValidateAuthReqIDTokenHint(ctx, ar.IDTokenHint, p.op.IDTokenHintVerifier(ctx))
	if err != nil {
		p.redirectError(w, r, to, asOIDCError(err))
		return
	}
	acrValues := []string(ar.ACRValues)
	acrEssential := false
	if vals, essential := creq.ACR(); len(vals) > 0 {
		acrValues, acrEssential = vals, essential
	}
	if acrEssential && !slices.ContainsFunc(acrValues, func(v string) bool { return p.acr.canonical(v) != "" }) {
		p.redirectError(w, r, to, errUnmetAuthenticationRequirements().WithDescription("none of the essential acr values is supported; see acr_values_supported in discovery"))
		return
	}
	a := &authRequest{
		ID: newID(), CreatedAt: p.now(), ClientID: cl.cfg.ID, RedirectURI: redirectURI,
		State: ar.State, Nonce: ar.Nonce, Scopes: cl.allowScopes(ar.Scopes), ResponseType: ar.ResponseType,
		ResponseMode: to.mode, CodeChallenge: ar.CodeChallenge, CodeChallengeMethod: ar.CodeChallengeMethod,
		Prompt: ar.Prompt, MaxAge: maxAge, LoginHint: ar.LoginHint, HintSubject: hintSub,
		ACRValues: acrValues, ACREssential: acrEssential, Claims: r.Form.Get("claims"),
	}
	p.proceed(w, r, a)
}

func asOIDCError(err error) *zoidc.Error {
	if e, ok := err.(*zoidc.Error); ok {
		return e
	}
	return zoidc.ErrServerError().WithDescription("the request could not be processed")
}
