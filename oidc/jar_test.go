package oidc

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/stretchr/testify/require"
)

// jarClient is a client that signs request objects, and its signer.
type jarClient struct {
	t      *testing.T
	config string
	signer jose.Signer
}

func newJARClient(t *testing.T) *jarClient {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	jwks, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "jar-1", Algorithm: "RS256", Use: "sig"}}})
	require.NoError(t, err)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", "jar-1").WithType("oauth-authz-req+jwt"))
	require.NoError(t, err)
	return &jarClient{t: t, signer: signer,
		config: "  - id: jar-rp\n    token_auth_method: private_key_jwt\n    jwks: '" + string(jwks) + "'\n    redirect_uris: [https://rp.example/cb]\n"}
}

// object is a valid request object for issuer, changed by edit.
func (j *jarClient) object(issuer string, edit func(map[string]any)) string {
	now := time.Now()
	claims := map[string]any{
		"iss": "jar-rp", "aud": issuer, "client_id": "jar-rp", "response_type": "code", "redirect_uri": rpCallback,
		"scope": "openid", "state": "from-object", "nonce": "n-1", "exp": now.Add(5 * time.Minute).Unix(),
		"iat": now.Unix(), "nbf": now.Unix(), "jti": randomToken(),
	}
	if edit != nil {
		edit(claims)
	}
	s, err := jwt.Signed(j.signer).Claims(claims).Serialize()
	require.NoError(j.t, err)
	return s
}

func jarParams(object string) url.Values {
	return url.Values{"client_id": {"jar-rp"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpCallback}, "request": {object}}
}

// TestRequestObjectIsSingleUseAcrossReplicas: an object accepted by one
// replica is refused by the other (RFC 9101 10.8, jti shared in Redis).
func TestRequestObjectIsSingleUseAcrossReplicas(t *testing.T) {
	j := newJARClient(t)
	rs := newReplicasWith(t, j.config)
	for _, tt := range []struct {
		name string
		edit func(map[string]any)
	}{
		{"with a jti", nil},
		{"without a jti, by the whole object", func(c map[string]any) { delete(c, "jti") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			obj := j.object(rs.srv.URL, tt.edit)
			_, first := authorizeOnce(t, rs.direct[0].URL, jarParams(obj))
			require.Equal(t, PathLogin, first.Path, "the first use is accepted: %s", first)
			_, again := authorizeOnce(t, rs.direct[1].URL, jarParams(obj))
			require.Equal(t, "invalid_request_object", again.Query().Get("error"), again.String())
			require.Contains(t, again.Query().Get("error_description"), "already used")
		})
	}
	// A jti is spent for its own client only: the same jti in a fresh object
	// is refused too.
	jti := randomToken()
	_, first := authorizeOnce(t, rs.direct[0].URL, jarParams(j.object(rs.srv.URL, func(c map[string]any) { c["jti"] = jti })))
	require.Equal(t, PathLogin, first.Path)
	_, again := authorizeOnce(t, rs.direct[1].URL, jarParams(j.object(rs.srv.URL, func(c map[string]any) { c["jti"] = jti; c["state"] = "other" })))
	require.Equal(t, "invalid_request_object", again.Query().Get("error"), "a jti works once, whatever else the object says")
}

func TestRequestObjectLifetime(t *testing.T) {
	j := newJARClient(t)
	h := newHarnessWith(t, j.config)
	now := time.Now()
	tests := []struct {
		name string
		edit func(map[string]any)
		want string // "" when accepted
	}{
		{"valid", nil, ""},
		{"no nbf and no iat", func(c map[string]any) { delete(c, "nbf"); delete(c, "iat") }, ""},
		{"expired", func(c map[string]any) { c["exp"] = now.Add(-time.Minute).Unix() }, "expired"},
		{"no exp", func(c map[string]any) { delete(c, "exp") }, "no exp"},
		{"exp a day ahead", func(c map[string]any) { c["exp"] = now.Add(24 * time.Hour).Unix() }, "minutes ahead"},
		{"exp as a string", func(c map[string]any) { c["exp"] = "tomorrow" }, "must be numbers"},
		{"nbf in the future", func(c map[string]any) { c["nbf"] = now.Add(10 * time.Minute).Unix() }, "not valid yet"},
		{"valid for too long after nbf", func(c map[string]any) {
			c["nbf"] = now.Add(-2 * time.Hour).Unix()
			c["exp"] = now.Add(time.Minute).Unix()
		}, "exp - nbf"},
		{"iat in the future", func(c map[string]any) { c["iat"] = now.Add(10 * time.Minute).Unix() }, "in the future"},
		{"iat long ago", func(c map[string]any) { c["iat"] = now.Add(-3 * time.Hour).Unix() }, "ago"},
		{"huge exp", func(c map[string]any) { c["exp"] = 1e300 }, "not a valid time"},
		{"oversized state inside", func(c map[string]any) { c["state"] = oversizedState[:5000] }, "state is longer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, loc := authorizeOnce(t, h.srv.URL, jarParams(j.object(h.srv.URL, tt.edit)))
			if tt.want == "" {
				require.Equal(t, PathLogin, loc.Path, loc.String())
				return
			}
			require.Contains(t, []string{"invalid_request_object", "invalid_request"}, loc.Query().Get("error"), loc.String())
			require.Contains(t, loc.Query().Get("error_description"), tt.want)
		})
	}
}

// TestPushedRequestObjectIsSpentOnce: an object pushed by PAR is spent when
// pushed; its request_uri then works once, and pushing it again fails.
func TestPushedRequestObjectIsSpentOnce(t *testing.T) {
	j := newJARClient(t)
	h := newHarnessWith(t, j.config)
	obj := j.object(h.srv.URL, nil)
	assertion := j.assertion(h.srv.URL)
	form := url.Values{"response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpCallback}, "request": {obj},
		"client_id": {"jar-rp"}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion}}
	status, body := postForm(t, h.srv.URL+PathPAR, form, "", "", "")
	require.Equal(t, http.StatusCreated, status, body)
	_, loc := authorizeOnce(t, h.srv.URL, url.Values{"client_id": {"jar-rp"}, "request_uri": {body["request_uri"].(string)}})
	require.Equal(t, PathLogin, loc.Path, "the pushed object is not counted twice: %s", loc)

	form.Set("client_assertion", j.assertion(h.srv.URL))
	status, body = postForm(t, h.srv.URL+PathPAR, form, "", "", "")
	require.Equal(t, http.StatusBadRequest, status, body)
	require.Equal(t, "invalid_request_object", body["error"])
}

// assertion is a private_key_jwt client assertion for the token and PAR
// endpoints.
func (j *jarClient) assertion(issuer string) string {
	s, err := jwt.Signed(j.signer).Claims(map[string]any{
		"iss": "jar-rp", "sub": "jar-rp", "aud": issuer, "jti": randomToken(), "exp": time.Now().Add(time.Minute).Unix(), "iat": time.Now().Unix(),
	}).Serialize()
	require.NoError(j.t, err)
	return s
}
