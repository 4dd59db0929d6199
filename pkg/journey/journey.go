// Package journey is idbridge's protocol-free journey core: who the person
// is, which check to run, how a verification or face check lands on a
// person, the history the risk policy learns from, and erasure. Both front
// doors (the OpenID Provider in oidc/ and the connector API in pkg/api)
// translate their protocol into calls of one Core and back; neither
// decides any of this itself. The package knows no HTTP and no OAuth.
//
// The binding rules (README "Who the user is"):
//
//   - Only an authenticated party links an identifier to a person: a
//     connector API caller (in its own namespace unless configured to
//     share one), or a client through a pushed (PAR) or signed (JAR)
//     request. A front-channel login_hint and an identifier typed on the
//     identification page only say whom to challenge.
//   - A verified document belongs to one person. A person verified with
//     one document is verified again with another only after
//     authenticating in this flow (their SSO session).
//   - A LiveID challenge compares only with a face enrolled by a
//     verification whose binding to the person is recorded.
//   - Forget reaches every owner of records about the person.
package journey

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"time"

	"github.com/idbridge/idbridge/pkg/netid"
	"github.com/idbridge/idbridge/pkg/policy"
	"github.com/idbridge/idbridge/pkg/stepup"
	"github.com/idbridge/idbridge/pkg/users"
)

// Errors of the journey. Front doors map them to their protocol's errors;
// their messages are safe to show to the person and the relying party.
var (
	// ErrVerificationFailed: the document, liveness or selfie check did
	// not pass. Wrapped with the verifier's reason when it gave one.
	ErrVerificationFailed = errors.New("identity verification failed")
	// ErrDocumentTaken: the verified document belongs to another person.
	ErrDocumentTaken = errors.New("the verified document belongs to another person; sign in as that person")
	// ErrOtherDocument: the person is verified with another document and
	// did not authenticate in this flow, so the new document cannot
	// replace it.
	ErrOtherDocument = errors.New("this person is verified with another document; sign in with a face check first, then verify the new document")
	// ErrLiveness: the face check found no live person.
	ErrLiveness = errors.New("the liveness check failed: a live person must take the selfie")
	// ErrNoMatch: the face (or the 1Kosmos account that answered) is not
	// the enrolled person's.
	ErrNoMatch = errors.New("the face did not match the enrolled identity")
	// ErrNotEnrolled: the person has no face enrolled by a bound
	// verification, so LiveID cannot be used.
	ErrNotEnrolled = errors.New("the person has no enrolled face; verify their identity first")
	// ErrUnknownPerson: nobody is known by that subject or identifier.
	ErrUnknownPerson = errors.New("no person is known by that identifier")
)

// Authentication context classes, as every front door names them (OIDC
// acr, SAML AuthnContextClassRef).
const (
	// ACRIAL2: the person is identity-proofed to NIST 800-63A IAL2
	// (document, selfie and liveness by 1Kosmos), current and not stale.
	ACRIAL2 = stepup.DefaultIDVACR
	// ACRLiveID: a 1Kosmos biometric face match with liveness took place
	// in this authentication.
	ACRLiveID = stepup.DefaultLiveIDACR
)

// Eraser owns records about people and deletes them on Forget. Every
// package that stores a record naming a person registers one.
type Eraser interface {
	// ForgetSubject deletes every record of the owner that names sub.
	// Records already absent are not an error.
	ForgetSubject(ctx context.Context, sub string) error
}

// EraserFunc adapts a function to Eraser.
type EraserFunc func(ctx context.Context, sub string) error

// ForgetSubject calls f.
func (f EraserFunc) ForgetSubject(ctx context.Context, sub string) error { return f(ctx, sub) }

// Options configure a Core.
type Options struct {
	// Users stores people (required).
	Users *users.Repo
	// Policy is the live step-up policy every decision reads (see
	// pkg/policy). Nil: the per-signal Rules alone, as version 0.
	Policy PolicySource
	// Rules is the risk policy without a live one, and the acr values and
	// verification age a live one is compiled with (default
	// stepup.DefaultRules()).
	Rules stepup.Rules
	// MaxVerificationAge lowers ial_level of older verifications
	// (assurance.max_verification_age; 0: never stale).
	MaxVerificationAge time.Duration
	// Locate finds where an address is, for callers that know only an IP
	// (the connector API). Nil knows only the network.
	Locate func(ip netip.Addr) netid.Client
	Logger *slog.Logger
	Now    func() time.Time
	// AuditAttr is the client-address attribute audit lines carry for the
	// request ctx belongs to (nil: none); cmd passes audit.Attr.
	AuditAttr func(ctx context.Context) slog.Attr
}

// PolicySource gives the step-up policy in force; *policy.Live is one,
// and a *policy.Policy is one that never changes.
type PolicySource interface {
	// Current returns the policy in force, never nil. It must not block:
	// every decision calls it.
	Current() *policy.Policy
}

// Core is the journey core. Build it once with New and hand it to every
// front door; it is safe for concurrent use.
type Core struct {
	users   *users.Repo
	rules   stepup.Rules
	policy  PolicySource
	recent  policy.Recent
	maxAge  time.Duration
	locate  func(ip netip.Addr) netid.Client
	log     *slog.Logger
	now     func() time.Time
	audit   func(ctx context.Context) slog.Attr
	erasers []namedEraser
}

type namedEraser struct {
	name string
	e    Eraser
}

// New builds a Core.
func New(o Options) (*Core, error) {
	if o.Users == nil {
		return nil, errors.New("journey: Users is required")
	}
	if o.Rules.LiveIDACR == "" && o.Rules.IDVACR == "" {
		o.Rules = stepup.DefaultRules()
	}
	if err := o.Rules.Validate(); err != nil {
		return nil, err
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Locate == nil {
		o.Locate = func(ip netip.Addr) netid.Client { return (*netid.Resolver)(nil).Locate(ip) }
	}
	if o.Policy == nil {
		o.Policy = policy.Static(o.Rules)
	}
	if o.AuditAttr == nil {
		o.AuditAttr = func(context.Context) slog.Attr { return slog.Attr{} }
	}
	return &Core{users: o.Users, rules: o.Rules, policy: o.Policy, maxAge: o.MaxVerificationAge, locate: o.Locate, log: o.Logger, now: o.Now, audit: o.AuditAttr}, nil
}

// Users is the person store the core decides over.
func (c *Core) Users() *users.Repo { return c.users }

// Rules is the configuration's per-signal rules: the acr values and
// verification age, and the defaults without a live policy.
func (c *Core) Rules() stepup.Rules { return c.rules }

// Erasers names the registered owners of per-person records, in order.
func (c *Core) Erasers() []string {
	out := make([]string, len(c.erasers))
	for i, e := range c.erasers {
		out[i] = e.name
	}
	return out
}

// Register adds an owner of per-person records to Forget. Call it while
// building the application, before serving.
func (c *Core) Register(name string, e Eraser) {
	c.erasers = append(c.erasers, namedEraser{name: name, e: e})
}
