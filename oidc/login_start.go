package oidc

import (
	"context"
	"errors"
	"net/http"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/journey"
	"github.com/idbridge/idbridge/pkg/storage"
	"github.com/idbridge/idbridge/pkg/users"
)

// boundRequest loads the auth request named by the id parameter and checks
// that this browser started it.
func (p *Provider) boundRequest(w http.ResponseWriter, r *http.Request) (*authRequest, bool) {
	a, err := p.loadAuthRequest(r.Context(), r.FormValue("id"))
	if errors.Is(err, errAuthRequestGone) {
		p.errorPage(w, r, http.StatusNotFound, problemExpired, "This login has expired or was already completed.", "Go back to the application and sign in again.")
		return nil, false
	}
	if err != nil {
		p.outage(w, r, err)
		return nil, false
	}
	here, err := p.startedHere(r, a)
	if err != nil {
		p.outage(w, r, err)
		return nil, false
	}
	if !here {
		// The client is named and branded, with its home page as the way
		// back; the login itself is not this browser's to cancel.
		p.errorPageIn(w, r, p.frameFor(r, a.ClientID, a.UILocales), http.StatusForbidden, problemOtherBrowser,
			"This login was started in another browser.", "Continue in the browser where you started signing in, or start again here.")
		return nil, false
	}
	return a, true
}

// startedHere reports whether the browser sending r started a. An error
// is shared storage failing, never a mismatch.
func (p *Provider) startedHere(r *http.Request, a *authRequest) (bool, error) {
	s, err := p.cookies.Get(r, p.cookieName())
	if errors.Is(err, storage.ErrUnavailable) {
		return false, err
	}
	if err != nil {
		return false, nil // a cookie that does not decode started nothing
	}
	bid, _ := s.Values["bid"].(string)
	return bid != "" && bid == a.BrowserID, nil
}

// retryAfter is what pages and JSON answers suggest while shared storage
// is unavailable, in seconds.
const retryAfter = "5"

// outage answers a login page while shared storage is unavailable: 503
// with Retry-After (the page shows the request's reference), never an
// expired login or a browser mismatch.
func (p *Provider) outage(w http.ResponseWriter, r *http.Request, err error) {
	p.log.ErrorContext(r.Context(), "storage failure during login", "error", err)
	w.Header().Set("Retry-After", retryAfter)
	p.errorPage(w, r, http.StatusServiceUnavailable, problemUnavailable, "shared storage is unavailable", "")
}

// loginStart begins the journey of a stored request: it asks who the
// person is when LiveID needs it and nobody is known, then starts the
// check the journey core chose.
func (p *Provider) loginStart(w http.ResponseWriter, r *http.Request) {
	a, ok := p.boundRequest(w, r)
	if !ok {
		return
	}
	if a.VerificationID != "" {
		http.Redirect(w, r, PathLogin+"/wait?id="+a.ID, http.StatusSeeOther)
		return
	}
	person, err := p.person(r.Context(), a)
	if err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	if person.User == nil && p.clients[a.ClientID].cfg.Journey == journeyLiveID && !p.needsIAL2(a) {
		p.render(w, r, http.StatusOK, "identify.html", p.loginFrame(r, a), map[string]any{"ID": a.ID})
		return
	}
	if a.Check == "" {
		// A request stored before checks were planned: decide now.
		p.plan(r.Context(), a, person, nil, journey.Origin{Where: p.where(r), Device: p.deviceID(w, r)})
	}
	p.startJourney(w, r, a, person)
}

