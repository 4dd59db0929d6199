package main

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
	"github.com/idbridge/idbridge/pkg/storage"
)

// TestStateLivesOnlyAsLongAsItShould: after many logins of one person
// with short lifetimes (and a long refresh-token lifetime that a client
// without refresh tokens must not inherit), once those lifetimes have
// passed the store holds what is live and little else, counted in keys
// and in the members of sets and indexes, not in time.
func TestStateLivesOnlyAsLongAsItShould(t *testing.T) {
	short := func(c *config.Config) {
		c.Tokens.Code, c.Tokens.AuthRequest = time.Second, 2*time.Second
		c.Tokens.AccessToken, c.Tokens.IDToken = 2*time.Second, 2*time.Second
		c.Tokens.RefreshToken = time.Hour
		c.Session.Lifetime = 2 * time.Second
	}
	eachStore(t, func(t *testing.T, d *doors) {
		var logins atomic.Int64
		var wg sync.WaitGroup
		deadline := time.Now().Add(6 * time.Second)
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(deadline) && logins.Load() < 1500 {
					if d.quietLogin() {
						logins.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		n := logins.Load()
		require.Greater(t, n, int64(20), "the load ran")
		time.Sleep(2500 * time.Millisecond) // every short lifetime passes
		require.True(t, d.quietLogin(), "one more login, which prunes on write")

		keys, entries := 0, 0
		require.NoError(t, d.a.store.(storage.Scanner).Scan(context.Background(), func(key string, value []byte) error {
			keys++
			entries += 1 + bytes.Count(value, []byte("\n"))
			return nil
		}))
		t.Logf("after %d logins: %d keys, %d entries", n+1, keys, entries)
		// What is live: the person (record and document), the signing
		// keys, rate-limit counters, and the last login's browser session,
		// SSO session, code, tokens and their indexes.
		require.LessOrEqual(t, keys, 30, "keys are bounded by the live set, not by the %d logins", n)
		require.LessOrEqual(t, entries, 40, "set and index members too")
	}, short)
}

// quietLogin runs one complete IDV login of the first fixture through
// descope-idv (no refresh tokens) and reports whether it got tokens. It
// does not fail the test, so load goroutines can run it.
func (d *doors) quietLogin() bool {
	c := d.browser()
	q := url.Values{"client_id": {"descope-idv"}, "redirect_uri": {descopeCallback}, "response_type": {"code"}, "scope": {"openid"}, "state": {"s"}}
	wait, err := d.follow(c, http.MethodGet, d.issuer+"/authorize?"+q.Encode(), nil)
	m := doorsLinkRE.FindStringSubmatch(wait.body)
	s := doorsStatusRE.FindStringSubmatch(wait.body)
	if err != nil || m == nil || s == nil {
		return false
	}
	link := html.UnescapeString(m[1])
	if d.a.sim.Complete(link[strings.LastIndex(link, "/")+1:], simulator.CompleteOptions{Fixture: jane.Name}) != nil {
		return false
	}
	var back *url.URL
	for range 50 {
		resp, err := c.Get(d.issuer + html.UnescapeString(s[1]))
		if err != nil {
			return false
		}
		var st struct{ Next string }
		_ = json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if st.Next != "" {
			l, err := d.follow(c, http.MethodGet, d.issuer+st.Next, nil)
			if err != nil || l.back == nil {
				return false
			}
			back = l.back
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if back == nil || back.Query().Get("code") == "" {
		return false
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {back.Query().Get("code")}, "redirect_uri": {descopeCallback},
		"client_id": {"descope-idv"}, "client_secret": {"descope-idv-secret"}}
	resp, err := http.PostForm(d.issuer+"/token", form)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

const descopeCallback = "https://api.descope.com/v1/oauth/callback"
