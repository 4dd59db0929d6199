package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/users"
)

// loginContinue fetches the verification result server-side (the browser
// is never trusted for it) and answers the client: a code when it passed,
// an OAuth error when it was declined, failed or expired. A session that
// is still running sends the browser back to the waiting page.
func (p *Provider) loginContinue(w http.ResponseWriter, r *http.Request) {
	a, ok := p.boundRequest(w, r)
	if !ok {
		return
	}
	if a.VerificationID == "" || a.VerificationID == captureMarker {
		http.Redirect(w, r, PathLogin+"?id="+a.ID, http.StatusSeeOther)
		return
	}
	if a.Journey == journeyLiveID {
		p.finishLiveID(w, r, a)
	} else {
		p.finishIDV(w, r, a)
	}
}

func (p *Provider) backToWait(w http.ResponseWriter, r *http.Request, a *authRequest) {
	http.Redirect(w, r, PathLogin+"/wait?id="+a.ID, http.StatusSeeOther)
}

func (p *Provider) finishIDV(w http.ResponseWriter, r *http.Request, a *authRequest) {
	ctx := r.Context()
	res, err := p.verifier.IDVResult(ctx, a.VerificationID)
	if err != nil {
		p.verificationFailed(w, r, a, err)
		return
	}
	if p.endedBadly(w, r, a, res.Status, "identity verification") {
		return
	}
	if res.Status != idv.StatusCompleted {
		p.backToWait(w, r, a)
		return
	}
	u, created, err := p.personFor(ctx, a, res)
	if err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	if res.Verification != idv.Passed || res.Liveness == idv.Failed || res.FaceMatch == idv.Failed {
		if err := p.users.RecordVerification(ctx, u.Subject, res); err != nil {
			p.log.WarnContext(ctx, "recording failed verification", "error", err)
		}
		desc := "identity verification failed"
		if res.Reason != "" {
			desc += ": " + res.Reason
		}
		p.failRequest(w, r, a, zoidc.ErrAccessDenied().WithDescription("%s", desc))
		return
	}
	if !p.mayReverify(a, u, res) {
		p.failRequest(w, r, a, zoidc.ErrAccessDenied().WithDescription("this account is verified with another document; sign in with a face check first, then verify the new document"))
		return
	}
	u, err = p.users.RecordVerificationOn(ctx, u, created, res)
	if errors.Is(err, users.ErrDocumentTaken) {
		p.failRequest(w, r, a, zoidc.ErrAccessDenied().WithDescription("the verified document belongs to another account; sign in as that account"))
		return
	}
	if err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	p.succeed(w, r, a, u.Subject)
}

// mayReverify guards a verified identity against a login that only
// names its owner (id_token_hint, login_hint or a typed identifier, none of
// which authenticates): such a login may verify the person again only with
// the same document. Within the person's own SSO session a new document (a
// renewed passport) replaces the old one.
func (p *Provider) mayReverify(a *authRequest, u *users.User, res idv.IDVResult) bool {
	if a.UserVia == viaSession {
		return true
	}
	if u.Verified == nil || u.Verified.Document == nil {
		return true
	}
	old := p.users.DocumentKey(u.Verified.Document)
	return old != "" && old == p.users.DocumentKey(res.Document)
}

// personFor finds or creates the user an IDV result belongs to: the user
// the request named, else the owner of the verified document, else a new
// person (created reports that).
func (p *Provider) personFor(ctx context.Context, a *authRequest, res idv.IDVResult) (u *users.User, created bool, err error) {
	if a.UserSubject != "" {
		u, err := p.users.Get(ctx, a.UserSubject)
		if !errors.Is(err, users.ErrNotFound) {
			return u, false, err
		}
	}
	return p.users.PersonFor(ctx, res.Document)
}

func (p *Provider) finishLiveID(w http.ResponseWriter, r *http.Request, a *authRequest) {
	res, err := p.verifier.LiveIDResult(r.Context(), a.VerificationID)
	if err != nil {
		p.verificationFailed(w, r, a, err)
		return
	}
	if p.endedBadly(w, r, a, res.Status, "face verification") {
		return
	}
	if res.Status != idv.StatusCompleted {
		p.backToWait(w, r, a)
		return
	}
	// The 1Kosmos app proves who signed in (its own biometric); the
	// step-up passes when that is the account the person was verified as.
	u, err := p.users.Get(r.Context(), a.UserSubject)
	if err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	if !idv.SameAccount(res.Account, u.EnrolledAccount()) {
		p.failRequest(w, r, a, zoidc.ErrAccessDenied().WithDescription("the 1Kosmos account that signed in is not the enrolled identity's"))
		return
	}
	p.succeed(w, r, a, a.UserSubject)
}

