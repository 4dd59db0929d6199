package config

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Validate reports every problem of an already loaded configuration.
func (c *Config) Validate() error {
	if p := c.problems(); len(p) > 0 {
		return &Error{File: "configuration", Problems: p}
	}
	return nil
}

func (c *Config) problems() []string {
	var p []string
	add := func(field, format string, args ...any) {
		p = append(p, field+": "+fmt.Sprintf(format, args...))
	}
	if u, err := url.Parse(c.Issuer); err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		add("issuer", "%q is not an absolute URL without query or fragment (e.g. https://idv.example.com)", c.Issuer)
	} else if u.Scheme != "https" && !c.Dev {
		add("issuer", "%q must use https (set dev: true for local http)", c.Issuer)
	}
	oneOf(add, "log.format", c.Log.Format, "text", "json")
	oneOf(add, "log.level", c.Log.Level, "debug", "info", "warn", "error")
	oneOf(add, "log.client_address", c.Log.ClientAddress, "full", "truncated", "hashed")
	if c.Log.ClientAddress == "hashed" && c.Log.ClientAddressKey == "" {
		add("log.client_address_key", "required when log.client_address is hashed (base64 of 32 random bytes: openssl rand -base64 32), the same on every replica")
	}
	key32(add, "log.client_address_key", c.Log.ClientAddressKey, false)
	oneOf(add, "storage.type", c.Storage.Type, "memory", "redis")
	if c.Storage.Type == "redis" && len(c.Storage.Redis.Addrs) == 0 {
		add("storage.redis.addrs", "at least one Redis address is required when storage.type is redis")
	}
	if r := c.Storage.Redis; r.Timeout < 0 || r.MaxRetries < -1 {
		add("storage.redis", "timeout must be positive and max_retries -1 (none), 0 (default 1) or more")
	}
	oneOf(add, "idv.type", c.IDV.Type, "simulator", "onekosmos")
	oneOf(add, "idv.simulator.client", c.IDV.Simulator.Client, "http", "direct")
	oneOf(add, "idv.liveid_mode", c.IDV.LiveIDMode, "app", "capture")
	simulatorFaults(add, c.IDV)
	if c.IDV.Type == "onekosmos" {
		k := c.IDV.OneKosmos
		for field, v := range map[string]string{"tenant_dns": k.TenantDNS, "license_key": k.LicenseKey, "dvc_id": k.DVCID} {
			if v == "" {
				add("idv.onekosmos."+field, "required when idv.type is onekosmos")
			}
		}
		oneOf(add, "idv.onekosmos.curve", k.Curve, "secp256k1", "prime256v1")
	}
	oneOf(add, "keys.algorithm", c.Keys.Algorithm, "RS256", "ES256")
	key32(add, "keys.crypto_key", c.Keys.CryptoKey, !c.Dev)
	key32(add, "session.hash_key", c.Session.HashKey, !c.Dev)
	key32(add, "session.block_key", c.Session.BlockKey, !c.Dev)
	if len(c.PersonData.Keys) == 0 && !c.Dev {
		add("personal_data.keys", "at least one \"kid:base64-32-bytes\" key is required outside dev")
	}
	for i, k := range c.PersonData.Keys {
		kid, secret, ok := strings.Cut(k, ":")
		if !ok || kid == "" {
			add(fmt.Sprintf("personal_data.keys[%d]", i), "want \"kid:base64-32-bytes\"")
			continue
		}
		key32(add, fmt.Sprintf("personal_data.keys[%d]", i), secret, true)
	}
	if c.PersonData.HashKey == "" && !c.Dev {
		add("personal_data.hash_key", "required outside dev (base64, at least 32 bytes)")
	}
	if c.Tokens.Code > 10*60e9 {
		add("tokens.code", "%s is longer than the 10 minutes RFC 6749 section 4.1.2 allows", c.Tokens.Code)
	}
	seen := map[string]bool{}
	for i, cl := range c.Clients {
		f := fmt.Sprintf("clients[%d]", i)
		if cl.ID == "" {
			add(f+".id", "required")
		} else if seen[cl.ID] {
			add(f+".id", "%q is used twice", cl.ID)
		}
		seen[cl.ID] = true
		oneOf(add, f+".token_auth_method", cl.TokenAuthMethod, "client_secret_basic", "client_secret_post", "private_key_jwt", "none")
		oneOf(add, f+".journey", cl.Journey, "idv", "liveid", "auto")
		oneOf(add, f+".id_token_alg", cl.IDTokenAlg, "RS256", "ES256")
		if cl.FaceMaxAge != nil && *cl.FaceMaxAge < 0 {
			add(f+".face_max_age", "must not be negative (0: a face check in every authentication)")
		}
		switch cl.TokenAuthMethod {
		case "client_secret_basic", "client_secret_post":
			if cl.Secret == "" && cl.SecretHash == "" {
				add(f+".secret", "a secret or secret_hash is required for %s", cl.TokenAuthMethod)
			}
			if cl.SecretHash != "" {
				if _, err := parseSecretHash(cl.SecretHash); err != nil {
					add(f+".secret_hash", "%v", err)
				}
			}
		case "private_key_jwt":
			if cl.JWKS == "" {
				add(f+".jwks", "the client's public key set is required for private_key_jwt")
			}
		}
		if len(cl.RedirectURIs) == 0 && !cl.ResourceServer {
			add(f+".redirect_uris", "at least one redirect URI is required")
		}
		for j, o := range cl.AllowedOrigins {
			u, err := url.Parse(o)
			switch {
			case err != nil || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.Contains(o, "*"):
				add(fmt.Sprintf("%s.allowed_origins[%d]", f, j), "%q is not an origin: write scheme://host[:port], no path, no wildcard", o)
			case u.Scheme != "https" && !c.Dev:
				add(fmt.Sprintf("%s.allowed_origins[%d]", f, j), "%q must use https outside dev", o)
			}
		}
		if cl.ResourceServer && cl.TokenAuthMethod == "none" {
			add(f+".resource_server", "a resource server must authenticate: set a secret or private_key_jwt, not token_auth_method none")
		}
		for j, r := range cl.RedirectURIs {
			u, err := url.Parse(r)
			if err != nil || u.Scheme == "" || u.Host == "" || u.Fragment != "" {
				add(fmt.Sprintf("%s.redirect_uris[%d]", f, j), "%q must be an absolute URL without fragment", r)
			}
		}
		if cl.Risk != nil {
			p = append(p, cl.Risk.problems(f+".risk")...)
		}
		p = append(p, cl.Branding.problems(f, c.Dev)...)
		if !slices.Contains(cl.Scopes, "openid") {
			add(f+".scopes", "must include openid")
		}
		if _, err := cl.IDTokenClaims.Request(); err != nil {
			add(f+".id_token_claims", "%v; use a set name (identity_assurance) or the id_token member of a claims request", err)
		}
	}
	p = append(p, c.API.problems()...)
	p = append(p, c.Risk.problems()...)
	p = append(p, c.adminProblems()...)
	p = append(p, c.servingProblems()...)
	p = append(p, c.samlProblems()...)
	if c.Demo.Enabled && !seen[c.Demo.ClientID] {
		add("demo.client_id", "%q is not a configured client", c.Demo.ClientID)
	}
	return p
}

