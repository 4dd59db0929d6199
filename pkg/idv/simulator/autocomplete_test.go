package simulator

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
)

func TestAutoComplete(t *testing.T) {
	sim, _ := startSim(t, Config{AutoComplete: true})
	ctx := context.Background()

	s, err := sim.StartIDV(ctx, idv.IDVRequest{UserRef: "load-user"})
	require.NoError(t, err)
	r, err := sim.IDVResult(ctx, s.ID)
	require.NoError(t, err)
	assert.Equal(t, idv.StatusCompleted, r.Status)
	assert.Equal(t, idv.Passed, r.Verification)
	assert.Equal(t, fixtures[0].Person.GivenName, r.Person.GivenName)

	c := newWireClient(t, sim)
	id, _ := c.create("dl_object")
	assert.Equal(t, "SUCCESS", c.result(id)["responseStatus"])

	l, err := sim.StartLiveID(ctx, idv.LiveIDRequest{UserRef: "load-user"})
	require.NoError(t, err, "the auto-completed proofing bound the account")
	lr, err := sim.LiveIDResult(ctx, l.ID)
	require.NoError(t, err)
	assert.Equal(t, idv.StatusCompleted, lr.Status)
	assert.True(t, idv.SameAccount(r.Account, lr.Account), "the bound account signed in")

	assert.ErrorIs(t, sim.Complete(s.ID, CompleteOptions{}), ErrFinished)
	assert.ErrorIs(t, sim.Decline(l.ID), ErrFinished)

	// Over the wire, a session naming nobody is answered by someone else.
	a := appClient{c, t}
	r2 := a.newSession(`{"origin":{"tag":"sim"},"metadata":{"purpose":"authentication"}}`)
	require.Equal(t, 201, r2.status, "%s", r2.body)
	assert.Equal(t, map[string]any{"did": stranger.DID, "userid": stranger.UserID}, a.userData(a.poll(r2.json(t)["sessionId"].(string))))
}

func TestHookErrors(t *testing.T) {
	sim, err := New(Config{BaseURL: "http://sim.test"})
	require.NoError(t, err)
	ctx := context.Background()
	s, err := sim.StartIDV(ctx, idv.IDVRequest{})
	require.NoError(t, err)
	tests := []struct {
		name string
		err  error
		want error
	}{
		{name: "unknown fixture", err: sim.Complete(s.ID, CompleteOptions{Fixture: "nobody"}), want: ErrUnknownFixture},
		{name: "unknown session", err: sim.Complete("nope", CompleteOptions{}), want: ErrNotFound},
		{name: "unknown live session", err: sim.CompleteLiveID("nope", LiveIDOptions{}), want: ErrNotFound},
		{name: "decline unknown", err: sim.Decline("nope"), want: ErrNotFound},
		{name: "bad document type", err: sim.Complete(s.ID, CompleteOptions{DocumentType: "x"}), want: idv.ErrInvalidInput},
		{name: "fail unknown", err: sim.Fail("nope"), want: ErrNotFound},
		{name: "abandon unknown", err: sim.Abandon("nope"), want: ErrNotFound},
		{name: "expire unknown", err: sim.Expire("nope"), want: ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.True(t, errors.Is(tt.err, tt.want), "got %v", tt.err)
		})
	}
	_, err = sim.StartLiveID(ctx, idv.LiveIDRequest{UserRef: "never-proofed"})
	assert.ErrorIs(t, err, idv.ErrInvalidInput)

	require.NoError(t, sim.Abandon(s.ID))
	for name, err := range map[string]error{
		"complete": sim.Complete(s.ID, CompleteOptions{}), "fail": sim.Fail(s.ID), "abandon": sim.Abandon(s.ID),
		"expire": sim.Expire(s.ID), "decline": sim.Decline(s.ID),
	} {
		assert.ErrorIs(t, err, ErrFinished, "%s after the end", name)
	}
}

// TestLiveIDOnASessionNamingNoAccount: a session created over the wire
// for nobody the simulator knows can still be answered by someone else,
// not by "my account".
func TestLiveIDOnASessionNamingNoAccount(t *testing.T) {
	sim, _ := startSim(t, Config{})
	c := appClient{newWireClient(t, sim), t}
	r := c.newSession(`{"origin":{"tag":"sim"},"metadata":{"purpose":"authentication","did":"unknown"}}`)
	require.Equal(t, 201, r.status, "%s", r.body)
	sid := r.json(t)["sessionId"].(string)
	assert.ErrorIs(t, sim.CompleteLiveID(sid, LiveIDOptions{Match: true}), ErrNoAccount)
	require.NoError(t, sim.CompleteLiveID(sid, LiveIDOptions{Match: false}))
}

func TestNewValidates(t *testing.T) {
	for _, base := range []string{"", "not a url", "ftp://x", "http://"} {
		_, err := New(Config{BaseURL: base})
		assert.Error(t, err, base)
	}
	_, err := New(Config{BaseURL: "http://x", Curve: "ed25519"})
	assert.Error(t, err)
	_, err = New(Config{BaseURL: "http://x", Spellings: Spellings{Certifications: "nested"}})
	assert.ErrorContains(t, err, "Spellings.Certifications")
	sim, err := New(Config{BaseURL: "http://x/sim/"})
	require.NoError(t, err)
	assert.Equal(t, "http://x/sim", sim.BaseURL())
	assert.Equal(t, DefaultTenantDNS, sim.TenantDNS())
	assert.Equal(t, DefaultCommunity, sim.Community())
	assert.Equal(t, DefaultLicenseKey, sim.LicenseKey())
	assert.Equal(t, DefaultDVCID, sim.DVCID())
}

func TestOldSessionsAreForgotten(t *testing.T) {
	clock := &testClock{now: time.Now()}
	sim, err := New(Config{BaseURL: "http://sim.test", Now: clock.Now})
	require.NoError(t, err)
	ctx := context.Background()
	first, err := sim.StartIDV(ctx, idv.IDVRequest{})
	require.NoError(t, err)
	clock.Advance(DefaultSessionTTL)
	kept, err := sim.StartIDV(ctx, idv.IDVRequest{})
	require.NoError(t, err)
	clock.Advance(retention + time.Second)
	last, err := sim.StartIDV(ctx, idv.IDVRequest{})
	require.NoError(t, err)
	_, err = sim.IDVResult(ctx, first.ID)
	assert.ErrorIs(t, err, idv.ErrNotFound, "expired more than the retention ago")
	r, err := sim.IDVResult(ctx, kept.ID)
	require.NoError(t, err)
	assert.Equal(t, idv.StatusExpired, r.Status, "expired less than the retention ago")
	r, err = sim.IDVResult(ctx, last.ID)
	require.NoError(t, err)
	assert.Equal(t, idv.StatusPending, r.Status)
}

func BenchmarkWireCreateAndResult(b *testing.B) {
	sim, _ := startSim(b, Config{})
	c := newWireClient(b, sim)
	for b.Loop() {
		id, _ := c.create("dl_object")
		if c.result(id)["responseStatus"] != "INPROGRESS" {
			b.Fatal("unexpected status")
		}
	}
}

func BenchmarkVerifierStartAndResult(b *testing.B) {
	sim, err := New(Config{BaseURL: "http://sim.test"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		s, err := sim.StartIDV(ctx, idv.IDVRequest{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := sim.IDVResult(ctx, s.ID); err != nil {
			b.Fatal(err)
		}
	}
}
