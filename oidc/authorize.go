package oidc

import (
	"context"
	"net/http"
	"net/url"
	"slices"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	zop "github.com/zitadel/oidc/v3/pkg/op"

	"github.com/idbridge/idbridge/pkg/claims"
)

// authzError is why an authorization request was refused: shown on a page
// while the client or its redirect_uri cannot be trusted (page), else sent
// back to the client (oauth, to).
type authzError struct {
	page        bool
	status      int
	detail, fix string // for developers: logged, never shown
	// clientID is the client the page may name and brand, when known.
	clientID string
	to       authResponse
	oauth    *zoidc.Error
}

func pageError(status int, detail, fix string) *authzError {
	return &authzError{page: true, status: status, detail: detail, fix: fix}
}

// forClient names the client the refused request came from.
func (e *authzError) forClient(id string) *authzError {
	e.clientID = id
	return e
}

// kind is the error page's problem.
func (e *authzError) kind() problem {
	if e.status == http.StatusServiceUnavailable {
		return problemUnavailable
	}
	return problemBadRequest
}

// authorize is the authorization endpoint (OIDC Core 3.1.2), GET and POST.
// Until the client and its exact redirect_uri are known, errors are shown
// on a page; after that they go back to the client with state and iss.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	if !p.readBrowserForm(w, r, "authorization") {
		return
	}
	form, src := r.Form, fromBrowser
	if form.Get("request_uri") != "" {
		pushed, aerr := p.takePushed(r.Context(), form)
		if aerr != nil {
			p.refuse(w, r, aerr)
			return
		}
		form, src = pushed, fromPushed
	}
	a, aerr := p.parseAuthorize(r.Context(), form, src)
	if aerr != nil {
		p.refuse(w, r, aerr)
		return
	}
	p.proceed(w, r, a)
}

// readBrowserForm reads the query and form (at most 64 KiB) of a browser's
// GET or POST to the endpoint named what; when it cannot, it answers with
// an error page and returns false.
func (p *Provider) readBrowserForm(w http.ResponseWriter, r *http.Request, what string) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		p.errorPage(w, r, http.StatusMethodNotAllowed, problemMethod, "The "+what+" endpoint accepts GET and POST only.", "Send the browser here with a GET redirect or a form POST.")
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		p.errorPage(w, r, http.StatusBadRequest, problemBadRequest, "The "+what+" request could not be read.", "Send a well-formed query string or form body (at most 64 KiB).")
		return false
	}
	return true
}

func (p *Provider) refuse(w http.ResponseWriter, r *http.Request, e *authzError) {
	if e.page {
		p.errorPageIn(w, r, p.frameFor(r, e.clientID, uiLocalesOf(r)), e.status, e.kind(), e.detail, e.fix)
		return
	}
	p.redirectError(w, r, e.to, e.oauth)
}

// requestSource is where authorization parameters come from.
type requestSource int

const (
	// fromBrowser: the query or form of /authorize.
	fromBrowser requestSource = iota
	// pushing: the body of a pushed authorization request, being checked
	// before it is stored (RFC 9126).
	pushing
	// fromPushed: a pushed request, redeemed by its request_uri. Its
	// request object was spent when it was pushed.
	fromPushed
)

