// Package simulator is a local stand-in for 1Kosmos: it speaks the same wire
// protocol (bootstrap, service map, ECDH/AES-GCM envelope, docuverify
// document share sessions and face checks, UWL authenticator sessions and
// the account lookup by DID) and serves the hosted capture pages, so the
// real 1Kosmos client can be exercised end to end with no network. It also
// implements idv.Verifier directly for in-process use.
//
// Its answers have exactly the shapes of shared/onekosmos/FACTS.md, for
// both result versions and every status word (SUCCESS, FAILED with reason
// codes, EXPIRED, ABANDONED, INPROGRESS). Where FACTS.md says a shape is
// not public, the simulator keeps its earlier choice and says so beside
// the code (NOT PUBLIC); what it infers is marked INFERRED; what it adds
// that the real service does not offer (fixture identities, reason code
// values, scores, auto-completion, injected faults, the decline word) is
// marked simulator-only, in code and on the pages.
//
// Outcomes are deterministic: a person picks a fixture identity, the selfie
// captured during proofing becomes the enrolled face, the same image
// matches later and any other does not, the spoof fixture fails liveness
// and the expired-document fixture fails verification. Each proofing
// session's did names a 1Kosmos account the simulator plays; its
// authenticator page signs in as that account or as a stranger.
//
// State lives in memory behind a mutex; the simulator is for development,
// tests and load tests, never production.
package simulator

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/onekosmos/envelope"
)

// Defaults applied by New for zero Config fields.
const (
	DefaultTenantDNS  = "sim.1kosmos.local"
	DefaultCommunity  = "default"
	DefaultLicenseKey = "sim-license-key"
	DefaultDVCID      = "sim-dvc"
	DefaultFreshness  = 60 * time.Second
	DefaultSessionTTL = 10 * time.Minute
)

// Errors returned by the automation hooks.
var (
	// ErrNotFound: no session with that id.
	ErrNotFound = errors.New("simulator: session not found")
	// ErrFinished: the session is already completed, declined or expired.
	ErrFinished = errors.New("simulator: session already finished")
	// ErrUnknownFixture: CompleteOptions names no fixture identity.
	ErrUnknownFixture = errors.New("simulator: unknown fixture identity")
)

// Config configures a Simulator. Zero fields take the defaults above.
type Config struct {
	// BaseURL is the absolute URL where Handler() is mounted, for example
	// "http://127.0.0.1:8080/simulator". The service map and hosted page
	// URLs are built from it. Required.
	BaseURL string
	// TenantDNS is the tenant host name community_info/fetch answers for.
	TenantDNS string
	// Community is the community name within the tenant.
	Community string
	// LicenseKey is the only license key accepted.
	LicenseKey string
	// DVCID is the only docuverify workflow id (dvcID) accepted.
	DVCID string
	// Curve of all keys: envelope.Secp256k1 (default) or envelope.Prime256v1.
	Curve string
	// Freshness is the accepted distance between requestid.ts and Now; a
	// negative value disables the check (to replay captured requests).
	// A requestid uuid is accepted once either way.
	Freshness time.Duration
	// SessionTTL is how long a session may stay Pending or In Progress
	// before it is Expired.
	SessionTTL time.Duration
	// AutoComplete (simulator-only) completes every session as soon as it
	// is created: IDV with the first fixture identity and its sample selfie,
	// LiveID with the enrolled face. For load tests.
	AutoComplete bool
	// Scores (simulator-only) adds invented score fields to results and a
	// confidence to face compare certifications.
	Scores bool
	// Spellings (simulator-only) chooses among the spellings 1Kosmos's
	// public material shows for the same field, so a client can be tested
	// against each.
	Spellings Spellings
	// Faults (simulator-only) injects latency, 5xx answers, garbage bodies
	// and dropped connections into the wire API; nil injects nothing. It
	// may be changed at any time.
	Faults *Faults
	// Now is the simulator's clock for session lifetimes, result times and
	// the freshness check. Default time.Now.
	Now func() time.Time
	// DocuverifyKey and SessionsKey fix the service key pairs (tests that
	// replay captured requests); generated at New when nil.
	DocuverifyKey *envelope.KeyPair
	SessionsKey   *envelope.KeyPair
}

// Simulator is the local 1Kosmos. It is safe for concurrent use.
type Simulator struct {
	cfg        Config
	base       *url.URL
	docuverify *envelope.KeyPair
	sessions   *envelope.KeyPair
	community  *envelope.KeyPair
	proof      *proofSigner
	pages      *pages

	mu       sync.Mutex
	idv      map[string]*idvSession
	live     map[string]*liveSession
	accounts map[string]*account // by DID
	seen     replayCache
	// lastSweep is when old sessions were last forgotten.
	lastSweep time.Time
}

