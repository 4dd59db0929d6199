// Package conformance checks a running idbridge instance over HTTP the way
// the OpenID Foundation conformance suite does: the Basic OP, Config OP and
// eKYC/IDA test plans, each check named after the suite's test module it
// mirrors. Logins go through the instance's own pages: authorize, the
// waiting page, the 1Kosmos simulator's hosted page (answered like a person
// would, form and CSRF token included) and Continue. The runner never
// follows the final redirect to the client: it reads code, state, iss and
// error from the Location header or the form_post page, so the registered
// redirect URIs need not be reachable.
//
// The instance must use the simulator as its verification backend (the dev
// configuration does) and register the client given in Config with the
// redirect URI given there.
package conformance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// DefaultRedirectURI is the local OpenID conformance suite's callback for
// the alias "idbridge", registered for conformance-1 and conformance-2 in
// configs/dev.yaml.
const DefaultRedirectURI = "https://localhost.emobix.co.uk:8443/test/a/idbridge/callback"

// Plan names a group of checks.
type Plan string

// The plans, after the OpenID Foundation test plans they mirror.
const (
	// PlanBasic mirrors oidcc-basic-certification-test-plan (plus RFC 9207
	// and idbridge's LiveID step-up).
	PlanBasic Plan = "basic"
	// PlanConfig mirrors oidcc-config-certification-test-plan: discovery
	// and JWKS, with identity assurance metadata.
	PlanConfig Plan = "config"
	// PlanEKYC mirrors ekyc-test-plan-oidccore (OpenID Connect for Identity
	// Assurance 1.0).
	PlanEKYC Plan = "ekyc"
)

// AllPlans lists every plan in the order they run.
var AllPlans = []Plan{PlanConfig, PlanBasic, PlanEKYC}

// Errors of Run and ParsePlans.
var (
	// ErrConfig: the runner's configuration is unusable (no issuer, no
	// client, a malformed URL or pattern).
	ErrConfig = errors.New("conformance: invalid configuration")
	// ErrUnknownPlan: a plan name is not basic, config, ekyc or all.
	ErrUnknownPlan = errors.New("conformance: unknown plan")
	// ErrSkipped is returned by a check that does not apply to the
	// instance (for example a grant discovery does not advertise); the
	// check is reported as SKIP, not FAIL.
	ErrSkipped = errors.New("skipped")
)

// ParsePlans reads a comma-separated list of plan names; "all" (or "")
// selects every plan.
func ParsePlans(s string) ([]Plan, error) {
	if s == "" || s == "all" {
		return AllPlans, nil
	}
	var out []Plan
	for _, name := range strings.Split(s, ",") {
		p := Plan(strings.TrimSpace(name))
		switch p {
		case PlanBasic, PlanConfig, PlanEKYC:
			out = append(out, p)
		case "all":
			return AllPlans, nil
		default:
			return nil, fmt.Errorf("%w %q: use basic, config, ekyc or all", ErrUnknownPlan, name)
		}
	}
	return out, nil
}

// Client is a registered OAuth client of the instance under test.
type Client struct {
	ID, Secret string
}

// Config says which instance to check and as which clients.
type Config struct {
	// Issuer is the instance's issuer URL; discovery is read from
	// Issuer + "/.well-known/openid-configuration".
	Issuer string
	// Client runs every login. It must accept client_secret_basic.
	Client Client
	// Client2 is used where a second client is needed (client_secret_post
	// and cross-client checks); zero means Client.
	Client2 Client
	// RedirectURI is registered for both clients; empty means
	// DefaultRedirectURI.
	RedirectURI string
	// HTTPClient carries requests (transport, TLS settings); its Jar and
	// CheckRedirect are not used: every check builds its own browser.
	// nil means a client with a 30 second timeout.
	HTTPClient *http.Client
	// Only, when set, runs just the checks whose name it matches.
	Only *regexp.Regexp
	// Progress, when set, is called after each check.
	Progress func(Result)
}

// Check is one conformance check.
type Check struct {
	// Plan is the plan the check belongs to.
	Plan Plan
	// Name is the OpenID Foundation module it mirrors, or an idbridge-
	// prefixed name for checks of idbridge's own behaviour.
	Name string
	// Summary says what is checked.
	Summary string

	run func(ctx context.Context, e *env) (string, error)
}

// Checks lists the checks of the given plans, in the order Run runs them.
func Checks(plans ...Plan) []Check {
	var out []Check
	for _, p := range AllPlans {
		for _, want := range plans {
			if want == p {
				out = append(out, planChecks(p)...)
				break
			}
		}
	}
	return out
}

func planChecks(p Plan) []Check {
	switch p {
	case PlanConfig:
		return configChecks()
	case PlanBasic:
		return basicChecks()
	case PlanEKYC:
		return ekycChecks()
	}
	return nil
}

// Run runs the checks of plans against the instance and reports every
// result; a failing check never stops the others. The error is non-nil
// only for an unusable Config (ErrConfig) or a cancelled ctx.
func Run(ctx context.Context, cfg Config, plans ...Plan) (*Report, error) {
	e, err := newEnv(cfg)
	if err != nil {
		return nil, err
	}
	if len(plans) == 0 {
		plans = AllPlans
	}
	rep := &Report{Issuer: e.issuer}
	for _, c := range Checks(plans...) {
		if cfg.Only != nil && !cfg.Only.MatchString(c.Name) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		res := runOne(ctx, e, c)
		rep.add(res)
		if cfg.Progress != nil {
			cfg.Progress(res)
		}
	}
	return rep, nil
}

func runOne(ctx context.Context, e *env, c Check) (res Result) {
	start := time.Now()
	res = Result{Plan: c.Plan, Name: c.Name}
	defer func() {
		if r := recover(); r != nil {
			res.Status, res.Detail = Fail, fmt.Sprintf("check panicked: %v", r)
		}
		res.Duration = time.Since(start)
	}()
	detail, err := c.run(ctx, e)
	switch {
	case errors.Is(err, ErrSkipped):
		res.Status, res.Detail = Skip, strings.TrimSuffix(strings.TrimPrefix(err.Error(), ErrSkipped.Error()+": "), ": "+ErrSkipped.Error())
	case err != nil:
		res.Status, res.Detail = Fail, err.Error()
	default:
		res.Status, res.Detail = Pass, detail
	}
	return res
}

func skipf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrSkipped}, args...)...)
}

func newEnv(cfg Config) (*env, error) {
	issuer := strings.TrimSuffix(cfg.Issuer, "/")
	u, err := url.Parse(issuer)
	if issuer == "" || err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("%w: issuer must be an http(s) URL, got %q", ErrConfig, cfg.Issuer)
	}
	if cfg.Client.ID == "" {
		return nil, fmt.Errorf("%w: a client id is required", ErrConfig)
	}
	if cfg.Client2.ID == "" {
		cfg.Client2 = cfg.Client
	}
	if cfg.RedirectURI == "" {
		cfg.RedirectURI = DefaultRedirectURI
	}
	ru, err := url.Parse(cfg.RedirectURI)
	if err != nil || ru.Host == "" {
		return nil, fmt.Errorf("%w: redirect URI must be an absolute URL, got %q", ErrConfig, cfg.RedirectURI)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	// The configured issuer is used exactly as given: discovery must
	// repeat it character for character.
	return &env{cfg: cfg, issuer: cfg.Issuer, base: issuer, redirect: ru}, nil
}
