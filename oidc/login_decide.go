package oidc

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/idbridge/idbridge/pkg/claims"
	"github.com/idbridge/idbridge/pkg/stepup"
	"github.com/idbridge/idbridge/pkg/users"
)

// How the person a request is about was identified. Only the browser's
// SSO session authenticates; an id_token_hint (a token that may have been
// seen elsewhere), a login_hint or a typed identifier only names someone.
const (
	viaSession  = "session"
	viaIDToken  = "id_token_hint"
	viaHint     = "login_hint"
	viaIdentify = "identifier"
)

// knownUser finds the person a request is about: id_token_hint, then a
// login_hint naming someone other than the session's user, then the SSO
// session, then login_hint. nil when none names a known user.
func (p *Provider) knownUser(ctx context.Context, a *authRequest, sso *ssoSession) (*users.User, string, error) {
	hinted, err := p.hintedUser(ctx, a)
	if err != nil {
		return nil, "", err
	}
	sub, via := "", ""
	switch {
	case a.HintSubject != "" && sso != nil && sso.Subject == a.HintSubject:
		sub, via = a.HintSubject, viaSession
	case a.HintSubject != "":
		sub, via = a.HintSubject, viaIDToken
	case hinted != nil && (sso == nil || hinted.Subject != sso.Subject):
		return hinted, viaHint, nil
	case sso != nil:
		sub, via = sso.Subject, viaSession
	default:
		return nil, "", nil
	}
	u, err := p.users.Get(ctx, sub)
	if errors.Is(err, users.ErrNotFound) {
		return nil, "", nil
	}
	return u, via, err
}

// hintedUser is the user login_hint names, or nil.
func (p *Provider) hintedUser(ctx context.Context, a *authRequest) (*users.User, error) {
	if a.LoginHint == "" {
		return nil, nil
	}
	u, err := p.users.FindByIdentifier(ctx, a.LoginHint)
	if errors.Is(err, users.ErrNotFound) {
		return nil, nil
	}
	return u, err
}

// ial is the user's current assurance level (0 for no user).
func (p *Provider) ial(u *users.User) int {
	if u == nil {
		return 0
	}
	return claims.IALLevel(u.ClaimsIdentity(), p.now(), p.cfg.Assurance.MaxVerificationAge)
}

// needsIAL2 reports whether the request can only be answered for an
// identity-proofed person: the client runs IDV, acr asks for IAL2, or
// verified_claims are requested.
func (p *Provider) needsIAL2(a *authRequest) bool {
	if p.clients[a.ClientID].cfg.Journey == journeyIDV || p.acr.wants(a.ACRValues, ACRIAL2) {
		return true
	}
	// Most requests name no verified_claims: skip parsing them (a name
	// spelt with \u escapes is parsed).
	if !strings.Contains(a.Claims, "verified_claims") && !strings.Contains(a.Claims, `\u`) {
		return false
	}
	req, err := claims.ParseRequest(a.Claims)
	return err == nil && (req.Has(claims.IDToken, "verified_claims") || req.Has(claims.UserInfo, "verified_claims"))
}

// achieved lists the acr classes an authentication of u at authTime meets.
func (p *Provider) achieved(u *users.User, faceNow bool) []string {
	var out []string
	if faceNow {
		out = append(out, ACRLiveID)
	}
	if p.ial(u) >= 2 {
		out = append(out, ACRIAL2)
	}
	return out
}

// silentProblem says why the SSO session cannot answer the request without
// interaction ("" when it can), as the OAuth error prompt=none would get.
func (p *Provider) silentProblem(a *authRequest, sso *ssoSession, u *users.User) *zoidc.Error {
	switch {
	case sso == nil:
		return zoidc.ErrLoginRequired()
	case a.HintSubject != "" && a.HintSubject != sso.Subject:
		return zoidc.ErrLoginRequired()
	case slices.Contains(a.Prompt, zoidc.PromptLogin):
		return zoidc.ErrLoginRequired()
	case a.MaxAge != nil && (*a.MaxAge == 0 || p.now().Sub(sso.AuthTime) > time.Duration(*a.MaxAge)*time.Second):
		return zoidc.ErrLoginRequired()
	}
	if a.UserVia == viaHint {
		// login_hint names someone other than the session's user.
		return zoidc.ErrLoginRequired()
	}
	if p.needsIAL2(a) && p.ial(u) < 2 {
		return zoidc.ErrInteractionRequired()
	}
	if len(a.ACRValues) > 0 {
		ach := append(p.achieved(u, false), sso.ACR)
		if _, ok := p.acr.choose(a.ACRValues, true, ach, ""); !ok {
			if a.ACREssential || !slices.Contains(a.Prompt, zoidc.PromptNone) {
				return zoidc.ErrInteractionRequired()
			}
		}
	}
	return nil
}

// decide picks the journey for an interactive login.
func (p *Provider) decide(a *authRequest, u *users.User) string {
	if p.needsIAL2(a) && p.ial(u) < 2 {
		return journeyIDV
	}
	if a.Risk == string(stepup.IDV) {
		return journeyIDV
	}
	if p.clients[a.ClientID].cfg.Journey == journeyIDV {
		return journeyIDV
	}
	if u.Enrolled() {
		return journeyLiveID
	}
	return journeyIDV
}

// proceed continues a validated request: silently from the SSO session
// when it satisfies everything asked, with an error for prompt=none when it
// does not, else into the interactive journey.
func (p *Provider) proceed(w http.ResponseWriter, r *http.Request, a *authRequest) {
	ctx := r.Context()
	s, bid, err := p.browser(w, r)
	if err != nil {
		p.redirectError(w, r, a.response(), zoidc.ErrServerError().WithDescription("the browser session could not be saved"))
		return
	}
	a.BrowserID = bid
	from := p.where(r)
	device := p.deviceID(w, r)
	sso, err := p.currentSSO(ctx, s)
	if err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	u, via, err := p.knownUser(ctx, a, sso)
	if err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	a.UserVia = via
	problem := p.silentProblem(a, sso, u)
	risk := p.assess(a, u, sso, from, device)
	a.Risk, a.Reasons = string(risk.Decision), reasonStrings(risk.Reasons)
	if risk.Decision == stepup.Deny {
		p.redirectError(w, r, a.response(), zoidc.ErrAccessDenied().WithDescription("sign-in refused by the risk policy"))
		return
	}
	if problem == nil && risk.Decision != stepup.Allow {
		// Protocol-wise the session would do, but the risk signals ask
		// for a fresh face check or verification.
		problem = zoidc.ErrInteractionRequired()
	}
	if problem == nil {
		ach := append(p.achieved(u, false), sso.ACR)
		acr, _ := p.acr.choose(a.ACRValues, a.ACREssential, ach, sso.ACR)
		a.Subject, a.AuthTime, a.ACR, a.AMR = sso.Subject, sso.AuthTime, acr, sso.AMR
		if err := p.users.RecordLogin(ctx, sso.Subject, sightingFrom(from, device, p.now())); err != nil {
			p.log.WarnContext(ctx, "recording login", "error", err)
		}
		p.issueCode(w, r, a)
		return
	}
	if slices.Contains(a.Prompt, zoidc.PromptNone) {
		p.redirectError(w, r, a.response(), problem.WithDescription("prompt=none was requested but the user must sign in or verify interactively"))
		return
	}
	if u != nil {
		a.UserSubject = u.Subject
	}
	if err := p.saveAuthRequest(ctx, a); err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	http.Redirect(w, r, PathLogin+"?id="+a.ID, http.StatusSeeOther)
}

func reasonStrings(rs []stepup.Reason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}
