package conformance

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// loginWith runs a fresh interactive login for params and redeems it.
func (e *env) loginWith(ctx context.Context, params url.Values) (*tokens, *idToken, error) {
	return e.fullLogin(ctx, e.newBrowser(), params)
}

func checkWithoutNonce(ctx context.Context, e *env) (string, error) {
	if _, _, err := e.loginWith(ctx, e.authParams("nonce", "")); err != nil {
		return "", err
	}
	return "code flow without nonce succeeded; the ID token has no nonce", nil
}

func checkScopeProfile(ctx context.Context, e *env) (string, error) {
	t, _, err := e.loginWith(ctx, e.authParams("scope", "openid profile"))
	if err != nil {
		return "", err
	}
	ui, err := e.userinfo(ctx, t.AccessToken, userinfoGet)
	if err != nil {
		return "", err
	}
	var got []string
	for _, c := range []string{"name", "given_name", "family_name", "middle_name", "birthdate"} {
		if s, ok := ui[c].(string); ok && s != "" {
			got = append(got, c)
		}
	}
	if len(got) == 0 {
		return "", fmt.Errorf("userinfo has no profile claim for scope profile")
	}
	return fmt.Sprintf("userinfo profile claims: %v", got), nil
}

func checkScopeOrder(ctx context.Context, e *env) (string, error) {
	if _, _, err := e.loginWith(ctx, e.authParams("scope", "profile openid")); err != nil {
		return "", err
	}
	return `scope "profile openid" succeeded`, nil
}

func checkUnknownParameter(ctx context.Context, e *env) (string, error) {
	params := e.authParams()
	params.Set("extra", "foobar")
	if _, _, err := e.loginWith(ctx, params); err != nil {
		return "", err
	}
	return "extra=foobar ignored", nil
}

// expectErrorPage requires the OP to refuse on a page: no redirect at all
// (OIDC Core 3.1.2.6: never redirect to an unverified URI).
func (e *env) expectErrorPage(ctx context.Context, params url.Values) (string, error) {
	p, err := e.newBrowser().authorize(ctx, params)
	if err != nil {
		return "", err
	}
	if p.Callback != nil || p.Elsewhere != nil {
		return "", fmt.Errorf("the OP redirected: %s", describe(p))
	}
	if _, _, waiting := elementByID(p.Body, "verify-link"); waiting {
		return "", fmt.Errorf("the OP started a login instead of refusing the request")
	}
	if p.Status < 400 || p.Status >= 500 {
		return "", fmt.Errorf("expected an error page with a 4xx status, got %s", describe(p))
	}
	return describe(p), nil
}

func checkUnregisteredRedirect(ctx context.Context, e *env) (string, error) {
	return e.expectErrorPage(ctx, e.authParams("redirect_uri", "https://unregistered.invalid/callback"))
}

func checkMissingRedirect(ctx context.Context, e *env) (string, error) {
	return e.expectErrorPage(ctx, e.authParams("redirect_uri", ""))
}

func checkACRValues(ctx context.Context, e *env) (string, error) {
	_, tok, err := e.loginWith(ctx, e.authParams("acr_values", "1 2"))
	if err != nil {
		return "", err
	}
	acr, _ := tok.Claims["acr"].(string)
	if acr == "" {
		return "", fmt.Errorf("the ID token has no acr although acr_values were requested")
	}
	return "acr_values=\"1 2\" succeeded with acr " + acr, nil
}

func checkClaimsEssential(ctx context.Context, e *env) (string, error) {
	params := e.authParams("scope", "openid", "claims", `{"userinfo":{"given_name":{"essential":true}}}`)
	t, _, err := e.loginWith(ctx, params)
	if err != nil {
		return "", err
	}
	ui, err := e.userinfo(ctx, t.AccessToken, userinfoGet)
	if err != nil {
		return "", err
	}
	if s, _ := ui["given_name"].(string); s == "" {
		return "", fmt.Errorf("userinfo lacks the essential given_name")
	}
	return "essential given_name delivered in userinfo", nil
}

func checkPostRequest(ctx context.Context, e *env) (string, error) {
	params := e.authParams()
	b := e.newBrowser()
	p, err := b.authorizePost(ctx, params)
	if err != nil {
		return "", err
	}
	if p, err = b.complete(ctx, p, answerGenuine...); err != nil {
		return "", err
	}
	code, err := e.codeFrom(p, params)
	if err != nil {
		return "", err
	}
	if _, _, err := e.redeem(ctx, code, params); err != nil {
		return "", err
	}
	return "authorization request by POST succeeded", nil
}

func checkFormPost(ctx context.Context, e *env) (string, error) {
	params := e.authParams("response_mode", "form_post")
	b := e.newBrowser()
	p, err := b.login(ctx, params, answerGenuine...)
	if err != nil {
		return "", err
	}
	if p.Callback == nil || p.Callback.Mode != "form_post" {
		return "", fmt.Errorf("expected a form_post page, got %s", describe(p))
	}
	if p.Status != http.StatusOK {
		return "", fmt.Errorf("form_post page status %d", p.Status)
	}
	code, err := e.codeFrom(p, params)
	if err != nil {
		return "", err
	}
	if _, _, err := e.redeem(ctx, code, params); err != nil {
		return "", err
	}
	return "form_post page carried code, state and iss; code redeemed", nil
}
