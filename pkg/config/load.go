package config

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/idbridge/idbridge/configs"
)

// Load reads the file at path, expands ${ENV}, ${ENV:-default} and
// ${file:/path} references, applies defaults and validates the result. An
// empty path loads the embedded development configuration
// (configs/dev.yaml). Every problem is reported at once.
func Load(path string) (*Config, error) {
	raw := configs.Dev
	name := "configs/dev.yaml (embedded)"
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		raw, name = b, path
	}
	return Parse(name, raw)
}

// Parse is Load for bytes already read; name appears in error messages.
func Parse(name string, raw []byte) (*Config, error) {
	expanded, problems := expand(raw)
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(expanded))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && err.Error() != "EOF" {
		problems = append(problems, fmt.Sprintf("cannot parse YAML: %v", err))
	}
	c.ApplyDefaults()
	problems = append(problems, c.problems()...)
	if len(problems) > 0 {
		return nil, &Error{File: name, Problems: problems}
	}
	return &c, nil
}

// Error lists every problem found in one configuration file.
type Error struct {
	File     string
	Problems []string
}

// Error lists the file and every problem, one per line.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d problem(s):", e.File, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p)
	}
	return b.String()
}

var refPattern = regexp.MustCompile(`\$\{([^}]+)\}`)

// expand replaces ${NAME}, ${NAME:-default} and ${file:/path}. A reference
// that cannot be resolved is a problem, never an empty secret.
func expand(raw []byte) ([]byte, []string) {
	var problems []string
	ref := func(m []byte) []byte {
		ref := string(m[2 : len(m)-1])
		if path, ok := strings.CutPrefix(ref, "file:"); ok {
			b, err := os.ReadFile(path)
			if err != nil {
				problems = append(problems, fmt.Sprintf("${file:%s}: %v", path, err))
				return nil
			}
			return yamlScalar(strings.TrimRight(string(b), "\r\n"))
		}
		name, def, hasDef := strings.Cut(ref, ":-")
		if v, ok := os.LookupEnv(name); ok && v != "" {
			return yamlScalar(v)
		}
		if hasDef {
			return yamlScalar(def)
		}
		problems = append(problems, fmt.Sprintf("${%s}: environment variable %s is not set (set it, or write ${%s:-default})", name, name, name))
		return nil
	}
	// References in comments are documentation, not configuration.
	lines := bytes.SplitAfter(raw, []byte("\n"))
	var out []byte
	for _, line := range lines {
		cut := commentStart(line)
		out = append(out, refPattern.ReplaceAllFunc(line[:cut], ref)...)
		out = append(out, line[cut:]...)
	}
	return out, problems
}

// commentStart is where a YAML comment begins on line (len(line) if it
// has none): a # at the start or after a space or tab, outside a quoted
// scalar (one whose quote opens it, so O'Brien is no quote).
func commentStart(line []byte) int {
	var quote byte
	for i, c := range line {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case (c == '"' || c == '\'') && (i == 0 || bytes.IndexByte([]byte(" \t[{,"), line[i-1]) >= 0):
			quote = c
		case c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return i
		}
	}
	return len(line)
}

// yamlScalar keeps an expanded value a single scalar even if it contains
// characters YAML would read as structure.
func yamlScalar(v string) []byte {
	if v == "" || strings.ContainsAny(v, ":#{}[],&*!|>'\"%@`\n") || strings.TrimSpace(v) != v {
		b, _ := yaml.Marshal(v)
		return bytes.TrimRight(b, "\n")
	}
	return []byte(v)
}

// ApplyDefaults fills every unset field with its default.
func (c *Config) ApplyDefaults() {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	dur := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.Listen, ":8080")
	def(&c.Issuer, "http://localhost:8080")
	c.Issuer = strings.TrimRight(c.Issuer, "/")
	def(&c.Log.Format, "text")
	def(&c.Log.Level, "info")
	def(&c.Log.ClientAddress, "truncated")
	def(&c.Storage.Type, "memory")
	def(&c.IDV.Type, "simulator")
	def(&c.IDV.Simulator.Client, "http")
	def(&c.IDV.LiveIDMode, "app")
	dur(&c.IDV.SessionTTL, 10*time.Minute)
	def(&c.IDV.OneKosmos.Community, "default")
	def(&c.IDV.OneKosmos.Curve, "secp256k1")
	dur(&c.IDV.OneKosmos.Timeout, 10*time.Second)
	def(&c.Keys.Algorithm, "RS256")
	dur(&c.Keys.RotationPeriod, 30*24*time.Hour)
	dur(&c.Session.Lifetime, 12*time.Hour)
	def(&c.Session.CookieName, "idbridge_session")
	dur(&c.Tokens.AccessToken, 15*time.Minute)
	dur(&c.Tokens.IDToken, time.Hour)
	dur(&c.Tokens.RefreshToken, 30*24*time.Hour)
	dur(&c.Tokens.Code, time.Minute)
	dur(&c.Tokens.AuthRequest, 15*time.Minute)
	dur(&c.Storage.Redis.Timeout, time.Second)
	if c.Storage.Redis.MaxRetries == 0 {
		c.Storage.Redis.MaxRetries = 1
	}
	def(&c.Demo.ClientID, "demo")
	c.API.applyDefaults()
	c.Risk.applyDefaults()
	c.Admin.applyDefaults()
	c.Limits.applyDefaults()
	c.SAML.applyDefaults()
	for i := range c.Clients {
		cl := &c.Clients[i]
		def(&cl.TokenAuthMethod, "client_secret_basic")
		def(&cl.Journey, "auto")
		def(&cl.IDTokenAlg, "RS256")
		if len(cl.Scopes) == 0 {
			cl.Scopes = []string{"openid", "profile", "address", "identity_assurance", "offline_access"}
		}
		def(&cl.Name, cl.ID)
		def(&cl.IdentifierNamespace, cl.ID)
		if cl.FaceMaxAge == nil && cl.Journey == "liveid" {
			cl.FaceMaxAge = new(time.Duration)
		}
		if cl.Risk != nil {
			cl.Risk.applyDefaults()
		}
	}
}
