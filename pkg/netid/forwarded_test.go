package netid

import (
	"reflect"
	"testing"
)

func TestParseForwarded(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  []fwdElement
		bad   bool
	}{
		{name: "RFC 7239 example", lines: []string{`for="_gazonk"`}, want: []fwdElement{{node: "_gazonk"}}},
		{name: "quoted IPv6 with port", lines: []string{`For="[2001:db8:cafe::17]:4711"`}, want: []fwdElement{{node: "[2001:db8:cafe::17]:4711"}}},
		{
			name:  "pairs and elements",
			lines: []string{`for=192.0.2.60;proto=http;by=203.0.113.43, for=198.51.100.17;host=example.com`},
			want:  []fwdElement{{node: "192.0.2.60", proto: "http"}, {node: "198.51.100.17", host: "example.com"}},
		},
		{name: "several lines", lines: []string{"for=a", "for=b"}, want: []fwdElement{{node: "a"}, {node: "b"}}},
		{name: "case-insensitive names, spaces", lines: []string{` PROTO=https ; For=x `}, want: []fwdElement{{node: "x", proto: "https"}}},
		{name: "empty elements and pairs", lines: []string{`, ;for=a;; ,,`}, want: []fwdElement{{node: "a"}}},
		{name: "escaped quote and comma in a quoted value", lines: []string{`host="a\"b,c";for=d`}, want: []fwdElement{{node: "d", host: `a"b,c`}}},
		{name: "unquoted IPv6 accepted leniently", lines: []string{`for=[2001:db8::1]:80`}, want: []fwdElement{{node: "[2001:db8::1]:80"}}},
		{name: "extension parameter ignored", lines: []string{`secret=x;for=a`}, want: []fwdElement{{node: "a"}}},
		{name: "empty header", lines: []string{""}, want: nil},
		{name: "unterminated quote", lines: []string{`for="192.0.2.1`}, bad: true},
		{name: "dangling escape", lines: []string{`for="a\`}, bad: true},
		{name: "control character in quotes", lines: []string{"for=\"a\x01\""}, bad: true},
		{name: "escaped control character", lines: []string{"host=\"\\\x00\""}, bad: true},
		{name: "escaped tab is allowed", lines: []string{"host=\"a\\\tb\""}, want: []fwdElement{{host: "a\tb"}}},
		{name: "missing equals", lines: []string{`for`}, bad: true},
		{name: "missing name", lines: []string{`=a`}, bad: true},
		{name: "junk after value", lines: []string{`for=a b`}, bad: true},
		{name: "junk after quoted value", lines: []string{`for="a"b`}, bad: true},
		{name: "parameter twice in one element", lines: []string{`for=a;for=b`}, bad: true},
		{name: "one bad line spoils the header", lines: []string{"for=a", `for="b`}, bad: true},
		{name: "too many elements", lines: []string{repeat("for=a,", maxForwardedElements+1)}, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseForwarded(tt.lines)
			if tt.bad {
				if err == nil {
					t.Fatalf("parseForwarded = %+v, want an error", got)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseForwarded = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

func TestParseNode(t *testing.T) {
	tests := []struct {
		in, want string // want "" for not an address
	}{
		{"192.0.2.1", "192.0.2.1"},
		{" 192.0.2.1 ", "192.0.2.1"},
		{"192.0.2.1:8080", "192.0.2.1"},
		{"2001:db8::1", "2001:db8::1"},
		{"[2001:db8::1]", "2001:db8::1"},
		{"[2001:db8::1]:443", "2001:db8::1"},
		{"[::ffff:192.0.2.1]:443", "192.0.2.1"},
		{"fe80::1%eth0", "fe80::1"},
		{"[2001:db8::1]:", ""},
		{"[2001:db8::1]:port", ""},
		{"[2001:db8::1", ""},
		{"[192.0.2.1]", ""},
		{"192.0.2.1:99999", ""},
		{"192.0.2", ""},
		{"unknown", ""},
		{"_hidden", ""},
		{"", ""},
		{repeat("1", 100), ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, ok := parseNode(tt.in)
			got := ""
			if ok {
				got = a.String()
			}
			if got != tt.want {
				t.Errorf("parseNode(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
