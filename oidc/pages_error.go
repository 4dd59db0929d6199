package oidc

import (
	"log/slog"
	"net/http"
)

// problem is what went wrong, as the error page tells a person: its words
// are the catalog's error.<problem>.title, .body and .fix, and the page's
// #error-title names it in data-problem. What a developer must fix is
// logged with the request's reference, never shown.
type problem string

// Problems of the error page.
const (
	problemBadRequest   problem = "bad_request"   // the application sent a request idbridge refuses
	problemExpired      problem = "expired"       // the login expired or was completed
	problemCompleted    problem = "completed"     // the login was just completed (a second Continue)
	problemOtherBrowser problem = "other_browser" // the login belongs to another browser
	problemLinkUsed     problem = "link_used"     // a hand-off link was used or expired
	problemUnavailable  problem = "unavailable"   // shared storage is down
	problemMethod       problem = "method"        // a page opened with the wrong method
	problemTooLarge     problem = "too_large"     // an upload over its limit
	problemNoPage       problem = "no_page"       // an unknown path
	problemInternal     problem = "internal"      // a page could not be prepared
)

// errorPage is shown instead of redirecting when the redirect target cannot
// be trusted (unknown client, unregistered redirect_uri) or is unknown. The
// person reads what happened and what to do, with the request's reference;
// detail and fix, written for developers, go to the log under that
// reference.
func (p *Provider) errorPage(w http.ResponseWriter, r *http.Request, status int, pr problem, detail, fix string) {
	p.errorPageIn(w, r, p.frameFor(r, "", uiLocalesOf(r)), status, pr, detail, fix)
}

// errorPageIn is errorPage in a frame that may know the client and the
// login: the client's brand, and "Back to <client>" when there is a way
// back (the login to cancel, whose redirect URI is registered, or the
// client's home page).
func (p *Provider) errorPageIn(w http.ResponseWriter, r *http.Request, f frame, status int, pr problem, detail, fix string) {
	ref := w.Header().Get("X-Request-Id")
	if ref == "" {
		// Served without the request log's middleware: the page still
		// gets a reference to quote, and the log line carries it.
		ref = randomToken()[:16]
		w.Header().Set("X-Request-Id", ref)
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelWarn
	}
	p.log.Log(r.Context(), level, "error page", "problem", string(pr), "status", status, "detail", detail, "fix", fix, "request_id", ref)
	data := map[string]any{"Problem": string(pr), "Status": status}
	switch pr {
	case problemLinkUsed:
		data["Count"] = int(handoffLifetime.Minutes())
	case problemTooLarge:
		data["Count"] = maxSelfie >> 20
	}
	f.back = true
	p.render(w, r, status, "error.html", f, data)
}

// uiLocalesOf is the ui_locales parameter of a request already read, or of
// its query.
func uiLocalesOf(r *http.Request) string {
	if r.Form != nil {
		return r.Form.Get("ui_locales")
	}
	return r.URL.Query().Get("ui_locales")
}
