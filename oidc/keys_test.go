package oidc

import (
	"context"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
)

func statesByAlg(infos []KeyInfo) map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, k := range infos {
		if out[k.Algorithm] == nil {
			out[k.Algorithm] = map[string]int{}
		}
		out[k.Algorithm][k.State]++
	}
	return out
}

func TestKeyRingStartsWithCurrentAndPublishedNext(t *testing.T) {
	h := newHarness(t)
	infos, err := h.p.Keys(context.Background())
	require.NoError(t, err)
	for _, alg := range []string{"RS256", "ES256"} {
		require.Equal(t, map[string]int{KeyCurrent: 1, KeyNext: 1}, statesByAlg(infos)[alg], alg)
	}
	pub, err := h.p.keys.public(context.Background())
	require.NoError(t, err)
	require.Len(t, pub, 4, "next keys are published before they sign")
}

func TestRotationKeepsOldTokensVerifiableAndAgesOut(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	before, err := h.p.keys.current(ctx, jose.RS256)
	require.NoError(t, err)
	infos, err := h.p.RotateKeys(ctx, true)
	require.NoError(t, err)
	require.Equal(t, map[string]int{KeyCurrent: 1, KeyNext: 1, KeyPrevious: 1}, statesByAlg(infos)["RS256"])
	after, err := h.p.keys.current(ctx, jose.RS256)
	require.NoError(t, err)
	require.NotEqual(t, before.ID(), after.ID())

	pub, err := h.p.keys.public(ctx)
	require.NoError(t, err)
	var ids []string
	for _, k := range pub {
		ids = append(ids, k.ID())
	}
	require.Contains(t, ids, before.ID(), "the previous key stays published for tokens it signed")

	// Past the retention, a due rotation drops it.
	h.clock.Advance(3 * time.Hour)
	infos, err = h.p.RotateKeys(ctx, false)
	require.NoError(t, err)
	require.Zero(t, statesByAlg(infos)["RS256"][KeyPrevious])
}

func TestDueRotationHappensOnlyWhenTheNextKeyActivates(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	first, _ := h.p.keys.current(ctx, jose.ES256)
	_, err := h.p.RotateKeys(ctx, false)
	require.NoError(t, err)
	same, _ := h.p.keys.current(ctx, jose.ES256)
	require.Equal(t, first.ID(), same.ID(), "nothing is due yet")

	h.clock.Advance(h.p.cfg.Keys.RotationPeriod + time.Minute)
	_, err = h.p.RotateKeys(ctx, false)
	require.NoError(t, err)
	next, _ := h.p.keys.current(ctx, jose.ES256)
	require.NotEqual(t, first.ID(), next.ID())
}

func TestReplicaSeesRotatedKeys(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	replica, err := New(Deps{Config: h.p.cfg, Store: h.p.store, Journey: h.p.journey, Verifier: h.sim, Sealer: h.p.keys.seal, Cookies: h.p.cookies, Now: h.clock.Now})
	require.NoError(t, err)
	require.NoError(t, replica.Init(ctx))
	a, _ := h.p.keys.current(ctx, jose.RS256)
	b, _ := replica.keys.current(ctx, jose.RS256)
	require.Equal(t, a.ID(), b.ID(), "replicas share one key ring")

	_, err = h.p.RotateKeys(ctx, true)
	require.NoError(t, err)
	h.clock.Advance(61 * time.Second)
	a, _ = h.p.keys.current(ctx, jose.RS256)
	b, _ = replica.keys.current(ctx, jose.RS256)
	require.Equal(t, a.ID(), b.ID(), "a key rotated on one replica is served by the other")
}
