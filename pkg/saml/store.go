package saml

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	crewjam "github.com/crewjam/saml"

	"github.com/idbridge/idbridge/pkg/storage"
)

// login is a SAML login in flight: what the service provider asked, kept
// from the accepted AuthnRequest (or the IdP-initiated start) until its
// answer is posted. Its id is the state the journey returns.
type login struct {
	ID string `json:"id"`
	// SP is the service provider's short id.
	SP string `json:"sp"`
	// RequestID and IssueInstant are the AuthnRequest's (empty for an
	// IdP-initiated login: the response is unsolicited).
	RequestID    string    `json:"request_id,omitempty"`
	IssueInstant time.Time `json:"issue_instant,omitzero"`
	// ACS is where the response goes, from the service provider's
	// metadata.
	ACS        crewjam.IndexedEndpoint `json:"acs"`
	RelayState string                  `json:"relay_state,omitempty"`
	// Want is what the RequestedAuthnContext accepts.
	Want wanted `json:"want,omitzero"`
	// Force and Passive are ForceAuthn and IsPassive.
	Force   bool `json:"force,omitempty"`
	Passive bool `json:"passive,omitempty"`
	// Browser is a digest of the binding cookie of the browser that
	// brought the request: the login continues only there.
	Browser   string    `json:"browser"`
	CreatedAt time.Time `json:"created_at"`
	// Started: the journey was begun (begin runs once).
	Started bool `json:"started,omitempty"`
}

func loginKey(id string) string { return "saml-login:{" + id + "}" }

// requestKey marks an AuthnRequest ID of a service provider as answered.
func requestKey(entityID, requestID string) string {
	h := sha256.Sum256([]byte(entityID + "\x00" + requestID))
	return "saml-request:{" + hex.EncodeToString(h[:]) + "}"
}

func newToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// errLoginGone: the login expired, was answered, or never existed.
var errLoginGone = errors.New("saml: login expired or already answered")

// errRequestReplayed: an AuthnRequest ID came a second time.
var errRequestReplayed = errors.New("saml: the AuthnRequest was already used")

// accept stores a new login. A solicited one first takes its request ID,
// once across replicas, for as long as the request could be accepted.
func (s *Server) accept(ctx context.Context, l *login, entityID string) error {
	if l.RequestID != "" {
		ttl := crewjam.MaxIssueDelay + 2*s.o.ClockSkew
		err := s.st.Create(ctx, requestKey(entityID, l.RequestID), []byte(l.ID), ttl)
		if errors.Is(err, storage.ErrExists) {
			return errRequestReplayed
		}
		if err != nil {
			return err
		}
	}
	raw, err := json.Marshal(l)
	if err != nil {
		return err
	}
	return s.st.Set(ctx, loginKey(l.ID), raw, s.o.LoginLifetime)
}

// load reads a login in flight.
func (s *Server) load(ctx context.Context, id string) (*login, []byte, error) {
	if id == "" || len(id) > 64 {
		return nil, nil, errLoginGone
	}
	raw, err := s.st.Get(ctx, loginKey(id))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil, errLoginGone
	}
	if err != nil {
		return nil, nil, err
	}
	var l login
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, nil, err
	}
	return &l, raw, nil
}

// markStarted records that the journey of l began, once: a second begin
// (reload, another tab) gets errLoginGone.
func (s *Server) markStarted(ctx context.Context, l *login, old []byte) error {
	l.Started = true
	raw, err := json.Marshal(l)
	if err != nil {
		return err
	}
	ttl := s.o.LoginLifetime - s.now().Sub(l.CreatedAt)
	if ttl <= 0 {
		return errLoginGone
	}
	err = s.st.CompareAndSwap(ctx, loginKey(l.ID), old, raw, ttl)
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrConflict) {
		return errLoginGone
	}
	return err
}

// take removes a login for its answer, once across replicas.
func (s *Server) take(ctx context.Context, id string) (*login, error) {
	if id == "" || len(id) > 64 {
		return nil, errLoginGone
	}
	raw, err := s.st.Take(ctx, loginKey(id))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, errLoginGone
	}
	if err != nil {
		return nil, err
	}
	var l login
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, err
	}
	return &l, nil
}

// replayCache is crewjam's replay cache (LogoutRequest IDs) on the shared
// store: one use across replicas.
type replayCache struct {
	st  storage.Store
	ctx context.Context
}

func (c replayCache) Consume(id string, expiresAt time.Time) error {
	h := sha256.Sum256([]byte(id))
	ttl := time.Until(expiresAt)
	if ttl < time.Second {
		ttl = time.Second
	}
	err := c.st.Create(c.ctx, "saml-replay:{"+hex.EncodeToString(h[:])+"}", []byte{1}, ttl)
	if errors.Is(err, storage.ErrExists) {
		return crewjam.ErrAssertionReplayed
	}
	return err
}
