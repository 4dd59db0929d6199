package conformance

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
)

// basicChecks mirror oidcc-basic-certification-test-plan, in the order the
// suite lists its modules, then idbridge's own.
func basicChecks() []Check {
	c := func(name, summary string, run func(context.Context, *env) (string, error)) Check {
		return Check{Plan: PlanBasic, Name: name, Summary: summary, run: run}
	}
	return []Check{
		c("oidcc-server", "code flow: ID token signature via JWKS, iss aud exp iat nonce auth_time at_hash, userinfo sub", checkServer),
		c("oidcc-response-type-missing", "authorization request without response_type is refused with invalid_request and iss", checkResponseTypeMissing),
		c("oidcc-userinfo-get", "userinfo by GET with a bearer header", userinfoCheck(userinfoGet)),
		c("oidcc-userinfo-post-header", "userinfo by POST with a bearer header", userinfoCheck(userinfoPostHeader)),
		c("oidcc-userinfo-post-body", "userinfo by POST with access_token in the form body", userinfoCheck(userinfoPostBody)),
		c("oidcc-ensure-request-without-nonce-succeeds-for-code-flow", "no nonce: success, and the ID token carries none", checkWithoutNonce),
		c("oidcc-scope-profile", "scope profile: userinfo returns profile claims", checkScopeProfile),
		c("oidcc-ensure-other-scope-order-succeeds", "scopes in another order succeed", checkScopeOrder),
		c("oidcc-prompt-none-not-logged-in", "prompt=none without a session: login_required (or another interaction error) with state and iss", checkPromptNoneNotLoggedIn),
		c("oidcc-prompt-none-logged-in", "prompt=none with a session: silent code, same sub and auth_time", checkPromptNoneLoggedIn),
		c("oidcc-max-age-1", "max_age=1 after more than a second: new authentication, later auth_time", checkMaxAge1),
		c("oidcc-max-age-10000", "max_age=10000: silent, auth_time of the first login", checkMaxAge10000),
		c("oidcc-ensure-request-with-unknown-parameter-succeeds", "an unknown authorization parameter is ignored", checkUnknownParameter),
		c("oidcc-id-token-hint", "prompt=none with id_token_hint of the session's user: silent code, same sub", checkIDTokenHint),
		c("oidcc-ensure-registered-redirect-uri", "unregistered redirect_uri: error page, never a redirect", checkUnregisteredRedirect),
		c("oidcc-ensure-redirect-uri-in-authorization-request", "no redirect_uri: error page, never a redirect", checkMissingRedirect),
		c("oidcc-ensure-request-with-acr-values-succeeds", "voluntary acr_values the OP does not know: success with an acr claim", checkACRValues),
		c("oidcc-claims-essential", "claims parameter with an essential userinfo claim: delivered", checkClaimsEssential),
		c("oidcc-ensure-post-request-succeeds", "authorization request by form POST", checkPostRequest),
		c("oidcc-codereuse", "second redemption of a code: invalid_grant, and the first access token is revoked", checkCodeReuse),
		c("oidcc-client-secret-post", "token endpoint with client_secret_post (second client)", checkClientSecretPost),
		c("oidcc-ensure-pkce-code-verifier-checked", "PKCE S256: a wrong or missing code_verifier is invalid_grant, the right one works", checkPKCE),
		c("oidcc-refresh-token", "refresh_token grant rotates, keeps sub acr auth_time, and the old refresh token dies", checkRefresh),
		c("oidcc-response-mode-form-post", "response_mode=form_post: auto-submitting form with code, state and iss", checkFormPost),
		c("idbridge-liveid-step-up", "acr_values liveid with prompt=login: LiveID on the hosted page; the enrolled face passes, another face is access_denied", checkLiveID),
		c("idbridge-decline-access-denied", "the person declines on the hosted page: access_denied with state and iss", checkDecline),
		c("idbridge-iss-in-every-authorization-response", "RFC 9207: every success and error response of this run carried iss", checkIssEverywhere),
	}
}

