package api

import (
	"context"
	"errors"

	"github.com/idbridge/idbridge/pkg/claims"
	"github.com/idbridge/idbridge/pkg/users"
)

// idvView is the flat answer of the "1Kosmos IDV Result" node and the data
// of idv.* events: status, ial_level and, for a completed verification,
// verified_claims with flat given_name, family_name and birthdate beside
// it (read from the sealed user record, never from the session record).
func (s *Server) idvView(ctx context.Context, rec session) (map[string]any, error) {
	out := map[string]any{
		"session_id": rec.ID,
		"status":     rec.Status,
		"ial_level":  1,
		"expires_at": rfc3339(rec.ExpiresAt),
	}
	opt(out, "reason", rec.Reason)
	opt(out, "verification", rec.Verification)
	opt(out, "completed_at", rfc3339(rec.CompletedAt))
	opt(out, "return_url", rec.ReturnURL)
	opt(out, "document_type", rec.DocumentType)
	if rec.Status != StatusCompleted || rec.Subject == "" {
		return out, nil
	}
	u, err := s.users.Get(ctx, rec.Subject)
	if errors.Is(err, users.ErrNotFound) {
		out["status"], out["reason"] = StatusFailed, "the person's data was erased"
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	out["sub"] = u.Subject
	id := u.ClaimsIdentity()
	built := claims.Build(id, nil, claims.UserInfo, claims.Options{
		Scopes:             []string{"openid", claims.ScopeIdentityAssurance},
		Now:                s.now(),
		MaxVerificationAge: s.journey.MaxVerificationAge(),
		FlatMirrors:        true,
	})
	for k, v := range built {
		out[k] = v
	}
	return out, nil
}

// challengeView is the flat answer of the "1Kosmos Step-Up Result" node
// and the data of stepup.completed events.
func challengeView(rec session) map[string]any {
	match := rec.MatchResult
	if match == "" {
		match = MatchPending
	}
	out := map[string]any{
		"challenge_id": rec.ID,
		"status":       rec.Status,
		"match_result": match,
		"confidence":   rec.Confidence,
		"expires_at":   rfc3339(rec.ExpiresAt),
	}
	opt(out, "liveness", rec.Liveness)
	opt(out, "reason", rec.Reason)
	opt(out, "completed_at", rfc3339(rec.CompletedAt))
	opt(out, "sub", rec.Subject)
	return out
}

func opt(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}
