package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Errors of a virtual user's requests.
var (
	errStatus      = errors.New("unexpected HTTP status")
	errRedirects   = errors.New("too many redirects")
	errBadResponse = errors.New("unexpected response")
)

// vu is one virtual user: an HTTP client whose cookie jar is its browser
// (a fresh one for each login), and its latencies.
type vu struct {
	o      options
	client *http.Client
	rec    *recorder
}

func (r *runner) newVU() *vu {
	c := &http.Client{
		Transport: r.tr,
		Timeout:   30 * time.Second,
		// Redirects are followed by hand, to time each hop and to stop at
		// the client's redirect URI.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &vu{o: r.o, client: c, rec: newRecorder()}
}

// do sends req, reads the whole body and records the time under step.
func (v *vu) do(req *http.Request, step string) (*http.Response, []byte, error) {
	start := time.Now()
	resp, err := v.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, nil, err
	}
	v.rec.add(step, time.Since(start))
	return resp, body, nil
}

func (v *vu) get(ctx context.Context, step, u string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	return v.do(req, step)
}

// fetch GETs a public document (discovery, JWKS) and checks it is JSON.
func (v *vu) fetch(ctx context.Context, step, u string) error {
	resp, body, err := v.get(ctx, step, u)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || len(body) == 0 || body[0] != '{' {
		return fmt.Errorf("%w: GET %s: %d", errStatus, u, resp.StatusCode)
	}
	return nil
}

// stepOf names the login step a URL belongs to.
func stepOf(u *url.URL) string {
	switch u.Path {
	case "/authorize":
		return "authorize"
	case "/login":
		return "login_start"
	case "/login/wait":
		return "wait_page"
	case "/login/status":
		return "status"
	case "/login/continue":
		return "continue"
	}
	return strings.TrimPrefix(u.Path, "/")
}

// browse follows redirects from u like a browser, until a page answers 200
// (returned with its URL) or a redirect leaves for the client's redirect
// URI (returned as the location, with a nil body).
func (v *vu) browse(ctx context.Context, u string) (*url.URL, []byte, error) {
	cur, err := url.Parse(u)
	if err != nil {
		return nil, nil, err
	}
	for range 10 {
		resp, body, err := v.get(ctx, stepOf(cur), cur.String())
		if err != nil {
			return nil, nil, err
		}
		switch {
		case resp.StatusCode == http.StatusOK:
			return cur, body, nil
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			next, err := cur.Parse(resp.Header.Get("Location"))
			if err != nil {
				return nil, nil, err
			}
			if strings.HasPrefix(next.String(), v.o.RedirectURI) {
				return next, nil, nil
			}
			cur = next
		default:
			return nil, nil, fmt.Errorf("%w: GET %s: %d %s", errStatus, cur.Path, resp.StatusCode, snippet(body))
		}
	}
	return nil, nil, errRedirects
}

func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 160 {
		s = s[:160] + "..."
	}
	return s
}
