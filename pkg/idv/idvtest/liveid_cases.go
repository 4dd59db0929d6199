package idvtest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

func startLiveID(t *testing.T, h Harness, e enrolled) idv.Session {
	t.Helper()
	acct := e.account
	s, err := h.Verifier.StartLiveID(context.Background(), idv.LiveIDRequest{UserRef: e.user, Account: &acct, FaceImage: e.selfie})
	require.NoError(t, err)
	require.NotEmpty(t, s.ID)
	require.NotEmpty(t, s.URL)
	return s
}

func liveResult(t *testing.T, h Harness, id string) idv.LiveIDResult {
	t.Helper()
	r, err := h.Verifier.LiveIDResult(context.Background(), id)
	require.NoError(t, err)
	require.Equal(t, id, r.ChallengeID)
	return r
}

// runLiveID is authenticator-app mode: the person signs in with their
// 1Kosmos app, and the verifier reports who signed in (Account), by
// 1Kosmos's helpers' rules, without deciding whether it is the right
// person. The face outcomes stay not_performed: the app checks the face
// itself and says nothing about it.
func runLiveID(t *testing.T, h Harness) {
	e := enroll(t, h)
	require.NotEmpty(t, e.account.DID, "an enrolled person is bound to a 1Kosmos account")
	stranger := simulator.Stranger()

	t.Run("start is pending", func(t *testing.T) {
		s := startLiveID(t, h, e)
		r := liveResult(t, h, s.ID)
		assert.Equal(t, idv.StatusPending, r.Status)
		assert.Nil(t, r.Account)
		assert.True(t, r.CompletedAt.IsZero())
	})

	t.Run("opening the page is in progress", func(t *testing.T) {
		if h.OpenPage == nil {
			t.Skip("harness cannot open pages")
		}
		s := startLiveID(t, h, e)
		h.OpenPage(t, s.URL)
		assert.Equal(t, idv.StatusInProgress, liveResult(t, h, s.ID).Status)
	})

	tests := []struct {
		name   string
		opt    simulator.LiveIDOptions
		want   *idv.Account
		reason string
	}{
		{name: "the bound account signs in", opt: simulator.LiveIDOptions{Match: true}, want: &e.account},
		{name: "another 1Kosmos user signs in", opt: simulator.LiveIDOptions{Match: false}, want: &stranger},
		{name: "without userid the first listed is taken", opt: simulator.LiveIDOptions{As: &idv.Account{DID: e.account.DID}}, want: &e.account},
		{name: "userid compared case-insensitively", opt: simulator.LiveIDOptions{As: &idv.Account{DID: e.account.DID, UserID: strings.ToUpper(e.account.UserID)}},
			want: &idv.Account{DID: e.account.DID, UserID: strings.ToUpper(e.account.UserID)}},
		{name: "no did is refused", opt: simulator.LiveIDOptions{As: &idv.Account{UserID: e.account.UserID}}, reason: "Unauthorized user"},
		{name: "a userid not the DID's is refused", opt: simulator.LiveIDOptions{As: &idv.Account{DID: e.account.DID, UserID: "intruder"}}, reason: "Unauthorized user"},
		{name: "a DID 1Kosmos does not know is refused", opt: simulator.LiveIDOptions{As: &idv.Account{DID: uuid.NewString(), UserID: e.account.UserID}}, reason: "Unauthorized user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startLiveID(t, h, e)
			h.CompleteLiveID(t, s.ID, tt.opt)
			r := liveResult(t, h, s.ID)
			require.Equal(t, idv.StatusCompleted, r.Status)
			assert.Equal(t, tt.want, r.Account)
			assert.Equal(t, tt.want != nil && idv.SameAccount(tt.want, &e.account), idv.SameAccount(r.Account, &e.account),
				"only the bound account is the person")
			assert.Equal(t, idv.NotPerformed, r.Liveness, "the app reports no face outcome")
			assert.Equal(t, idv.NotPerformed, r.FaceMatch)
			assert.Nil(t, r.Confidence, "1Kosmos gives no figure")
			assert.False(t, r.CompletedAt.IsZero())
			if tt.reason != "" {
				assert.Contains(t, r.Reason, tt.reason)
			} else {
				assert.Empty(t, r.Reason)
			}
		})
	}

	t.Run("decline", func(t *testing.T) {
		s := startLiveID(t, h, e)
		h.Decline(t, s.ID)
		r := liveResult(t, h, s.ID)
		assert.Equal(t, idv.StatusDeclined, r.Status)
		assert.Nil(t, r.Account)
	})

	t.Run("expired by the service", func(t *testing.T) {
		if h.Expire == nil {
			t.Skip("harness cannot expire a session")
		}
		s := startLiveID(t, h, e)
		h.Expire(t, s.ID)
		assert.Equal(t, idv.StatusExpired, liveResult(t, h, s.ID).Status)
	})

	t.Run("unknown id is not found", func(t *testing.T) {
		_, err := h.Verifier.LiveIDResult(context.Background(), uuid.NewString())
		require.ErrorIs(t, err, idv.ErrNotFound)
	})

	t.Run("challenge expires", func(t *testing.T) {
		if h.Advance == nil {
			t.Skip("harness cannot move time")
		}
		s := startLiveID(t, h, e)
		h.Advance(t, h.SessionTTL+time.Second)
		r := liveResult(t, h, s.ID)
		assert.Equal(t, idv.StatusExpired, r.Status)
		assert.Nil(t, r.Account)
	})
}
