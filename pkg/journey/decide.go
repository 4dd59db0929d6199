package journey

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/idbridge/idbridge/pkg/claims"
	"github.com/idbridge/idbridge/pkg/netid"
	"github.com/idbridge/idbridge/pkg/policy"
	"github.com/idbridge/idbridge/pkg/stepup"
	"github.com/idbridge/idbridge/pkg/users"
)

// Check is what a journey runs to authenticate the person.
type Check string

// Checks.
const (
	// CheckNone: the existing session answers; nothing runs.
	CheckNone Check = "none"
	// CheckLiveID: a biometric face step-up against the enrolled face.
	CheckLiveID Check = "liveid"
	// CheckIDV: a full identity verification (document, selfie, liveness).
	CheckIDV Check = "idv"
	// CheckDeny: the risk policy refuses.
	CheckDeny Check = "deny"
)

// Client journeys (Demands.Journey).
const (
	JourneyIDV    = stepup.JourneyIDV
	JourneyLiveID = stepup.JourneyLiveID
	JourneyAuto   = stepup.JourneyAuto
)

// Demands are what the relying party (or its client configuration) asks
// of an authentication.
type Demands struct {
	// Journey is the client's default journey: idv, liveid or auto.
	Journey string
	// RequiredIAL is 2 when verified_claims or an IAL2 acr were asked.
	RequiredIAL int
	// ACR are the requested acr values in idbridge's own names, in order
	// of preference; ACREssential marks them essential.
	ACR          []string
	ACREssential bool
	// Fresh: the person must authenticate now (prompt=login).
	Fresh bool
	// MaxAge is the request's max_age (nil: none).
	MaxAge *time.Duration
	// FaceMaxAge is the client's limit on the age of the session's face
	// check (nil: none). A LiveID client's default is 0: every
	// authentication checks the face.
	FaceMaxAge *time.Duration
	// ClientID is the OIDC client or connector API caller asking: it
	// chooses the policy's client section and is the policy's client_id.
	ClientID string
}

// Session is an SSO session as the core sees it.
type Session struct {
	Subject string
	// AuthTime is when the session's person authenticated interactively
	// (a face check or a verification, both of which check the face).
	AuthTime time.Time
}

// Origin is where a request comes from.
type Origin struct {
	Where  netid.Client
	Device string
}

// Plan is the decision for one request about one person.
type Plan struct {
	// Risk is the policy's decision with its reasons.
	Risk stepup.Result
	// Policy is the version of the step-up policy that decided (0: the
	// configuration's rules, not stored), Rule the rule of it that
	// matched (policy.Defaults when the per-signal defaults decided).
	Policy int
	Rule   string
	// Silent: the session may answer without interaction.
	Silent bool
	// Check is what runs when the person interacts: CheckIDV,
	// CheckLiveID or CheckDeny (never CheckNone).
	Check Check
}

// Decide chooses the check for person p (User may be nil) with the SSO
// session s (nil: none) from o: the risk policy over the person's history
// and the request's demands. Call it again whenever the person becomes
// known (an identifier typed on the identification page).
//
// The live policy in force decides (Options.Policy): every front door
// decides by the same version, which the plan names with the rule that
// matched; the front door writes the decision's audit line (OIDC
// stepup.decision, the connector API risk.evaluate) with them. The
// context, anonymised, goes to the recent contexts previews replay.
func (c *Core) Decide(d Demands, p Person, s *Session, o Origin) Plan {
	ctx := c.policyContext(d, p, s, o)
	pol := c.policy.Current()
	dec := pol.Decide(ctx)
	c.recent.Add(ctx)
	plan := c.plan(d, p, s, dec)
	if dec.Err != nil {
		c.log.LogAttrs(context.Background(), slog.LevelError, "policy rule failed; it decided, failing closed",
			slog.String("client_id", d.ClientID), slog.Int("policy_version", dec.Version), slog.String("rule", dec.Rule),
			slog.String("decision", string(dec.Decision)), slog.String("error", dec.Err.Error()))
	}
	return plan
}

// Preview decides as Decide would under the active policy and under
// candidate, without logging or keeping anything: a dry run.
func (c *Core) Preview(d Demands, p Person, s *Session, o Origin, candidate *policy.Policy) (active, cand Plan) {
	ctx := c.policyContext(d, p, s, o)
	return c.plan(d, p, s, c.policy.Current().Decide(ctx)), c.plan(d, p, s, candidate.Decide(ctx))
}

