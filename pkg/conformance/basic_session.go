package conformance

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// ACR values idbridge publishes (oidc.ACRIAL2, oidc.ACRLiveID); repeated
// here because the runner talks to instances only over HTTP.
const (
	acrIAL2   = "urn:idbridge:acr:ial2"
	acrLiveID = "urn:idbridge:acr:liveid"
)

// promptNoneErrors are the answers OIDC Core 3.1.2.6 allows for prompt=none
// when the user must interact.
var promptNoneErrors = []string{"login_required", "interaction_required", "consent_required", "account_selection_required"}

func checkPromptNoneNotLoggedIn(ctx context.Context, e *env) (string, error) {
	params := e.authParams("prompt", "none")
	code, err := e.authorizeError(ctx, params)
	if err != nil {
		return "", err
	}
	if !slices.Contains(promptNoneErrors, code) {
		return "", fmt.Errorf("error is %s, want login_required or interaction_required", code)
	}
	return "error=" + code + " with state and iss", nil
}

// silent sends params in b, which holds a session, and redeems the code it
// must get without any page.
func (e *env) silent(ctx context.Context, b *browser, params []string) (*idToken, error) {
	req := e.authParams(params...)
	p, err := b.authorize(ctx, req)
	if err != nil {
		return nil, err
	}
	code, err := e.codeFrom(p, req)
	if err != nil {
		return nil, fmt.Errorf("expected a silent code: %w", err)
	}
	_, tok, err := e.redeem(ctx, code, req)
	return tok, err
}

func sameClaims(a, b *idToken, names ...string) error {
	for _, n := range names {
		if fmt.Sprint(a.Claims[n]) != fmt.Sprint(b.Claims[n]) {
			return fmt.Errorf("%s changed from %v to %v", n, a.Claims[n], b.Claims[n])
		}
	}
	return nil
}

func checkPromptNoneLoggedIn(ctx context.Context, e *env) (string, error) {
	b := e.newBrowser()
	_, first, err := e.fullLogin(ctx, b, e.authParams())
	if err != nil {
		return "", err
	}
	again, err := e.silent(ctx, b, []string{"prompt", "none"})
	if err != nil {
		return "", err
	}
	if err := sameClaims(first, again, "sub", "auth_time"); err != nil {
		return "", err
	}
	return "silent code; sub and auth_time of the session", nil
}

func checkMaxAge1(ctx context.Context, e *env) (string, error) {
	b := e.newBrowser()
	_, first, err := e.fullLogin(ctx, b, e.authParams())
	if err != nil {
		return "", err
	}
	// auth_time has a resolution of one second: wait until max_age=1 has
	// surely elapsed.
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case <-time.After(2100 * time.Millisecond):
	}
	params := e.authParams("max_age", "1")
	p, err := b.authorize(ctx, params)
	if err != nil {
		return "", err
	}
	if p.Callback != nil {
		return "", fmt.Errorf("max_age=1 elapsed but the OP answered without authenticating again (%s)", describe(p))
	}
	if p, err = b.complete(ctx, p, answerGenuine...); err != nil {
		return "", err
	}
	code, err := e.codeFrom(p, params)
	if err != nil {
		return "", err
	}
	_, again, err := e.redeem(ctx, code, params)
	if err != nil {
		return "", err
	}
	t1, _ := claimTime(first.Claims, "auth_time")
	t2, _ := claimTime(again.Claims, "auth_time")
	if t2 <= t1 {
		return "", fmt.Errorf("auth_time %d is not after the first authentication's %d", t2, t1)
	}
	if again.Claims["sub"] != first.Claims["sub"] {
		return "", fmt.Errorf("the same person got another sub")
	}
	return fmt.Sprintf("authenticated again; auth_time advanced by %ds", t2-t1), nil
}

func checkMaxAge10000(ctx context.Context, e *env) (string, error) {
	b := e.newBrowser()
	_, first, err := e.fullLogin(ctx, b, e.authParams())
	if err != nil {
		return "", err
	}
	again, err := e.silent(ctx, b, []string{"max_age", "10000"})
	if err != nil {
		return "", err
	}
	if err := sameClaims(first, again, "sub", "auth_time"); err != nil {
		return "", err
	}
	return "silent; auth_time of the first login", nil
}

func checkIDTokenHint(ctx context.Context, e *env) (string, error) {
	b := e.newBrowser()
	t, first, err := e.fullLogin(ctx, b, e.authParams())
	if err != nil {
		return "", err
	}
	again, err := e.silent(ctx, b, []string{"prompt", "none", "id_token_hint", t.IDToken})
	if err != nil {
		return "", err
	}
	if err := sameClaims(first, again, "sub"); err != nil {
		return "", err
	}
	return "prompt=none with id_token_hint: silent code for the same sub", nil
}

func checkLiveID(ctx context.Context, e *env) (string, error) {
	d, err := e.discovery(ctx)
	if err != nil {
		return "", err
	}
	if !slices.Contains(stringList(d, "acr_values_supported"), acrLiveID) {
		return "", skipf("acr_values_supported does not list %s", acrLiveID)
	}
	b := e.newBrowser()
	_, first, err := e.fullLogin(ctx, b, e.authParams())
	if err != nil {
		return "", err
	}
	params := e.authParams("acr_values", acrLiveID, "prompt", "login")
	wait, err := b.authorize(ctx, params)
	if err != nil {
		return "", err
	}
	if _, status, ok := elementByID(wait.Body, "status"); !ok || status["data-journey"] != "liveid" {
		return "", fmt.Errorf("expected a waiting page for LiveID, got %s", describe(wait))
	}
	p, err := b.complete(ctx, wait, answerMatch)
	if err != nil {
		return "", err
	}
	code, err := e.codeFrom(p, params)
	if err != nil {
		return "", err
	}
	_, live, err := e.redeem(ctx, code, params)
	if err != nil {
		return "", err
	}
	if live.Claims["acr"] != acrLiveID {
		return "", fmt.Errorf("acr is %v after LiveID, want %s", live.Claims["acr"], acrLiveID)
	}
	if amr, _ := live.Claims["amr"].([]any); !slices.Contains(amr, any("face")) {
		return "", fmt.Errorf("amr %v lacks face (RFC 8176)", live.Claims["amr"])
	}
	if err := sameClaims(first, live, "sub"); err != nil {
		return "", err
	}
	t1, _ := claimTime(first.Claims, "auth_time")
	t2, _ := claimTime(live.Claims, "auth_time")
	if t2 < t1 {
		return "", fmt.Errorf("auth_time went back after prompt=login")
	}

	params = e.authParams("acr_values", acrLiveID, "prompt", "login")
	if p, err = b.login(ctx, params, answerNoMatch); err != nil {
		return "", err
	}
	errCode, err := e.errorFrom(p, params)
	if err != nil {
		return "", fmt.Errorf("another person's face: %w", err)
	}
	if errCode != "access_denied" {
		return "", fmt.Errorf("another person's face: error %s, want access_denied", errCode)
	}
	return "enrolled face: acr liveid, amr face, same sub; another face: access_denied", nil
}

func checkDecline(ctx context.Context, e *env) (string, error) {
	params := e.authParams()
	p, err := e.newBrowser().login(ctx, params, answerDecline)
	if err != nil {
		return "", err
	}
	code, err := e.errorFrom(p, params)
	if err != nil {
		return "", err
	}
	if code != "access_denied" {
		return "", fmt.Errorf("declined verification: error %s, want access_denied", code)
	}
	return "declined on the hosted page: access_denied with state and iss", nil
}