// fullLogin runs an interactive login in b, redeems the code with
// client_secret_basic and verifies the ID token (nonce, at_hash,
// auth_time present).
func (e *env) fullLogin(ctx context.Context, b *browser, params url.Values) (*tokens, *idToken, error) {
	code, err := b.codeLogin(ctx, params)
	if err != nil {
		return nil, nil, err
	}
	return e.redeem(ctx, code, params)
}

// redeem exchanges a code of params' request and verifies the ID token.
func (e *env) redeem(ctx context.Context, code string, params url.Values, extra ...string) (*tokens, *idToken, error) {
	t, err := e.exchange(ctx, code, extra...)
	if err != nil {
		return nil, nil, fmt.Errorf("code exchange: %w", err)
	}
	tok, err := e.verifyIDToken(ctx, t.IDToken, idTokenWant{Nonce: params.Get("nonce"), NoNonce: params.Get("nonce") == "", AccessToken: t.AccessToken, RequireATHash: true})
	if err != nil {
		return nil, nil, err
	}
	if _, ok := claimTime(tok.Claims, "auth_time"); !ok {
		return nil, nil, fmt.Errorf("id_token has no auth_time")
	}
	return t, tok, nil
}

func checkServer(ctx context.Context, e *env) (string, error) {
	params := e.authParams()
	t, tok, err := e.fullLogin(ctx, e.newBrowser(), params)
	if err != nil {
		return "", err
	}
	ui, err := e.userinfo(ctx, t.AccessToken, userinfoGet)
	if err != nil {
		return "", fmt.Errorf("userinfo: %w", err)
	}
	if ui["sub"] != tok.Claims["sub"] {
		return "", fmt.Errorf("userinfo sub %v differs from the ID token's %v", ui["sub"], tok.Claims["sub"])
	}
	return fmt.Sprintf("%s ID token (kid %s) verified: iss, aud, exp, iat, nonce, auth_time, at_hash; acr %v; userinfo sub matches", tok.Alg, tok.KeyID, tok.Claims["acr"]), nil
}

func checkResponseTypeMissing(ctx context.Context, e *env) (string, error) {
	params := e.authParams("response_type", "")
	code, err := e.authorizeError(ctx, params)
	if err != nil {
		return "", err
	}
	if code != "invalid_request" && code != "unsupported_response_type" {
		return "", fmt.Errorf("error is %s, want invalid_request", code)
	}
	return "error=" + code + " with state and iss", nil
}

func checkCodeReuse(ctx context.Context, e *env) (string, error) {
	params := e.authParams()
	b := e.newBrowser()
	code, err := b.codeLogin(ctx, params)
	if err != nil {
		return "", err
	}
	t, _, err := e.redeem(ctx, code, params)
	if err != nil {
		return "", err
	}
	if _, err := e.userinfo(ctx, t.AccessToken, userinfoGet); err != nil {
		return "", fmt.Errorf("userinfo before the replay: %w", err)
	}
	_, err = e.exchange(ctx, code)
	if err := expectTokenError(err, "invalid_grant"); err != nil {
		return "", fmt.Errorf("second redemption: %w", err)
	}
	_, err = e.userinfo(ctx, t.AccessToken, userinfoGet)
	oe, ok := err.(*oauthError)
	if err == nil || !ok || oe.Status != http.StatusUnauthorized {
		return "", fmt.Errorf("the first access token still works after the code was replayed (userinfo: %v)", err)
	}
	return "replay: invalid_grant; first access token revoked (userinfo 401)", nil
}

func checkClientSecretPost(ctx context.Context, e *env) (string, error) {
	cl := e.cfg.Client2
	params := e.authParams("client_id", cl.ID)
	code, err := e.newBrowser().codeLogin(ctx, params)
	if err != nil {
		return "", err
	}
	t, err := e.exchangeAs(ctx, cl, authPost, code)
	if err != nil {
		return "", fmt.Errorf("client_secret_post exchange: %w", err)
	}
	if _, err := e.verifyIDToken(ctx, t.IDToken, idTokenWant{Client: cl, Nonce: params.Get("nonce"), AccessToken: t.AccessToken, RequireATHash: true}); err != nil {
		return "", err
	}
	return "client " + cl.ID + " authenticated with client_secret_post; ID token verified", nil
}

