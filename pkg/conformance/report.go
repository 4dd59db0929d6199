package conformance

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Status is the outcome of one check.
type Status string

// Outcomes of a check.
const (
	Pass Status = "PASS"
	Fail Status = "FAIL"
	// Skip: the check does not apply to the instance (see ErrSkipped).
	Skip Status = "SKIP"
)

// Result is the outcome of one check with its reason.
type Result struct {
	Plan     Plan          `json:"plan"`
	Name     string        `json:"name"`
	Status   Status        `json:"status"`
	Detail   string        `json:"detail"`
	Duration time.Duration `json:"duration_ns"`
}

// Report is the outcome of a run.
type Report struct {
	Issuer  string   `json:"issuer"`
	Results []Result `json:"results"`
	Passed  int      `json:"passed"`
	Failed  int      `json:"failed"`
	Skipped int      `json:"skipped"`
}

func (r *Report) add(res Result) {
	r.Results = append(r.Results, res)
	switch res.Status {
	case Pass:
		r.Passed++
	case Fail:
		r.Failed++
	default:
		r.Skipped++
	}
}

// OK reports whether no check failed (and at least one ran).
func (r *Report) OK() bool { return r.Failed == 0 && len(r.Results) > 0 }

// detailWidth bounds the detail column of the table; JSON keeps it all.
const detailWidth = 160

// WriteTable prints one line per check (plan, check, status, detail) and
// a summary line.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PLAN\tCHECK\tRESULT\tDETAIL")
	for _, res := range r.Results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", res.Plan, res.Name, res.Status, oneLine(res.Detail, detailWidth))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	verdict := "PASS"
	if !r.OK() {
		verdict = "FAIL"
	}
	_, err := fmt.Fprintf(w, "\n%s: %d passed, %d failed, %d skipped against %s\n", verdict, r.Passed, r.Failed, r.Skipped, r.Issuer)
	return err
}

// WriteJSON prints the report as one indented JSON document.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// oneLine flattens whitespace (a tab or newline would break the table) and
// shortens s to at most n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if rs := []rune(s); len(rs) > n {
		return string(rs[:n-1]) + "…"
	}
	return s
}
