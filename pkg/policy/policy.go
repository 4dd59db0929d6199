// Package policy is idbridge's live step-up policy: rules written as CEL
// expressions over the risk signals, each with an action (allow, liveid,
// idv, deny) and a reason, first match wins, with per-client sections and
// the simple per-signal rules of pkg/stepup as the default when no rule
// matches.
//
// A policy is a YAML document (see Parse and docs/policy.md). It is
// compiled and type-checked when it is loaded; a bad one is refused with
// every problem listed (line, expression, why). Versions live in the shared
// storage.Store (Store), so every replica decides by the same one: Live
// watches the store and swaps the compiled policy without a lock, so a
// reload never blocks a decision.
//
// A rule decides only what the risk signals trigger; what the request
// needs regardless (a session, prompt=login, max_age, acr, verified
// claims, an enrolled face) still applies, and deny_countries always
// denies (stepup.DecideWith). A rule can ask for more, never for less.
package policy

import (
	"github.com/google/cel-go/cel"

	"github.com/idbridge/idbridge/pkg/stepup"
)

// Policy is a compiled, type-checked policy. It is immutable and safe for
// concurrent use.
type Policy struct {
	// Version is the stored version (0: not stored, such as a candidate
	// or the configuration's rules without a store).
	Version int
	// Source is the YAML it was compiled from.
	Source  []byte
	global  *section
	clients map[string]*section
}

// section is the rules and defaults that apply to one client (or to every
// client without a section of its own).
type section struct {
	// rules are the client's own rules, then the global ones.
	rules []*rule
	// defaults are the per-signal rules when no rule matches.
	defaults stepup.Rules
	// defaultsName names the defaults as the rule that decided.
	defaultsName string
}

// rule is one compiled rule.
type rule struct {
	name   string
	when   string
	action stepup.Decision
	reason stepup.Reason
	prg    cel.Program
}

// Defaults is the name of the rule that decided when no rule of the
// policy matched and the per-signal defaults did.
const Defaults = "defaults"

// Rule is one rule of a policy as its administrator wrote it.
type Rule struct {
	Name   string
	When   string
	Action stepup.Decision
	Reason stepup.Reason
}

// Rules lists the rules that apply to client, in the order they are tried.
func (p *Policy) Rules(client string) []Rule {
	sec := p.section(client)
	out := make([]Rule, len(sec.rules))
	for i, r := range sec.rules {
		out[i] = Rule{Name: r.name, When: r.when, Action: r.action, Reason: r.reason}
	}
	return out
}

// StepUp is the per-signal rules that apply to client when no rule
// matches.
func (p *Policy) StepUp(client string) stepup.Rules { return p.section(client).defaults }

func (p *Policy) section(client string) *section {
	if s, ok := p.clients[client]; ok {
		return s
	}
	return p.global
}

// Current returns p: a policy is a source of itself that never changes
// (journey.PolicySource).
func (p *Policy) Current() *Policy { return p }

// WithVersion returns a copy of p stored as version n.
func (p *Policy) WithVersion(n int) *Policy {
	c := *p
	c.Version = n
	return &c
}
