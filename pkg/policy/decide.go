package policy

import (
	"fmt"

	"github.com/google/cel-go/common/types"

	"github.com/idbridge/idbridge/pkg/stepup"
)

// ReasonPolicyError is the reason of a decision whose rule could not be
// evaluated (an overflow, a cost limit): the rule then decides, failing
// closed to at least LiveID.
const ReasonPolicyError stepup.Reason = "policy_error"

// Decision is a decision with what made it.
type Decision struct {
	stepup.Result
	// Version is the policy version that decided (0: not stored).
	Version int
	// Rule names the rule that matched, or Defaults (or
	// "clients.ID.defaults") when the per-signal defaults decided.
	Rule string
	// Err is the evaluation error of Rule, if any.
	Err error
}

// Decide evaluates the rules that apply to c.ClientID in order; the first
// whose condition holds decides what the risk signals trigger, and the
// per-signal defaults decide when none holds. The request's own needs
// (session, acr, IAL, enrolment) and deny_countries apply either way
// (stepup.DecideWith). Safe for concurrent use; it allocates little and
// takes no lock.
func (p *Policy) Decide(c Context) Decision {
	sec := p.section(c.ClientID)
	in := input{c: &c, obs: stepup.Observe(c.Signals, sec.defaults)}
	for _, r := range sec.rules {
		out, _, err := r.prg.Eval(&in)
		if err != nil {
			v := stepup.Verdict{Decision: r.action.Stronger(stepup.LiveID), Reason: ReasonPolicyError}
			return Decision{Result: stepup.DecideWith(c.Signals, sec.defaults, &v), Version: p.Version, Rule: r.name,
				Err: fmt.Errorf("policy version %d, rule %s: %w", p.Version, r.name, err)}
		}
		if out == types.True {
			v := stepup.Verdict{Decision: r.action, Reason: r.reason}
			return Decision{Result: stepup.DecideWith(c.Signals, sec.defaults, &v), Version: p.Version, Rule: r.name}
		}
	}
	return Decision{Result: stepup.DecideWith(c.Signals, sec.defaults, nil), Version: p.Version, Rule: sec.defaultsName}
}

// Static is a policy of the per-signal rules r alone (no conditions), as
// version 0: the journey core's policy when no store is configured.
func Static(r stepup.Rules) *Policy {
	s := &section{defaults: r, defaultsName: Defaults}
	return &Policy{global: s, clients: map[string]*section{}}
}
