package policy

import (
	"sync"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/cel-go/interpreter"

	"github.com/idbridge/idbridge/pkg/stepup"
)

// Variable is one name a rule's condition can use.
type Variable struct {
	Name string
	// Type is the CEL type: bool, int, double, string, duration,
	// timestamp or list(string).
	Type string
	Doc  string
}

// Variables are the names a condition can use, with their CEL types.
var Variables = []Variable{
	{"client_id", "string", "the OIDC client or connector API caller asking"},
	{"user_known", "bool", "the request names a person idbridge knows"},
	{"enrolled", "bool", "the person has an enrolled face (LiveID is possible)"},
	{"verified", "bool", "the person has a verified identity"},
	{"ial_level", "int", "the person's current assurance level (0 nobody, 1, 2)"},
	{"verification_age", "duration", "time since the identity verification (0s when not verified)"},
	{"new_device", "bool", "the device is not known for the person"},
	{"unfamiliar_network", "bool", "the person never signed in from this network (/24 or /48)"},
	{"country", "string", "ISO 3166-1 alpha-2 code of where the request comes from (\"\" unknown)"},
	{"last_country", "string", "the country of the last sign-in (\"\" unknown or none)"},
	{"country_changed", "bool", "country differs from the last sign-in's (both known)"},
	{"distance_km", "double", "distance from the last sign-in (0 without coordinates)"},
	{"travel_kmh", "double", "speed needed to get here from the last sign-in (0 without coordinates)"},
	{"impossible_travel", "bool", "travel_kmh exceeds the defaults' impossible_travel_kmh over more than impossible_travel_min_km"},
	{"since_last_login", "duration", "time since the last sign-in (0s when none)"},
	{"first_login", "bool", "no earlier sign-in is recorded"},
	{"has_session", "bool", "the browser has an SSO session of the person (a connector caller's person counts as signed in)"},
	{"session_age", "duration", "age of that session (0s when none)"},
	{"acr_requested", "list(string)", "requested acr values, in idbridge's own names, in order of preference"},
	{"required_ial", "int", "the assurance level the requested verified_claims or acr need (0 none)"},
	{"prompt_login", "bool", "the request carries prompt=login"},
	{"journey", "string", "the client's default journey: idv, liveid or auto"},
	{"risk_score", "int", "0-100 weight of the risk signals observed"},
	{"risk_level", "string", "low, medium or high, from risk_score"},
	{"now", "timestamp", "the time of the decision"},
	{"hour", "int", "hour of the day (0-23, UTC)"},
	{"weekday", "int", "day of the week (0 Sunday - 6 Saturday, UTC)"},
}

var celTypes = map[string]*cel.Type{
	"bool": cel.BoolType, "int": cel.IntType, "double": cel.DoubleType, "string": cel.StringType,
	"duration": cel.DurationType, "timestamp": cel.TimestampType, "list(string)": cel.ListType(cel.StringType),
}

// Limits on what a policy may hold, so that a policy cannot make a
// decision slow.
const (
	// MaxSource is the largest policy document, in bytes.
	MaxSource = 256 << 10
	// MaxRules is the most rules one section may hold.
	MaxRules = 200
	// MaxExpression is the longest condition, in bytes.
	MaxExpression = 2048
	// maxACRValues is how many requested acr values a condition sees
	// (the first, in order of preference).
	maxACRValues = 16
	// costLimit bounds the estimated worst case of one condition (CEL's
	// cost units: about one per operation), so a comprehension cannot run
	// away.
	costLimit = 10000
)

// environment is the CEL environment every condition compiles in.
var environment = sync.OnceValues(func() (*cel.Env, error) {
	opts := []cel.EnvOption{
		cel.ParserRecursionLimit(50),
		cel.ParserExpressionSizeLimit(MaxExpression),
	}
	for _, v := range Variables {
		opts = append(opts, cel.Variable(v.Name, celTypes[v.Type]))
	}
	return cel.NewEnv(opts...)
})

// Context is what one decision is about: the client asking and the risk
// signals of the request (built by the journey core, the only place that
// builds them).
type Context struct {
	ClientID  string
	UserKnown bool
	Signals   stepup.Signals
}

// input resolves the variables of one evaluation from a Context; values
// are converted when a condition reads them, not before.
type input struct {
	c   *Context
	obs stepup.Observed
}

var _ interpreter.Activation = (*input)(nil)

// Parent implements interpreter.Activation.
func (in *input) Parent() interpreter.Activation { return nil }

// ResolveName implements interpreter.Activation.
func (in *input) ResolveName(name string) (any, bool) {
	s := &in.c.Signals
	switch name {
	case "client_id":
		return types.String(in.c.ClientID), true
	case "user_known":
		return types.Bool(in.c.UserKnown), true
	case "enrolled":
		return types.Bool(s.Enrolled), true
	case "verified":
		return types.Bool(s.Verified), true
	case "ial_level":
		return types.Int(s.IAL), true
	case "verification_age":
		return duration(s.Verified, s.Now.Sub(s.VerifiedAt)), true
	case "new_device":
		return types.Bool(in.obs.NewDevice), true
	case "unfamiliar_network":
		return types.Bool(in.obs.UnfamiliarNetwork), true
	case "country":
		return types.String(s.Location.Country), true
	case "last_country":
		if s.Last == nil {
			return types.String(""), true
		}
		return types.String(s.Last.Location.Country), true
	case "country_changed":
		return types.Bool(in.obs.CountryChanged), true
	case "distance_km":
		return types.Double(in.obs.DistanceKm), true
	case "travel_kmh":
		return types.Double(in.obs.TravelKmh), true
	case "impossible_travel":
		return types.Bool(in.obs.ImpossibleTravel), true
	case "since_last_login":
		return types.Duration{Duration: in.obs.SinceLast}, true
	case "first_login":
		return types.Bool(s.Last == nil), true
	case "has_session":
		return types.Bool(!s.SessionAuthTime.IsZero()), true
	case "session_age":
		return duration(!s.SessionAuthTime.IsZero(), s.Now.Sub(s.SessionAuthTime)), true
	case "acr_requested":
		return types.NewStringList(types.DefaultTypeAdapter, s.RequestedACR[:min(len(s.RequestedACR), maxACRValues)]), true
	case "required_ial":
		return types.Int(s.RequiredIAL), true
	case "prompt_login":
		return types.Bool(s.PromptLogin), true
	case "journey":
		if s.ClientDefault == "" {
			return types.String(stepup.JourneyAuto), true
		}
		return types.String(s.ClientDefault), true
	case "risk_score":
		return types.Int(in.obs.Score), true
	case "risk_level":
		return types.String(in.obs.RiskLevel), true
	case "now":
		return types.Timestamp{Time: s.Now.UTC()}, true
	case "hour":
		return types.Int(s.Now.UTC().Hour()), true
	case "weekday":
		return types.Int(s.Now.UTC().Weekday()), true
	}
	return nil, false
}

// duration is d when ok and positive, else zero.
func duration(ok bool, d time.Duration) ref.Val {
	if !ok || d < 0 {
		d = 0
	}
	return types.Duration{Duration: d}
}
