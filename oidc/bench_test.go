package oidc

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/gorilla/sessions"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
	"github.com/idbridge/idbridge/pkg/storage/memory"
	"github.com/idbridge/idbridge/pkg/users"
)

// benchEnv is the provider and the simulator (auto-complete) on one
// httptest server, built like the test harness but usable from benchmarks.
type benchEnv struct {
	b       *testing.B
	srv     *httptest.Server
	p       *Provider
	handler http.Handler
	store   *memory.Store
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	e := &benchEnv{b: b}
	var handler http.Handler
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	b.Cleanup(e.srv.Close)
	cfg, err := config.Parse("bench.yaml", []byte(strings.ReplaceAll(testConfig, "ISSUER", e.srv.URL)))
	if err != nil {
		b.Fatal(err)
	}
	sim, err := simulator.New(simulator.Config{BaseURL: e.srv.URL + "/simulator", AutoComplete: true, SessionTTL: 10 * time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	e.store = memory.New()
	b.Cleanup(func() { e.store.Close() })
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	block, _ := aes.NewCipher(key)
	gcm, _ := cipher.NewGCM(block)
	sealer := &aesSealer{gcm}
	repo := users.New(e.store, sealer, users.Options{HashKey: key})
	var ck [32]byte
	_, _ = rand.Read(ck[:])
	hk, bk := make([]byte, 32), make([]byte, 32)
	_, _ = rand.Read(hk)
	_, _ = rand.Read(bk)
	e.p, err = New(Deps{Config: cfg, Store: e.store, Journey: testJourney(b, cfg, repo, nil, nil), Verifier: sim, Sealer: sealer, CryptoKey: ck, Cookies: sessions.NewCookieStore(hk, bk), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	if err := e.p.Init(context.Background()); err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", e.p.Handler())
	mux.Handle("/simulator/", http.StripPrefix("/simulator", sim.Handler()))
	handler = mux
	e.handler = mux
	return e
}

func (e *benchEnv) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// follow GETs u and its redirects until a page answers (returned with its
// body) or the browser is sent to the relying party (returned as rp).
func (e *benchEnv) follow(c *http.Client, u string) (body string, rp *url.URL) {
	for range 10 {
		resp, err := c.Get(u)
		if err != nil {
			e.b.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 300 || resp.StatusCode >= 400 {
			if resp.StatusCode != http.StatusOK {
				e.b.Fatalf("GET %s: %d %s", u, resp.StatusCode, raw)
			}
			return string(raw), nil
		}
		loc, _ := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if strings.HasPrefix(loc.String(), rpCallback) {
			return "", loc
		}
		u = loc.String()
	}
	e.b.Fatal("too many redirects")
	return "", nil
}

// waitPage starts a login for client in browser c and returns the waiting
// page.
func (e *benchEnv) waitPage(c *http.Client, client string) string {
	body, rp := e.follow(c, e.srv.URL+"/authorize?"+authParams(client).Encode())
	if rp != nil {
		e.b.Fatalf("authorize answered the client at once: %s", rp)
	}
	return body
}

// code runs a login for client in browser c and returns its code: the
// first login of a browser verifies (auto-complete), later ones are
// answered from its SSO session.
func (e *benchEnv) code(c *http.Client, client string) string {
	body, rp := e.follow(c, e.srv.URL+"/authorize?"+authParams(client).Encode())
	if rp == nil {
		m := statusURLRE.FindStringSubmatch(body)
		if m == nil {
			e.b.Fatalf("no waiting page: %s", body)
		}
		for rp == nil {
			var st statusView
			s, _ := e.follow(c, e.srv.URL+html.UnescapeString(m[1]))
			if err := json.Unmarshal([]byte(s), &st); err != nil {
				e.b.Fatal(err)
			}
			if st.Next == "" {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			_, rp = e.follow(c, e.srv.URL+st.Next)
		}
	}
	code := rp.Query().Get("code")
	if code == "" {
		e.b.Fatalf("no code: %s", rp)
	}
	return code
}

// tokenRequest is a code exchange sent straight to the handler.
func (e *benchEnv) exchange(client, secret, code string) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rpCallback}}
	req := httptest.NewRequest(http.MethodPost, e.srv.URL+PathToken, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(client, secret)
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"id_token"`) {
		e.b.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
}

// BenchmarkTokenExchange is a complete authorization_code exchange at the
// token endpoint (client authentication, code lookup, ID token signing,
// access token storage) for a client of each ID token algorithm. Codes are
// made outside the timer, in batches that stay well inside their lifetime.
func BenchmarkTokenExchange(b *testing.B) {
	for _, tt := range []struct{ alg, client, secret string }{
		{"RS256", "rp", "rp-secret"},
		{"ES256", "es-rp", "es-secret"},
	} {
		b.Run(tt.alg, func(b *testing.B) {
			e := newBenchEnv(b)
			c := e.browser()
			var codes []string
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if len(codes) == 0 {
					b.StopTimer()
					for range min(256, b.N-i) {
						codes = append(codes, e.code(c, tt.client))
					}
					b.StartTimer()
				}
				e.exchange(tt.client, tt.secret, codes[0])
				codes = codes[1:]
			}
		})
	}
}

// BenchmarkSignIDToken is the signing step alone with the provider's
// current key of each algorithm, over a typical ID token payload.
func BenchmarkSignIDToken(b *testing.B) {
	payload := []byte(`{"iss":"https://idbridge.example","sub":"u_yosgQF1NTrsitnGbFTlJBA","aud":["demo"],"exp":1795645498,"iat":1795641898,"auth_time":1795641898,"nonce":"n-1","acr":"urn:idbridge:acr:ial2","amr":["face","user"],"azp":"demo","at_hash":"aWHioizcNoNZfMrd8TxPkw","c_hash":"rXkc1wrA4G7xFzl8XrHIGQ","ial_level":2,"idv_status":"verified","given_name":"Erika","family_name":"Mustermann","birthdate":"1983-08-12"}`)
	for _, alg := range []jose.SignatureAlgorithm{jose.RS256, jose.ES256} {
		b.Run(string(alg), func(b *testing.B) {
			e := newBenchEnv(b)
			k, err := e.p.keys.current(context.Background(), alg)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := k.sign(payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchGET serves GET path from the handler, in parallel.
func benchGET(b *testing.B, path string) {
	e := newBenchEnv(b)
	u := e.srv.URL + path
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := httptest.NewRecorder()
			e.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, u, nil))
			if rec.Code != http.StatusOK {
				b.Fatalf("GET %s: %d", path, rec.Code)
			}
		}
	})
}

// BenchmarkDiscovery serves the discovery document.
func BenchmarkDiscovery(b *testing.B) { benchGET(b, "/.well-known/openid-configuration") }

// BenchmarkJWKS serves the published keys.
func BenchmarkJWKS(b *testing.B) { benchGET(b, PathJWKS) }

// BenchmarkInFlightLogin starts logins up to the waiting page and leaves
// them there, reporting the memory each one holds in the process (provider
// records in the memory store, the simulator's session; after GC) and the
// size of the stored auth request record.
func BenchmarkInFlightLogin(b *testing.B) {
	e := newBenchEnv(b)
	var ids []string
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		page := e.waitPage(e.browser(), "rp")
		if i == 0 {
			m := statusURLRE.FindStringSubmatch(page)
			ids = append(ids, strings.TrimPrefix(html.UnescapeString(m[1]), PathLogin+"/status?id="))
		}
	}
	b.StopTimer()
	e.srv.CloseClientConnections()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(b.N), "heap-B/login")
	raw, err := e.store.Get(context.Background(), authRequestKey(ids[0]))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(raw)), "authreq-B")
	runtime.KeepAlive(e)
}

// BenchmarkLogin is one complete login of a new visitor on the defaults
// people run (RS256 ID tokens, the simulator auto-completing): authorize,
// the login pages, the waiting page's status, continue (result, person,
// SSO session, code) and the code exchange. Every login verifies the same
// document, so every one lands on the same person, whose indexes of
// sessions and grants grow to their bounds.
func BenchmarkLogin(b *testing.B) {
	e := newBenchEnv(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.exchange("rp", "rp-secret", e.code(e.browser(), "rp"))
	}
}
