package netid

import (
	"errors"
	"net/netip"
	"strings"
)

// fwdElement is one forwarded-element of an RFC 7239 Forwarded header: what
// one proxy says about the request it received.
type fwdElement struct {
	node  string // for=
	proto string
	host  string
}

var errMalformed = errors.New("malformed Forwarded header")

// maxForwardedElements bounds the work on an absurd header; proxies chains
// are a handful of hops long.
const maxForwardedElements = 64

// parseForwarded parses the Forwarded header lines (RFC 7239 section 4) as
// one list. Unquoted values are read leniently (an unquoted IPv6 literal is
// accepted); anything else that breaks the grammar (an unterminated quote,
// a parameter without "=", a parameter twice in one element) rejects the
// whole header.
func parseForwarded(lines []string) ([]fwdElement, error) {
	var out []fwdElement
	for _, line := range lines {
		p := fwdParser{s: line}
		elems, err := p.elements()
		if err != nil {
			return nil, err
		}
		out = append(out, elems...)
		if len(out) > maxForwardedElements {
			return nil, errMalformed
		}
	}
	return out, nil
}

type fwdParser struct {
	s string
	i int
}

func (p *fwdParser) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *fwdParser) elements() ([]fwdElement, error) {
	var out []fwdElement
	var cur fwdElement
	var seen [3]bool // for, proto, host
	empty := true
	for {
		p.skipSpace()
		if p.i == len(p.s) {
			break
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			if !empty {
				out = append(out, cur)
				if len(out) > maxForwardedElements {
					return nil, errMalformed
				}
			}
			cur, seen, empty = fwdElement{}, [3]bool{}, true
			continue
		case ';':
			p.i++
			continue
		}
		name, value, err := p.pair()
		if err != nil {
			return nil, err
		}
		empty = false
		var slot int
		switch strings.ToLower(name) {
		case "for":
			slot, cur.node = 0, value
		case "proto":
			slot, cur.proto = 1, value
		case "host":
			slot, cur.host = 2, value
		default: // "by" and extensions: syntax checked, value unused
			continue
		}
		if seen[slot] {
			return nil, errMalformed // RFC 7239 section 4: at most once per element
		}
		seen[slot] = true
	}
	if !empty {
		out = append(out, cur)
	}
	return out, nil
}

// pair reads token "=" value, value being a token or a quoted-string.
func (p *fwdParser) pair() (name, value string, err error) {
	start := p.i
	for p.i < len(p.s) && isTchar(p.s[p.i]) {
		p.i++
	}
	name = p.s[start:p.i]
	if name == "" || p.i == len(p.s) || p.s[p.i] != '=' {
		return "", "", errMalformed
	}
	p.i++
	if p.i < len(p.s) && p.s[p.i] == '"' {
		value, err = p.quoted()
	} else {
		start = p.i
		for p.i < len(p.s) && isValueChar(p.s[p.i]) {
			p.i++
		}
		value = p.s[start:p.i]
	}
	if err != nil {
		return "", "", err
	}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] != ';' && p.s[p.i] != ',' {
		return "", "", errMalformed
	}
	return name, value, nil
}

// quoted reads a quoted-string (RFC 9110 section 5.6.4) after its opening
// quote.
func (p *fwdParser) quoted() (string, error) {
	p.i++ // opening quote
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch {
		case c == '"':
			return b.String(), nil
		case c == '\\':
			// quoted-pair: "\" followed by HTAB, SP, VCHAR or obs-text.
			if p.i == len(p.s) || isCtl(p.s[p.i]) {
				return "", errMalformed
			}
			b.WriteByte(p.s[p.i])
			p.i++
		case isCtl(c):
			return "", errMalformed
		default:
			b.WriteByte(c)
		}
	}
	return "", errMalformed
}

// isCtl reports control characters other than HTAB.
func isCtl(c byte) bool { return c < 0x20 && c != '\t' || c == 0x7f }

// isValueChar accepts tchar plus the characters unquoted addresses carry
// in the wild (":", "[", "]", "/").
func isValueChar(c byte) bool {
	return isTchar(c) || c == ':' || c == '[' || c == ']' || c == '/'
}

// parseNode reads an address as proxies write it in X-Forwarded-For or a
// Forwarded for= value: "192.0.2.1", "192.0.2.1:443", "2001:db8::1",
// "[2001:db8::1]", "[2001:db8::1]:443". Ports and zones are dropped and
// IPv4-mapped addresses unmapped. "unknown" and obfuscated identifiers
// ("_hidden") are not addresses.
func parseNode(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 64 { // longer than any address with port and zone
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		if strings.HasPrefix(s, "[") {
			end := strings.IndexByte(s, ']')
			if end < 0 || (end+1 < len(s) && !validPort(s[end+1:])) {
				return netip.Addr{}, false
			}
			a, err = netip.ParseAddr(s[1:end])
			if err == nil && !a.Is6() {
				return netip.Addr{}, false
			}
		} else {
			var ap netip.AddrPort
			ap, err = netip.ParseAddrPort(s)
			a = ap.Addr()
		}
	}
	if err != nil || !a.IsValid() {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

// validPort accepts ":" followed by 1 to 5 digits.
func validPort(s string) bool {
	if len(s) < 2 || len(s) > 6 || s[0] != ':' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// listFromRight calls yield for the comma-separated items of the header
// lines from the last to the first, trimmed, until yield returns false.
// Walking from the right without splitting everything keeps the cost of a
// long spoofed prefix low.
func listFromRight(lines []string, yield func(item string) bool) {
	for i := len(lines) - 1; i >= 0; i-- {
		rest := lines[i]
		for {
			j := strings.LastIndexByte(rest, ',')
			if item := strings.TrimSpace(rest[j+1:]); item != "" {
				if !yield(item) {
					return
				}
			}
			if j < 0 {
				break
			}
			rest = rest[:j]
		}
	}
}

// countItems counts the non-empty comma-separated items of header lines.
func countItems(lines []string) int {
	n := 0
	listFromRight(lines, func(string) bool { n++; return true })
	return n
}

// itemFromRight returns the pos-th (1-based) non-empty item from the right.
func itemFromRight(lines []string, pos int) string {
	var out string
	n := 0
	listFromRight(lines, func(item string) bool {
		n++
		if n == pos {
			out = item
			return false
		}
		return true
	})
	return out
}
