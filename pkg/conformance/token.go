package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// authMethod is how a client authenticates at the token endpoint.
type authMethod string

const (
	authBasic authMethod = "client_secret_basic"
	authPost  authMethod = "client_secret_post"
)

// tokens is a successful token response.
type tokens struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	IDToken      string `json:"id_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope"`
}

// oauthError is an error response of the token or userinfo endpoint.
type oauthError struct {
	Status      int
	Code        string `json:"error"`
	Description string `json:"error_description"`
}

func (o *oauthError) Error() string {
	if o.Code == "" {
		return fmt.Sprintf("HTTP %d without an OAuth error code", o.Status)
	}
	return fmt.Sprintf("HTTP %d %s (%s)", o.Status, o.Code, o.Description)
}

// token calls the token endpoint as cl.
func (e *env) token(ctx context.Context, cl Client, how authMethod, form url.Values) (*tokens, error) {
	ep, err := e.endpoint(ctx, "token_endpoint")
	if err != nil {
		return nil, err
	}
	form = cloneValues(form)
	if how == authPost {
		form.Set("client_id", cl.ID)
		form.Set("client_secret", cl.Secret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if how == authBasic {
		// RFC 6749 section 2.3.1: form-encode, then Basic.
		req.SetBasicAuth(url.QueryEscape(cl.ID), url.QueryEscape(cl.Secret))
	}
	resp, body, err := e.callJSON(req, "token response")
	if err != nil {
		return nil, err
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		return nil, fmt.Errorf("token response Cache-Control is %q, want no-store (RFC 6749 5.1)", cc)
	}
	var t tokens
	if err := json.Unmarshal(body, &t); err != nil {
		return nil, fmt.Errorf("token response is not JSON: %w", err)
	}
	if t.AccessToken == "" || !strings.EqualFold(t.TokenType, "Bearer") {
		return nil, fmt.Errorf("token response lacks access_token or token_type Bearer (token_type %q)", t.TokenType)
	}
	return &t, nil
}

// exchange redeems a code as the main client with client_secret_basic.
func (e *env) exchange(ctx context.Context, code string, extra ...string) (*tokens, error) {
	return e.exchangeAs(ctx, e.cfg.Client, authBasic, code, extra...)
}

func (e *env) exchangeAs(ctx context.Context, cl Client, how authMethod, code string, extra ...string) (*tokens, error) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {e.redirect.String()}}
	for i := 0; i+1 < len(extra); i += 2 {
		form.Set(extra[i], extra[i+1])
	}
	return e.token(ctx, cl, how, form)
}

// expectTokenError requires err to be an OAuth error with code want.
func expectTokenError(err error, want string) error {
	if err == nil {
		return fmt.Errorf("expected %s, the token endpoint issued tokens", want)
	}
	oe, ok := err.(*oauthError)
	if !ok {
		return fmt.Errorf("expected %s, got %v", want, err)
	}
	if oe.Code != want || oe.Status != http.StatusBadRequest {
		return fmt.Errorf("expected HTTP 400 %s, got %v", want, oe)
	}
	return nil
}

// Ways to present an access token at userinfo (RFC 6750 section 2).
const (
	userinfoGet        = "GET with Authorization header"
	userinfoPostHeader = "POST with Authorization header"
	userinfoPostBody   = "POST with access_token in the body"
)

// userinfo calls the userinfo endpoint; anything but 200 with a JSON
// object is an error (an *oauthError for 4xx).
func (e *env) userinfo(ctx context.Context, accessToken, how string) (map[string]any, error) {
	ep, err := e.endpoint(ctx, "userinfo_endpoint")
	if err != nil {
		return nil, err
	}
	var req *http.Request
	switch how {
	case userinfoPostBody:
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, ep, strings.NewReader(url.Values{"access_token": {accessToken}}.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	case userinfoPostHeader:
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, ep, nil)
	default:
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, ep, nil)
	}
	if err != nil {
		return nil, err
	}
	if how != userinfoPostBody {
		req.Header.Set("Authorization", "Bearer "+accessToken)
	}
	_, body, err := e.callJSON(req, "userinfo")
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("userinfo is not a JSON object: %w", err)
	}
	return m, nil
}

// callJSON sends req and returns the answer's body when it is 200 with a
// JSON content type; any other status is an *oauthError read from the body.
func (e *env) callJSON(req *http.Request, what string) (*http.Response, []byte, error) {
	resp, err := e.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, bodyLimit))
	if err != nil {
		return nil, nil, err
	}
	if resp.StatusCode != http.StatusOK {
		oe := &oauthError{Status: resp.StatusCode}
		_ = json.Unmarshal(body, oe)
		return nil, nil, oe
	}
	if err := jsonContentType(resp); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	return resp, body, nil
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