func oneOf(add func(string, string, ...any), field, v string, allowed ...string) {
	if !slices.Contains(allowed, v) {
		add(field, "%q is not one of %s", v, strings.Join(allowed, ", "))
	}
}

// key32 checks an optional base64 key of at least 32 bytes.
func key32(add func(string, string, ...any), field, v string, required bool) {
	if v == "" {
		if required {
			add(field, "required outside dev (base64 of 32 random bytes: openssl rand -base64 32)")
		}
		return
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(b) < 32 {
		add(field, "must be base64 of at least 32 bytes (openssl rand -base64 32)")
	}
}

// DecodeKey returns the bytes of a base64 key field.
func DecodeKey(v string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(v)
}

func parseSecretHash(h string) ([]byte, error) {
	hexed, ok := strings.CutPrefix(h, "sha256:")
	if !ok {
		return nil, errors.New(`want "sha256:<hex>" (printf %s SECRET | sha256sum)`)
	}
	b, err := hex.DecodeString(hexed)
	if err != nil || len(b) != sha256.Size {
		return nil, errors.New("the sha256 hex digest must be 64 hex characters")
	}
	return b, nil
}

// CheckSecret reports whether secret is the client's secret, in constant
// time.
func (cl Client) CheckSecret(secret string) bool {
	if cl.SecretHash != "" {
		want, err := parseSecretHash(cl.SecretHash)
		if err != nil {
			return false
		}
		got := sha256.Sum256([]byte(secret))
		return subtle.ConstantTimeCompare(want, got[:]) == 1
	}
	if cl.Secret == "" {
		return false
	}
	a, b := sha256.Sum256([]byte(secret)), sha256.Sum256([]byte(cl.Secret))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}
