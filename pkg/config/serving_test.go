package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTokenSlots(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		slots int
	}{
		{"memory store: one per CPU", "dev: true\n", 8},
		{"redis store: no limit", "dev: true\nstorage:\n  type: redis\n  redis:\n    addrs: [127.0.0.1:6379]\n", 0},
		{"explicit", "dev: true\nlimits:\n  token_concurrency: 3\n", 3},
		{"explicit with redis", "dev: true\nstorage:\n  type: redis\n  redis:\n    addrs: [127.0.0.1:6379]\nlimits:\n  token_concurrency: 16\n", 16},
		{"switched off", "dev: true\nlimits:\n  token_concurrency: -1\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("t.yaml", []byte(tt.yaml))
			require.NoError(t, err)
			require.Equal(t, tt.slots, c.TokenSlots(8))
		})
	}
	_, err := Parse("t.yaml", []byte("dev: true\nlimits:\n  token_concurrency: -2\n"))
	require.ErrorContains(t, err, "limits.token_concurrency: use -1 (no limit), 0 (automatic) or a positive number")
}
