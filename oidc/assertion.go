package oidc

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/idbridge/idbridge/pkg/storage"
)

// withAssertionReplayCheck makes private_key_jwt client assertions single
// use (RFC 7523 3, OIDC Core 9): the jti of every assertion is remembered
// until the assertion expires, and a second use is refused. zitadel checks
// signature, issuer, audience and expiry but not the jti.
func (p *Provider) withAssertionReplayCheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			writeOAuthError(w, http.StatusBadRequest, zoidc.ErrInvalidRequest().WithDescription("the form body could not be read"))
			return
		}
		assertion := r.PostForm.Get("client_assertion")
		if assertion == "" {
			next.ServeHTTP(w, r)
			return
		}
		iss, jti, exp, err := assertionID(assertion)
		if err != nil {
			writeOAuthError(w, http.StatusUnauthorized, zoidc.ErrInvalidClient().WithDescription("%s", err.Error()))
			return
		}
		ttl := time.Until(exp) + time.Minute
		if ttl > time.Hour {
			writeOAuthError(w, http.StatusUnauthorized, zoidc.ErrInvalidClient().WithDescription("the client assertion must expire within an hour"))
			return
		}
		err = p.store.Create(r.Context(), "jti:{"+iss+"}:"+jti, []byte{1}, max(ttl, time.Minute))
		if errors.Is(err, storage.ErrExists) {
			p.audit.Alert(r.Context(), "oauth.client_assertion_replayed", slog.String("client_id", iss))
			writeOAuthError(w, http.StatusUnauthorized, zoidc.ErrInvalidClient().WithDescription("the client assertion was already used; sign a new one with a fresh jti"))
			return
		}
		if err != nil {
			writeOAuthError(w, http.StatusServiceUnavailable, errTemporarilyUnavailable().WithDescription("idbridge's storage is unavailable; retry shortly"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// assertionID reads iss, jti and exp from an assertion without verifying
// it; zitadel verifies it next.
func assertionID(jwt string) (iss, jti string, exp time.Time, err error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return "", "", time.Time{}, errors.New("the client assertion is not a JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", "", time.Time{}, errors.New("the client assertion's payload is not base64url")
	}
	var c struct {
		Iss string  `json:"iss"`
		Jti string  `json:"jti"`
		Exp float64 `json:"exp"`
	}
	if json.Unmarshal(raw, &c) != nil || c.Iss == "" || c.Jti == "" || c.Exp == 0 || len(c.Jti) > 256 || len(c.Iss) > 256 {
		return "", "", time.Time{}, errors.New("the client assertion needs iss, jti and exp claims")
	}
	return c.Iss, c.Jti, time.Unix(int64(c.Exp), 0), nil
}