// loginIdentify takes the identifier a LiveID login needs. It only names
// whom to challenge: the journey is decided again for that person, and
// nothing about them is linked or released unless the check passes.
func (p *Provider) loginIdentify(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		p.errorPage(w, r, http.StatusMethodNotAllowed, problemMethod, "Submit the form to continue.", "Use the Continue button on the previous page.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	a, ok := p.boundRequest(w, r)
	if !ok {
		return
	}
	if a.VerificationID != "" {
		http.Redirect(w, r, PathLogin+"/wait?id="+a.ID, http.StatusSeeOther)
		return
	}
	id, err := users.NewIdentifier(p.clients[a.ClientID].cfg.IdentifierNamespace, r.PostFormValue("identifier"))
	if err != nil {
		p.render(w, r, http.StatusBadRequest, "identify.html", p.loginFrame(r, a), map[string]any{"ID": a.ID, "Error": true})
		return
	}
	ctx := r.Context()
	person, err := p.journey.Identify(ctx, journey.Claims{Identifier: id, IdentifierFrom: journey.FromTyped})
	if err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	person.Assert = a.Assert
	a.remember(person)
	plan := p.plan(ctx, a, person, nil, journey.Origin{Where: p.where(r), Device: p.deviceID(w, r)})
	if plan.Check == journey.CheckDeny {
		p.failRequest(w, r, a, zoidc.ErrAccessDenied().WithDescription("sign-in refused by the risk policy"))
		return
	}
	p.startJourney(w, r, a, person)
}

// startJourney starts the planned check: a 1Kosmos document verification,
// a LiveID face step-up (authenticator app) or idbridge's own selfie page.
func (p *Provider) startJourney(w http.ResponseWriter, r *http.Request, a *authRequest, person journey.Person) {
	ctx := r.Context()
	a.Journey = journeyIDV
	var live idv.LiveIDRequest
	if journey.Check(a.Check) == journey.CheckLiveID {
		var err error
		live, err = p.journey.LiveIDRequest(ctx, person)
		switch {
		case err == nil:
			a.Journey = journeyLiveID
		case errors.Is(err, journey.ErrNotEnrolled), errors.Is(err, journey.ErrUnknownPerson):
			// Nobody to compare a face with: the person verifies.
		default:
			p.unavailable(w, r, a, err)
			return
		}
	}
	if a.Journey == journeyLiveID && p.cfg.IDV.LiveIDMode == "capture" {
		a.VerificationID = captureMarker
		if err := p.saveAuthRequest(ctx, a); err != nil {
			p.notSaved(w, r, a, err)
			return
		}
		http.Redirect(w, r, PathLogin+"/capture?id="+a.ID, http.StatusSeeOther)
		return
	}
	var sess idv.Session
	var err error
	if a.Journey == journeyLiveID {
		sess, err = p.verifier.StartLiveID(ctx, live)
	} else {
		sess, err = p.verifier.StartIDV(ctx, p.journey.IDVRequest(person, a.ID, nil, ""))
	}
	if err != nil {
		p.verificationFailed(w, r, a, err)
		return
	}
	a.VerificationID, a.VerifyURL, a.ExpiresAt, a.LastStatus = sess.ID, sess.URL, sess.ExpiresAt, string(idv.StatusPending)
	if a.Handoff, err = p.newHandoff(ctx, a, r); err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	if err := p.saveAuthRequest(ctx, a); err != nil {
		p.notSaved(w, r, a, err)
		return
	}
	p.log.InfoContext(ctx, "verification started", "journey", a.Journey, "client_id", a.ClientID, "auth_request", a.ID)
	http.Redirect(w, r, PathLogin+"/wait?id="+a.ID, http.StatusSeeOther)
}

// verificationFailed answers the client when 1Kosmos could not be used.
func (p *Provider) verificationFailed(w http.ResponseWriter, r *http.Request, a *authRequest, err error) {
	p.log.WarnContext(r.Context(), "verification service call failed", "error", err, "auth_request", a.ID)
	if errors.Is(err, idv.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		p.failRequest(w, r, a, errTemporarilyUnavailable().WithDescription("the identity verification service cannot be reached; try again shortly"))
		return
	}
	p.failRequest(w, r, a, zoidc.ErrServerError().WithDescription("the identity verification service refused the request; the operator must check idbridge's 1Kosmos configuration"))
}

// unavailable answers the client when shared storage failed.
func (p *Provider) unavailable(w http.ResponseWriter, r *http.Request, a *authRequest, err error) {
	p.log.ErrorContext(r.Context(), "storage failure during login", "error", err)
	p.redirectError(w, r, a.response(), errTemporarilyUnavailable().WithDescription("idbridge's storage is unavailable; try again shortly"))
}

// notSaved answers a login step whose request could not be saved: gone
// (finished or expired), changed by another tab (start over from the
// waiting page, which reads it again), or storage failing.
func (p *Provider) notSaved(w http.ResponseWriter, r *http.Request, a *authRequest, err error) {
	switch {
	case errors.Is(err, errAuthRequestGone):
		p.errorPage(w, r, http.StatusNotFound, problemExpired, "This login has expired or was already completed.", "Go back to the application and sign in again.")
	case errors.Is(err, errAuthRequestChanged):
		http.Redirect(w, r, PathLogin+"/wait?id="+a.ID, http.StatusSeeOther)
	default:
		p.unavailable(w, r, a, err)
	}
}
