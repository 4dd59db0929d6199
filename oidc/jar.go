package oidc

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"strings"
	"time"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	zop "github.com/zitadel/oidc/v3/pkg/op"

	"github.com/idbridge/idbridge/pkg/storage"
)

// Request objects (JAR, RFC 9101) are short-lived and single use: exp is
// required and at most maxRequestObjectLifetime ahead (and after nbf), nbf
// and iat may not lie in the future by more than requestObjectSkew, and
// each object is accepted once, by its jti (or, without one, by the whole
// object), on every replica sharing the store.
const (
	maxRequestObjectLifetime = time.Hour
	requestObjectSkew        = time.Minute
)

// requestObjectClaims are the members of a request object idbridge reads
// beyond the authorization parameters zitadel applies.
type requestObjectClaims struct {
	Claims    json.RawMessage `json:"claims"`
	LoginHint string          `json:"login_hint"`
	Exp       *float64        `json:"exp"`
	Nbf       *float64        `json:"nbf"`
	Iat       *float64        `json:"iat"`
	JTI       string          `json:"jti"`
}

func requestObjectKey(clientID, id string) string {
	h := sha256.Sum256([]byte(id))
	return "jar:{" + clientID + "}:" + hex.EncodeToString(h[:])
}

// requestObject verifies a signed request object (by value) with the
// client's registered keys, checks its lifetime, spends it when singleUse
// and applies its parameters; it returns the object's claims member, if
// any, as JSON, and its login_hint: a hint the client signed is an
// assertion.
func (p *Provider) requestObject(ctx context.Context, ar *zoidc.AuthRequest, cl *client, singleUse bool) (string, string, *zoidc.Error) {
	if cl.jwks == nil {
		return "", "", zoidc.ErrRequestNotSupported().WithDescription("request objects need the client's public keys (clients[].jwks)")
	}
	raw := ar.RequestParam
	if err := zop.ParseRequestObject(zop.ContextWithIssuer(ctx, p.cfg.Issuer), ar, &opStorage{p: p}, p.cfg.Issuer); err != nil {
		return "", "", errInvalidRequestObject().WithDescription("the request object is invalid: check its signature, iss, aud and client_id")
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", "", errInvalidRequestObject().WithDescription("the request object is not a signed JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", "", errInvalidRequestObject().WithDescription("the request object's payload is not base64url")
	}
	var obj requestObjectClaims
	if json.Unmarshal(payload, &obj) != nil {
		return "", "", errInvalidRequestObject().WithDescription("the request object's claims are malformed: exp, nbf and iat must be numbers, jti and login_hint strings")
	}
	exp, e := p.checkRequestObjectTimes(obj)
	if e != nil {
		return "", "", e
	}
	if singleUse {
		if e := p.spendRequestObject(ctx, cl.cfg.ID, raw, obj.JTI, exp); e != nil {
			return "", "", e
		}
	}
	if len(obj.Claims) == 0 || string(obj.Claims) == "null" {
		return "", obj.LoginHint, nil
	}
	return string(obj.Claims), obj.LoginHint, nil
}

// checkRequestObjectTimes checks exp, nbf and iat and returns exp.
func (p *Provider) checkRequestObjectTimes(obj requestObjectClaims) (time.Time, *zoidc.Error) {
	now := p.now()
	at := func(v *float64) (time.Time, bool) {
		if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) || *v < 0 || *v > 1<<40 {
			return time.Time{}, false
		}
		return time.Unix(int64(*v), 0), true
	}
	invalid := func(format string, args ...any) (time.Time, *zoidc.Error) {
		return time.Time{}, errInvalidRequestObject().WithDescription(format, args...)
	}
	exp, ok := at(obj.Exp)
	switch {
	case obj.Exp == nil:
		return invalid("the request object has no exp; sign it with an exp at most %d minutes ahead (RFC 9101 10.2)", int(maxRequestObjectLifetime.Minutes()))
	case !ok:
		return invalid("the request object's exp is not a valid time")
	case !exp.After(now):
		return invalid("the request object expired; sign a new one for each request")
	case exp.Sub(now) > maxRequestObjectLifetime+requestObjectSkew:
		return invalid("the request object's exp is more than %d minutes ahead; sign one that expires sooner", int(maxRequestObjectLifetime.Minutes()))
	}
	if obj.Nbf != nil {
		nbf, ok := at(obj.Nbf)
		switch {
		case !ok:
			return invalid("the request object's nbf is not a valid time")
		case nbf.After(now.Add(requestObjectSkew)):
			return invalid("the request object is not valid yet (nbf is in the future); check the client's clock")
		case exp.Sub(nbf) > maxRequestObjectLifetime:
			return invalid("the request object is valid for more than %d minutes (exp - nbf); sign one that expires sooner", int(maxRequestObjectLifetime.Minutes()))
		}
	}
	if obj.Iat != nil {
		iat, ok := at(obj.Iat)
		switch {
		case !ok:
			return invalid("the request object's iat is not a valid time")
		case iat.After(now.Add(requestObjectSkew)):
			return invalid("the request object was issued in the future (iat); check the client's clock")
		case now.Sub(iat) > maxRequestObjectLifetime+requestObjectSkew:
			return invalid("the request object was issued more than %d minutes ago; sign a new one", int(maxRequestObjectLifetime.Minutes()))
		}
	}
	return exp, nil
}

// spendRequestObject accepts an object once per client, by its jti or,
// without one, by the whole object, until it expires.
func (p *Provider) spendRequestObject(ctx context.Context, clientID, raw, jti string, exp time.Time) *zoidc.Error {
	id := "jti:" + jti
	if jti == "" {
		id = "object:" + raw
	}
	ttl := exp.Sub(p.now()) + requestObjectSkew
	err := p.store.Create(ctx, requestObjectKey(clientID, id), []byte{1}, ttl)
	switch {
	case errors.Is(err, storage.ErrExists):
		p.audit.Alert(ctx, "oauth.request_object_replayed", slog.String("client_id", clientID))
		return errInvalidRequestObject().WithDescription("the request object was already used; sign a new one, with a fresh jti, for each request")
	case err != nil:
		p.log.ErrorContext(ctx, "spending a request object", "error", err)
		return errTemporarilyUnavailable().WithDescription("idbridge's storage is unavailable; retry shortly")
	}
	return nil
}
