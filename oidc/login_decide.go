package oidc

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/idbridge/idbridge/pkg/claims"
	"github.com/idbridge/idbridge/pkg/journey"
	"github.com/idbridge/idbridge/pkg/stepup"
	"github.com/idbridge/idbridge/pkg/users"
)

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

// demands are what the request and its client ask of the authentication,
// in the journey core's terms.
func (p *Provider) demands(a *authRequest) journey.Demands {
	cl := p.clients[a.ClientID]
	d := journey.Demands{
		Journey:      cl.cfg.Journey,
		ACR:          canonicalACRs(p.acr, a.ACRValues),
		ACREssential: a.ACREssential,
		Fresh:        slices.Contains(a.Prompt, zoidc.PromptLogin),
		FaceMaxAge:   cl.cfg.FaceMaxAge,
		ClientID:     a.ClientID,
	}
	if p.needsIAL2(a) {
		d.RequiredIAL = 2
	}
	if a.MaxAge != nil {
		m := time.Duration(*a.MaxAge) * time.Second
		d.MaxAge = &m
	}
	return d
}

// claimsOf is what the request tells of whom it is about. A login_hint is
// an assertion only inside a pushed or signed request.
func (p *Provider) claimsOf(a *authRequest, sso *ssoSession) journey.Claims {
	c := journey.Claims{IDTokenSubject: a.HintSubject}
	if sso != nil {
		c.SessionSubject = sso.Subject
	}
	if a.LoginHint != "" {
		if id, err := users.NewIdentifier(p.clients[a.ClientID].cfg.IdentifierNamespace, a.LoginHint); err == nil {
			c.Identifier, c.IdentifierFrom = id, journey.FromHint
			if a.HintAsserted {
				c.IdentifierFrom = journey.FromClient
			}
		}
	}
	return c
}

// person is the journey's person of a stored request.
func (p *Provider) person(ctx context.Context, a *authRequest) (journey.Person, error) {
	return p.journey.Reload(ctx, a.UserSubject, journey.Source(a.UserVia), a.Assert)
}

// remember stores whom the request is about in it.
func (a *authRequest) remember(person journey.Person) {
	a.UserSubject, a.UserVia, a.Assert = person.Subject(), string(person.Via), person.Assert
}

func (sso *ssoSession) journeySession() *journey.Session {
	if sso == nil {
		return nil
	}
	return &journey.Session{Subject: sso.Subject, AuthTime: sso.AuthTime}
}

// plan asks the journey core for the check of a request about person, and
// writes the decision to the audit log and metrics.
func (p *Provider) plan(ctx context.Context, a *authRequest, person journey.Person, sso *ssoSession, o journey.Origin) journey.Plan {
	plan := p.journey.Decide(p.demands(a), person, sso.journeySession(), o)
	a.Check, a.Risk, a.Reasons = string(plan.Check), string(plan.Risk.Decision), reasonStrings(plan.Risk.Reasons)
	p.metrics.StepUp(string(plan.Risk.Decision))
	p.audit.Event(ctx, "stepup.decision", slog.String("client_id", a.ClientID), slog.String("auth_request", a.ID),
		slog.String("decision", string(plan.Risk.Decision)), slog.String("check", string(plan.Check)), slog.String("risk", plan.Risk.RiskLevel),
		slog.String("reasons", strings.Join(a.Reasons, ",")), slog.Int("policy_version", plan.Policy), slog.String("rule", plan.Rule))
	return plan
}

// achieved lists the acr classes an authentication of u meets.
func (p *Provider) achieved(u *users.User, faceNow bool) []string {
	var out []string
	if faceNow {
		out = append(out, ACRLiveID)
	}
	if p.journey.IAL(u) >= 2 {
		out = append(out, ACRIAL2)
	}
	return out
}

// silentProblem says why the SSO session cannot answer the request without
// interaction (nil when it can), as the OAuth error prompt=none would get.
func (p *Provider) silentProblem(a *authRequest, sso *ssoSession, person journey.Person) *zoidc.Error {
	switch {
	case sso == nil:
		return zoidc.ErrLoginRequired()
	case a.HintSubject != "" && a.HintSubject != sso.Subject:
		return zoidc.ErrLoginRequired()
	case slices.Contains(a.Prompt, zoidc.PromptLogin):
		return zoidc.ErrLoginRequired()
	case !p.journey.SessionFresh(p.demands(a), sso.journeySession()):
		return zoidc.ErrLoginRequired()
	case person.Subject() != sso.Subject:
		// A hint names someone other than the session's person.
		return zoidc.ErrLoginRequired()
	}
	if p.needsIAL2(a) && p.journey.IAL(person.User) < 2 {
		return zoidc.ErrInteractionRequired()
	}
	if len(a.ACRValues) > 0 {
		ach := append(p.achieved(person.User, false), sso.ACR)
		if _, ok := p.acr.choose(a.ACRValues, true, ach, ""); !ok {
			if a.ACREssential || !slices.Contains(a.Prompt, zoidc.PromptNone) {
				return zoidc.ErrInteractionRequired()
			}
		}
	}
	return nil
}

// proceed continues a validated request: silently from the SSO session
// when it satisfies everything asked, with an error for prompt=none when it
// does not, else into the interactive journey.
func (p *Provider) proceed(w http.ResponseWriter, r *http.Request, a *authRequest) {
	ctx := r.Context()
	s, bid, err := p.browser(w, r)
	if err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	a.BrowserID = bid
	origin := journey.Origin{Where: p.where(r), Device: p.deviceID(w, r)}
	sso, err := p.currentSSO(ctx, s)
	if err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	person, err := p.journey.Identify(ctx, p.claimsOf(a, sso))
	if err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	a.remember(person)
	problem := p.silentProblem(a, sso, person)
	plan := p.plan(ctx, a, person, sso, origin)
	if plan.Check == journey.CheckDeny {
		p.redirectError(w, r, a.response(), zoidc.ErrAccessDenied().WithDescription("sign-in refused by the risk policy"))
		return
	}
	if problem == nil && !plan.Silent {
		// Protocol-wise the session would do, but the risk signals ask
		// for a fresh face check or verification.
		problem = zoidc.ErrInteractionRequired()
	}
	if problem == nil {
		ach := append(p.achieved(person.User, false), sso.ACR)
		acr, _ := p.acr.choose(a.ACRValues, a.ACREssential, ach, sso.ACR)
		a.Subject, a.AuthTime, a.ACR, a.AMR = sso.Subject, sso.AuthTime, acr, sso.AMR
		if err := p.journey.Settle(ctx, person); err != nil {
			p.unavailable(w, r, a, err)
			return
		}
		p.journey.Succeeded(ctx, sso.Subject, origin)
		p.issueCode(w, r, a)
		return
	}
	if slices.Contains(a.Prompt, zoidc.PromptNone) {
		p.redirectError(w, r, a.response(), problem.WithDescription("prompt=none was requested but the user must sign in or verify interactively"))
		return
	}
	if err := p.saveAuthRequest(ctx, a); err != nil {
		p.notSaved(w, r, a, err)
		return
	}
	http.Redirect(w, r, PathLogin+"?id="+a.ID, http.StatusSeeOther)
}

// canonicalACRs maps requested acr values (and aliases) to idbridge's own
// values, which the policy understands.
func canonicalACRs(pol acrPolicy, values []string) []string {
	out := make([]string, 0, len(values))
	for _, v := range values {
		if c := pol.canonical(v); c != "" {
			out = append(out, c)
		} else {
			out = append(out, v)
		}
	}
	return out
}

func reasonStrings(rs []stepup.Reason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}
