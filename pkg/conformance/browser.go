package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// browser is a cookie-keeping HTTP user agent. Each check gets its own, so
// single sign-on sessions never leak between checks. It follows redirects
// within an origin and stops at the client's redirect URI, which it never
// contacts.
type browser struct {
	e *env
	c *http.Client
}

// callback is an authorization response delivered to the redirect URI.
type callback struct {
	// Mode is "query" (a redirect) or "form_post" (an auto-submitting form).
	Mode   string
	Params url.Values
}

// page is where a navigation ended.
type page struct {
	URL    *url.URL
	Status int
	Body   string
	// Callback is set when the response went to the client's redirect URI.
	Callback *callback
	// Elsewhere is set for a redirect to another origin that is not the
	// redirect URI; the runner does not follow it.
	Elsewhere *url.URL
}

func (e *env) newBrowser() *browser {
	jar, _ := cookiejar.New(nil)
	base := e.cfg.HTTPClient
	return &browser{e: e, c: &http.Client{
		Transport:     base.Transport,
		Timeout:       base.Timeout,
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// isRedirectURI reports whether u is the client's redirect URI (query and
// fragment aside).
func (e *env) isRedirectURI(u *url.URL) bool {
	r := e.redirect
	return strings.EqualFold(u.Scheme, r.Scheme) && strings.EqualFold(u.Host, r.Host) && u.Path == r.Path
}

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Host, b.Host)
}

// navigate sends a GET (form nil) or a form POST and follows same-origin
// redirects: 303, 302 and 301 as GET, 307 and 308 resending the request.
func (b *browser) navigate(ctx context.Context, method, target string, body []byte, contentType string) (*page, error) {
	for range 20 {
		req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		if method == http.MethodPost {
			req.Header.Set("Content-Type", contentType)
		}
		req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*")
		resp, err := b.c.Do(req)
		if err != nil {
			return nil, err
		}
		raw, err := io.ReadAll(io.LimitReader(resp.Body, bodyLimit))
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		p := &page{URL: req.URL, Status: resp.StatusCode, Body: string(raw)}
		if resp.StatusCode >= 300 && resp.StatusCode < 400 && resp.Header.Get("Location") != "" {
			loc, err := req.URL.Parse(resp.Header.Get("Location"))
			if err != nil {
				return nil, fmt.Errorf("unreadable Location %q: %w", resp.Header.Get("Location"), err)
			}
			if b.e.isRedirectURI(loc) {
				p.Callback = &callback{Mode: "query", Params: loc.Query()}
				b.e.record(*p.Callback)
				return p, nil
			}
			if !sameOrigin(loc, req.URL) {
				p.Elsewhere = loc
				return p, nil
			}
			if resp.StatusCode != http.StatusTemporaryRedirect && resp.StatusCode != http.StatusPermanentRedirect {
				method, body = http.MethodGet, nil
			}
			target = loc.String()
			continue
		}
		p.Callback = b.formPost(p)
		if p.Callback != nil {
			b.e.record(*p.Callback)
		}
		return p, nil
	}
	return nil, errors.New("more than 20 redirects")
}

// formPost reads a response_mode=form_post page: a POST form whose action
// is the redirect URI.
func (b *browser) formPost(p *page) *callback {
	if p.Status != http.StatusOK {
		return nil
	}
	for _, f := range parseForms(p.Body) {
		action, err := p.URL.Parse(f.action)
		if err == nil && f.method == http.MethodPost && b.e.isRedirectURI(action) {
			return &callback{Mode: "form_post", Params: f.fields}
		}
	}
	return nil
}

// get opens a URL.
func (b *browser) get(ctx context.Context, u string) (*page, error) {
	return b.navigate(ctx, http.MethodGet, u, nil, "")
}

// postForm posts url-encoded values.
func (b *browser) postForm(ctx context.Context, u string, v url.Values) (*page, error) {
	return b.navigate(ctx, http.MethodPost, u, []byte(v.Encode()), "application/x-www-form-urlencoded")
}

// press submits the form holding the button with id, as a person pressing
// it after ticking the boxes named in tick.
func (b *browser) press(ctx context.Context, p *page, id string, tick ...string) (*page, error) {
	f, btn, ok := formWithButton(p.Body, id)
	if !ok {
		return nil, fmt.Errorf("%s has no button id=%q", p.URL.Redacted(), id)
	}
	action, err := p.URL.Parse(f.action)
	if err != nil {
		return nil, err
	}
	v := f.submission(btn, tick...)
	if f.method != http.MethodPost {
		action.RawQuery = v.Encode()
		return b.get(ctx, action.String())
	}
	body, ct := f.encode(v)
	return b.navigate(ctx, http.MethodPost, action.String(), body, ct)
}

// authorize sends the browser to the authorization endpoint by GET.
func (b *browser) authorize(ctx context.Context, params url.Values) (*page, error) {
	ep, err := b.e.endpoint(ctx, "authorization_endpoint")
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(ep)
	if err != nil {
		return nil, err
	}
	u.RawQuery = params.Encode()
	return b.get(ctx, u.String())
}

// authorizePost sends the authorization request as a form POST.
func (b *browser) authorizePost(ctx context.Context, params url.Values) (*page, error) {
	ep, err := b.e.endpoint(ctx, "authorization_endpoint")
	if err != nil {
		return nil, err
	}
	return b.postForm(ctx, ep, params)
}

// describe summarises a page that was not what a check expected.
func describe(p *page) string {
	switch {
	case p.Callback != nil:
		if e := p.Callback.Params.Get("error"); e != "" {
			return fmt.Sprintf("authorization error %s (%s)", e, p.Callback.Params.Get("error_description"))
		}
		return "authorization response " + p.Callback.Mode
	case p.Elsewhere != nil:
		return "redirect to " + p.Elsewhere.Redacted()
	}
	if msg := pageText(p.Body, "error-problem"); msg != "" {
		// The page speaks to people; idbridge logs the detail as "error
		// page" under the reference.
		if _, ref, ok := elementByID(p.Body, "error-reference"); ok && ref["data-ref"] != "" {
			return fmt.Sprintf("HTTP %d error page: %s (idbridge's log has the detail under request_id %s)", p.Status, msg, ref["data-ref"])
		}
		return fmt.Sprintf("HTTP %d error page: %s", p.Status, msg)
	}
	return fmt.Sprintf("HTTP %d page at %s", p.Status, p.URL.Path)
}
