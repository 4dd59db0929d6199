package oidc

import (
	"net/http"
	"net/url"
)

// PostForm answers with idbridge's form_post page, in the frame of client
// (its brand and language): a form that the page's script submits at once
// to action with params, and a button that does it without JavaScript.
// The page's CSP allows the form to go to action's origin only. Other
// front doors send their answers (a SAML Response) with it.
func (p *Provider) PostForm(w http.ResponseWriter, r *http.Request, client, uiLocales, action string, params url.Values) {
	p.render(w, r, http.StatusOK, "form_post.html", p.frameFor(r, client, uiLocales), map[string]any{"Action": action, "Params": params})
}

// Problems another front door may show on the error page.
const (
	ProblemBadRequest   = string(problemBadRequest)
	ProblemExpired      = string(problemExpired)
	ProblemCompleted    = string(problemCompleted)
	ProblemOtherBrowser = string(problemOtherBrowser)
	ProblemUnavailable  = string(problemUnavailable)
	ProblemMethod       = string(problemMethod)
	ProblemTooLarge     = string(problemTooLarge)
	ProblemInternal     = string(problemInternal)
)

// ErrorPage shows idbridge's error page for another front door, branded
// for client when known: the person reads what happened (the problem, one
// of the Problem constants) and what to do, with the request's reference;
// detail and fix, for developers, go to the log under that reference.
func (p *Provider) ErrorPage(w http.ResponseWriter, r *http.Request, client string, status int, pr, detail, fix string) {
	switch problem(pr) {
	case problemBadRequest, problemExpired, problemCompleted, problemOtherBrowser, problemUnavailable, problemMethod, problemTooLarge, problemInternal:
	default:
		pr = ProblemBadRequest
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", retryAfter)
	}
	p.errorPageIn(w, r, p.frameFor(r, client, ""), status, problem(pr), detail, fix)
}
