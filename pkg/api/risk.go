package api

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/idbridge/idbridge/pkg/claims"
	"github.com/idbridge/idbridge/pkg/netid"
	"github.com/idbridge/idbridge/pkg/stepup"
	"github.com/idbridge/idbridge/pkg/users"
)

// riskBody is the input of the risk connector node.
type riskBody struct {
	UserIdentifier string `json:"user_identifier"`
	IP             string `json:"ip"`
	// UserAgent is accepted for the audit trail of callers; the policy
	// does not use it.
	UserAgent string `json:"user_agent"`
	DeviceID  string `json:"device_id"`
}

// evaluateRisk serves POST /v1/risk/evaluate: the step-up policy
// (pkg/stepup) applied to what the user record knows (enrolment,
// verification, devices, networks, last sighting) and the caller's
// network. The caller has already authenticated the person, so the
// answer is about risk alone: allow, liveid, idv or deny.
func (s *Server) evaluateRisk(ctx context.Context, req *request) (int, any, error) {
	var b riskBody
	if err := decodeBody(req.body, &b); err != nil {
		return 0, nil, err
	}
	if err := checkIdentifier(b.UserIdentifier, true); err != nil {
		return 0, nil, err
	}
	var ip netip.Addr
	if b.IP != "" {
		var err error
		if ip, err = netip.ParseAddr(strings.TrimSpace(b.IP)); err != nil {
			return 0, nil, ErrMalformed.With("ip is not an IPv4 or IPv6 address")
		}
	}
	if len(b.DeviceID) > 256 {
		return 0, nil, ErrMalformed.With("device_id is longer than 256 characters")
	}
	u, err := s.users.FindByIdentifier(ctx, b.UserIdentifier)
	if err != nil && !errors.Is(err, users.ErrNotFound) {
		return 0, nil, err
	}
	sig := s.signals(u, ip, b.DeviceID)
	res := stepup.Decide(sig, s.rules)
	reasons := make([]string, 0, len(res.Reasons))
	for _, r := range res.Reasons {
		reasons = append(reasons, string(r))
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "risk decision", slog.String("audit", "risk.evaluate"),
		slog.String("client", req.client.ID), slog.String("decision", string(res.Decision)),
		slog.String("risk_level", res.RiskLevel), slog.Any("reasons", reasons), slog.Bool("user_known", u != nil))
	return http.StatusOK, map[string]any{
		"decision":        string(res.Decision),
		"risk_level":      res.RiskLevel,
		"score":           res.Score,
		"reasons":         reasons,
		"stepup_required": res.Decision != stepup.Allow,
		"user_known":      u != nil,
	}, nil
}

// signals gathers the policy's inputs; u may be nil (unknown person).
func (s *Server) signals(u *users.User, ip netip.Addr, device string) stepup.Signals {
	now := s.now()
	sig := stepup.Signals{Now: now, SessionAuthTime: now, ClientDefault: stepup.JourneyAuto, Network: netid.Network(ip)}
	if s.geo != nil && ip.IsValid() {
		if c, lat, lon, ok := s.geo.Lookup(ip); ok {
			sig.Location = stepup.Location{Country: strings.ToUpper(c), Lat: lat, Lon: lon, HasCoords: !math.IsNaN(lat) && !math.IsNaN(lon)}
		}
	}
	if u == nil {
		return sig
	}
	sig.Enrolled = u.Enrolled()
	if u.Verified != nil && u.IDVStatus == claims.StatusVerified {
		sig.Verified, sig.VerifiedAt = true, u.Verified.VerifiedAt
		sig.IAL = claims.IALLevel(u.ClaimsIdentity(), now, s.maxAge)
	}
	sig.DeviceKnown = device != "" && slices.Contains(u.Devices, device)
	sig.NetworkKnown = sig.Network != "" && slices.Contains(u.Networks, sig.Network)
	if l := u.Last; l != nil {
		sig.Last = &stepup.Sighting{
			At: l.At, Network: l.Network, DeviceID: l.DeviceID,
			Location: stepup.Location{Country: l.Country, Lat: l.Lat, Lon: l.Lon, HasCoords: l.HasGeo},
		}
	}
	return sig
}