// parseAuthorize validates authorization parameters into an auth request.
func (p *Provider) parseAuthorize(ctx context.Context, form url.Values, src requestSource) (*authRequest, *authzError) {
	fromPAR := src != fromBrowser
	cl, ok := p.clients[form.Get("client_id")]
	if !ok || cl.internal {
		return nil, pageError(http.StatusBadRequest, "Unknown client_id.", "Use the client_id registered in idbridge's configuration (clients[].id).")
	}
	redirectURI := form.Get("redirect_uri")
	if !slices.Contains(cl.cfg.RedirectURIs, redirectURI) {
		return nil, pageError(http.StatusBadRequest, "The redirect_uri is not registered for this client.", "Send exactly one of the client's registered redirect URIs (compared character for character).").forClient(cl.cfg.ID)
	}
	to := authResponse{redirectURI: redirectURI, state: form.Get("state"), clientID: cl.cfg.ID, uiLocales: form.Get("ui_locales")}
	fail := func(e *zoidc.Error) (*authRequest, *authzError) {
		if len(to.state) > maxState {
			to.state = "" // never echo what was refused for its size
		}
		return nil, &authzError{to: to, oauth: e}
	}
	if e := checkParamSizes(form); e != nil {
		return fail(e)
	}
	switch mode := zoidc.ResponseMode(form.Get("response_mode")); mode {
	case "", zoidc.ResponseModeQuery, zoidc.ResponseModeFormPost:
		to.mode = mode
	default:
		return fail(zoidc.ErrInvalidRequest().WithDescription("response_mode must be query or form_post"))
	}
	if cl.cfg.RequirePAR && !fromPAR {
		return fail(zoidc.ErrInvalidRequest().WithDescription("this client must push its authorization request to the pushed_authorization_request_endpoint first (RFC 9126)"))
	}
	if fromPAR && form.Get("request_uri") != "" {
		return fail(zoidc.ErrInvalidRequest().WithDescription("a pushed request must not itself contain request_uri"))
	}
	var ar zoidc.AuthRequest
	if err := p.op.Decoder().Decode(&ar, form); err != nil {
		return fail(zoidc.ErrInvalidRequest().WithDescription("malformed parameter: check max_age is a non-negative integer and every parameter appears once"))
	}
	rawClaims := form.Get("claims")
	// A login_hint is an assertion of the client only when the client
	// authenticated it: pushed to /par, or signed in a request object.
	hintAsserted := fromPAR && ar.LoginHint != ""
	if ar.RequestParam != "" {
		objClaims, objHint, err := p.requestObject(ctx, &ar, cl, src != fromPushed)
		if err != nil {
			return fail(err)
		}
		hintAsserted = hintAsserted || (objHint != "" && objHint == ar.LoginHint)
		if objClaims != "" {
			rawClaims = objClaims
		}
		to.state, to.redirectURI = ar.State, ar.RedirectURI
		if !slices.Contains(cl.cfg.RedirectURIs, ar.RedirectURI) {
			return nil, pageError(http.StatusBadRequest, "The request object's redirect_uri is not registered for this client.", "Sign a request object with one of the client's registered redirect URIs.").forClient(cl.cfg.ID)
		}
		if e := checkParamSizes(objectParams(&ar, rawClaims)); e != nil {
			return fail(e)
		}
	}
	if ar.ResponseType != zoidc.ResponseTypeCode {
		return fail(errUnsupportedResponseType().WithDescription("only response_type=code is supported"))
	}
	if !slices.Contains(ar.Scopes, zoidc.ScopeOpenID) {
		return fail(zoidc.ErrInvalidScope().WithDescription("the openid scope is required"))
	}
	maxAge, err := zop.ValidateAuthReqPrompt(ar.Prompt, ar.MaxAge)
	if err != nil {
		return fail(asOIDCError(err))
	}
	for _, pr := range ar.Prompt {
		switch {
		case slices.Contains(promptValuesSupported, pr):
		case pr == zoidc.PromptSelectAccount:
			// Initiating User Registration via OpenID Connect 1.0 section 7:
			// a value not in prompt_values_supported is invalid_request.
			return fail(zoidc.ErrInvalidRequest().WithDescription("prompt=select_account is not supported: a browser signs in one person, who proves who they are in the check (prompt_values_supported: none, login, consent)"))
		default:
			return fail(zoidc.ErrInvalidRequest().WithDescription("unknown prompt value %q", pr))
		}
	}
	prompt := ar.Prompt
	if slices.Contains(prompt, zoidc.PromptConsent) && !slices.Contains(prompt, zoidc.PromptLogin) {
		// The person consents by completing a check for this client, on
		// pages that name it: consent is never answered from the session.
		prompt = append(slices.Clone(prompt), zoidc.PromptLogin)
	}
	if ar.CodeChallenge != "" && ar.CodeChallengeMethod != zoidc.CodeChallengeMethodS256 {
		return fail(zoidc.ErrInvalidRequest().WithDescription("code_challenge_method must be S256"))
	}
	if cl.requirePKCE() && ar.CodeChallenge == "" {
		return fail(zoidc.ErrInvalidRequest().WithDescription("this client must use PKCE: send code_challenge with code_challenge_method=S256"))
	}
	creq, err := claims.ParseRequest(rawClaims)
	if err != nil {
		return fail(zoidc.ErrInvalidRequest().WithDescription("%s", err.Error()))
	}
	// The hint verifier reads the issuer from the context, as zitadel's own
	// router would have set it.
	ctx = zop.ContextWithIssuer(ctx, p.cfg.Issuer)
	hintSub, err := zop.ValidateAuthReqIDTokenHint(ctx, ar.IDTokenHint, p.op.IDTokenHintVerifier(ctx))
	if err != nil {
		return fail(asOIDCError(err))
	}
	acrValues := []string(ar.ACRValues)
	acrEssential := false
	if vals, essential := creq.ACR(); len(vals) > 0 {
		acrValues, acrEssential = vals, essential
	}
	if acrEssential && !slices.ContainsFunc(acrValues, func(v string) bool { return p.acr.canonical(v) != "" }) {
		return fail(errUnmetAuthenticationRequirements().WithDescription("none of the essential acr values is supported; see acr_values_supported in discovery"))
	}
	a := &authRequest{
		ID: newID(), CreatedAt: p.now(), ClientID: cl.cfg.ID, RedirectURI: to.redirectURI,
		State: to.state, Nonce: ar.Nonce, Scopes: cl.allowScopes(ar.Scopes), ResponseType: ar.ResponseType,
		ResponseMode: to.mode, CodeChallenge: ar.CodeChallenge, CodeChallengeMethod: ar.CodeChallengeMethod,
		Prompt: prompt, MaxAge: maxAge, LoginHint: ar.LoginHint, HintAsserted: hintAsserted, HintSubject: hintSub,
		ACRValues: acrValues, ACREssential: acrEssential, Claims: rawClaims, UILocales: ar.UILocales.String(),
	}
	if e := checkRecordSize(a); e != nil {
		return fail(e)
	}
	return a, nil
}

// promptValuesSupported are the prompt values idbridge acts on: none
// (answer from the SSO session or fail), login (a fresh check, never the
// session) and consent (the same: the person's check for this client is
// their consent; there is no separate consent page). A browser signs in
// one person, so there is no account to select.
var promptValuesSupported = []string{zoidc.PromptNone, zoidc.PromptLogin, zoidc.PromptConsent}

func asOIDCError(err error) *zoidc.Error {
	if e, ok := err.(*zoidc.Error); ok {
		return e
	}
	return zoidc.ErrServerError().WithDescription("the request could not be processed")
}
