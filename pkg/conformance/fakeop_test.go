package conformance

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
)

const fakeRedirect = "https://rp.example/cb"

// fakeOP is a minimal, silent OpenID Provider on httptest: every
// authorization succeeds at once. Its function fields inject one fault
// each, so tests prove that checks fail when the provider misbehaves.
type fakeOP struct {
	t   *testing.T
	srv *httptest.Server
	key *rsa.PrivateKey

	disco       func(map[string]any) // edits the discovery document
	jwk         func(map[string]any) // edits the published key
	idClaims    func(map[string]any) // edits ID token claims before signing
	signWith    *rsa.PrivateKey      // signs ID tokens with another key
	response    func(url.Values)     // edits authorization responses
	acceptReuse bool                 // redeems a code more than once
	anyRedirect bool                 // redirects to unregistered URIs

	mu     sync.Mutex
	codes  map[string]url.Values // code -> authorization request
	used   map[string]bool
	tokens map[string]string // access token -> code
}

func newFakeOP(t *testing.T, setup func(*fakeOP)) *fakeOP {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	f := &fakeOP{t: t, key: key, codes: map[string]url.Values{}, used: map[string]bool{}, tokens: map[string]string{}}
	if setup != nil {
		setup(f)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", f.discovery)
	mux.HandleFunc("/jwks", f.jwks)
	mux.HandleFunc("/authorize", f.authorize)
	mux.HandleFunc("/token", f.token)
	mux.HandleFunc("/userinfo", f.userinfo)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeOP) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	require.NoError(f.t, json.NewEncoder(w).Encode(v))
}

func (f *fakeOP) discovery(w http.ResponseWriter, r *http.Request) {
	u := f.srv.URL
	doc := map[string]any{
		"issuer": u, "authorization_endpoint": u + "/authorize", "token_endpoint": u + "/token",
		"userinfo_endpoint": u + "/userinfo", "jwks_uri": u + "/jwks",
		"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"}, "scopes_supported": []string{"openid", "profile"},
	}
	if f.disco != nil {
		f.disco(doc)
	}
	f.writeJSON(w, http.StatusOK, doc)
}

func (f *fakeOP) jwks(w http.ResponseWriter, r *http.Request) {
	raw, err := jose.JSONWebKey{Key: f.key.Public(), KeyID: "k1", Use: "sig", Algorithm: "RS256"}.MarshalJSON()
	require.NoError(f.t, err)
	var k map[string]any
	require.NoError(f.t, json.Unmarshal(raw, &k))
	if f.jwk != nil {
		f.jwk(k)
	}
	f.writeJSON(w, http.StatusOK, map[string]any{"keys": []any{k}})
}

func (f *fakeOP) authorize(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	q := r.Form
	if q.Get("redirect_uri") != fakeRedirect && !f.anyRedirect {
		http.Error(w, "unregistered redirect_uri", http.StatusBadRequest)
		return
	}
	resp := url.Values{"state": {q.Get("state")}, "iss": {f.srv.URL}}
	if q.Get("prompt") == "none" {
		resp.Set("error", "login_required")
	} else {
		code := random()
		f.mu.Lock()
		f.codes[code] = q
		f.mu.Unlock()
		resp.Set("code", code)
	}
	if f.response != nil {
		f.response(resp)
	}
	http.Redirect(w, r, q.Get("redirect_uri")+"?"+resp.Encode(), http.StatusFound)
}

func (f *fakeOP) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	code := r.PostForm.Get("code")
	at := "at-" + random()
	f.mu.Lock()
	req, ok := f.codes[code]
	reused := f.used[code]
	f.used[code] = true
	refuse := !ok || (reused && !f.acceptReuse)
	if reused && refuse {
		for t, c := range f.tokens {
			if c == code {
				delete(f.tokens, t)
			}
		}
	}
	if !refuse {
		f.tokens[at] = code
	}
	f.mu.Unlock()
	if refuse {
		f.writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	sum := sha256.Sum256([]byte(at))
	now := time.Now().Unix()
	claims := map[string]any{
		"iss": f.srv.URL, "sub": "user-1", "aud": req.Get("client_id"), "exp": now + 300, "iat": now,
		"auth_time": now, "at_hash": base64.RawURLEncoding.EncodeToString(sum[:16]),
	}
	if n := req.Get("nonce"); n != "" {
		claims["nonce"] = n
	}
	if f.idClaims != nil {
		f.idClaims(claims)
	}
	key := f.key
	if f.signWith != nil {
		key = f.signWith
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", "k1"))
	require.NoError(f.t, err)
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	require.NoError(f.t, err)
	idt, err := jws.CompactSerialize()
	require.NoError(f.t, err)
	f.writeJSON(w, http.StatusOK, map[string]any{"access_token": at, "token_type": "Bearer", "id_token": idt, "expires_in": 300})
}

func (f *fakeOP) userinfo(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	_, ok := f.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
	f.mu.Unlock()
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		f.writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	f.writeJSON(w, http.StatusOK, map[string]any{"sub": "user-1"})
}

// runCheck runs one named check against the fake and returns its result.
func (f *fakeOP) runCheck(t *testing.T, name string) Result {
	t.Helper()
	rep, err := Run(context.Background(), Config{
		Issuer: f.srv.URL, Client: Client{ID: "c1", Secret: "s1"}, RedirectURI: fakeRedirect,
		Only: regexp.MustCompile("^" + regexp.QuoteMeta(name) + "$"),
	}, AllPlans...)
	require.NoError(t, err)
	require.Len(t, rep.Results, 1, "check %s exists", name)
	return rep.Results[0]
}
