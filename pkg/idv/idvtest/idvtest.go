// Package idvtest is the conformance suite every idv.Verifier runs: the
// simulator used in-process, and the 1Kosmos client pointed at the
// simulator over HTTP. The suite starts sessions through the Verifier and
// plays the person's part (approve, decline, present a face, let time pass)
// through the hooks of a Harness, which drive the simulator.
//
// Typical use for a client over HTTP:
//
//	sim, srv, clock := idvtest.StartSimulator(t, simulator.Config{Freshness: -1})
//	client := onekosmos.New(onekosmos.Config{BaseURL: srv.URL, ...})
//	h := idvtest.ForSimulator(sim, clock)
//	h.Verifier = client
//	idvtest.RunTests(t, h)
package idvtest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

// Harness is a Verifier under test plus the hooks that play the person.
type Harness struct {
	// Verifier is the implementation under test.
	Verifier idv.Verifier
	// Complete approves the hosted proofing page of sessionID with opt.
	Complete func(t *testing.T, sessionID string, opt simulator.CompleteOptions)
	// Decline presses decline on the hosted page (proofing or LiveID).
	Decline func(t *testing.T, sessionID string)
	// Fail, Abandon and Expire end a proofing session FAILED, ABANDONED or
	// EXPIRED (Expire also an authenticator session); nil skips those
	// cases.
	Fail, Abandon, Expire func(t *testing.T, sessionID string)
	// CompleteLiveID answers a LiveID challenge in the authenticator.
	CompleteLiveID func(t *testing.T, challengeID string, opt simulator.LiveIDOptions)
	// Account returns the 1Kosmos account the service plays for a
	// proofing session's UserRef; nil skips the cases that need it.
	Account func(t *testing.T, userRef string) idv.Account
	// OpenPage opens a session URL as a browser would (moves the session to
	// in_progress); nil skips the in-progress case.
	OpenPage func(t *testing.T, url string)
	// Advance moves the service's clock forward; nil skips the expiry
	// cases. A client that talks HTTP to the simulator must either share the
	// clock (its requestid.ts follows it) or the simulator must run with
	// Freshness < 0.
	Advance func(t *testing.T, d time.Duration)
	// SessionTTL is the service's session lifetime (default 10 minutes).
	SessionTTL time.Duration
	// Scores tells whether results should carry the simulator's scores.
	Scores bool
	// TellsPending says the verifier tells a pending session from one in
	// progress (1Kosmos reports both as INPROGRESS).
	TellsPending bool
	// NamesNoAccount says the verifier's results do not say whose session
	// it was (1Kosmos's v1 results carry no sessionData).
	NamesNoAccount bool
	// CertificateToken says passed results carry a certificate token
	// (v1's top-level token; v3 has none).
	CertificateToken bool
}

// RunTests runs the whole suite against h.
func RunTests(t *testing.T, h Harness) {
	require.NotNil(t, h.Verifier, "Harness.Verifier")
	require.NotNil(t, h.Complete, "Harness.Complete")
	require.NotNil(t, h.Decline, "Harness.Decline")
	require.NotNil(t, h.CompleteLiveID, "Harness.CompleteLiveID")
	if h.SessionTTL <= 0 {
		h.SessionTTL = simulator.DefaultSessionTTL
	}
	t.Run("IDV", func(t *testing.T) { runIDV(t, h) })
	t.Run("IDVStatuses", func(t *testing.T) { runIDVStatuses(t, h) })
	t.Run("LiveID", func(t *testing.T) { runLiveID(t, h) })
	t.Run("CheckFace", func(t *testing.T) { runCheckFace(t, h) })
	t.Run("Concurrent", func(t *testing.T) { runConcurrent(t, h) })
}

// ForSimulator returns a Harness whose hooks drive sim in-process and whose
// Verifier is sim itself; replace Verifier (and the flags that describe
// it) to test a client of sim. clock may be nil (no expiry cases);
// otherwise it must be sim's Config.Now.
func ForSimulator(sim *simulator.Simulator, clock *Clock) Harness {
	hook := func(f func(string) error) func(t *testing.T, id string) {
		return func(t *testing.T, id string) {
			t.Helper()
			require.NoError(t, f(id))
		}
	}
	h := Harness{
		Verifier: sim,
		Complete: func(t *testing.T, id string, opt simulator.CompleteOptions) {
			t.Helper()
			require.NoError(t, sim.Complete(id, opt))
		},
		Decline: hook(sim.Decline),
		Fail:    hook(sim.Fail),
		Abandon: hook(sim.Abandon),
		Expire:  hook(sim.Expire),
		CompleteLiveID: func(t *testing.T, id string, opt simulator.LiveIDOptions) {
			t.Helper()
			require.NoError(t, sim.CompleteLiveID(id, opt))
		},
		Account: func(t *testing.T, userRef string) idv.Account {
			t.Helper()
			a, ok := sim.Account(userRef)
			require.True(t, ok, "the simulator plays no account for %q", userRef)
			return a
		},
		OpenPage: func(t *testing.T, url string) {
			t.Helper()
			path, ok := strings.CutPrefix(url, sim.BaseURL())
			require.True(t, ok, "session URL %q is not under the simulator's BaseURL", url)
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Header.Set("Accept", "text/html")
			sim.Handler().ServeHTTP(rec, req)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		},
		TellsPending: true,
	}
	if clock != nil {
		h.Advance = func(t *testing.T, d time.Duration) { clock.Advance(d) }
	}
	return h
}

// StartSimulator runs a simulator on an httptest server (closed at the end
// of the test) with cfg.BaseURL set to the server's URL and, unless cfg.Now
// is set, a Clock starting at the current time (returned; nil otherwise).
func StartSimulator(t testing.TB, cfg simulator.Config) (*simulator.Simulator, *httptest.Server, *Clock) {
	t.Helper()
	var handler http.Handler = http.NotFoundHandler()
	var mu sync.RWMutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.RLock()
		h := handler
		mu.RUnlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	var clock *Clock
	if cfg.Now == nil {
		clock = NewClock(time.Now())
		cfg.Now = clock.Now
	}
	cfg.BaseURL = srv.URL
	sim, err := simulator.New(cfg)
	require.NoError(t, err)
	mu.Lock()
	handler = sim.Handler()
	mu.Unlock()
	return sim, srv, clock
}

// Clock is a settable time source for Config.Now. Safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
	set time.Time // wall time when now was taken
}

// NewClock returns a clock that runs with wall time from start.
func NewClock(start time.Time) *Clock { return &Clock{now: start, set: time.Now()} }

// Now returns the current simulated time: start plus wall time elapsed plus
// every Advance.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now.Add(time.Since(c.set))
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
