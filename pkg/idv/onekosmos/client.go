// Package onekosmos is the 1Kosmos client: it implements idv.Verifier over
// 1Kosmos's wire protocol as 1Kosmos's own helper libraries speak it.
//
// A Client bootstraps lazily on first use (community info, service map and
// service public keys, cached for Config.BootstrapTTL), signs every service
// call with the ECDH/AES-GCM envelope (package envelope), and maps answers
// to the normalised types of package idv. Document proofing uses docuverify
// document share sessions (create, then poll the result); LiveID uses
// authenticator-app sessions of the sessions service, or a docuverify face
// check on an image captured by idbridge itself. What is read from 1Kosmos
// follows shared/onekosmos/FACTS.md; older spellings are accepted as
// lenient fallbacks only.
//
// Failures are reported with the sentinel errors of package idv:
// ErrUnavailable (network, timeout, 5xx, garbage, circuit open),
// ErrRejected (4xx), ErrNotFound (unknown session) and ErrInvalidInput.
// Idempotent calls are retried with exponential backoff and jitter; calls
// that create something upstream are never retried.
package onekosmos

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/onekosmos/envelope"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultAppID            = "fixme"
	DefaultTimeout          = 10 * time.Second
	DefaultRetries          = 2
	DefaultBootstrapTTL     = time.Hour
	DefaultSessionTTL       = 10 * time.Minute
	DefaultMaxResponseBytes = 4 << 20
	DefaultBreakerFailures  = 5
	DefaultBreakerOpenFor   = 30 * time.Second
	DefaultAppSessionURL    = "{sessions}/session/{id}"
	DefaultFacePurpose      = "doc_enrollment"
)

// Paths holds every service path the client calls. 1Kosmos documents only
// some of them, so all are configurable; zero fields take the defaults in
// DefaultPaths. AppSessionResponse contains the placeholder "{id}";
// AccountInfo the placeholders "{community}" and "{did}".
type Paths struct {
	CommunityInfo      string
	ServiceDirectory   string
	PublicKeys         string
	CreateSession      string
	Result             string
	ResultFallback     string
	Verify             string
	AppSessionNew      string
	AppSessionResponse string
	// AccountInfo is the account lookup by DID, relative to the service
	// map's adminconsole.
	AccountInfo string
}

// DefaultPaths are the paths 1Kosmos's helpers and documentation use.
var DefaultPaths = Paths{
	CommunityInfo:      "/api/r1/system/community_info/fetch",
	ServiceDirectory:   "/caas/sd",
	PublicKeys:         "/publickeys",
	CreateSession:      "/document_share_session/create",
	Result:             "/v3/document_share_session/result",
	ResultFallback:     "/document_share_session/result",
	Verify:             "/verify",
	AppSessionNew:      "/session/new",
	AppSessionResponse: "/session/{id}/response",
	AccountInfo:        "/api/r1/community/{community}/userdid/{did}/userinfo",
}

// BreakerConfig configures the circuit breaker shared by all calls of a
// Client.
type BreakerConfig struct {
	// Failures is the number of consecutive failed calls (network errors,
	// timeouts, 5xx, garbage answers) that opens the circuit. Default 5.
	Failures int
	// OpenFor is how long the circuit stays open before one trial call is
	// let through. Default 30s.
	OpenFor time.Duration
}

// Config configures a Client. Zero fields take the defaults above.
type Config struct {
	// BaseURL is the tenant base URL; bootstrap calls go here. Default
	// "https://{TenantDNS}".
	BaseURL string
	// TenantDNS is the tenant host name (community_info/fetch "dns" and
	// create "tenantDNS"). Required.
	TenantDNS string
	// Community is the community name. Required.
	Community string
	// LicenseKey is sent encrypted in the licensekey header. Required;
	// never logged.
	LicenseKey string
	// DVCID is the docuverify workflow id (dvcID). Required.
	DVCID string
	// Curve is envelope.Secp256k1 (default) or envelope.Prime256v1.
	Curve string
	// PrivateKey is the client key in 1Kosmos's format (standard base64 of
	// the scalar). Empty generates a fresh key at New.
	PrivateKey string
	// AppID is the requestid "appid" of docuverify calls; 1Kosmos's helper
	// sends "fixme".
	AppID string
	// Paths overrides service paths.
	Paths Paths
	// AppSessionURL is the template for the URL a QR code or link shows for
	// an authenticator-app session; placeholders {sessions} (service base
	// URL) and {id}. Default "{sessions}/session/{id}", the session object
	// the 1Kosmos app fetches (INFERRED). The url of the session/new answer
	// is not used: 1Kosmos's helpers replace it with the sessions base URL.
	AppSessionURL string
	// SessionTTL is reported as Session.ExpiresAt - now. 1Kosmos documents
	// no session lifetime; default 10 minutes.
	SessionTTL time.Duration
	// RecordLivenessMode adds "livenessMode" to the create sessionRequest
	// when IDVRequest.LivenessMode is set. 1Kosmos documents no such field
	// (liveness is part of the dvcID workflow), so it is off by default.
	RecordLivenessMode bool
	// FacePurpose is the purpose of face_compare checks. Default
	// "doc_enrollment", the only value public material shows.
	FacePurpose string
	// HTTPClient makes the calls; default a client with no overall timeout
	// (Timeout applies per call).
	HTTPClient *http.Client
	// Timeout bounds each HTTP call. Default 10s.
	Timeout time.Duration
	// Retries is the number of extra attempts for idempotent calls, with
	// exponential backoff and jitter. Default 2; negative means none.
	Retries int
	// BootstrapTTL is how long community info, the service map and the
	// service public keys are cached. Default 1h. They are also refreshed
	// once after a 401 that suggests a key change.
	BootstrapTTL time.Duration
	// Breaker configures the circuit breaker.
	Breaker BreakerConfig
	// MaxResponseBytes bounds every response body; a longer body is
	// ErrUnavailable. Default 4 MiB (results may carry base64 images).
	MaxResponseBytes int64
	// Logger receives one debug line per call (method, path, status,
	// duration) and warnings; never keys, bodies, images or personal data.
	// Default discards.
	Logger *slog.Logger
	// Now is the clock for requestid timestamps, caches and the breaker.
	Now func() time.Time
}

