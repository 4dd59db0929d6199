package simulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// proofSigner issues the proof_jwt of a completed session: an ES256 JWT
// signed with a key generated per simulator. It carries no personal data,
// only what was checked and the verdict.
type proofSigner struct {
	issuer string
	signer jose.Signer
}

func newProofSigner(issuer string) (*proofSigner, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	sg, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: k}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, err
	}
	return &proofSigner{issuer: issuer, signer: sg}, nil
}

func (p *proofSigner) sign(sessionID, userUID, docType, verification string, at time.Time) string {
	claims, _ := json.Marshal(map[string]any{ // a map of strings and an int always marshals
		"iss":          p.issuer,
		"sub":          userUID,
		"sid":          sessionID,
		"documentType": docType,
		"verification": verification,
		"iat":          at.Unix(),
		"simulator":    true,
	})
	obj, err := p.signer.Sign(claims)
	if err != nil {
		return ""
	}
	out, err := obj.CompactSerialize()
	if err != nil {
		return ""
	}
	return out
}
