package onekosmos

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/idbridge/idbridge/pkg/idv"
)

// Answers are read with the names of shared/onekosmos/FACTS.md. Older
// spellings (the Pending / Completed / Passed words of a third-party
// profile, documentNumber, dateOfExpiry, face_liveness fields) are still
// accepted, only as fallbacks, so an answer that differs degrades to
// missing fields rather than errors.

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

// sub returns the first of keys holding an object, or a string that holds
// one (Android's SDK hands over result and document as JSON strings).
func (o obj) sub(keys ...string) obj {
	for _, k := range keys {
		raw, ok := o[k]
		if !ok {
			continue
		}
		var s obj
		if json.Unmarshal(raw, &s) == nil && s != nil {
			return s
		}
		var text string
		if json.Unmarshal(raw, &text) == nil && json.Unmarshal([]byte(text), &s) == nil && s != nil {
			return s
		}
	}
	return nil
}

// list returns the objects of the array at key, skipping other values.
func (o obj) list(key string) []obj {
	var out []obj
	for _, e := range elems[obj](o[key]) {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}

// texts returns the strings of the array at key, skipping other values.
func (o obj) texts(key string) []string { return elems[string](o[key]) }

// elems decodes the elements of a JSON array that are of type T.
func elems[T any](raw json.RawMessage) []T {
	var raws []json.RawMessage
	if json.Unmarshal(raw, &raws) != nil {
		return nil
	}
	var out []T
	for _, r := range raws {
		var v T
		if json.Unmarshal(r, &v) == nil {
			out = append(out, v)
		}
	}
	return out
}

// has reports whether key is present, whatever its value.
func (o obj) has(key string) bool {
	_, ok := o[key]
	return ok
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

// boolean returns the boolean at key.
func (o obj) boolean(key string) (v, ok bool) {
	raw, present := o[key]
	return v, present && json.Unmarshal(raw, &v) == nil
}

// outcome reads a check outcome: a word ("Passed"), a boolean, or an
// object with status, result or verified. ok is false when none of keys
// is present.
func (o obj) outcome(keys ...string) (idv.Outcome, bool) {
	for _, k := range keys {
		if !o.has(k) {
			continue
		}
		if b, ok := o.boolean(k); ok {
			if b {
				return idv.Passed, true
			}
			return idv.Failed, true
		}
		if s := o.str(k); s != "" {
			return normOutcome(s), true
		}
		if sub := o.sub(k); sub != nil {
			return sub.outcome("status", "result", "verified")
		}
	}
	return idv.NotPerformed, false
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

// confidence reads a figure in [0, 1] at key (a percentage is scaled
// down); nil when absent or out of range. 1Kosmos publishes none; the
// simulator's scores option invents one.
func (o obj) confidence(key string) *float64 {
	f, ok := o.num(key)
	if !ok || f != f || f < 0 {
		return nil
	}
	if f > 1 && f <= 100 {
		f /= 100
	}
	if f > 1 {
		return nil
	}
	return &f
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

// statusWord maps a session word to idv.Status and, for a finished
// session, its verdict (NotPerformed when the word gives none).
// 1Kosmos's words (FACTS.md section 7): SUCCESS, FAILED, EXPIRED,
// ABANDONED, INPROGRESS. The rest are fallbacks: the third-party profile's
// Pending / In Progress / Completed / Expired / Declined, and the
// simulator's earlier Declined.
func statusWord(s string) (idv.Status, idv.Outcome, bool) {
	switch squash(s) {
	case "success":
		return idv.StatusCompleted, idv.Passed, true
	case "failed", "failure":
		return idv.StatusCompleted, idv.Failed, true
	case "expired", "timeout", "timedout":
		return idv.StatusExpired, idv.NotPerformed, true
	case "abandoned":
		return idv.StatusAbandoned, idv.NotPerformed, true
	case "inprogress", "started", "processing":
		return idv.StatusInProgress, idv.NotPerformed, true
	case "pending", "created", "new":
		return idv.StatusPending, idv.NotPerformed, true
	case "completed", "complete", "done":
		return idv.StatusCompleted, idv.NotPerformed, true
	case "declined", "rejected", "denied", "cancelled", "canceled":
		return idv.StatusDeclined, idv.NotPerformed, true
	}
	return "", "", false
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

// status reads the session word from sessionResult (v3), responseStatus
// (v1, and v3 while unfinished), then status (fallback). With none, an
// answer holding a document object is completed and anything else
// pending.
func (o obj) status(hasDocument bool) (idv.Status, idv.Outcome, error) {
	for _, k := range []string{"sessionResult", "responseStatus", "status", "sessionStatus"} {
		if w := o.str(k); w != "" {
			st, verdict, ok := statusWord(w)
			if !ok {
				return "", "", fmt.Errorf("%w %q", errStatus, shortWord(w))
			}
			return st, verdict, nil
		}
	}
	if hasDocument {
		return idv.StatusCompleted, idv.NotPerformed, nil
	}
	return idv.StatusPending, idv.NotPerformed, nil
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
// YYYYMMDD (1Kosmos's), YYYY-MM-DD, MM/DD/YYYY (as printed on US
// licences) and RFC 3339 times are read.
func normDate(d string) string {
	d = strings.TrimSpace(d)
	for _, layout := range []string{"20060102", "2006-01-02", "01/02/2006", "2006/01/02", time.RFC3339} {
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

// image decodes a base64 image (standard alphabet, as 1Kosmos sends it;
// a data: URL prefix is tolerated). Anything that does not decode to
// image bytes, such as the hex digest older answers carried, reads as nil.
func image(v string) []byte {
	if i := strings.IndexByte(v, ','); strings.HasPrefix(v, "data:") && i >= 0 {
		v = v[i+1:]
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
	if err != nil || len(b) == 0 || !strings.HasPrefix(http.DetectContentType(b), "image/") {
		return nil
	}
	return b
}
