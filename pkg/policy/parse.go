package policy

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/checker"
	"gopkg.in/yaml.v3"

	"github.com/idbridge/idbridge/pkg/stepup"
)

// document is the YAML format of a policy (docs/policy.md):
//
//	defaults:            # the per-signal rules when no rule matches
//	  new_device: liveid
//	rules:               # tried in order; the first that matches decides
//	  - name: sanctioned
//	    when: country in ["KP", "IR"]
//	    action: deny
//	    reason: sanctioned_country
//	clients:             # per client: its rules first, its defaults
//	  descope-liveid:
//	    rules: [...]
//	    defaults: {...}
type document struct {
	Defaults *defaultsDoc         `yaml:"defaults"`
	Rules    []ruleDoc            `yaml:"rules"`
	Clients  map[string]clientDoc `yaml:"clients"`
}

type clientDoc struct {
	Defaults *defaultsDoc `yaml:"defaults"`
	Rules    []ruleDoc    `yaml:"rules"`
}

// defaultsDoc overrides the per-signal rules; an absent field inherits
// (the global defaults inherit from Options.Base, a client's from the
// global defaults).
type defaultsDoc struct {
	NewDevice             *stepup.Decision `yaml:"new_device"`
	UnfamiliarNetwork     *stepup.Decision `yaml:"unfamiliar_network"`
	CountryChange         *stepup.Decision `yaml:"country_change"`
	ImpossibleTravel      *stepup.Decision `yaml:"impossible_travel"`
	ImpossibleTravelKmh   *float64         `yaml:"impossible_travel_kmh"`
	ImpossibleTravelMinKm *float64         `yaml:"impossible_travel_min_km"`
	DenyCountries         *[]string        `yaml:"deny_countries"`
}

// ruleDoc is one rule with where it is in the file.
type ruleDoc struct {
	Name, When, Action, Reason string

	line, whenLine int
	whenBlock      bool
	unknown        []string
}

// UnmarshalYAML reads a rule, remembering lines and unknown fields.
func (r *ruleDoc) UnmarshalYAML(n *yaml.Node) error {
	r.line = n.Line
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a rule is a mapping with name, when, action and reason", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: %s must be a single value", v.Line, k.Value)
		}
		switch k.Value {
		case "name":
			r.Name = v.Value
		case "when":
			r.When, r.whenLine = v.Value, v.Line
			r.whenBlock = v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0
		case "action":
			r.Action = v.Value
		case "reason":
			r.Reason = v.Value
		default:
			r.unknown = append(r.unknown, k.Value)
		}
	}
	return nil
}

// Options say what a policy does not: Base holds the acr values and the
// verification age of the configuration, and the per-signal rules the
// policy's defaults start from (stepup.DefaultRules() when zero).
type Options struct {
	Base stepup.Rules
}

func (o Options) base() stepup.Rules {
	if o.Base.LiveIDACR == "" && o.Base.IDVACR == "" {
		return stepup.DefaultRules()
	}
	return o.Base
}

// Problem is one thing wrong with a policy.
type Problem struct {
	// Line in the policy document (0: the document as a whole).
	Line int `json:"line,omitempty"`
	// Where names the part: "rules[2]", "clients.demo.defaults", ...
	Where string `json:"where,omitempty"`
	// Expression is the condition at fault, if any.
	Expression string `json:"expression,omitempty"`
	// Message says why, and what to do.
	Message string `json:"message"`
}

// String is "line 12: rules[2] `new_device && hr < 6`: undeclared reference to 'hr'".
func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Where != "" {
		b.WriteString(p.Where)
		b.WriteString(": ")
	}
	if p.Expression != "" {
		fmt.Fprintf(&b, "`%s`: ", oneLine(p.Expression))
	}
	b.WriteString(p.Message)
	return b.String()
}

// ErrInvalid is matched (errors.Is) by every *Error.
var ErrInvalid = errors.New("policy: invalid")

// Error is a refused policy with every problem found.
type Error struct {
	Problems []Problem
}

// Error lists every problem, one per line.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the policy has %d problem(s); it was not loaded:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

var (
	reasonPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	yamlLine      = regexp.MustCompile(`^line (\d+): (.*)$`)
)