// Client is the 1Kosmos client. It is safe for concurrent use.
type Client struct {
	cfg     Config
	base    string
	key     *envelope.KeyPair
	http    *http.Client
	log     *slog.Logger
	breaker *breaker
	boot    bootstrapper

	// resultFallback is set once the Result path answered a plain 404: the
	// service predates it, so ResultFallback is used until the next
	// bootstrap refresh.
	resultFallback atomic.Bool

	// Hooks for known-answer tests.
	newUUID     func() string
	seal        func(key, plaintext []byte) (string, error)
	backoffBase time.Duration
	sleep       func(d time.Duration) <-chan time.Time
}

var _ idv.Verifier = (*Client)(nil)

// New validates cfg, applies defaults and parses or generates the client
// key. It does no network I/O: bootstrap happens on first use.
func New(cfg Config) (*Client, error) {
	var problems []string
	need := func(v, name string) {
		if strings.TrimSpace(v) == "" {
			problems = append(problems, name+" is required")
		}
	}
	need(cfg.TenantDNS, "TenantDNS")
	need(cfg.Community, "Community")
	need(cfg.LicenseKey, "LicenseKey")
	need(cfg.DVCID, "DVCID")
	if cfg.BaseURL == "" && cfg.TenantDNS != "" {
		cfg.BaseURL = "https://" + cfg.TenantDNS
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	if u, err := url.Parse(base); cfg.BaseURL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		problems = append(problems, fmt.Sprintf("BaseURL %q must be an absolute http(s) URL", cfg.BaseURL))
	}
	if cfg.Curve == "" {
		cfg.Curve = envelope.Secp256k1
	}
	if cfg.Curve != envelope.Secp256k1 && cfg.Curve != envelope.Prime256v1 {
		problems = append(problems, fmt.Sprintf("Curve %q must be %s or %s", cfg.Curve, envelope.Secp256k1, envelope.Prime256v1))
	}
	applyDefaults(&cfg)
	if !strings.Contains(cfg.Paths.AppSessionResponse, "{id}") {
		problems = append(problems, "Paths.AppSessionResponse must contain {id}")
	}
	if !strings.Contains(cfg.Paths.AccountInfo, "{did}") {
		problems = append(problems, "Paths.AccountInfo must contain {did}")
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("onekosmos: invalid config: %s: %w", strings.Join(problems, "; "), idv.ErrInvalidInput)
	}
	var key *envelope.KeyPair
	var err error
	if cfg.PrivateKey == "" {
		key, err = envelope.GenerateKey(cfg.Curve)
	} else {
		key, err = envelope.ParsePrivateKey(cfg.Curve, cfg.PrivateKey)
	}
	if err != nil {
		// The envelope error says nothing about the key's value.
		return nil, fmt.Errorf("onekosmos: invalid config: PrivateKey: %v: %w", err, idv.ErrInvalidInput)
	}
	c := &Client{
		cfg:         cfg,
		base:        base,
		key:         key,
		http:        cfg.HTTPClient,
		log:         cfg.Logger,
		breaker:     newBreaker(cfg.Breaker, cfg.Now),
		newUUID:     newUUIDv4,
		seal:        envelope.Seal,
		backoffBase: 200 * time.Millisecond,
		sleep:       time.After,
	}
	c.boot.init(c)
	return c, nil
}

func applyDefaults(cfg *Config) {
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&cfg.AppID, DefaultAppID)
	def(&cfg.AppSessionURL, DefaultAppSessionURL)
	p, d := &cfg.Paths, DefaultPaths
	def(&p.CommunityInfo, d.CommunityInfo)
	def(&p.ServiceDirectory, d.ServiceDirectory)
	def(&p.PublicKeys, d.PublicKeys)
	def(&p.CreateSession, d.CreateSession)
	def(&p.Result, d.Result)
	def(&p.ResultFallback, d.ResultFallback)
	def(&p.Verify, d.Verify)
	def(&p.AppSessionNew, d.AppSessionNew)
	def(&p.AppSessionResponse, d.AppSessionResponse)
	def(&p.AccountInfo, d.AccountInfo)
	def(&cfg.FacePurpose, DefaultFacePurpose)
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = DefaultSessionTTL
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Retries == 0 {
		cfg.Retries = DefaultRetries
	} else if cfg.Retries < 0 {
		cfg.Retries = 0
	}
	if cfg.BootstrapTTL <= 0 {
		cfg.BootstrapTTL = DefaultBootstrapTTL
	}
	if cfg.Breaker.Failures <= 0 {
		cfg.Breaker.Failures = DefaultBreakerFailures
	}
	if cfg.Breaker.OpenFor <= 0 {
		cfg.Breaker.OpenFor = DefaultBreakerOpenFor
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
}

// PublicKey returns the client public key (base64 X||Y) that 1Kosmos sees
// in the publickey header.
func (c *Client) PublicKey() string { return c.key.PublicB64() }
