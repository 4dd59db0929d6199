package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// statusURLRE finds the status URL on the waiting page (automation
// contract: id="status" data-status-url).
var statusURLRE = regexp.MustCompile(`data-status-url="([^"]+)"`)

// statusPause is the wait between two status polls of one login that has
// not ended yet.
const statusPause = 100 * time.Millisecond

func randomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// completeLogin is one login as a relying party and a browser see it,
// timed per step and as a whole ("login").
func (v *vu) completeLogin(ctx context.Context) error {
	start := time.Now()
	code, verifier, err := v.login(ctx)
	if err != nil {
		return err
	}
	at, err := v.exchange(ctx, code, verifier)
	if err != nil {
		return err
	}
	if err := v.userinfo(ctx, at); err != nil {
		return err
	}
	v.rec.add("login", time.Since(start))
	return nil
}

// login runs a login from /authorize to the code, in a fresh browser (so
// every login is a new visitor without an SSO session), and returns the
// code and its PKCE verifier.
func (v *vu) login(ctx context.Context) (code, verifier string, err error) {
	v.client.Jar, _ = cookiejar.New(nil)
	verifier = randomString()
	sum := sha256.Sum256([]byte(verifier))
	state := randomString()[:16]
	q := url.Values{
		"client_id": {v.o.Client}, "redirect_uri": {v.o.RedirectURI}, "response_type": {"code"},
		"scope": {"openid profile"}, "state": {state}, "nonce": {randomString()[:16]},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	page, body, err := v.browse(ctx, v.o.Issuer+"/authorize?"+q.Encode())
	if err != nil {
		return "", "", err
	}
	if body == nil {
		return "", "", fmt.Errorf("%w: authorize went straight back to the client: %s", errBadResponse, page.Query().Get("error"))
	}
	m := statusURLRE.FindSubmatch(body)
	if m == nil {
		return "", "", fmt.Errorf("%w: %s has no data-status-url", errBadResponse, page.Path)
	}
	statusURL, err := page.Parse(html.UnescapeString(string(m[1])))
	if err != nil {
		return "", "", err
	}
	next, err := v.awaitNext(ctx, statusURL.String())
	if err != nil {
		return "", "", err
	}
	back, _, err := v.browse(ctx, next)
	if err != nil {
		return "", "", err
	}
	rq := back.Query()
	if e := rq.Get("error"); e != "" {
		return "", "", fmt.Errorf("%w: login ended with %s: %s", errBadResponse, e, rq.Get("error_description"))
	}
	if rq.Get("state") != state || rq.Get("code") == "" {
		return "", "", fmt.Errorf("%w: callback without code or with another state", errBadResponse)
	}
	return rq.Get("code"), verifier, nil
}

// awaitNext polls the status JSON until it names the next URL, as the
// waiting page's script does.
func (v *vu) awaitNext(ctx context.Context, statusURL string) (string, error) {
	for {
		resp, body, err := v.get(ctx, "status", statusURL)
		if err != nil {
			return "", err
		}
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("%w: status: %d %s", errStatus, resp.StatusCode, snippet(body))
		}
		var st struct{ State, Next string }
		if err := json.Unmarshal(body, &st); err != nil {
			return "", fmt.Errorf("%w: status: %v", errBadResponse, err)
		}
		if st.Next != "" {
			u, err := url.Parse(statusURL)
			if err != nil {
				return "", err
			}
			n, err := u.Parse(st.Next)
			if err != nil {
				return "", err
			}
			return n.String(), nil
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(statusPause):
		}
	}
}

// exchange redeems a code at the token endpoint with its PKCE verifier
// and returns the access token.
func (v *vu) exchange(ctx context.Context, code, verifier string) (string, error) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {v.o.RedirectURI}, "code_verifier": {verifier}}
	if v.o.AuthMethod == "post" {
		form.Set("client_id", v.o.Client)
		form.Set("client_secret", v.o.Secret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.o.Issuer+"/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if v.o.AuthMethod == "basic" {
		// RFC 6749 section 2.3.1: form-encode, then basic.
		req.SetBasicAuth(url.QueryEscape(v.o.Client), url.QueryEscape(v.o.Secret))
	}
	resp, body, err := v.do(req, "token")
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%w: token: %d %s", errStatus, resp.StatusCode, snippet(body))
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		IDToken     string `json:"id_token"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" || tok.IDToken == "" {
		return "", fmt.Errorf("%w: token response without access_token or id_token", errBadResponse)
	}
	return tok.AccessToken, nil
}

// userinfo reads the claims with the access token.
func (v *vu) userinfo(ctx context.Context, accessToken string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.o.Issuer+"/userinfo", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, body, err := v.do(req, "userinfo")
	if err != nil {
		return err
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &claims) != nil || claims.Sub == "" {
		return fmt.Errorf("%w: userinfo: %d %s", errStatus, resp.StatusCode, snippet(body))
	}
	return nil
}
