package oidc

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	zop "github.com/zitadel/oidc/v3/pkg/op"
)

// authenticateClient authenticates the client of a token or PAR request
// (its form already parsed) by the one method it used: client_secret_basic,
// client_secret_post, private_key_jwt (RFC 7523; the assertion's jti was
// made single-use by withAssertionReplayCheck) or a public client's
// client_id. Secret clients may use either secret method.
func (p *Provider) authenticateClient(r *http.Request) (*client, *zoidc.Error) {
	form := r.PostForm
	id, secret, basic := r.BasicAuth()
	assertion, assertionType := form.Get("client_assertion"), form.Get("client_assertion_type")
	methods := 0
	for _, used := range []bool{basic, form.Get("client_secret") != "", assertion != "" || assertionType != ""} {
		if used {
			methods++
		}
	}
	if methods > 1 {
		return nil, zoidc.ErrInvalidRequest().WithDescription("more than one client authentication method was used; use only the registered one (RFC 6749 2.3)")
	}
	switch {
	case assertion != "" || assertionType != "":
		return p.authenticateAssertion(r, assertion, assertionType)
	case basic:
		// RFC 6749 2.3.1: both parts are form-encoded before Basic.
		if v, err := url.QueryUnescape(id); err == nil {
			id = v
		}
		if v, err := url.QueryUnescape(secret); err == nil {
			secret = v
		}
		if fid := form.Get("client_id"); fid != "" && fid != id {
			return nil, zoidc.ErrInvalidRequest().WithDescription("client_id in the body differs from the client authenticated by the Authorization header")
		}
	default:
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	if id == "" {
		return nil, zoidc.ErrInvalidClient().WithDescription("no client authentication; send the client's credentials (HTTP Basic) or client_id")
	}
	cl, ok := p.clients[id]
	if !ok || cl.internal {
		return nil, zoidc.ErrInvalidClient().WithDescription("unknown client")
	}
	switch {
	case cl.public():
		return cl, nil
	case cl.cfg.TokenAuthMethod == "private_key_jwt":
		return nil, zoidc.ErrInvalidClient().WithDescription("this client authenticates with private_key_jwt; send client_assertion")
	case !cl.cfg.CheckSecret(secret):
		return nil, zoidc.ErrInvalidClient().WithDescription("client authentication failed")
	}
	return cl, nil
}

// authenticateAssertion verifies a private_key_jwt client assertion with
// the client's registered keys: signature, iss = sub = client_id, aud
// naming idbridge, and expiry.
func (p *Provider) authenticateAssertion(r *http.Request, assertion, assertionType string) (*client, *zoidc.Error) {
	if assertionType != zoidc.ClientAssertionTypeJWTAssertion {
		return nil, zoidc.ErrInvalidClient().WithDescription("client_assertion_type must be %s", zoidc.ClientAssertionTypeJWTAssertion)
	}
	if assertion == "" {
		return nil, zoidc.ErrInvalidClient().WithDescription("client_assertion is missing")
	}
	v := zop.NewJWTProfileVerifier(&opStorage{p: p}, p.assertionAudience(assertion), time.Hour, time.Second)
	req, err := zop.VerifyJWTAssertion(r.Context(), assertion, v)
	var cl *client
	if err == nil {
		cl = p.clients[req.Issuer]
	}
	if cl == nil || cl.internal || cl.cfg.TokenAuthMethod != "private_key_jwt" {
		return nil, zoidc.ErrInvalidClient().WithDescription("the client assertion is invalid: check its signature, iss, sub, aud and exp")
	}
	if fid := r.PostForm.Get("client_id"); fid != "" && fid != cl.cfg.ID {
		return nil, zoidc.ErrInvalidRequest().WithDescription("client_id differs from the client assertion's issuer")
	}
	return cl, nil
}

// assertionAudience is the value of a client assertion's aud that names
// idbridge: its issuer, or the URL of an endpoint that takes client
// authentication. OIDC Core 9 says the audience SHOULD be the token
// endpoint's URL, RFC 7523 3 lets it identify the server, and RFC 9126 2
// accepts the issuer, the token or the PAR endpoint; zitadel's verifier
// knows only the issuer. The signature is checked after this.
func (p *Provider) assertionAudience(assertion string) string {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return p.cfg.Issuer
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return p.cfg.Issuer
	}
	var c struct {
		Aud zoidc.Audience `json:"aud"`
	}
	if json.Unmarshal(payload, &c) != nil {
		return p.cfg.Issuer
	}
	for _, own := range []string{p.cfg.Issuer, p.cfg.Issuer + PathToken, p.cfg.Issuer + PathPAR, p.cfg.Issuer + PathIntrospect} {
		if slices.Contains(c.Aud, own) {
			return own
		}
	}
	return p.cfg.Issuer
}
