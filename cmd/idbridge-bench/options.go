package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"
)

// Limits that keep a run bounded.
const (
	maxConcurrency = 4096
	maxRequests    = 10_000_000
	maxDuration    = time.Hour
)

// Modes of a run.
const (
	modeLogin     = "login"
	modeToken     = "token"
	modeDiscovery = "discovery"
	modeJWKS      = "jwks"
)

// Errors of the flag validation.
var (
	errNotLoopback = errors.New("the issuer must be on this machine: host localhost, 127.0.0.0/8 or ::1")
	errBadFlag     = errors.New("invalid flag")
)

// options are the validated flags of a run.
type options struct {
	Issuer      string
	Client      string
	Secret      string
	RedirectURI string
	AuthMethod  string // basic or post
	Mode        string
	Concurrency int
	Duration    time.Duration
	Requests    int // 0: until Duration ends
	JSON        bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("idbridge-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Issuer, "issuer", "http://localhost:8080", "issuer URL of the idbridge under test (loopback only)")
	fs.StringVar(&o.Client, "client", "demo", "client_id")
	fs.StringVar(&o.Secret, "secret", "demo-secret", "client secret")
	fs.StringVar(&o.RedirectURI, "redirect-uri", "", "registered redirect URI (default ISSUER/demo/callback)")
	fs.StringVar(&o.AuthMethod, "auth", "basic", "client authentication at the token endpoint: basic or post")
	fs.StringVar(&o.Mode, "mode", modeLogin, "login, token, discovery or jwks")
	fs.IntVar(&o.Concurrency, "concurrency", 16, "virtual users sending at the same time")
	fs.DurationVar(&o.Duration, "duration", 10*time.Second, "how long to send load")
	fs.IntVar(&o.Requests, "requests", 0, "stop after this many operations (logins, token exchanges or GETs); 0: only -duration; token mode mints this many codes (default 2000)")
	fs.BoolVar(&o.JSON, "json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("%w: unexpected argument %q", errBadFlag, fs.Arg(0))
	}
	o.Issuer = strings.TrimSuffix(o.Issuer, "/")
	if o.RedirectURI == "" {
		o.RedirectURI = o.Issuer + "/demo/callback"
	}
	return o, o.validate()
}

func (o options) validate() error {
	if err := checkLoopback(o.Issuer); err != nil {
		return err
	}
	switch o.Mode {
	case modeLogin, modeToken, modeDiscovery, modeJWKS:
	default:
		return fmt.Errorf("%w: -mode %q: use login, token, discovery or jwks", errBadFlag, o.Mode)
	}
	if o.AuthMethod != "basic" && o.AuthMethod != "post" {
		return fmt.Errorf("%w: -auth %q: use basic or post", errBadFlag, o.AuthMethod)
	}
	if o.Concurrency < 1 || o.Concurrency > maxConcurrency {
		return fmt.Errorf("%w: -concurrency %d: use 1 to %d", errBadFlag, o.Concurrency, maxConcurrency)
	}
	if o.Duration <= 0 || o.Duration > maxDuration {
		return fmt.Errorf("%w: -duration %s: use more than 0 and at most %s", errBadFlag, o.Duration, maxDuration)
	}
	if o.Requests < 0 || o.Requests > maxRequests {
		return fmt.Errorf("%w: -requests %d: use 0 to %d", errBadFlag, o.Requests, maxRequests)
	}
	if (o.Mode == modeLogin || o.Mode == modeToken) && o.Client == "" {
		return fmt.Errorf("%w: -client is required for -mode %s", errBadFlag, o.Mode)
	}
	return nil
}

// checkLoopback accepts http(s) URLs whose host is localhost or a loopback
// address, so the tool cannot be pointed at someone else's service.
func checkLoopback(issuer string) error {
	u, err := url.Parse(issuer)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: -issuer %q is not an http(s) URL", errBadFlag, issuer)
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%w (got %q)", errNotLoopback, host)
}
