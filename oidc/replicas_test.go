package oidc

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/sessions"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
	"github.com/idbridge/idbridge/pkg/seal"
	"github.com/idbridge/idbridge/pkg/storage/redis"
	"github.com/idbridge/idbridge/pkg/storage/redistest"
	"github.com/idbridge/idbridge/pkg/storage/sessionstore"
	"github.com/idbridge/idbridge/pkg/users"
)

// replicas is two providers sharing one real redis-server (browser
// sessions included, as deployed), behind one issuer URL whose "load
// balancer" the test steers.
type replicas struct {
	*harness
	redis  *redistest.Server
	nodes  [2]*Provider
	direct [2]*httptest.Server // each replica on its own address, same issuer
	target atomic.Int32
}

func newReplicas(t *testing.T) *replicas { return newReplicasWith(t, "") }

// newReplicasWith adds YAML client entries to the test configuration.
func newReplicasWith(t *testing.T, extraClients string) *replicas {
	rs := &replicas{redis: redistest.Start(t, redistest.AppendOnly())}
	h := &harness{t: t, clock: &clock{}}
	rs.harness = h
	var handlers [2]http.Handler
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlers[rs.target.Load()].ServeHTTP(w, r)
	}))
	t.Cleanup(h.srv.Close)
	cfg, err := config.Parse("test.yaml", []byte(strings.ReplaceAll(testConfig+extraClients, "ISSUER", h.srv.URL)))
	require.NoError(t, err)
	h.sim, err = simulator.New(simulator.Config{BaseURL: h.srv.URL + "/simulator", Now: h.clock.Now})
	require.NoError(t, err)

	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	sealer, err := seal.New(seal.Key{ID: "k1", Secret: secret})
	require.NoError(t, err)
	var ck [32]byte
	_, _ = rand.Read(ck[:])
	hk, bk := make([]byte, 32), make([]byte, 32)
	_, _ = rand.Read(hk)
	_, _ = rand.Read(bk)
	for i := range rs.nodes {
		store, err := redis.New(redis.Config{Addrs: []string{rs.redis.Addr()}, DialTimeout: 300 * time.Millisecond, ReadTimeout: 300 * time.Millisecond, WriteTimeout: 300 * time.Millisecond})
		require.NoError(t, err)
		t.Cleanup(func() { store.Close() })
		repo := users.New(store, sealer, users.Options{HashKey: []byte("shared-hash-key"), Now: h.clock.Now})
		h.users = repo
		p, err := New(Deps{Config: cfg, Store: store, Journey: testJourney(t, cfg, repo, h.clock.Now, nil), Verifier: h.sim, Sealer: sealer, CryptoKey: ck, Cookies: sessionstore.New(store, "browser-session:", hk, bk, sessions.Options{Path: "/", MaxAge: 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode}), Now: h.clock.Now})
		require.NoError(t, err)
		require.NoError(t, p.Init(context.Background()))
		mux := http.NewServeMux()
		mux.Handle("/", p.Handler())
		mux.Handle("/simulator/", http.StripPrefix("/simulator", h.sim.Handler()))
		rs.nodes[i], handlers[i] = p, mux
		rs.direct[i] = httptest.NewServer(mux)
		t.Cleanup(rs.direct[i].Close)
	}
	h.p = rs.nodes[0]
	h.browser = h.newBrowser()
	return rs
}

func (rs *replicas) on(i int32) { rs.target.Store(i) }

func TestLoginStartedOnOneReplicaFinishesOnAnother(t *testing.T) {
	rs := newReplicas(t)
	rs.on(0)
	wait := rs.authorize(rs.browser, authParams("rp"))
	require.Equal(t, http.StatusOK, wait.status, wait.body)
	require.NoError(t, rs.sim.Complete(rs.sessionOf(wait), simulator.CompleteOptions{}))
	rs.on(1)
	done := rs.finish(rs.browser, wait)
	require.NotNil(t, done.rpURL, done.body)
	rs.on(0)
	tokens, err := rs.exchange(rs.relyingParty("rp", "rp-secret"), done.rpURL.Query().Get("code"))
	require.NoError(t, err, "a code issued by replica B redeems on replica A")
	rs.on(1)
	status, info := postForm(t, rs.srv.URL+PathUserinfo, url.Values{}, "", "", tokens.AccessToken)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, tokens.IDTokenClaims.Subject, info["sub"])
}

func TestConcurrentDoubleRedemptionExactlyOneWins(t *testing.T) {
	rs := newReplicas(t)
	for round := range 5 {
		rs.on(0)
		back := rs.idvLogin(rs.newBrowser(), authParams("rp"), simulator.CompleteOptions{Fixture: simulator.Fixtures()[round%3].Name})
		code := back.Query().Get("code")
		var wins atomic.Int32
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, body := postForm(t, rs.direct[i].URL+PathToken, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rpCallback}}, "rp", "rp-secret", "")
				// The redemption that took the code has tokens, or learns
				// that the other one's replay revoked them meanwhile.
				desc, _ := body["error_description"].(string)
				if status == http.StatusOK && body["access_token"] != nil || strings.Contains(desc, "presented twice") {
					wins.Add(1)
				}
			}()
		}
		wg.Wait()
		require.EqualValues(t, 1, wins.Load(), "round %d: exactly one redemption takes the code", round)
	}
}

func TestRedisOutageMidLoginRecoversWithNothingLost(t *testing.T) {
	rs := newReplicas(t)
	rs.on(0)
	wait := rs.authorize(rs.browser, authParams("rp"))
	require.Equal(t, http.StatusOK, wait.status)
	require.NoError(t, rs.sim.Complete(rs.sessionOf(wait), simulator.CompleteOptions{}))

	rs.redis.Stop()
	down := rs.visit(rs.browser, http.MethodPost, rs.srv.URL+"/login/continue", url.Values{"id": {waitID(t, wait)}})
	require.Nil(t, down.rpURL, "no login completes while storage is down")
	require.Equal(t, http.StatusServiceUnavailable, down.status, down.body)
	status, body := postForm(t, rs.srv.URL+PathToken, url.Values{"grant_type": {"authorization_code"}, "code": {"whatever"}, "redirect_uri": {rpCallback}}, "rp", "rp-secret", "")
	require.Equal(t, http.StatusServiceUnavailable, status)
	require.Equal(t, "temporarily_unavailable", body["error"])

	rs.redis.Restart()
	rs.on(1)
	done := rs.finish(rs.browser, wait)
	require.NotNil(t, done.rpURL, "the in-flight login survived the Redis restart (AOF): %s", done.body)
	_, err := rs.exchange(rs.relyingParty("rp", "rp-secret"), done.rpURL.Query().Get("code"))
	require.NoError(t, err)
}
