package config

import (
	"fmt"
	"net/url"
)

// TLS serves HTTPS directly from certificate files, reloaded when they
// change. Leave both empty behind a TLS-terminating proxy.
type TLS struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// Limits are per client address, per minute, shared by replicas on Redis;
// TokenConcurrency is per replica.
type Limits struct {
	Authorize int `yaml:"authorize_per_minute"`
	Token     int `yaml:"token_per_minute"`
	Login     int `yaml:"login_per_minute"`
	// TokenConcurrency is how many token requests one replica processes
	// at once; the others wait their turn in arrival order. 0 chooses:
	// one per CPU with the memory store (a token request is CPU work
	// there), no limit with Redis (requests mostly wait on the network).
	// -1: no limit.
	TokenConcurrency int `yaml:"token_concurrency"`
}

// TokenSlots resolves TokenConcurrency for a machine with cpus CPUs; 0
// means no limit.
func (c *Config) TokenSlots(cpus int) int {
	switch n := c.Limits.TokenConcurrency; {
	case n > 0:
		return n
	case n == 0 && c.Storage.Type == "memory":
		return cpus
	}
	return 0
}

// Metrics configures the Prometheus endpoint. Outside dev it is never
// public: set Listen (an internal address), Token, or both.
type Metrics struct {
	// Listen serves /metrics on its own address (e.g. 127.0.0.1:9090);
	// empty serves it at /metrics on the main listener.
	Listen string `yaml:"listen"`
	// Token, when set, is the bearer token a scraper must send
	// (Authorization: Bearer <token>) wherever /metrics is served.
	Token string `yaml:"token"`
}

func (l *Limits) applyDefaults() {
	if l.Authorize == 0 {
		l.Authorize = 300
	}
	if l.Token == 0 {
		l.Token = 1200
	}
	if l.Login == 0 {
		l.Login = 60
	}
}

func (c *Config) servingProblems() []string {
	var p []string
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		p = append(p, "tls: set both cert_file and key_file, or neither")
	}
	for name, v := range map[string]int{"authorize_per_minute": c.Limits.Authorize, "token_per_minute": c.Limits.Token, "login_per_minute": c.Limits.Login} {
		if v < 1 {
			p = append(p, fmt.Sprintf("limits.%s: must be at least 1", name))
		}
	}
	if c.Limits.TokenConcurrency < -1 {
		p = append(p, "limits.token_concurrency: use -1 (no limit), 0 (automatic) or a positive number")
	}
	switch m := c.Metrics; {
	case m.Token != "" && len(m.Token) < 16:
		p = append(p, "metrics.token: too short: use at least 16 random characters (openssl rand -hex 32)")
	case !c.Dev && m.Listen == "" && m.Token == "":
		p = append(p, "metrics: /metrics would be public on the main listener; outside dev set metrics.listen (a separate, internal address) or metrics.token (a bearer token the scraper sends)")
	}
	for i, e := range c.API.Webhooks.Endpoints {
		if u, err := url.Parse(e.URL); err == nil && u.Scheme == "http" && !c.Dev {
			p = append(p, fmt.Sprintf("api.webhooks.endpoints[%d].url: %q must use https outside dev: events carry names and birth dates", i, e.URL))
		}
	}
	return p
}
