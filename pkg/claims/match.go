package claims

import (
	"bytes"
	"encoding/json"
	"time"
)

// fact is what the bridge knows for one requested element.
type fact struct {
	value any
	have  bool
	// at is the instant a date or time value stands for, when dated.
	at    time.Time
	dated bool
}

func known(v any) fact { return fact{value: v, have: true} }

func knownString(s string) fact {
	if s == "" {
		return fact{}
	}
	return known(s)
}

// timeFact is a timestamp rendered as RFC 3339 in UTC (OIDC4IDA 1.0
// privacy considerations: no time zone).
func timeFact(t time.Time) fact {
	if t.IsZero() {
		return fact{}
	}
	return fact{value: t.UTC().Format(time.RFC3339), have: true, at: t, dated: true}
}

// dateFact is a YYYY-MM-DD date, aged from its last second.
func dateFact(s string) fact {
	end, ok := endOfDate(s)
	if !ok {
		return fact{}
	}
	return fact{value: s, have: true, at: end, dated: true}
}

// check applies request c to f. include says whether to deliver the
// element; ok says whether c's constraints are met. A constrained element
// the bridge has no value for does not meet its constraints.
func check(c *ClaimRequest, f fact, now time.Time) (include, ok bool) {
	if c == nil {
		return false, true
	}
	if !f.have {
		return false, !c.constrained()
	}
	if !valueOK(c, f.value) {
		return false, false
	}
	if c.HasMaxAge && (!f.dated || now.Sub(f.at) > c.MaxAge) {
		return false, false
	}
	return true, true
}

// valueOK applies value and values (OpenID Connect Core 1.0 section
// 5.5.1): exact equality of JSON values.
func valueOK(c *ClaimRequest, actual any) bool {
	if c.HasValue && !jsonEqual(c.Value, actual) {
		return false
	}
	if len(c.Values) == 0 {
		return true
	}
	for _, v := range c.Values {
		if jsonEqual(v, actual) {
			return true
		}
	}
	return false
}

func jsonEqual(a, b any) bool {
	as, aok := a.(string)
	bs, bok := b.(string)
	if aok || bok {
		return aok && bok && as == bs
	}
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}