var _ idv.Verifier = (*Simulator)(nil)

// New checks cfg, applies defaults and generates the service keys.
func New(cfg Config) (*Simulator, error) {
	if cfg.BaseURL == "" {
		return nil, errors.New("simulator: BaseURL is required")
	}
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("simulator: BaseURL %q must be an absolute http(s) URL", cfg.BaseURL)
	}
	cfg.BaseURL = base.String()
	def(&cfg.TenantDNS, DefaultTenantDNS)
	def(&cfg.Community, DefaultCommunity)
	def(&cfg.LicenseKey, DefaultLicenseKey)
	def(&cfg.DVCID, DefaultDVCID)
	def(&cfg.Curve, envelope.Secp256k1)
	if cfg.Freshness == 0 {
		cfg.Freshness = DefaultFreshness
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = DefaultSessionTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	switch cfg.Spellings.Certifications {
	case CertificationsTop, CertificationsInResult, CertificationsResultString:
	default:
		return nil, fmt.Errorf("simulator: Spellings.Certifications %q must be %q, %q or %q", cfg.Spellings.Certifications,
			CertificationsTop, CertificationsInResult, CertificationsResultString)
	}
	s := &Simulator{
		cfg:      cfg,
		base:     base,
		idv:      map[string]*idvSession{},
		live:     map[string]*liveSession{},
		accounts: map[string]*account{},
	}
	if s.docuverify, err = keyOrNew(cfg.DocuverifyKey, cfg.Curve); err != nil {
		return nil, err
	}
	if s.sessions, err = keyOrNew(cfg.SessionsKey, cfg.Curve); err != nil {
		return nil, err
	}
	if s.community, err = envelope.GenerateKey(cfg.Curve); err != nil {
		return nil, err
	}
	s.proof = newProofSigner(cfg.BaseURL, cfg.TenantDNS)
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	s.accounts[stranger.DID] = &account{DID: stranger.DID, UserIDs: []string{stranger.UserID}}
	return s, nil
}

// Spellings picks among equivalent spellings of 1Kosmos answers
// (simulator-only; the zero value is the first spelling of each).
type Spellings struct {
	// ReasonCodeCamel writes a failure's errorInfo as the second public
	// v3 sample does: reasonCode plus type, docType, docId and ts, instead
	// of the first sample's reason_code.
	ReasonCodeCamel bool
	// Certifications is where /verify answers put the certifications:
	// CertificationsTop (the default), CertificationsInResult or
	// CertificationsResultString.
	Certifications string
}

// Places of the certifications in a /verify answer (FACTS.md section 5).
const (
	// CertificationsTop: top-level certifications, as in 1Kosmos's Java
	// wire model and the 2022 iOS helper.
	CertificationsTop = ""
	// CertificationsInResult: result.certifications, as today's iOS app
	// reads them.
	CertificationsInResult = "result"
	// CertificationsResultString: result as a JSON string holding
	// certifications, as the Android app parses it.
	CertificationsResultString = "result_string"
)

func def(p *string, v string) {
	if *p == "" {
		*p = v
	}
}

func keyOrNew(k *envelope.KeyPair, curve string) (*envelope.KeyPair, error) {
	if k != nil {
		if k.Curve() != curve {
			return nil, fmt.Errorf("simulator: key on %s, configured curve is %s", k.Curve(), curve)
		}
		return k, nil
	}
	return envelope.GenerateKey(curve)
}

// LicenseKey returns the license key the simulator accepts.
func (s *Simulator) LicenseKey() string { return s.cfg.LicenseKey }

// DVCID returns the dvcID the simulator accepts.
func (s *Simulator) DVCID() string { return s.cfg.DVCID }

// TenantDNS returns the tenant host name.
func (s *Simulator) TenantDNS() string { return s.cfg.TenantDNS }

// Community returns the community name.
func (s *Simulator) Community() string { return s.cfg.Community }

// BaseURL returns the normalised absolute URL the handler is mounted at.
func (s *Simulator) BaseURL() string { return s.cfg.BaseURL }

// DocuverifyPublicKey returns the docuverify service public key (base64
// X||Y), as GET {docuverify}/publickeys serves it.
func (s *Simulator) DocuverifyPublicKey() string { return s.docuverify.PublicB64() }

func (s *Simulator) now() time.Time { return s.cfg.Now() }

// url joins BaseURL and a path beginning with "/".
func (s *Simulator) url(path string) string { return s.cfg.BaseURL + path }
