package simulator

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// proofSigner issues the proof_jwt of a presented document the way the
// public v3 samples show it (FACTS.md section 3): a compact JWS with header
// {alg: HS256, typ: JWT} and payload keys version, document, checks,
// result, connector, aud, iss, jit, ts and iat. The secret is random per
// simulator, so, as with 1Kosmos, a relying party cannot verify it. The
// values are ours and carry no personal data.
type proofSigner struct {
	issuer, audience string
	secret           []byte
}

func newProofSigner(issuer, audience string) *proofSigner {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret) // crypto/rand.Read never fails
	return &proofSigner{issuer: issuer, audience: audience, secret: secret}
}

func (p *proofSigner) sign(docType any, result string, at time.Time) string {
	enc := base64.RawURLEncoding
	header, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	payload, _ := json.Marshal(map[string]any{ // strings, numbers and a string list always marshal
		"version": "v1", "document": docType, "checks": []string{"document_authenticity", "face_liveness", "face_compare"},
		"result": result, "connector": "1kosmos-simulator", "aud": p.audience, "iss": p.issuer,
		"jit": uuid.NewString(), "ts": at.UnixMilli(), "iat": at.Unix(),
	})
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	m := hmac.New(sha256.New, p.secret)
	m.Write([]byte(signing))
	return signing + "." + enc.EncodeToString(m.Sum(nil))
}
