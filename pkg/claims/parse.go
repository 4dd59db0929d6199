package claims

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxRequestSize bounds the claims parameter ParseRequest accepts, in bytes.
const MaxRequestSize = 64 << 10

// RequestError describes why a claims parameter is invalid. It wraps
// ErrInvalidRequest; its message suits an OAuth error_description.
type RequestError struct {
	// Path locates the offending member, e.g.
	// "userinfo.verified_claims[0].verification"; empty for the whole
	// parameter.
	Path string
	// Reason says what is wrong, e.g. "must contain trust_framework".
	Reason string
}

// Error implements error.
func (e *RequestError) Error() string {
	if e.Path == "" {
		return "claims parameter " + e.Reason
	}
	return "claims parameter member " + e.Path + " " + e.Reason
}

// Unwrap makes errors.Is(err, ErrInvalidRequest) hold.
func (e *RequestError) Unwrap() error { return ErrInvalidRequest }

func fail(p path, format string, args ...any) error {
	return &RequestError{Path: string(p), Reason: fmt.Sprintf(format, args...)}
}

// path is a dotted location inside the claims parameter, for messages.
type path string

// maxKeyInPath bounds how much of an RP-chosen member name is repeated in
// an error message.
const maxKeyInPath = 40

func (p path) key(k string) path {
	if len(k) > maxKeyInPath {
		k = k[:maxKeyInPath]
		for !utf8.ValidString(k) {
			k = k[:len(k)-1]
		}
		k += "..."
	}
	if strings.ContainsFunc(k, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '"' || r == '.' || r == ' ' }) {
		k = strconv.Quote(k)
	}
	if p == "" {
		return path(k)
	}
	return p + "." + path(k)
}

func (p path) index(i int) path { return path(fmt.Sprintf("%s[%d]", p, i)) }

// ParseRequest parses and validates the OIDC claims parameter. An empty
// string is an empty request. Malformed JSON, members of the wrong type and
// verified_claims requests that break the rules of OIDC4IDA 1.0 (the
// official verified_claims_request.json schema, and: evidence type given by
// value, purpose of 3 to 300 characters) return a *RequestError wrapping
// ErrInvalidRequest. Unknown claims and unknown members are accepted: they
// are simply never delivered.
func ParseRequest(raw string) (*Request, error) {
	if strings.TrimSpace(raw) == "" {
		return &Request{}, nil
	}
	if len(raw) > MaxRequestSize {
		return nil, fail("", "is larger than %d bytes", MaxRequestSize)
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fail("", "is not valid JSON (%s)", describeJSONError(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fail("", "is not valid JSON (data after the top-level object)")
	}
	top, ok := v.(map[string]any)
	if !ok {
		return nil, fail("", "must be a JSON object")
	}
	r := &Request{targets: map[Target]*targetRequest{}}
	for _, t := range []Target{IDToken, UserInfo} {
		m, present := top[string(t)]
		if !present {
			continue
		}
		obj, ok := m.(map[string]any)
		if !ok {
			return nil, fail(path(t), "must be a JSON object")
		}
		tr, err := parseTarget(path(t), obj)
		if err != nil {
			return nil, err
		}
		r.targets[t] = tr
	}
	return r, nil
}

func describeJSONError(err error) string {
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "unexpected end of input"
	default:
		return "malformed input"
	}
}

func parseTarget(p path, m map[string]any) (*targetRequest, error) {
	tr := &targetRequest{flat: map[string]*ClaimRequest{}}
	for _, k := range sortedKeys(m) {
		if k == "verified_claims" {
			if err := parseVerifiedClaims(p.key(k), m[k], tr); err != nil {
				return nil, err
			}
			continue
		}
		c, err := parseElement(p.key(k), m[k], kindClaim)
		if err != nil {
			return nil, err
		}
		tr.flat[k] = c
	}
	return tr, nil
}

// kind is the shape of an element in a claims request, after the $defs of
// verified_claims_request.json.
type kind int

const (
	// kindClaim: an individual claim request; value and values of any type.
	kindClaim kind = iota
	// kindConstrainable: value is a string, values a non-empty string array.
	kindConstrainable
	// kindDatetime: a date or time that may carry max_age.
	kindDatetime
	// kindSimple: an element that may only be asked for.
	kindSimple
)

// parseElement parses `null` or a request object (OpenID Connect Core 1.0
// section 5.5.1). Members it does not know are ignored, as Core requires.
func parseElement(p path, v any, k kind) (*ClaimRequest, error) {
	if v == nil {
		return &ClaimRequest{}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fail(p, "must be null or a JSON object")
	}
	c := &ClaimRequest{}
	if e, ok := m["essential"]; ok {
		b, ok := e.(bool)
		if !ok {
			return nil, fail(p.key("essential"), "must be true or false")
		}
		c.Essential = b
	}
	if val, ok := m["value"]; ok {
		if _, isStr := val.(string); k == kindConstrainable && !isStr {
			return nil, fail(p.key("value"), "must be a string")
		}
		c.Value, c.HasValue = val, true
	}
	if vals, ok := m["values"]; ok {
		arr, ok := vals.([]any)
		if !ok {
			return nil, fail(p.key("values"), "must be an array")
		}
		if k == kindConstrainable {
			if len(arr) == 0 {
				return nil, fail(p.key("values"), "must not be empty")
			}
			for i, x := range arr {
				if _, ok := x.(string); !ok {
					return nil, fail(p.key("values").index(i), "must be a string")
				}
			}
		}
		c.Values = arr
	}
	if ma, ok := m["max_age"]; ok {
		d, ok := parseMaxAge(ma)
		if !ok {
			return nil, fail(p.key("max_age"), "must be a non-negative integer number of seconds")
		}
		c.MaxAge, c.HasMaxAge = d, true
	}
	if pu, ok := m["purpose"]; ok {
		s, ok := pu.(string)
		if n := utf8.RuneCountInString(s); !ok || n < 3 || n > 300 {
			return nil, fail(p.key("purpose"), "must be a string of 3 to 300 characters")
		}
		c.Purpose = s
	}
	return c, nil
}

func parseMaxAge(v any) (time.Duration, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		// Integral values written as 5.0 or 1e3 are integers for JSON schema.
		f, ferr := n.Float64()
		if ferr != nil || f != math.Trunc(f) {
			return 0, false
		}
		if f >= math.MaxInt64 {
			i = math.MaxInt64
		} else {
			i = int64(f)
		}
	}
	if i < 0 {
		return 0, false
	}
	if i > math.MaxInt64/int64(time.Second) {
		return time.Duration(math.MaxInt64), true
	}
	return time.Duration(i) * time.Second, true
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// hasConstraint reports whether v, part of a request, restricts any value
// (value, values or max_age at any depth).
func hasConstraint(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == "value" || k == "values" || k == "max_age" {
				return true
			}
			if hasConstraint(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasConstraint(e) {
				return true
			}
		}
	}
	return false
}
