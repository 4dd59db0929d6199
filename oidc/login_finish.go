package oidc

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/journey"
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
	person, err := p.person(ctx, a)
	if err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	u, err := p.journey.CompleteIDV(ctx, person, res)
	if err != nil {
		p.journeyFailed(w, r, a, err)
		return
	}
	p.succeed(w, r, a, u)
}

// journeyFailed answers the client when the journey core refused the
// outcome of a check, or storage failed.
func (p *Provider) journeyFailed(w http.ResponseWriter, r *http.Request, a *authRequest, err error) {
	switch {
	case errors.Is(err, journey.ErrVerificationFailed), errors.Is(err, journey.ErrDocumentTaken), errors.Is(err, journey.ErrOtherDocument),
		errors.Is(err, journey.ErrLiveness), errors.Is(err, journey.ErrNoMatch):
		p.failRequest(w, r, a, zoidc.ErrAccessDenied().WithDescription("%s", err.Error()))
	case errors.Is(err, journey.ErrNotEnrolled):
		p.failRequest(w, r, a, zoidc.ErrAccessDenied().WithDescription("%s", err.Error()))
	case errors.Is(err, journey.ErrUnknownPerson):
		p.failRequest(w, r, a, zoidc.ErrLoginRequired().WithDescription("the person is no longer known; start the login again"))
	default:
		p.unavailable(w, r, a, err)
	}
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
	p.answerFace(w, r, a, journey.FaceResult{Liveness: res.Liveness, Match: res.FaceMatch, Account: res.Account})
}

// answerFace ends a LiveID login on its face check, from the 1Kosmos
// authenticator or idbridge's own capture page alike.
func (p *Provider) answerFace(w http.ResponseWriter, r *http.Request, a *authRequest, f journey.FaceResult) {
	ctx := r.Context()
	person, err := p.person(ctx, a)
	if err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	u, err := p.journey.CompleteFace(ctx, person, f)
	if err != nil {
		p.journeyFailed(w, r, a, err)
		return
	}
	p.succeed(w, r, a, u)
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

// succeed completes the request for u, who just passed a face check or a
// verification: achieved acr, SSO session, the person's history, and a
// code for the client.
func (p *Provider) succeed(w http.ResponseWriter, r *http.Request, a *authRequest, u *users.User) {
	ctx := r.Context()
	// One login issues one code: only the completion that claims the
	// request goes on (a second Continue, or a tab racing this one, stops).
	if err := p.claim(ctx, a); errors.Is(err, errAuthRequestGone) {
		p.errorPageIn(w, r, p.frameFor(r, a.ClientID, a.UILocales), http.StatusNotFound, problemCompleted, "This login was already completed.", "Go back to the application; it has received the result.")
		return
	} else if err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	fallback := ACRLiveID
	if a.Journey == journeyIDV && p.journey.IAL(u) >= 2 {
		fallback = ACRIAL2
	}
	acr, ok := p.acr.choose(a.ACRValues, a.ACREssential, p.achieved(u, true), fallback)
	if !ok {
		p.failRequest(w, r, a, errUnmetAuthenticationRequirements().WithDescription("the authentication did not reach any of the essential acr values"))
		return
	}
	a.Subject, a.AuthTime, a.ACR, a.AMR = u.Subject, p.now(), acr, []string{"face", "user"}
	s, _, err := p.browser(w, r)
	if err == nil {
		verifiedAt := a.AuthTime
		if u.Verified != nil {
			verifiedAt = u.Verified.VerifiedAt
		}
		err = p.startSSO(ctx, w, r, s, &ssoSession{Subject: u.Subject, AuthTime: a.AuthTime, ACR: acr, AMR: a.AMR, VerifiedAt: verifiedAt})
	}
	if err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	p.journey.Succeeded(ctx, u.Subject, journey.Origin{Where: p.where(r), Device: p.deviceID(w, r)})
	p.log.InfoContext(ctx, "login completed", "journey", a.Journey, "client_id", a.ClientID, "acr", acr)
	p.metrics.Login(a.Journey, "success")
	p.issueCode(w, r, a)
}

// issueCode marks the request done, stores a single-use code and sends the
// browser back to the client. The request was claimed (or never stored).
func (p *Provider) issueCode(w http.ResponseWriter, r *http.Request, a *authRequest) {
	ctx := r.Context()
	a.IsDone = true
	code := randomToken()
	grant, err := json.Marshal(a.codeGrant())
	if err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	// The code and its entry in the person's grant index go together, so
	// forgetting the person reaches the code and every token it yields.
	evicted, err := p.store.SetAndIndex(ctx, codeKey(code), grant, p.cfg.Tokens.Code,
		userGrantsKey(a.Subject), grantMember(a.ID, code), p.now().Add(p.grantLifetime(p.clients[a.ClientID])), maxGrants)
	if err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	p.revokeEvicted(ctx, evicted)
	p.redirect(w, r, a.response(), url.Values{"code": {code}})
}
