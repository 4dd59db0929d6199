package simulator_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/idvtest"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

func TestSimulatorIsAVerifier(t *testing.T) {
	for _, scores := range []bool{false, true} {
		name := "plain"
		if scores {
			name = "scores"
		}
		t.Run(name, func(t *testing.T) {
			clock := idvtest.NewClock(time.Now())
			sim, err := simulator.New(simulator.Config{BaseURL: "http://sim.test/simulator", Now: clock.Now, Scores: scores})
			require.NoError(t, err)
			h := idvtest.ForSimulator(sim, clock)
			h.Scores = scores
			idvtest.RunTests(t, h)
		})
	}
}
