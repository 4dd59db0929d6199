package oidc

import (
	"context"
	"errors"
	"net/http"
	"strings"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/users"
)

// boundRequest loads the auth request named by the id parameter and checks
// that this browser started it.
func (p *Provider) boundRequest(w http.ResponseWriter, r *http.Request) (*authRequest, bool) {
	a, err := p.loadAuthRequest(r.Context(), r.FormValue("id"))
	if errors.Is(err, errAuthRequestGone) {
		p.errorPage(w, r, http.StatusNotFound, "This login has expired or was already completed.", "Go back to the application and sign in again.")
		return nil, false
	}
	if err != nil {
		p.log.ErrorContext(r.Context(), "loading auth request", "error", err)
		p.errorPage(w, r, http.StatusServiceUnavailable, "The service is temporarily unavailable.", "Try again in a moment.")
		return nil, false
	}
	if !p.startedHere(r, a) {
		p.errorPage(w, r, http.StatusForbidden, "This login was started in another browser.", "Continue in the browser where you started signing in, or start again here.")
		return nil, false
	}
	return a, true
}

// startedHere reports whether the browser sending r started a.
func (p *Provider) startedHere(r *http.Request, a *authRequest) bool {
	s, err := p.cookies.Get(r, p.cookieName())
	if err != nil || s == nil {
		return false
	}
	bid, _ := s.Values["bid"].(string)
	return bid != "" && bid == a.BrowserID
}

// loginStart begins the journey of a stored request: it picks IDV or
// LiveID, asks who the person is when LiveID needs it, and starts the
// 1Kosmos session.
func (p *Provider) loginStart(w http.ResponseWriter, r *http.Request) {
	a, ok := p.boundRequest(w, r)
	if !ok {
		return
	}
	if a.VerificationID != "" {
		http.Redirect(w, r, PathLogin+"/wait?id="+a.ID, http.StatusSeeOther)
		return
	}
	var u *users.User
	if a.UserSubject != "" {
		var err error
		if u, err = p.users.Get(r.Context(), a.UserSubject); err != nil && !errors.Is(err, users.ErrNotFound) {
			p.unavailable(w, r, a, err)
			return
		}
	}
	if u == nil && p.clients[a.ClientID].cfg.Journey == journeyLiveID && !p.needsIAL2(a) {
		p.render(w, r, http.StatusOK, "identify.html", map[string]any{"ID": a.ID, "Client": p.clients[a.ClientID].cfg.Name})
		return
	}
	p.startJourney(w, r, a, u)
}

// loginIdentify takes the identifier a LiveID login needs.
func (p *Provider) loginIdentify(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		p.errorPage(w, r, http.StatusMethodNotAllowed, "Submit the form to continue.", "Use the Continue button on the previous page.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	a, ok := p.boundRequest(w, r)
	if !ok {
		return
	}
	ident := strings.TrimSpace(r.PostFormValue("identifier"))
	if ident == "" || len(ident) > 256 {
		p.render(w, r, http.StatusBadRequest, "identify.html", map[string]any{"ID": a.ID, "Client": p.clients[a.ClientID].cfg.Name, "Error": "Enter the email or user name you use with this application (at most 256 characters)."})
		return
	}
	a.LoginHint = ident
	u, err := p.users.FindByIdentifier(r.Context(), ident)
	if err != nil && !errors.Is(err, users.ErrNotFound) {
		p.unavailable(w, r, a, err)
		return
	}
	if u != nil {
		a.UserSubject, a.UserVia = u.Subject, viaIdentify
	}
	p.startJourney(w, r, a, u)
}

func (p *Provider) startJourney(w http.ResponseWriter, r *http.Request, a *authRequest, u *users.User) {
	ctx := r.Context()
	a.Journey = p.decide(a, u)
	ref := a.ID
	if u != nil {
		ref = u.Subject
	}
	var sess idv.Session
	var err error
	if a.Journey == journeyLiveID && p.cfg.IDV.LiveIDMode == "capture" {
		a.VerificationID = captureMarker
		if err := p.saveAuthRequest(ctx, a); err != nil {
			p.unavailable(w, r, a, err)
			return
		}
		http.Redirect(w, r, PathLogin+"/capture?id="+a.ID, http.StatusSeeOther)
		return
	}
	if a.Journey == journeyLiveID {
		sess, err = p.verifier.StartLiveID(ctx, idv.LiveIDRequest{UserRef: ref, Account: u.EnrolledAccount(), FaceImage: u.EnrolledFace()})
	} else {
		sess, err = p.verifier.StartIDV(ctx, idv.IDVRequest{DocumentTypes: idv.DocumentTypes, LivenessMode: idv.LivenessPassive, UserRef: ref})
	}
	if err != nil {
		p.verificationFailed(w, r, a, err)
		return
	}
	a.VerificationID, a.VerifyURL, a.ExpiresAt, a.LastStatus = sess.ID, sess.URL, sess.ExpiresAt, string(idv.StatusPending)
	if err := p.saveAuthRequest(ctx, a); err != nil {
		p.unavailable(w, r, a, err)
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
