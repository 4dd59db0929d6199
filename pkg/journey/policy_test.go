package journey

import (
	"bytes"
	"log/slog"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/policy"
	"github.com/idbridge/idbridge/pkg/stepup"
)

// swappable is a policy source a test changes between decisions.
type swappable struct{ p atomic.Pointer[policy.Policy] }

func (s *swappable) Current() *policy.Policy { return s.p.Load() }

func compiled(t *testing.T, version int, src string) *policy.Policy {
	t.Helper()
	p, err := policy.Parse([]byte(src), policy.Options{})
	require.NoError(t, err)
	return p.WithVersion(version)
}

// Every decision reads the source's current policy, names its version and
// rule in the plan and the audit line, and keeps its context, anonymised,
// for previews; a preview keeps nothing.
func TestDecideByTheLivePolicy(t *testing.T) {
	w := newWorld(t)
	var logs bytes.Buffer
	src := &swappable{}
	src.p.Store(compiled(t, 1, ""))
	core, err := New(Options{Users: w.repo, Now: func() time.Time { return w.now }, Policy: src, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	p := sessionPerson(w)
	s := &Session{Subject: p.Subject(), AuthTime: w.now}
	home := Origin{Where: w.core.Locate(mustAddr("203.0.113.9")), Device: "dev-1"}
	d := Demands{Journey: JourneyAuto, ClientID: "shop"}

	first := core.Decide(d, p, s, home)
	require.True(t, first.Silent, "%v", first.Risk.Reasons)
	require.Equal(t, 1, first.Policy)
	require.Equal(t, policy.Defaults, first.Rule)

	src.p.Store(compiled(t, 2, "rules:\n  - name: shop-faces\n    when: client_id == \"shop\"\n    action: liveid\n    reason: shop_policy\n"))
	second := core.Decide(d, p, s, home)
	require.False(t, second.Silent)
	require.Equal(t, CheckLiveID, second.Check)
	require.Equal(t, 2, second.Policy)
	require.Equal(t, "shop-faces", second.Rule)
	require.Equal(t, []stepup.Reason{"shop_policy"}, second.Risk.Reasons)

	other := core.Decide(Demands{Journey: JourneyAuto, ClientID: "bank"}, p, s, home)
	require.Equal(t, policy.Defaults, other.Rule, "another client is not matched")

	recent := core.Recent()
	require.Len(t, recent, 3)
	require.Equal(t, "bank", recent[0].ClientID)
	require.NotContains(t, recent[0].Signals.Network, "203.0.113", "anonymised")

	candidate := compiled(t, 0, "rules:\n  - name: deny-all\n    when: 'true'\n    action: deny\n")
	active, cand := core.Preview(d, p, s, home, candidate)
	require.Equal(t, "shop-faces", active.Rule)
	require.Equal(t, CheckDeny, cand.Check)
	require.Equal(t, "deny-all", cand.Rule)
	require.Len(t, core.Recent(), 3, "a preview keeps nothing")
	require.NotContains(t, logs.String(), "audit", "the front doors write the decision's audit line; a preview logs nothing")
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
