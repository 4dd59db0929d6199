package oidc

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/idbridge/idbridge/pkg/claims"
)

// idTokenClaims are the registered claims of an ID token (OIDC Core 2);
// the identity claims the request asked for are merged in after them.
type idTokenClaims struct {
	Issuer   string   `json:"iss"`
	Subject  string   `json:"sub"`
	Audience []string `json:"aud"`
	Expiry   int64    `json:"exp"`
	IssuedAt int64    `json:"iat"`
	AuthTime int64    `json:"auth_time,omitempty"`
	Nonce    string   `json:"nonce,omitempty"`
	ACR      string   `json:"acr,omitempty"`
	AMR      []string `json:"amr,omitempty"`
	AZP      string   `json:"azp"`
	ClientID string   `json:"client_id"`
	AtHash   string   `json:"at_hash,omitempty"`
	CHash    string   `json:"c_hash,omitempty"`
}

// registeredClaims may not be set by identity claims.
var registeredClaims = map[string]bool{"iss": true, "sub": true, "aud": true, "exp": true, "iat": true,
	"auth_time": true, "nonce": true, "acr": true, "amr": true, "azp": true, "client_id": true,
	"at_hash": true, "c_hash": true, "nbf": true, "jti": true}

// idTokenFacts is what one ID token states.
type idTokenFacts struct {
	grant
	nonce       string
	accessToken string // for at_hash
	code        string // for c_hash
}

// signIDToken builds and signs the ID token for cl with the current key
// of the client's registered algorithm.
func (p *Provider) signIDToken(ctx context.Context, cl *client, f idTokenFacts) (string, error) {
	key, err := p.keys.current(ctx, cl.idTokenAlg())
	if err != nil {
		return "", err
	}
	now := p.now()
	c := idTokenClaims{
		Issuer: p.cfg.Issuer, Subject: f.Subject, Audience: []string{f.ClientID},
		Expiry: now.Add(p.cfg.Tokens.IDToken).Unix(), IssuedAt: now.Unix(),
		Nonce: f.nonce, ACR: f.ACR, AMR: f.AMR, AZP: f.ClientID, ClientID: f.ClientID,
		AtHash: halfHash(f.accessToken), CHash: halfHash(f.code),
	}
	if !f.AuthTime.IsZero() {
		c.AuthTime = f.AuthTime.Unix()
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	extra, err := p.claimsFor(ctx, f.ClientID, f.Subject, f.Claims, f.Scopes, claims.IDToken)
	if err != nil {
		return "", err
	}
	for k := range extra {
		if registeredClaims[k] {
			delete(extra, k)
		}
	}
	if len(extra) > 0 {
		more, err := json.Marshal(extra)
		if err != nil {
			return "", err
		}
		payload = append(append(payload[:len(payload)-1], ','), more[1:]...)
	}
	return key.sign(payload)
}

// halfHash is at_hash / c_hash for the SHA-256 algorithms (OIDC Core
// 3.1.3.6): the left half of the hash, base64url.
func halfHash(v string) string {
	if v == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// idTokenAlg is the client's registered ID token algorithm.
func (c *client) idTokenAlg() jose.SignatureAlgorithm {
	if c.cfg.IDTokenAlg == string(jose.ES256) {
		return jose.ES256
	}
	return jose.RS256
}

// jwsHeader is the encoded protected header of the key's tokens.
func jwsHeader(alg jose.SignatureAlgorithm, kid string) string {
	h, _ := json.Marshal(struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ"`
	}{string(alg), kid, "JWT"})
	return base64.RawURLEncoding.EncodeToString(h)
}

// sign returns payload as a compact JWS (RFC 7515) signed with the key:
// RS256 (RSASSA-PKCS1-v1_5) or ES256 (r || s, RFC 7518 3.4).
func (k *signingKey) sign(payload []byte) (string, error) {
	enc := base64.RawURLEncoding
	buf := make([]byte, 0, len(k.header)+1+enc.EncodedLen(len(payload))+1+enc.EncodedLen(512))
	buf = append(buf, k.header...)
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, payload)
	digest := sha256.Sum256(buf)
	var sig []byte
	switch key := k.priv.(type) {
	case *ecdsa.PrivateKey:
		if k.alg != jose.ES256 || key.Curve != elliptic.P256() {
			return "", fmt.Errorf("oidc: key %s is not a P-256 key for ES256", k.info.ID)
		}
		r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
		if err != nil {
			return "", err
		}
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	case *rsa.PrivateKey:
		if k.alg != jose.RS256 {
			return "", fmt.Errorf("oidc: key %s is an RSA key but signs %s", k.info.ID, k.alg)
		}
		var err error
		if sig, err = rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:]); err != nil {
			return "", err
		}
	default:
		return "", errors.New("oidc: unsupported signing key type")
	}
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, sig)
	return string(buf), nil
}
