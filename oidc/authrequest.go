package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
	zop "github.com/zitadel/oidc/v3/pkg/op"

	"github.com/idbridge/idbridge/pkg/storage"
	"github.com/idbridge/idbridge/pkg/users"
)

// Journeys a login can take.
const (
	journeyIDV    = "idv"
	journeyLiveID = "liveid"
)

// authRequest is one authorization request and the login journey that
// answers it. It is kept in the store from /authorize until the code is
// redeemed.
type authRequest struct {
	ID                  string                    `json:"id"`
	CreatedAt           time.Time                 `json:"created_at"`
	ClientID            string                    `json:"client_id"`
	RedirectURI         string                    `json:"redirect_uri"`
	State               string                    `json:"state,omitempty"`
	Nonce               string                    `json:"nonce,omitempty"`
	Scopes              []string                  `json:"scopes"`
	ResponseType        zoidc.ResponseType        `json:"response_type"`
	ResponseMode        zoidc.ResponseMode        `json:"response_mode,omitempty"`
	CodeChallenge       string                    `json:"code_challenge,omitempty"`
	CodeChallengeMethod zoidc.CodeChallengeMethod `json:"code_challenge_method,omitempty"`
	Prompt              []string                  `json:"prompt,omitempty"`
	MaxAge              *uint                     `json:"max_age,omitempty"`
	LoginHint           string                    `json:"login_hint,omitempty"`
	// HintAsserted: login_hint came inside a pushed or signed request of an
	// authenticated client, so it is an assertion, not only a name.
	HintAsserted bool     `json:"hint_asserted,omitempty"`
	HintSubject  string   `json:"hint_sub,omitempty"`
	ACRValues    []string `json:"acr_values,omitempty"`
	ACREssential bool     `json:"acr_essential,omitempty"`
	Claims       string   `json:"claims,omitempty"`
	// UILocales is the ui_locales parameter: the languages the client
	// prefers for the person's pages, most preferred first.
	UILocales string `json:"ui_locales,omitempty"`

	// The journey.
	Journey     string   `json:"journey,omitempty"`
	Check       string   `json:"check,omitempty"` // the journey core's planned check
	Risk        string   `json:"risk,omitempty"`
	Device      string   `json:"device,omitempty"`
	Reasons     []string `json:"reasons,omitempty"`
	BrowserID   string   `json:"browser,omitempty"`
	UserSubject string   `json:"user,omitempty"`     // the person the journey is about, when known
	UserVia     string   `json:"user_via,omitempty"` // how they became known (journey.Source)
	// Assert is an identifier the client asserted, linked to whoever the
	// journey ends with.
	Assert         users.Identifier `json:"assert,omitzero"`
	VerificationID string           `json:"verification,omitempty"`
	VerifyURL      string           `json:"verify_url,omitempty"`
	Handoff        string           `json:"handoff,omitempty"` // the hand-off link's token
	ExpiresAt      time.Time        `json:"expires_at,omitempty"`
	LastStatus     string           `json:"last_status,omitempty"`
	LastPolled     time.Time        `json:"last_polled,omitempty"`

	// The outcome, set when the journey succeeds.
	Subject  string    `json:"sub,omitempty"`
	AuthTime time.Time `json:"auth_time,omitempty"`
	ACR      string    `json:"acr,omitempty"`
	AMR      []string  `json:"amr,omitempty"`
	IsDone   bool      `json:"done,omitempty"`

	// raw is the stored record this one was loaded from: saving it again
	// replaces exactly that record (compare-and-swap), so a stale copy can
	// neither undo a newer change nor bring back a finished request.
	raw []byte
}

var _ zop.AuthRequest = (*authRequest)(nil)

func (a *authRequest) GetID() string                       { return a.ID }
func (a *authRequest) GetACR() string                      { return a.ACR }
func (a *authRequest) GetAMR() []string                    { return a.AMR }
func (a *authRequest) GetAudience() []string               { return []string{a.ClientID} }
func (a *authRequest) GetAuthTime() time.Time              { return a.AuthTime }
func (a *authRequest) GetClientID() string                 { return a.ClientID }
func (a *authRequest) GetNonce() string                    { return a.Nonce }
func (a *authRequest) GetRedirectURI() string              { return a.RedirectURI }
func (a *authRequest) GetResponseType() zoidc.ResponseType { return a.ResponseType }
func (a *authRequest) GetResponseMode() zoidc.ResponseMode { return a.ResponseMode }
func (a *authRequest) GetScopes() []string                 { return a.Scopes }
func (a *authRequest) GetState() string                    { return a.State }
func (a *authRequest) GetSubject() string                  { return a.Subject }
func (a *authRequest) Done() bool                          { return a.IsDone }