// Parse compiles and type-checks a policy document. A bad policy is an
// *Error listing every problem (line, part, expression, why).
func Parse(src []byte, o Options) (*Policy, error) {
	c := compiler{src: src}
	if len(src) > MaxSource {
		c.problem(0, "", "", fmt.Sprintf("the policy is %d bytes; at most %d are accepted", len(src), MaxSource))
		return nil, c.err()
	}
	var doc document
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil && err.Error() != "EOF" {
		c.yamlProblems(err)
		return nil, c.err()
	}
	env, err := environment()
	if err != nil {
		return nil, err
	}
	c.env = env
	p := &Policy{Source: bytes.Clone(src), clients: map[string]*section{}}
	base := o.base()
	global := c.defaults(base, doc.Defaults, "defaults")
	globalRules := c.rules(doc.Rules, "rules")
	p.global = &section{rules: globalRules, defaults: global, defaultsName: Defaults}
	names := make([]string, 0, len(doc.Clients))
	for id := range doc.Clients {
		names = append(names, id)
	}
	slices.Sort(names)
	for _, id := range names {
		cd := doc.Clients[id]
		where := "clients." + id
		if strings.TrimSpace(id) == "" {
			c.problem(0, "clients", "", "a client section needs the client's id")
		}
		own := c.rules(cd.Rules, where+".rules")
		sec := &section{rules: append(own, globalRules...), defaults: global, defaultsName: Defaults}
		if cd.Defaults != nil {
			sec.defaults, sec.defaultsName = c.defaults(global, cd.Defaults, where+".defaults"), where+".defaults"
		}
		if len(sec.rules) > MaxRules {
			c.problem(0, where, "", fmt.Sprintf("%d rules apply to this client with the global ones; at most %d are accepted", len(sec.rules), MaxRules))
		}
		p.clients[id] = sec
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	return p, nil
}

// compiler collects problems while compiling.
type compiler struct {
	src      []byte
	env      *cel.Env
	problems []Problem
}

func (c *compiler) problem(line int, where, expr, msg string) {
	c.problems = append(c.problems, Problem{Line: line, Where: where, Expression: expr, Message: msg})
}

func (c *compiler) err() error {
	if len(c.problems) == 0 {
		return nil
	}
	return &Error{Problems: c.problems}
}

// yamlProblems turns a YAML error into problems, one per line it names.
func (c *compiler) yamlProblems(err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
	for _, l := range strings.Split(msg, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		l = regexp.MustCompile(` in type \S+`).ReplaceAllString(l, "")
		line := 0
		if m := yamlLine.FindStringSubmatch(l); m != nil {
			_, _ = fmt.Sscan(m[1], &line)
			l = m[2]
		}
		c.problem(line, "", "", l+" (a policy has defaults, rules and clients; see docs/policy.md)")
	}
}

// defaults overlays d on from.
func (c *compiler) defaults(from stepup.Rules, d *defaultsDoc, where string) stepup.Rules {
	r := from
	r.DenyCountries = slices.Clone(from.DenyCountries)
	if d == nil {
		return r
	}
	set := func(dst *stepup.Decision, v *stepup.Decision) {
		if v != nil {
			*dst = *v
		}
	}
	set(&r.NewDevice, d.NewDevice)
	set(&r.UnfamiliarNetwork, d.UnfamiliarNetwork)
	set(&r.CountryChange, d.CountryChange)
	set(&r.ImpossibleTravel, d.ImpossibleTravel)
	if d.ImpossibleTravelKmh != nil {
		r.ImpossibleTravelKmh = *d.ImpossibleTravelKmh
	}
	if d.ImpossibleTravelMinKm != nil {
		r.ImpossibleTravelMinKm = *d.ImpossibleTravelMinKm
	}
	if d.DenyCountries != nil {
		r.DenyCountries = *d.DenyCountries
	}
	if err := r.Validate(); err != nil {
		var fe *stepup.FieldError
		for _, e := range unjoin(err) {
			if errors.As(e, &fe) {
				c.problem(0, where+"."+fe.Field, "", fe.Problem)
			}
		}
	}
	return r
}

// rules compiles one list of rules.
func (c *compiler) rules(docs []ruleDoc, where string) []*rule {
	if len(docs) > MaxRules {
		c.problem(0, where, "", fmt.Sprintf("%d rules; at most %d are accepted", len(docs), MaxRules))
		return nil
	}
	out := make([]*rule, 0, len(docs))
	seen := map[string]int{}
	for i, d := range docs {
		at := fmt.Sprintf("%s[%d]", where, i)
		if d.Name != "" {
			at += " (" + d.Name + ")"
		}
		r := &rule{name: d.Name, when: d.When, action: stepup.Decision(d.Action), reason: stepup.Reason(d.Reason)}
		if r.name == "" {
			r.name = fmt.Sprintf("%s[%d]", where, i)
		}
		for _, k := range d.unknown {
			c.problem(d.line, at, "", fmt.Sprintf("unknown field %q: a rule has name, when, action and reason", k))
		}
		switch {
		case len(d.Name) > 64 || strings.ContainsFunc(d.Name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			c.problem(d.line, at, "", "a name is at most 64 printable characters")
		case d.Name != "" && seen[d.Name] > 0:
			c.problem(d.line, at, "", fmt.Sprintf("the name %q is also the name of the rule on line %d; names must be unique", d.Name, seen[d.Name]))
		}
		if d.Name != "" && seen[d.Name] == 0 {
			seen[d.Name] = d.line
		}
		if !r.action.Valid() {
			c.problem(d.line, at, "", fmt.Sprintf("action %q is not one of allow, liveid, idv, deny", d.Action))
		}
		if d.Reason != "" && !reasonPattern.MatchString(d.Reason) {
			c.problem(d.line, at, "", fmt.Sprintf("reason %q is not a snake_case code such as \"night_login\" (a-z, 0-9, _; at most 64)", d.Reason))
		}
		r.prg = c.condition(d, at)
		out = append(out, r)
	}
	return out
}

// condition compiles and type-checks a rule's when.
func (c *compiler) condition(d ruleDoc, at string) cel.Program {
	if strings.TrimSpace(d.When) == "" {
		c.problem(d.line, at, "", "when is required: a CEL condition such as `new_device && country != \"US\"` (write `true` to match always)")
		return nil
	}
	if len(d.When) > MaxExpression {
		c.problem(d.whenLine, at, "", fmt.Sprintf("the condition is %d bytes; at most %d are accepted", len(d.When), MaxExpression))
		return nil
	}
	ast, iss := c.env.Compile(d.When)
	if iss.Err() != nil {
		for _, e := range iss.Errors() {
			line := d.whenLine
			if l := e.Location.Line(); l > 0 {
				line += l - 1
				if d.whenBlock {
					line++
				}
			}
			msg := strings.Replace(e.Message, " (in container '')", "", 1)
			c.problem(line, at, d.When, fmt.Sprintf("%s (column %d)", msg, e.Location.Column()+1))
		}
		return nil
	}
	if !ast.OutputType().IsExactType(cel.BoolType) {
		c.problem(d.whenLine, at, d.When, fmt.Sprintf("the condition is a %s, not a bool; compare it, e.g. `travel_kmh > 900.0`", ast.OutputType()))
		return nil
	}
	// The worst case is estimated once here, so that evaluations need no
	// cost tracking (which would triple their time).
	if est, err := c.env.EstimateCost(ast, sizes{}); err != nil || est.Max > costLimit {
		c.problem(d.whenLine, at, d.When, fmt.Sprintf("the condition may cost up to %d steps to evaluate; at most %d are accepted (avoid nested comprehensions)", est.Max, costLimit))
		return nil
	}
	prg, err := c.env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		c.problem(d.whenLine, at, d.When, err.Error())
		return nil
	}
	return prg
}

// sizes bounds the variables whose size CEL cannot know, for the cost
// estimate: strings are bounded by what front doors accept, lists by
// maxACRValues.
type sizes struct{}

func (sizes) EstimateSize(n checker.AstNode) *checker.SizeEstimate {
	if p := n.Path(); len(p) > 0 && p[0] == "acr_requested" {
		return &checker.SizeEstimate{Min: 0, Max: maxACRValues}
	}
	return &checker.SizeEstimate{Min: 0, Max: 256}
}

func (sizes) EstimateCallCost(string, string, *checker.AstNode, []checker.AstNode) *checker.CallEstimate {
	return nil
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// oneLine folds an expression onto one line for messages.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
