package oidc

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gorilla/sessions"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/netid"
	"github.com/idbridge/idbridge/pkg/stepup"
	"github.com/idbridge/idbridge/pkg/users"
)

const deviceCookie = "idbridge_device"

// deviceID returns the browser's long-lived device id, setting the cookie
// on first sight. It is random and bound to users only by their logins.
func (p *Provider) deviceID(w http.ResponseWriter, r *http.Request) string {
	s, err := p.cookies.Get(r, deviceCookie)
	if err != nil {
		s, _ = p.cookies.New(r, deviceCookie)
	}
	if id, _ := s.Values["d"].(string); id != "" {
		return id
	}
	id := newID()
	s.Values["d"] = id
	s.Options = &sessions.Options{Path: "/", MaxAge: 400 * 24 * 3600, HttpOnly: true, Secure: p.secureCookies(), SameSite: http.SameSiteLaxMode}
	_ = s.Save(r, w)
	return id
}

// rulesFor returns the client's risk rules, or the global ones.
func (p *Provider) rulesFor(cl *client) stepup.Rules {
	rr := p.cfg.Risk.Rules
	if cl.cfg.Risk != nil {
		rr = *cl.cfg.Risk
	}
	return RiskRules(rr, p.cfg.Assurance.MaxVerificationAge)
}

// RiskRules turns configured risk rules into the step-up policy's rules,
// with idbridge's acr values.
func RiskRules(rr config.RiskRules, maxAge time.Duration) stepup.Rules {
	r := stepup.DefaultRules()
	r.NewDevice, r.UnfamiliarNetwork = stepup.Decision(rr.NewDevice), stepup.Decision(rr.UnfamiliarNetwork)
	r.CountryChange, r.ImpossibleTravel = stepup.Decision(rr.CountryChange), stepup.Decision(rr.ImpossibleTravel)
	r.ImpossibleTravelKmh = rr.ImpossibleTravelKmh
	r.DenyCountries = rr.DenyCountries
	r.MaxVerificationAge = maxAge
	r.LiveIDACR, r.IDVACR = ACRLiveID, ACRIAL2
	return r
}

// where returns what the risk policy knows of the request's origin.
func (p *Provider) where(r *http.Request) netid.Client { return p.netid.Client(r) }

// assess runs the risk policy for a request about user u (nil: unknown).
func (p *Provider) assess(a *authRequest, u *users.User, sso *ssoSession, from netid.Client, device string) stepup.Result {
	s := stepup.Signals{
		Now:          p.now(),
		IAL:          p.ial(u),
		Network:      from.Network,
		Location:     stepup.Location{Country: from.Country, Lat: from.Lat, Lon: from.Lon, HasCoords: from.HasCoords},
		RequestedACR: canonicalACRs(p.acr, a.ACRValues),
		ACREssential: a.ACREssential,
		PromptLogin:  slices.Contains(a.Prompt, "login"),
		// The client default is already applied by the journey choice.
		ClientDefault: stepup.JourneyAuto,
	}
	if p.needsIAL2(a) {
		s.RequiredIAL = 2
	}
	if a.MaxAge != nil {
		d := time.Duration(*a.MaxAge) * time.Second
		s.MaxAge = &d
	}
	if u != nil {
		s.Enrolled = u.Enrolled()
		s.Verified = u.Verified != nil
		if u.Verified != nil {
			s.VerifiedAt = u.Verified.VerifiedAt
		}
		s.DeviceKnown = device != "" && slices.Contains(u.Devices, device)
		s.NetworkKnown = from.Network != "" && slices.Contains(u.Networks, from.Network)
		if l := u.Last; l != nil {
			s.Last = &stepup.Sighting{At: l.At, Network: l.Network, DeviceID: l.DeviceID, Location: stepup.Location{Country: l.Country, Lat: l.Lat, Lon: l.Lon, HasCoords: l.HasGeo}}
		}
		if sso != nil && sso.Subject == u.Subject {
			s.SessionAuthTime = sso.AuthTime
		}
	}
	res := stepup.Decide(s, p.rulesFor(p.clients[a.ClientID]))
	p.metrics.StepUp(string(res.Decision))
	p.log.Info("audit", "audit", "stepup.decision", "client_id", a.ClientID, "auth_request", a.ID,
		"decision", string(res.Decision), "risk", res.RiskLevel, "reasons", strings.Join(reasonStrings(res.Reasons), ","))
	return res
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

func sightingFrom(from netid.Client, device string, at time.Time) users.Sighting {
	return users.Sighting{At: at, Network: from.Network, Country: from.Country, Lat: from.Lat, Lon: from.Lon, HasGeo: from.HasCoords, DeviceID: device}
}