func (a *authRequest) GetCodeChallenge() *zoidc.CodeChallenge {
	if a.CodeChallenge == "" {
		return nil
	}
	return &zoidc.CodeChallenge{Challenge: a.CodeChallenge, Method: a.CodeChallengeMethod}
}

func authRequestKey(id string) string { return "authreq:{" + id + "}" }

// codeGrant is what a code stands for, stored under the code itself so
// that redeeming a code is one read and a small decode: the outcome of the
// finished request and what the token request is checked against.
type codeGrant struct {
	ID            string   `json:"id"`
	ClientID      string   `json:"client_id"`
	RedirectURI   string   `json:"redirect_uri"`
	Nonce         string   `json:"nonce,omitempty"`
	CodeChallenge string   `json:"code_challenge,omitempty"` // S256
	Scopes        []string `json:"scopes"`
	Claims        string   `json:"claims,omitempty"`
	Subject       string   `json:"sub"`
	AuthTime      int64    `json:"auth_time_ns"`
	ACR           string   `json:"acr,omitempty"`
	AMR           []string `json:"amr,omitempty"`
}

func (a *authRequest) codeGrant() codeGrant {
	return codeGrant{ID: a.ID, ClientID: a.ClientID, RedirectURI: a.RedirectURI, Nonce: a.Nonce, CodeChallenge: a.CodeChallenge,
		Scopes: a.Scopes, Claims: a.Claims, Subject: a.Subject, AuthTime: a.AuthTime.UnixNano(), ACR: a.ACR, AMR: a.AMR}
}

// authRequest is the finished request a code stands for, as far as the
// token endpoint needs it.
func (g codeGrant) authRequest() *authRequest {
	a := &authRequest{ID: g.ID, ClientID: g.ClientID, RedirectURI: g.RedirectURI, Nonce: g.Nonce, Scopes: g.Scopes, Claims: g.Claims,
		Subject: g.Subject, AuthTime: time.Unix(0, g.AuthTime).UTC(), ACR: g.ACR, AMR: g.AMR, IsDone: true,
		ResponseType: zoidc.ResponseTypeCode}
	if g.CodeChallenge != "" {
		a.CodeChallenge, a.CodeChallengeMethod = g.CodeChallenge, zoidc.CodeChallengeMethodS256
	}
	return a
}

// errAuthRequestGone: the request expired or was already answered.
var errAuthRequestGone = errors.New("the login request has expired or was already completed")

// errAuthRequestTooLarge: a request outgrew maxAuthRequestRecord, which
// the parameter limits of /authorize are meant to make impossible.
var errAuthRequestTooLarge = errors.New("oidc: the login request is too large to store")

// errAuthRequestChanged: another request of the same login (another tab,
// a status poll) changed it since it was loaded.
var errAuthRequestChanged = errors.New("the login request changed meanwhile")

// saveAuthRequest stores a new request, or replaces the one a was loaded
// from: errAuthRequestGone when that one is gone (finished or expired),
// errAuthRequestChanged when it changed meanwhile.
func (p *Provider) saveAuthRequest(ctx context.Context, a *authRequest) error {
	raw, err := json.Marshal(a)
	if err != nil {
		return err
	}
	if len(raw) > maxAuthRequestRecord {
		return errAuthRequestTooLarge
	}
	ttl := p.cfg.Tokens.AuthRequest - p.now().Sub(a.CreatedAt)
	if ttl <= 0 {
		return errAuthRequestGone
	}
	if a.raw == nil {
		err = p.store.Set(ctx, authRequestKey(a.ID), raw, ttl)
	} else {
		err = p.store.CompareAndSwap(ctx, authRequestKey(a.ID), a.raw, raw, ttl)
	}
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return errAuthRequestGone
	case errors.Is(err, storage.ErrConflict):
		return errAuthRequestChanged
	case err != nil:
		return err
	}
	a.raw = raw
	return nil
}

// claim takes a stored request for completion, once: of any number of
// concurrent completions of one login exactly one gets it, and the
// others errAuthRequestGone. A request never stored is the caller's.
func (p *Provider) claim(ctx context.Context, a *authRequest) error {
	if a.raw == nil {
		return nil
	}
	_, err := p.store.Take(ctx, authRequestKey(a.ID))
	if errors.Is(err, storage.ErrNotFound) {
		return errAuthRequestGone
	}
	if err != nil {
		return err
	}
	a.raw = nil
	if a.Handoff != "" {
		// The login is over: its hand-off link goes with it.
		_ = p.store.Delete(ctx, handoffKey(a.Handoff))
	}
	return nil
}

func (p *Provider) loadAuthRequest(ctx context.Context, id string) (*authRequest, error) {
	if id == "" {
		return nil, errAuthRequestGone
	}
	raw, err := p.store.Get(ctx, authRequestKey(id))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, errAuthRequestGone
	}
	if err != nil {
		return nil, err
	}
	var a authRequest
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, err
	}
	a.raw = raw
	return &a, nil
}
