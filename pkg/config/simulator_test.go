package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSimulatorFaults(t *testing.T) {
	c, err := Parse("t.yaml", []byte(`dev: true
idv:
  simulator:
    faults: {error_rate: 0.2, garbage_rate: 0.05, drop_rate: 1, latency: 300ms}
`))
	require.NoError(t, err)
	require.Equal(t, SimulatorFaults{ErrorRate: 0.2, GarbageRate: 0.05, DropRate: 1, Latency: 300 * time.Millisecond}, c.IDV.Simulator.Faults)

	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"rates outside 0..1", "dev: true\nidv: {simulator: {faults: {error_rate: 1.5, garbage_rate: -0.1, drop_rate: .nan}}}\n",
			[]string{"idv.simulator.faults.error_rate: 1.5 is not a probability", "idv.simulator.faults.garbage_rate: -0.1", "idv.simulator.faults.drop_rate: NaN"}},
		{"negative latency", "dev: true\nidv: {simulator: {faults: {latency: -1s}}}\n", []string{"idv.simulator.faults.latency: -1s is negative"}},
		{"faults for a real tenant", "dev: true\nidv: {type: onekosmos, onekosmos: {tenant_dns: t.example, license_key: k, dvc_id: d}, simulator: {faults: {error_rate: 0.1}}}\n",
			[]string{"idv.simulator.faults: simulator-only"}},
		{"unknown fault", "dev: true\nidv: {simulator: {faults: {meteor_rate: 1}}}\n", []string{"field meteor_rate not found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tt.yaml))
			require.Error(t, err)
			for _, w := range tt.want {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}
