package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/journey"
	"github.com/idbridge/idbridge/pkg/locale"
)

// LoginRequest is what another front door asks of a browser login through
// idbridge's pages (see journey.LoginRequest).
type LoginRequest = journey.LoginRequest

// Authentication is the outcome of such a login (see
// journey.Authentication).
type Authentication = journey.Authentication

// addInternalClients registers the clients of other front doors (one per
// SAML service provider). They run logins through BeginLogin only: the
// authorization, pushed authorization and token endpoints refuse them.
func (p *Provider) addInternalClients(cs []config.Client, catalog *locale.Catalog) error {
	for _, c := range cs {
		if _, dup := p.clients[c.ID]; dup {
			return fmt.Errorf("internal client %s: the id is already a configured client's", c.ID)
		}
		if len(c.RedirectURIs) != 1 {
			return fmt.Errorf("internal client %s: exactly one return address is needed", c.ID)
		}
		if c.DefaultLocale != "" && !catalog.Supports(c.DefaultLocale) {
			return fmt.Errorf("internal client %s: default_locale %q is not a language of idbridge's pages (%s)", c.ID, c.DefaultLocale, catalog)
		}
		p.clients[c.ID] = &client{cfg: c, internal: true, idTokenTTL: p.cfg.Tokens.IDToken,
			loginURL: func(id string) string { return PathLogin + "?id=" + id }}
	}
	return nil
}

// BeginLogin starts a browser login for an internal client, as /authorize
// starts one for a relying party: the SSO session answers when it
// satisfies everything asked (and the risk policy allows), Passive fails
// without interaction, otherwise the person goes through the waiting page
// and the check the journey core chooses. The browser ends at the client's
// return address with code and state (and iss), or with error,
// error_description and state. A client that is not internal gets an error
// page: that is a wiring mistake, not the person's.
func (p *Provider) BeginLogin(w http.ResponseWriter, r *http.Request, req LoginRequest) {
	cl, ok := p.clients[req.Client]
	if !ok || !cl.internal {
		p.errorPage(w, r, http.StatusInternalServerError, problemInternal, "BeginLogin was called for "+req.Client+", which is not an internal client.", "Register the service provider's client with Deps.InternalClients.")
		return
	}
	var prompt []string
	if req.Fresh {
		prompt = append(prompt, zoidc.PromptLogin)
	}
	if req.Passive {
		prompt = append(prompt, zoidc.PromptNone)
	}
	a := &authRequest{
		ID: newID(), CreatedAt: p.now(), ClientID: cl.cfg.ID, RedirectURI: cl.cfg.RedirectURIs[0], State: req.State,
		Scopes: []string{zoidc.ScopeOpenID}, ResponseType: zoidc.ResponseTypeCode, Prompt: prompt,
		ACRValues: slices.Clone(req.ACR), ACREssential: req.ACREssential && len(req.ACR) > 0, UILocales: req.UILocales,
	}
	if e := checkRecordSize(a); e != nil {
		p.redirectError(w, r, a.response(), e)
		return
	}
	p.proceed(w, r, a)
}

// RedeemLogin takes the code a login of the internal client clientID
// ended with, once across replicas, and returns what it established. A
// code that is unknown, expired, used, or issued to any other client is
// journey.ErrLoginGone (and is used up); other errors are storage
// failures.
func (p *Provider) RedeemLogin(ctx context.Context, code, clientID string) (Authentication, error) {
	cl, ok := p.clients[clientID]
	if !ok || !cl.internal || code == "" {
		return Authentication{}, journey.ErrLoginGone
	}
	ar, err := p.redeemCode(ctx, code)
	if errors.Is(err, errCodeInvalid) {
		return Authentication{}, journey.ErrLoginGone
	}
	if err != nil {
		return Authentication{}, err
	}
	if ar.ClientID != clientID {
		return Authentication{}, journey.ErrLoginGone
	}
	return Authentication{Subject: ar.Subject, ACR: ar.ACR, AMR: slices.Clone(ar.AMR), AuthTime: ar.AuthTime}, nil
}