// Policy is the step-up policy in force.
func (c *Core) Policy() *policy.Policy { return c.policy.Current() }

// Recent returns the anonymised contexts of this replica's latest
// decisions, newest first, for previews.
func (c *Core) Recent() []policy.Context { return c.recent.List() }

func (c *Core) policyContext(d Demands, p Person, s *Session, o Origin) policy.Context {
	return policy.Context{ClientID: d.ClientID, UserKnown: p.User != nil, Signals: c.Signals(d, p.User, s, o)}
}

// plan turns the policy's decision into the check to run.
func (c *Core) plan(d Demands, p Person, s *Session, dec policy.Decision) Plan {
	res := dec.Result
	plan := Plan{Risk: res, Policy: dec.Version, Rule: dec.Rule,
		Silent: res.Decision == stepup.Allow && s != nil && p.User != nil && s.Subject == p.User.Subject}
	switch {
	case res.Decision == stepup.Deny:
		plan.Check = CheckDeny
	case d.RequiredIAL >= 2 && c.IAL(p.User) < 2,
		res.Decision == stepup.IDV,
		d.Journey == JourneyIDV,
		!p.User.Enrolled():
		plan.Check = CheckIDV
	default:
		plan.Check = CheckLiveID
	}
	return plan
}

// Signals gathers the risk policy's inputs: the only place they are built,
// for every front door. u may be nil (nobody known); s may be nil.
func (c *Core) Signals(d Demands, u *users.User, s *Session, o Origin) stepup.Signals {
	now := c.now()
	w := o.Where
	sig := stepup.Signals{
		Now:           now,
		IAL:           c.IAL(u),
		Network:       w.Network,
		Location:      stepup.Location{Country: w.Country, Lat: w.Lat, Lon: w.Lon, HasCoords: w.HasCoords},
		RequestedACR:  d.ACR,
		ACREssential:  d.ACREssential,
		PromptLogin:   d.Fresh,
		RequiredIAL:   d.RequiredIAL,
		MaxAge:        effectiveMaxAge(d),
		ClientDefault: JourneyAuto,
	}
	if d.Journey == JourneyLiveID {
		sig.ClientDefault = JourneyLiveID
	}
	if u == nil {
		return sig
	}
	sig.Enrolled = u.Enrolled()
	if u.Verified != nil && u.IDVStatus == claims.StatusVerified {
		sig.Verified, sig.VerifiedAt = true, u.Verified.VerifiedAt
	}
	sig.DeviceKnown = o.Device != "" && slices.Contains(u.Devices, o.Device)
	sig.NetworkKnown = w.Network != "" && slices.Contains(u.Networks, w.Network)
	if l := u.Last; l != nil {
		sig.Last = &stepup.Sighting{At: l.At, Network: l.Network, DeviceID: l.DeviceID,
			Location: stepup.Location{Country: l.Country, Lat: l.Lat, Lon: l.Lon, HasCoords: l.HasGeo}}
	}
	if s != nil && s.Subject == u.Subject {
		sig.SessionAuthTime = s.AuthTime
	}
	return sig
}

func reasonList(rs []stepup.Reason) string {
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(string(r))
	}
	return b.String()
}

// effectiveMaxAge is the stricter of the request's max_age and the
// client's face max age.
func effectiveMaxAge(d Demands) *time.Duration {
	switch {
	case d.MaxAge == nil:
		return d.FaceMaxAge
	case d.FaceMaxAge == nil || *d.MaxAge <= *d.FaceMaxAge:
		return d.MaxAge
	}
	return d.FaceMaxAge
}

// SessionFresh reports whether an SSO session authenticated recently
// enough for the request's max_age and the client's face max age.
func (c *Core) SessionFresh(d Demands, s *Session) bool {
	if s == nil {
		return false
	}
	m := effectiveMaxAge(d)
	return m == nil || (*m > 0 && c.now().Sub(s.AuthTime) <= *m)
}

// IAL is the person's current assurance level (0 for nobody): 2 for a
// current remote proofing, lowered by age and expired documents.
func (c *Core) IAL(u *users.User) int {
	if u == nil {
		return 0
	}
	return claims.IALLevel(u.ClaimsIdentity(), c.now(), c.maxAge)
}

// MaxVerificationAge is the age after which a verification no longer
// counts for IAL2 (0: never).
func (c *Core) MaxVerificationAge() time.Duration { return c.maxAge }