// answerFace ends a LiveID login on its face check, from the 1Kosmos
// authenticator or idbridge's own capture page alike.
func (p *Provider) answerFace(w http.ResponseWriter, r *http.Request, a *authRequest, liveness, match idv.Outcome) {
	switch {
	case liveness != idv.Passed:
		p.failRequest(w, r, a, zoidc.ErrAccessDenied().WithDescription("the liveness check failed: a live person must take the selfie"))
	case match != idv.Passed:
		p.failRequest(w, r, a, zoidc.ErrAccessDenied().WithDescription("the face did not match the enrolled identity"))
	default:
		p.succeed(w, r, a, a.UserSubject)
	}
}

// endedBadly answers declined, expired and abandoned sessions.
func (p *Provider) endedBadly(w http.ResponseWriter, r *http.Request, a *authRequest, st idv.Status, what string) bool {
	switch st {
	case idv.StatusDeclined:
		p.failRequest(w, r, a, zoidc.ErrAccessDenied().WithDescription("the user declined %s", what))
	case idv.StatusExpired, idv.StatusAbandoned:
		p.failRequest(w, r, a, zoidc.ErrLoginRequired().WithDescription("%s", what+" was not completed in time; start the login again"))
	default:
		return false
	}
	return true
}

// succeed completes the request for sub: achieved acr, SSO session, the
// user's login history, and a code for the client.
func (p *Provider) succeed(w http.ResponseWriter, r *http.Request, a *authRequest, sub string) {
	ctx := r.Context()
	u, err := p.users.Get(ctx, sub)
	if err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	fallback := ACRLiveID
	if a.Journey == journeyIDV && p.ial(u) >= 2 {
		fallback = ACRIAL2
	}
	acr, ok := p.acr.choose(a.ACRValues, a.ACREssential, p.achieved(u, true), fallback)
	if !ok {
		p.failRequest(w, r, a, errUnmetAuthenticationRequirements().WithDescription("the authentication did not reach any of the essential acr values"))
		return
	}
	a.Subject, a.AuthTime, a.ACR, a.AMR = sub, p.now(), acr, []string{"face", "user"}
	if err := p.users.AddIdentifier(ctx, sub, a.LoginHint); errors.Is(err, users.ErrIdentifierTaken) {
		p.log.WarnContext(ctx, "login_hint names another user; identifier left with its owner", "auth_request", a.ID)
	} else if err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	s, _, err := p.browser(w, r)
	if err == nil {
		verifiedAt := a.AuthTime
		if u.Verified != nil {
			verifiedAt = u.Verified.VerifiedAt
		}
		err = p.startSSO(ctx, w, r, s, &ssoSession{Subject: sub, AuthTime: a.AuthTime, ACR: acr, AMR: a.AMR, VerifiedAt: verifiedAt})
	}
	if err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	if err := p.users.RecordLogin(ctx, sub, sightingFrom(p.where(r), p.deviceID(w, r), a.AuthTime)); err != nil {
		p.log.WarnContext(ctx, "recording login", "error", err)
	}
	p.log.InfoContext(ctx, "login completed", "journey", a.Journey, "client_id", a.ClientID, "acr", acr)
	p.metrics.Login(a.Journey, "success")
	p.issueCode(w, r, a)
}

// issueCode marks the request done, stores a single-use code and sends the
// browser back to the client.
func (p *Provider) issueCode(w http.ResponseWriter, r *http.Request, a *authRequest) {
	ctx := r.Context()
	a.IsDone = true
	code := randomToken()
	grant, err := json.Marshal(a.codeGrant())
	if err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	if err := p.store.Set(ctx, codeKey(code), grant, p.cfg.Tokens.Code); err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	// The code carries everything the token endpoint needs; the finished
	// request goes, so a replayed /login/continue finds nothing to answer.
	if err := p.store.Delete(context.WithoutCancel(ctx), authRequestKey(a.ID)); err != nil {
		p.log.WarnContext(ctx, "finished auth request not deleted; it expires on its own", "auth_request", a.ID, "error", err)
	}
	p.redirect(w, r, a.response(), url.Values{"code": {code}})
}