func pkcePair() (verifier, challenge string) {
	verifier = random() + random()
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

func checkPKCE(ctx context.Context, e *env) (string, error) {
	if d, err := e.discovery(ctx); err == nil && !slices.Contains(stringList(d, "code_challenge_methods_supported"), "S256") {
		return "", skipf("discovery does not list S256 in code_challenge_methods_supported")
	}
	b := e.newBrowser()
	verifier, challenge := pkcePair()
	params := e.authParams("code_challenge", challenge, "code_challenge_method", "S256")
	code, err := b.codeLogin(ctx, params)
	if err != nil {
		return "", err
	}
	wrong, _ := pkcePair()
	if err := expectTokenError(func() error { _, err := e.exchange(ctx, code, "code_verifier", wrong); return err }(), "invalid_grant"); err != nil {
		return "", fmt.Errorf("wrong code_verifier: %w", err)
	}
	// The session answers the next requests silently.
	params = e.authParams("code_challenge", challenge, "code_challenge_method", "S256")
	if code, err = b.codeLogin(ctx, params); err != nil {
		return "", err
	}
	// RFC 7636 names no error for a missing verifier: either is right.
	_, err = e.exchange(ctx, code)
	if expectTokenError(err, "invalid_grant") != nil && expectTokenError(err, "invalid_request") != nil {
		return "", fmt.Errorf("missing code_verifier: expected invalid_grant or invalid_request, got %v", err)
	}
	params = e.authParams("code_challenge", challenge, "code_challenge_method", "S256")
	if code, err = b.codeLogin(ctx, params); err != nil {
		return "", err
	}
	if _, _, err := e.redeem(ctx, code, params, "code_verifier", verifier); err != nil {
		return "", fmt.Errorf("right code_verifier: %w", err)
	}
	return "wrong code_verifier: invalid_grant; missing: refused; right one: tokens", nil
}

func checkRefresh(ctx context.Context, e *env) (string, error) {
	if d, err := e.discovery(ctx); err == nil && !slices.Contains(stringList(d, "grant_types_supported"), "refresh_token") {
		return "", skipf("discovery does not list refresh_token in grant_types_supported")
	}
	params := e.authParams("scope", "openid profile offline_access", "prompt", "consent")
	t, first, err := e.fullLogin(ctx, e.newBrowser(), params)
	if err != nil {
		return "", err
	}
	if t.RefreshToken == "" {
		return "", fmt.Errorf("no refresh_token for scope offline_access (is refresh_tokens enabled for client %s?)", e.cfg.Client.ID)
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {t.RefreshToken}}
	r, err := e.token(ctx, e.cfg.Client, authBasic, form)
	if err != nil {
		return "", fmt.Errorf("refresh: %w", err)
	}
	if r.RefreshToken == "" || r.RefreshToken == t.RefreshToken {
		return "", fmt.Errorf("the refresh token was not rotated")
	}
	if r.IDToken != "" {
		again, err := e.verifyIDToken(ctx, r.IDToken, idTokenWant{AccessToken: r.AccessToken})
		if err != nil {
			return "", fmt.Errorf("refreshed ID token: %w", err)
		}
		for _, claim := range []string{"sub", "acr", "auth_time"} {
			if fmt.Sprint(again.Claims[claim]) != fmt.Sprint(first.Claims[claim]) {
				return "", fmt.Errorf("refreshed ID token %s is %v, the original's %v (OIDC Core 12.2)", claim, again.Claims[claim], first.Claims[claim])
			}
		}
	}
	if _, err := e.userinfo(ctx, r.AccessToken, userinfoGet); err != nil {
		return "", fmt.Errorf("userinfo with the refreshed access token: %w", err)
	}
	_, err = e.token(ctx, e.cfg.Client, authBasic, form)
	if err := expectTokenError(err, "invalid_grant"); err != nil {
		return "", fmt.Errorf("reusing the rotated refresh token: %w", err)
	}
	return "rotated; sub, acr, auth_time kept; old refresh token invalid_grant", nil
}
