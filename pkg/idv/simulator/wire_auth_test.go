package simulator

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestParseTS(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want int64 // unix seconds; 0 means rejected
	}{
		{name: "seconds", raw: `1795636101`, want: 1795636101},
		{name: "fractional seconds", raw: `1795636101.4`, want: 1795636101},
		{name: "milliseconds", raw: `1795636101000`, want: 1795636101},
		{name: "string", raw: `"1795636101"`, want: 1795636101},
		{name: "negative", raw: `-5`},
		{name: "zero", raw: `0`},
		{name: "absurd", raw: `1e300`},
		{name: "word", raw: `"soon"`},
		{name: "object", raw: `{}`},
		{name: "missing", raw: ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, ok := parseTS(json.RawMessage(tt.raw))
			assert.Equal(t, tt.want != 0, ok)
			if ok {
				assert.Equal(t, tt.want, ts.Unix())
			}
		})
	}
}

func TestReplayCache(t *testing.T) {
	var c replayCache
	t0 := time.Unix(1_800_000_000, 0)
	assert.True(t, c.add("a", t0, time.Minute))
	assert.False(t, c.add("a", t0.Add(time.Second), time.Minute), "replay within the window")
	assert.True(t, c.add("b", t0.Add(90*time.Second), time.Minute))
	assert.False(t, c.add("a", t0.Add(100*time.Second), time.Minute), "still remembered")
	assert.True(t, c.add("c", t0.Add(3*time.Minute), time.Minute), "prunes a")
	assert.NotContains(t, c.m, "a")
	assert.Contains(t, c.m, "b")
	assert.True(t, c.add("d", t0, -1), "freshness off still records")
	assert.False(t, c.add("d", t0.Add(time.Hour), -1))
}
