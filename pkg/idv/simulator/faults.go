package simulator

import (
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// FaultSettings is what Faults injects into the wire API (simulator-only).
// Rates are probabilities between 0 and 1, drawn per request.
type FaultSettings struct {
	// Latency delays every wire request (not the hosted pages).
	Latency time.Duration
	// ErrorRate answers 503 {"code":503,...}.
	ErrorRate float64
	// GarbageRate answers 200 with a body that is not JSON.
	GarbageRate float64
	// CloseRate drops the connection without an answer.
	CloseRate float64
}

// Faults injects failures into the wire API so that clients' timeouts,
// retries and error mapping can be tested. Safe for concurrent use; Set
// may be called while requests are served. The zero value injects nothing.
type Faults struct {
	mu sync.Mutex
	s  FaultSettings
}

// Set replaces the settings.
func (f *Faults) Set(s FaultSettings) {
	f.mu.Lock()
	f.s = s
	f.mu.Unlock()
}

// Settings returns the current settings.
func (f *Faults) Settings() FaultSettings {
	if f == nil {
		return FaultSettings{}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.s
}

// wrap applies the current faults before next.
func (f *Faults) wrap(next http.Handler) http.Handler {
	if f == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := f.Settings()
		if s.Latency > 0 {
			t := time.NewTimer(s.Latency)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		switch {
		case hit(s.CloseRate):
			panic(http.ErrAbortHandler) // net/http closes the connection silently
		case hit(s.ErrorRate):
			writeError(w, http.StatusServiceUnavailable, "service unavailable (simulated fault)")
		case hit(s.GarbageRate):
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte("<html>\x00garbage{"))
		default:
			next.ServeHTTP(w, r)
		}
	})
}

func hit(rate float64) bool {
	return rate > 0 && (rate >= 1 || rand.Float64() < rate)
}
