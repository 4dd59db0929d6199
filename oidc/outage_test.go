package oidc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

// TestRedisOutageGivesHonestErrors runs logins on two replicas while the
// shared redis-server is stopped (gracefully, then with kill -9) and
// restarted. Every login that fails during an outage says so
// (temporarily_unavailable, or 503): never server_error, a browser
// mismatch (403) or an expired login (404). Logins succeed again within 5
// seconds of each restart, and nobody who signed in before is lost.
func TestRedisOutageGivesHonestErrors(t *testing.T) {
	rs := newReplicas(t)
	var (
		mu       sync.Mutex
		outcomes = map[string]int{}
		subjects []string
		stop     atomic.Bool
		okCount  atomic.Int64
	)
	record := func(o, sub string) {
		mu.Lock()
		defer mu.Unlock()
		outcomes[o]++
		if sub != "" {
			subjects = append(subjects, sub)
		}
	}
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load() && i < 400; i++ {
				o, sub := rs.tryLogin(rs.direct[(w+i)%2].URL)
				if o == "ok" {
					okCount.Add(1)
				}
				record(o, sub)
			}
		}()
	}
	waitOK := func(what string) {
		start := okCount.Load()
		deadline := time.Now().Add(5 * time.Second)
		for okCount.Load() == start {
			require.True(t, time.Now().Before(deadline), "no login succeeded within 5 s %s", what)
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitOK("at the start")
	mu.Lock()
	before := append([]string(nil), subjects...)
	mu.Unlock()

	rs.redis.Stop()
	time.Sleep(1500 * time.Millisecond)
	rs.redis.Restart()
	waitOK("after a graceful restart")
	time.Sleep(time.Second) // AOF everysec: what was written is on disk
	rs.redis.Kill()
	time.Sleep(1500 * time.Millisecond)
	rs.redis.Restart()
	waitOK("after kill -9")
	stop.Store(true)
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	t.Logf("outcomes: %v", outcomes)
	failed := 0
	for o, n := range outcomes {
		switch o {
		case "ok":
		case "oauth:temporarily_unavailable", "page:503", "token:503":
			failed += n
		default:
			t.Errorf("%d logins ended with %s during an outage", n, o)
		}
	}
	require.Positive(t, failed, "the outages were noticed (the test is not vacuous)")
	for _, sub := range before {
		_, err := rs.users.Get(context.Background(), sub)
		require.NoError(t, err, "a person who signed in before the outages is still there")
	}
}

// tryLogin runs one complete login against base (one replica) in a new
// browser and names how it ended: "ok", "oauth:<error>", "page:<status>",
// "status:<status>" or "token:<status>"; with the subject when it worked.
func (rs *replicas) tryLogin(base string) (outcome, sub string) {
	jar := newJar()
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	end, body, status := follow(c, base+"/authorize?"+authParams("rp").Encode())
	if o := ended(end, status); o != "" {
		return o, ""
	}
	m := verifyLinkRE.FindStringSubmatch(body)
	s := statusURLRE.FindStringSubmatch(body)
	if m == nil || s == nil {
		if status == http.StatusOK {
			return "page:200 without a verification: " + firstLine(body), ""
		}
		return fmt.Sprintf("page:%d", status), ""
	}
	// The link is the hand-off page, which sends this browser on to
	// 1Kosmos's page.
	resp, err := c.Get(html.UnescapeString(m[1]))
	if err != nil {
		return "handoff:error", ""
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Sprintf("page:%d", resp.StatusCode), ""
	}
	link := resp.Header.Get("Location")
	if err := rs.sim.Complete(link[strings.LastIndex(link, "/")+1:], simulator.CompleteOptions{}); err != nil {
		return "simulator", ""
	}
	next := ""
	for range 100 {
		resp, err := c.Get(base + html.UnescapeString(s[1]))
		if err != nil {
			return "status:error", ""
		}
		var st statusView
		_ = json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusServiceUnavailable:
		case resp.StatusCode != http.StatusOK:
			return fmt.Sprintf("status:%d", resp.StatusCode), ""
		case st.Next != "":
			next = st.Next
		}
		if next != "" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if next == "" {
		return "status:never", ""
	}
	end, _, status = follow(c, base+next)
	if o := ended(end, status); o != "" || end == nil {
		return o, ""
	}
	code := end.Query().Get("code")
	req, _ := http.NewRequest(http.MethodPost, base+PathToken, strings.NewReader(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rpCallback}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("rp", "rp-secret")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		return "token:error", ""
	}
	defer resp.Body.Close()
	var tok struct {
		IDToken string `json:"id_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	if resp.StatusCode != http.StatusOK {
		return fmt.Sprintf("token:%d", resp.StatusCode), ""
	}
	return "ok", subjectOf(tok.IDToken)
}

// ended names how a step ended when it did not reach an idbridge page: at
// the relying party with an error, or on a page that is not 200. end is
// the relying party's callback URL, if reached.
func ended(end *url.URL, status int) string {
	switch {
	case end != nil && end.Query().Get("error") != "":
		return "oauth:" + end.Query().Get("error")
	case end != nil:
		return ""
	case status != http.StatusOK:
		return fmt.Sprintf("page:%d", status)
	}
	return ""
}

// follow follows idbridge's redirects until a page or the relying party.
func follow(c *http.Client, u string) (rp *url.URL, body string, status int) {
	for range 20 {
		resp, err := c.Get(u)
		if err != nil {
			return nil, "", 0
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 300 || resp.StatusCode >= 400 {
			return nil, string(b), resp.StatusCode
		}
		loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err != nil {
			return nil, "", resp.StatusCode
		}
		if strings.HasPrefix(loc.String(), rpCallback) {
			return loc, "", resp.StatusCode
		}
		u = loc.String()
	}
	return nil, "", 0
}

func newJar() http.CookieJar {
	jar, _ := cookiejar.New(nil)
	return jar
}

// subjectOf reads sub from an ID token's payload ("" when unreadable).
func subjectOf(idToken string) string {
	parts := strings.Split(idToken, ".")
	if len(parts) != 3 {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var c struct {
		Sub string `json:"sub"`
	}
	_ = json.Unmarshal(raw, &c)
	return c.Sub
}

// firstLine is the text of a page's first heading, to name it in a report.
func firstLine(body string) string {
	if i := strings.Index(body, "<h1"); i >= 0 {
		body = body[i:]
		if j := strings.Index(body, "</h1>"); j >= 0 {
			body = body[:j]
		}
	}
	if len(body) > 120 {
		body = body[:120]
	}
	return body
}
