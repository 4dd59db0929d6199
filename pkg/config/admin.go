package config

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Admin configures the policy administration page at /admin/policy. It is
// off unless enabled; an administrator signs in with the admin token, or
// through idbridge itself as ClientID when their subject is listed.
type Admin struct {
	Enabled bool `yaml:"enabled"`
	// Token is the admin token in clear (dev, or ${ENV}); TokenHash is
	// "sha256:<hex>" of it. Either lets its holder administer.
	Token     string `yaml:"token"`
	TokenHash string `yaml:"token_hash"`
	// ClientID is a client of this idbridge (redirect URI
	// ISSUER/admin/callback, with a secret) through which administrators
	// sign in with a face check.
	ClientID string `yaml:"client_id"`
	// Subjects are the people (sub) who may administer when signed in
	// through ClientID.
	Subjects []string `yaml:"subjects"`
	// SessionLifetime of an administrator's sign-in (default 1h).
	SessionLifetime time.Duration `yaml:"session_lifetime"`
}

// AdminCallbackPath is where an administrator's sign-in through idbridge
// returns.
const AdminCallbackPath = "/admin/callback"

func (a *Admin) applyDefaults() {
	if a.SessionLifetime == 0 {
		a.SessionLifetime = time.Hour
	}
}

// CheckToken reports whether token is the admin token, in constant time;
// never when no token is configured.
func (a Admin) CheckToken(token string) bool {
	got := sha256.Sum256([]byte(token))
	switch {
	case token == "":
		return false
	case a.TokenHash != "":
		want, err := parseSecretHash(a.TokenHash)
		return err == nil && subtle.ConstantTimeCompare(got[:], want) == 1
	case a.Token != "":
		want := sha256.Sum256([]byte(a.Token))
		return subtle.ConstantTimeCompare(got[:], want[:]) == 1
	}
	return false
}

func (c *Config) adminProblems() []string {
	a := c.Admin
	var p []string
	add := func(field, format string, args ...any) {
		p = append(p, "admin."+field+": "+fmt.Sprintf(format, args...))
	}
	if !a.Enabled {
		return nil
	}
	if a.Token == "" && a.TokenHash == "" && a.ClientID == "" {
		add("enabled", "set token (or token_hash), or client_id with subjects, so that someone can sign in")
	}
	if a.Token != "" && len(a.Token) < 16 {
		add("token", "must be at least 16 characters (openssl rand -base64 24)")
	}
	if a.TokenHash != "" {
		if _, err := parseSecretHash(a.TokenHash); err != nil {
			add("token_hash", "%v", err)
		}
	}
	if a.ClientID != "" {
		i := slices.IndexFunc(c.Clients, func(cl Client) bool { return cl.ID == a.ClientID })
		switch {
		case i < 0:
			add("client_id", "%q is not a configured client; add one with redirect_uris [%s%s]", a.ClientID, c.Issuer, AdminCallbackPath)
		case !slices.Contains(c.Clients[i].RedirectURIs, strings.TrimRight(c.Issuer, "/")+AdminCallbackPath):
			add("client_id", "client %q must have the redirect URI %s%s", a.ClientID, c.Issuer, AdminCallbackPath)
		case c.Clients[i].Secret == "":
			add("client_id", "client %q needs a secret in clear (secret or ${ENV}): idbridge redeems its own codes", a.ClientID)
		}
		if len(a.Subjects) == 0 {
			add("subjects", "list the subjects (sub) who may administer when signing in through %s", a.ClientID)
		}
	}
	if a.SessionLifetime < 0 {
		add("session_lifetime", "must not be negative (default 1h)")
	}
	return p
}
