package policy

import "testing"

func TestDiff(t *testing.T) {
	tests := []struct{ name, old, new, want string }{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"from nothing", "", "a\n", "+ a\n"},
		{"to nothing", "a\n", "", "- a\n"},
		{"changed middle line", "a\nb\nc\n", "a\nx\nc\n", "  a\n- b\n+ x\n  c\n"},
		{"inserted and removed around common lines", "a\nb\nc\nd\n", "b\nc\nx\nd\n", "- a\n  b\n  c\n+ x\n  d\n"},
		{"missing final newline", "a\nb", "a\nb\nc", "  a\n  b\n+ c\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Diff(tt.old, tt.new); got != tt.want {
				t.Errorf("Diff =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
