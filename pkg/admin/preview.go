package admin

import (
	"strconv"
	"strings"

	"github.com/idbridge/idbridge/pkg/policy"
)

// outcome is one policy's decision, as the preview shows it.
type outcome struct {
	Decision, Rule, Reasons string
}

// previewRow is one request under the active and the edited policy.
type previewRow struct {
	Name, Client      string
	Active, Candidate outcome
	Changed           bool
}

// preview decides the chosen sample (Context "N") or every recent
// context ("recent") under the active policy and the candidate.
func (s *Server) preview(candidate *policy.Policy, f form) []previewRow {
	type named struct {
		name string
		c    policy.Context
	}
	var list []named
	if f.Context == "recent" {
		for i, c := range s.d.Journey.Recent() {
			list = append(list, named{"recent " + strconv.Itoa(i+1), c})
		}
	} else if i, err := strconv.Atoi(f.Context); err == nil && i >= 0 && i < len(samples) {
		c := samples[i].Facts.Context()
		c.ClientID = f.Client
		list = append(list, named{samples[i].Name, c})
	}
	active := s.d.Policy.Current()
	rows := make([]previewRow, 0, len(list))
	for _, n := range list {
		a, c := outcomeOf(active.Decide(n.c)), outcomeOf(candidate.Decide(n.c))
		rows = append(rows, previewRow{Name: n.name, Client: n.c.ClientID, Active: a, Candidate: c, Changed: a != c})
	}
	return rows
}

func outcomeOf(d policy.Decision) outcome {
	r := make([]string, len(d.Reasons))
	for i, x := range d.Reasons {
		r[i] = string(x)
	}
	return outcome{Decision: string(d.Decision), Rule: d.Rule, Reasons: strings.Join(r, ", ")}
}
