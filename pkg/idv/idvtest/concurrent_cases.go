package idvtest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

// runConcurrent starts, polls and completes sessions from many goroutines
// at once: every result must belong to its own session. Hooks run on the
// test goroutine (they may call t.FailNow); Verifier calls run everywhere.
func runConcurrent(t *testing.T, h Harness) {
	const n = 16
	ctx := context.Background()
	fixtures := []simulator.Fixture{}
	for _, f := range simulator.Fixtures() {
		if plain(f) {
			fixtures = append(fixtures, f)
		}
	}
	sessions := make([]idv.Session, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sessions[i], errs[i] = h.Verifier.StartIDV(ctx, idv.IDVRequest{DocumentTypes: []idv.DocumentType{fixtures[i%len(fixtures)].Document.Type}})
		}()
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
	}

	stop := make(chan struct{})
	pollErr := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := h.Verifier.IDVResult(ctx, sessions[i].ID); err != nil {
					pollErr <- err
					return
				}
				time.Sleep(time.Millisecond) // leave the CPU to the completions
			}
		}()
	}
	for i := range n {
		h.Complete(t, sessions[i].ID, simulator.CompleteOptions{Fixture: fixtures[i%len(fixtures)].Name})
	}
	close(stop)
	wg.Wait()
	close(pollErr)
	for err := range pollErr {
		require.NoError(t, err)
	}

	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := h.Verifier.IDVResult(ctx, sessions[i].ID)
			switch {
			case err != nil:
				errs[i] = err
			case r.Person == nil || r.Person.GivenName != fixtures[i%len(fixtures)].Person.GivenName:
				errs[i] = fmt.Errorf("session %d: person %+v, want %s", i, r.Person, fixtures[i%len(fixtures)].Name)
			}
		}()
	}
	wg.Wait()
	for i := range n {
		assert.NoError(t, errs[i])
	}
}
