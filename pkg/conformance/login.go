package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Buttons of the simulator's hosted pages (README "Automation contract").
const (
	// answerApprove submits the proofing page with consent, the default
	// identity and the sample document and selfie.
	answerApprove = "approve"
	answerDecline = "decline"
	// answerMatch and answerNoMatch present the enrolled face or another
	// face on the LiveID page.
	answerMatch   = "sample-match"
	answerNoMatch = "sample-nomatch"
)

// answerGenuine is the genuine person on whichever page the instance
// chose: proofing for IDV, the enrolled face for LiveID.
var answerGenuine = []string{answerApprove, answerMatch}

// loginDeadline bounds how long a login may wait for its verification.
const loginDeadline = 30 * time.Second

// login runs an authorization request to its response: authorize, then,
// when the instance needs the person, the waiting page, the hosted page
// answered with the first of answers it offers, and Continue. It returns
// the final page, normally one carrying the Callback.
func (b *browser) login(ctx context.Context, params url.Values, answers ...string) (*page, error) {
	p, err := b.authorize(ctx, params)
	if err != nil {
		return nil, err
	}
	return b.complete(ctx, p, answers...)
}

// complete answers a waiting page; any other page is returned as it is.
func (b *browser) complete(ctx context.Context, p *page, answers ...string) (*page, error) {
	if p.Callback != nil || p.Elsewhere != nil {
		return p, nil
	}
	_, link, ok := elementByID(p.Body, "verify-link")
	if !ok {
		if _, _, ident := elementByID(p.Body, "identifier"); ident {
			return nil, fmt.Errorf("the instance asks who is signing in (LiveID identification page); use a client with journey auto or idv")
		}
		return p, nil
	}
	wait := p
	href, err := wait.URL.Parse(link["href"])
	if err != nil {
		return nil, fmt.Errorf("verify-link href %q: %w", link["href"], err)
	}
	hosted, err := b.get(ctx, href.String())
	if err != nil {
		return nil, fmt.Errorf("hosted verification page: %w", err)
	}
	answer := ""
	for _, a := range answers {
		if _, _, ok := formWithButton(hosted.Body, a); ok {
			answer = a
			break
		}
	}
	if answer != "" {
		var tick []string
		if answer == answerApprove {
			tick = []string{"consent"}
		}
		done, err := b.press(ctx, hosted, answer, tick...)
		if err != nil {
			return nil, fmt.Errorf("submitting the hosted page: %w", err)
		}
		if done.Status != http.StatusOK {
			return nil, fmt.Errorf("hosted page answered HTTP %d to #%s: %.200s", done.Status, answer, done.Body)
		}
		if msg := pageText(done.Body, "error"); msg != "" {
			return nil, fmt.Errorf("hosted page refused #%s: %s", answer, msg)
		}
	} else if _, _, finished := elementByID(hosted.Body, "done"); !finished {
		return nil, fmt.Errorf("hosted page %s (HTTP %d) has none of %v nor #done: is the verification backend the simulator?", href.Path, hosted.Status, answers)
	}
	return b.proceed(ctx, wait)
}

// proceed presses Continue on the waiting page; while the verification is
// still running it polls the status URL until it names the next step.
func (b *browser) proceed(ctx context.Context, wait *page) (*page, error) {
	p, err := b.press(ctx, wait, "continue")
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(loginDeadline)
	for p.Callback == nil && p.Elsewhere == nil {
		_, st, ok := elementByID(p.Body, "status")
		if _, _, waiting := elementByID(p.Body, "verify-link"); !waiting || !ok {
			return p, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("verification did not finish within %s", loginDeadline)
		}
		statusURL, err := p.URL.Parse(st["data-status-url"])
		if err != nil {
			return nil, err
		}
		next, err := b.status(ctx, statusURL.String())
		if err != nil {
			return nil, err
		}
		if next == "" {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(500 * time.Millisecond):
			}
			continue
		}
		nu, err := p.URL.Parse(next)
		if err != nil {
			return nil, err
		}
		if p, err = b.get(ctx, nu.String()); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// status reads the waiting page's JSON status: next is set once the
// verification has ended.
func (b *browser) status(ctx context.Context, u string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := b.c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var st struct{ State, Next string }
	if err := json.NewDecoder(io.LimitReader(resp.Body, bodyLimit)).Decode(&st); err != nil || resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("login status: HTTP %d", resp.StatusCode)
	}
	return st.Next, nil
}

// codeFrom checks a successful authorization response (state echoed, iss
// per RFC 9207) and returns its code.
func (e *env) codeFrom(p *page, params url.Values) (string, error) {
	if p.Callback == nil {
		return "", fmt.Errorf("expected an authorization response, got %s", describe(p))
	}
	q := p.Callback.Params
	if q.Get("error") != "" {
		return "", fmt.Errorf("authorization failed: %s (%s)", q.Get("error"), q.Get("error_description"))
	}
	if err := e.checkResponse(p.Callback, params); err != nil {
		return "", err
	}
	if q.Get("code") == "" {
		return "", fmt.Errorf("authorization response has no code")
	}
	return q.Get("code"), nil
}

// errorFrom checks an error authorization response and returns its error.
func (e *env) errorFrom(p *page, params url.Values) (string, error) {
	if p.Callback == nil {
		return "", fmt.Errorf("expected an error authorization response, got %s", describe(p))
	}
	q := p.Callback.Params
	if q.Get("error") == "" {
		return "", fmt.Errorf("expected an error, got a successful authorization response")
	}
	if q.Get("code") != "" {
		return "", fmt.Errorf("error response also carries a code")
	}
	return q.Get("error"), e.checkResponse(p.Callback, params)
}

// authorizeError sends params to /authorize from a fresh browser, which
// must be answered at once with an error; it returns the error code.
func (e *env) authorizeError(ctx context.Context, params url.Values) (string, error) {
	p, err := e.newBrowser().authorize(ctx, params)
	if err != nil {
		return "", err
	}
	return e.errorFrom(p, params)
}

// checkResponse verifies state and iss of any authorization response.
func (e *env) checkResponse(cb *callback, params url.Values) error {
	q := cb.Params
	if q.Get("state") != params.Get("state") {
		return fmt.Errorf("state is %q, sent %q", q.Get("state"), params.Get("state"))
	}
	if q.Get("iss") != e.issuer {
		return fmt.Errorf("iss is %q, want the issuer %q (RFC 9207)", q.Get("iss"), e.issuer)
	}
	return nil
}

// codeLogin runs a fresh interactive login and returns its code.
func (b *browser) codeLogin(ctx context.Context, params url.Values) (string, error) {
	p, err := b.login(ctx, params, answerGenuine...)
	if err != nil {
		return "", err
	}
	return b.e.codeFrom(p, params)
}
