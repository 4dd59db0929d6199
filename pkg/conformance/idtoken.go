package conformance

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash"
	"math"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// jwkSet is the instance's JWKS, raw (for metadata checks) and parsed.
type jwkSet struct {
	raw  []map[string]any
	keys jose.JSONWebKeySet
}

// signingAlgs are the JWS algorithms an ID token may be signed with;
// "none" and HMAC are never accepted.
var signingAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512, jose.ES256, jose.ES384, jose.ES512, jose.EdDSA}

// keys fetches jwks_uri once per run.
func (e *env) keys(ctx context.Context) (*jwkSet, error) {
	uri, err := e.endpoint(ctx, "jwks_uri")
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.jwks == nil && e.jwksErr == nil {
		e.jwks, e.jwksErr = e.fetchJWKS(ctx, uri)
	}
	return e.jwks, e.jwksErr
}

func (e *env) fetchJWKS(ctx context.Context, uri string) (*jwkSet, error) {
	m, err := e.getJSON(ctx, uri)
	if err != nil {
		return nil, fmt.Errorf("jwks_uri: %w", err)
	}
	rawKeys, ok := m["keys"].([]any)
	if !ok || len(rawKeys) == 0 {
		return nil, fmt.Errorf("jwks_uri: no keys array")
	}
	set := &jwkSet{}
	for i, rk := range rawKeys {
		km, ok := rk.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("jwks_uri: key %d is not an object", i)
		}
		set.raw = append(set.raw, km)
		b, _ := json.Marshal(km)
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(b); err != nil {
			return nil, fmt.Errorf("jwks_uri: key %d: %w", i, err)
		}
		if !k.IsPublic() {
			return nil, fmt.Errorf("jwks_uri: key %d (kid %q) is not a public key", i, k.KeyID)
		}
		set.keys.Keys = append(set.keys.Keys, k)
	}
	return set, nil
}

// idToken is a verified ID token.
type idToken struct {
	Alg, KeyID string
	Claims     map[string]any
}

// idTokenWant says what verifyIDToken expects beyond the constant rules.
type idTokenWant struct {
	// Client is the audience; zero means the main client.
	Client Client
	// Nonce must be the token's nonce; with NoNonce the token must carry
	// none, otherwise an empty Nonce is not checked (refreshed tokens).
	Nonce   string
	NoNonce bool
	// AccessToken, when set, must match at_hash (present if RequireATHash).
	AccessToken   string
	RequireATHash bool
}

// verifyIDToken checks the signature against the JWKS and the claims of
// OpenID Connect Core 1.0 section 3.1.3.7.
func (e *env) verifyIDToken(ctx context.Context, raw string, want idTokenWant) (*idToken, error) {
	if raw == "" {
		return nil, fmt.Errorf("no id_token in the token response")
	}
	if want.Client.ID == "" {
		want.Client = e.cfg.Client
	}
	jws, err := jose.ParseSignedCompact(raw, signingAlgs)
	if err != nil {
		return nil, fmt.Errorf("id_token is not a JWS with an asymmetric algorithm: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, fmt.Errorf("id_token has %d signatures", len(jws.Signatures))
	}
	hdr := jws.Signatures[0].Header
	set, err := e.keys(ctx)
	if err != nil {
		return nil, err
	}
	var payload []byte
	for _, k := range set.keys.Keys {
		if hdr.KeyID != "" && k.KeyID != hdr.KeyID {
			continue
		}
		if p, err := jws.Verify(k.Key); err == nil {
			payload = p
			break
		}
	}
	if payload == nil {
		return nil, fmt.Errorf("id_token signature (alg %s, kid %q) does not verify with any JWKS key", hdr.Algorithm, hdr.KeyID)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, fmt.Errorf("id_token payload is not a JSON object: %w", err)
	}
	tok := &idToken{Alg: hdr.Algorithm, KeyID: hdr.KeyID, Claims: claims}
	if err := e.checkIDClaims(tok, want); err != nil {
		return nil, err
	}
	return tok, nil
}

// clockSkew tolerates clocks of runner and instance disagreeing.
const clockSkew = 5 * time.Minute

func (e *env) checkIDClaims(tok *idToken, want idTokenWant) error {
	c := tok.Claims
	if c["iss"] != e.issuer {
		return fmt.Errorf("id_token iss is %v, want %q", c["iss"], e.issuer)
	}
	if s, _ := c["sub"].(string); s == "" || len(s) > 255 {
		return fmt.Errorf("id_token sub must be a non-empty string of at most 255 characters")
	}
	var aud []string
	switch a := c["aud"].(type) {
	case string:
		aud = []string{a}
	case []any:
		for _, v := range a {
			if s, ok := v.(string); ok {
				aud = append(aud, s)
			}
		}
	}
	if !slices.Contains(aud, want.Client.ID) {
		return fmt.Errorf("id_token aud %v does not contain the client %q", c["aud"], want.Client.ID)
	}
	if azp, ok := c["azp"]; (len(aud) > 1 || ok) && azp != want.Client.ID {
		return fmt.Errorf("id_token azp is %v, want %q", azp, want.Client.ID)
	}
	now := time.Now()
	exp, ok := numericDate(c["exp"])
	if !ok || !exp.After(now.Add(-clockSkew)) {
		return fmt.Errorf("id_token exp %v is missing or in the past", c["exp"])
	}
	iat, ok := numericDate(c["iat"])
	if !ok || iat.After(now.Add(clockSkew)) || iat.Before(now.Add(-clockSkew)) {
		return fmt.Errorf("id_token iat %v is missing or not close to now", c["iat"])
	}
	if !exp.After(iat) {
		return fmt.Errorf("id_token exp is not after iat")
	}
	if at, present := c["auth_time"]; present {
		t, ok := numericDate(at)
		if !ok || t.After(iat.Add(time.Second)) {
			return fmt.Errorf("id_token auth_time %v is not a time before iat", at)
		}
	}
	nonce, hasNonce := c["nonce"]
	switch {
	case want.NoNonce && hasNonce:
		return fmt.Errorf("id_token has a nonce although the request sent none")
	case want.Nonce != "" && nonce != want.Nonce:
		return fmt.Errorf("id_token nonce is %v, want the request's %q", nonce, want.Nonce)
	}
	atHash, hasATHash := c["at_hash"].(string)
	if want.AccessToken != "" && (hasATHash || want.RequireATHash) {
		h := hashFor(tok.Alg)
		if h == nil {
			return fmt.Errorf("no at_hash rule for alg %s", tok.Alg)
		}
		h.Write([]byte(want.AccessToken))
		sum := h.Sum(nil)
		if wantHash := base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2]); atHash != wantHash {
			return fmt.Errorf("id_token at_hash %q does not match the access token", atHash)
		}
	}
	return nil
}

// hashFor is the hash of a JWS algorithm, for at_hash (OIDC Core 3.1.3.6).
func hashFor(alg string) hash.Hash {
	switch alg {
	case "RS256", "PS256", "ES256":
		return sha256.New()
	case "RS384", "PS384", "ES384":
		return sha512.New384()
	case "RS512", "PS512", "ES512", "EdDSA":
		return sha512.New()
	}
	return nil
}

// numericDate reads a JWT NumericDate.
func numericDate(v any) (time.Time, bool) {
	f, ok := v.(float64)
	if !ok || f <= 0 || math.IsInf(f, 0) {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

// claimTime reads a NumericDate claim, as seconds for comparisons.
func claimTime(c map[string]any, name string) (int64, bool) {
	t, ok := numericDate(c[name])
	return t.Unix(), ok
}
