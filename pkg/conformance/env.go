package conformance

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sync"
)

// bodyLimit bounds every response the runner reads.
const bodyLimit = 4 << 20

// env is what the checks of one run share: the configuration, discovery
// and JWKS (fetched once), and every authorization response seen.
type env struct {
	cfg      Config
	issuer   string // exactly as configured: discovery must repeat it
	base     string // issuer without a trailing slash, to build URLs
	redirect *url.URL

	mu        sync.Mutex
	disco     map[string]any
	discoErr  error
	jwks      *jwkSet
	jwksErr   error
	callbacks []callback
	login     *sharedLogin
}

// discoveryURL is where the OpenID Provider metadata is published.
func (e *env) discoveryURL() string { return e.base + "/.well-known/openid-configuration" }

// discovery fetches the metadata once per run.
func (e *env) discovery(ctx context.Context) (map[string]any, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.disco == nil && e.discoErr == nil {
		e.disco, e.discoErr = e.getJSON(ctx, e.discoveryURL())
		if e.discoErr != nil {
			e.discoErr = fmt.Errorf("discovery: %w", e.discoErr)
		}
	}
	return e.disco, e.discoErr
}

// endpoint returns a discovery endpoint URL, required to be present.
func (e *env) endpoint(ctx context.Context, name string) (string, error) {
	d, err := e.discovery(ctx)
	if err != nil {
		return "", err
	}
	s, _ := d[name].(string)
	if s == "" {
		return "", fmt.Errorf("discovery has no %s", name)
	}
	return s, nil
}

// getJSON GETs a JSON object; anything but 200 with a JSON body fails.
func (e *env) getJSON(ctx context.Context, u string) (map[string]any, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := e.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, bodyLimit))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d", u, resp.StatusCode)
	}
	if err := jsonContentType(resp); err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("GET %s: body is not a JSON object: %w", u, err)
	}
	return m, nil
}

func jsonContentType(resp *http.Response) error {
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return fmt.Errorf("Content-Type is %q, want application/json", resp.Header.Get("Content-Type"))
	}
	return nil
}

// record remembers an authorization response for the RFC 9207 check.
func (e *env) record(cb callback) {
	e.mu.Lock()
	e.callbacks = append(e.callbacks, cb)
	e.mu.Unlock()
}

func (e *env) seen() []callback {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.callbacks)
}

// random returns a fresh URL-safe value for state, nonce and verifiers.
func random() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// authParams is a code flow request of the main client; extra holds
// name/value pairs to set ("" deletes the parameter).
func (e *env) authParams(extra ...string) url.Values {
	v := url.Values{
		"client_id":     {e.cfg.Client.ID},
		"redirect_uri":  {e.redirect.String()},
		"response_type": {"code"},
		"scope":         {"openid profile"},
		"state":         {random()},
		"nonce":         {random()},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == "" {
			v.Del(extra[i])
			continue
		}
		v.Set(extra[i], extra[i+1])
	}
	return v
}

// strings reads a discovery member that must be a list of strings.
func stringList(m map[string]any, name string) []string {
	raw, _ := m[name].([]any)
	out := make([]string, 0, len(raw))
	for _, v := range raw {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
