package onekosmos

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/idbridge/idbridge/pkg/idv"
)

// Result field names. 1Kosmos documents the statuses, the document object
// names, proof_jwt, token and liveid_object{face, proofedBy}; the rest
// follow the simulator's result_wire.go (marked INFERRED there), with the
// common alternative spellings accepted so a real answer that differs
// degrades to missing fields rather than errors.

// errStatus is wrapped in ErrUnavailable: an answer whose status word is
// unknown cannot be acted on.
var errStatus = errors.New("unrecognised session status")

// obj is a JSON object read leniently: a field of an unexpected type reads
// as absent.
type obj map[string]json.RawMessage

func parseObj(raw []byte) (obj, error) {
	var o obj
	if err := json.Unmarshal(raw, &o); err != nil || o == nil {
		return nil, errGarbage
	}
	return o, nil
}

// str returns the first of keys holding a non-empty string (or a number,
// as its text).
func (o obj) str(keys ...string) string {
	for _, k := range keys {
		raw, ok := o[k]
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			if s = strings.TrimSpace(s); s != "" {
				return s
			}
			continue
		}
		var n json.Number
		if json.Unmarshal(raw, &n) == nil {
			return n.String()
		}
	}
	return ""
}

// sub returns the first of keys holding an object.
func (o obj) sub(keys ...string) obj {
	for _, k := range keys {
		if raw, ok := o[k]; ok {
			var s obj
			if json.Unmarshal(raw, &s) == nil && s != nil {
				return s
			}
		}
	}
	return nil
}

// num returns the number at key.
func (o obj) num(key string) (float64, bool) {
	var f float64
	raw, ok := o[key]
	if !ok || json.Unmarshal(raw, &f) != nil {
		return 0, false
	}
	return f, true
}

// outcome reads a check outcome: a word ("Passed"), a boolean, or an
// object with status, result or verified.
func (o obj) outcome(keys ...string) idv.Outcome {
	for _, k := range keys {
		raw, ok := o[k]
		if !ok {
			continue
		}
		var b bool
		if json.Unmarshal(raw, &b) == nil {
			if b {
				return idv.Passed
			}
			return idv.Failed
		}
		if s := o.str(k); s != "" {
			return normOutcome(s)
		}
		if sub := o.sub(k); sub != nil {
			return sub.outcome("status", "result", "verified")
		}
	}
	return idv.NotPerformed
}

// scores reads a map of numbers, skipping other values.
func (o obj) scores(key string) map[string]float64 {
	s := o.sub(key)
	if len(s) == 0 {
		return nil
	}
	out := map[string]float64{}
	for k := range s {
		if f, ok := s.num(k); ok {
			out[k] = f
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// squash lower-cases a word and drops spaces, underscores and hyphens:
// "In Progress", "in_progress" and "INPROGRESS" all read "inprogress".
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '_', '-':
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
}

// normStatus maps 1Kosmos session states (Pending, In Progress, Completed,
// Expired, Declined, Abandoned, any case) and the helper's responseStatus
// words (INPROGRESS, SUCCESS).
func normStatus(s string) (idv.Status, bool) {
	switch squash(s) {
	case "pending", "created", "new":
		return idv.StatusPending, true
	case "inprogress", "started", "processing":
		return idv.StatusInProgress, true
	case "completed", "complete", "success", "done":
		return idv.StatusCompleted, true
	case "expired", "timeout", "timedout":
		return idv.StatusExpired, true
	case "declined", "rejected", "denied", "cancelled", "canceled":
		return idv.StatusDeclined, true
	case "abandoned":
		return idv.StatusAbandoned, true
	}
	return "", false
}

// normOutcome maps Passed / Failed / Not performed (any case).
func normOutcome(s string) idv.Outcome {
	switch squash(s) {
	case "passed", "pass", "success", "true", "verified", "match", "matched", "live":
		return idv.Passed
	case "failed", "fail", "failure", "false", "notverified", "nomatch", "spoof":
		return idv.Failed
	}
	return idv.NotPerformed
}

// status reads the session state from status (or sessionStatus), then
// responseStatus; with neither, a result holding a document object is
// completed and anything else pending.
func (o obj) status(hasDocument bool) (idv.Status, error) {
	for _, k := range []string{"status", "sessionStatus", "responseStatus"} {
		if w := o.str(k); w != "" {
			st, ok := normStatus(w)
			if !ok {
				return "", fmt.Errorf("%w %q", errStatus, shortWord(w))
			}
			return st, nil
		}
	}
	if hasDocument {
		return idv.StatusCompleted, nil
	}
	return idv.StatusPending, nil
}

// shortWord keeps an unknown status word short enough for an error.
func shortWord(w string) string {
	if len(w) > 32 {
		return strings.ToValidUTF8(w[:32], "") + "..."
	}
	return w
}

// when reads a time as RFC 3339 or unix seconds / milliseconds.
func (o obj) when(keys ...string) time.Time {
	for _, k := range keys {
		if f, ok := o.num(k); ok && f > 0 && f < 1e15 {
			if f > 1e11 {
				return time.UnixMilli(int64(f)).UTC()
			}
			return time.Unix(int64(f), 0).UTC()
		}
		if s := o.str(k); s != "" {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil && t.Unix() > 0 {
				return t.UTC()
			}
		}
	}
	return time.Time{}
}

// normDate returns d as YYYY-MM-DD, or "" when its form is unknown:
// YYYY-MM-DD, YYYYMMDD, MM/DD/YYYY (as printed on US licences) and RFC
// 3339 times are read.
func normDate(d string) string {
	d = strings.TrimSpace(d)
	for _, layout := range []string{"2006-01-02", "20060102", "01/02/2006", "2006/01/02", time.RFC3339} {
		if t, err := time.Parse(layout, d); err == nil {
			return t.Format("2006-01-02")
		}
	}
	return ""
}

// normCountry upper-cases an ISO 3166-1 alpha-2 or alpha-3 code and drops
// anything else.
func normCountry(c string) string {
	c = strings.ToUpper(strings.TrimSpace(c))
	if n := len(c); n < 2 || n > 3 {
		return ""
	}
	for _, r := range c {
		if r < 'A' || r > 'Z' {
			return ""
		}
	}
	return c
}
