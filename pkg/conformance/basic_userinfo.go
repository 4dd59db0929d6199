package conformance

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// sharedLogin is one login whose tokens the userinfo checks share.
type sharedLogin struct {
	tokens *tokens
	id     *idToken
	err    error
}

// shared logs in once per run for the checks that only need tokens.
func (e *env) shared(ctx context.Context) (*tokens, *idToken, error) {
	e.mu.Lock()
	s := e.login
	e.mu.Unlock()
	if s == nil {
		s = &sharedLogin{}
		s.tokens, s.id, s.err = e.loginWith(ctx, e.authParams("scope", "openid profile"))
		e.mu.Lock()
		e.login = s
		e.mu.Unlock()
	}
	return s.tokens, s.id, s.err
}

// userinfoCheck mirrors oidcc-userinfo-get, -post-header and -post-body.
func userinfoCheck(how string) func(context.Context, *env) (string, error) {
	return func(ctx context.Context, e *env) (string, error) {
		t, tok, err := e.shared(ctx)
		if err != nil {
			return "", err
		}
		ui, err := e.userinfo(ctx, t.AccessToken, how)
		if err != nil {
			return "", err
		}
		if ui["sub"] != tok.Claims["sub"] {
			return "", fmt.Errorf("userinfo sub %v differs from the ID token's %v", ui["sub"], tok.Claims["sub"])
		}
		// A wrong token must be refused with 401 and a Bearer challenge.
		_, err = e.userinfo(ctx, t.AccessToken+"x", how)
		if oe, ok := err.(*oauthError); !ok || oe.Status != http.StatusUnauthorized {
			return "", fmt.Errorf("a corrupted access token was not refused with 401 (got %v)", err)
		}
		return how + ": 200 with the ID token's sub; a corrupted token gets 401", nil
	}
}

// checkIssEverywhere makes an error response of its own (prompt=none
// without a session), then requires iss in every authorization response
// this run saw (RFC 9207 section 2).
func checkIssEverywhere(ctx context.Context, e *env) (string, error) {
	params := e.authParams("prompt", "none")
	if _, err := e.authorizeError(ctx, params); err != nil {
		return "", err
	}
	if _, _, err := e.shared(ctx); err != nil {
		return "", err
	}
	var ok, errs int
	var bad []string
	for _, cb := range e.seen() {
		if cb.Params.Get("error") != "" {
			errs++
		}
		if cb.Params.Get("iss") != e.issuer {
			kind := cb.Params.Get("error")
			if kind == "" {
				kind = "code"
			}
			bad = append(bad, fmt.Sprintf("%s %s response with iss %q", cb.Mode, kind, cb.Params.Get("iss")))
			continue
		}
		ok++
	}
	if len(bad) > 0 {
		return "", fmt.Errorf("%d of %d authorization responses lack iss: %s", len(bad), ok+len(bad), strings.Join(bad, "; "))
	}
	return fmt.Sprintf("all %d authorization responses (%d errors) carried iss", ok, errs), nil
}
