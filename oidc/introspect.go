package oidc

import (
	"context"
	"errors"
	"net/http"
	"strings"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/idbridge/idbridge/pkg/storage"
)

// introspect is the token introspection endpoint (RFC 7662). The caller
// authenticates like at the token endpoint (a public client cannot); an
// access token is active only for the client it was issued to and for
// clients configured as resource servers (clients[].resource_server), so
// one relying party cannot read another's users. A missing or failed
// authentication is a JSON invalid_client with 401.
func (p *Provider) introspect(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeOAuthError(w, http.StatusMethodNotAllowed, zoidc.ErrInvalidRequest().WithDescription("the introspection endpoint takes POST with a form body (RFC 7662 2.1)"))
		return
	}
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, zoidc.ErrInvalidRequest().WithDescription("the form body could not be read (at most 64 KiB)"))
		return
	}
	cl, cerr := p.authenticateClient(r)
	if cerr == nil && cl.public() {
		cerr = zoidc.ErrInvalidClient().WithDescription("a public client cannot introspect tokens; authenticate as a confidential client or a resource server")
	}
	if cerr != nil {
		p.clientError(w, cerr)
		return
	}
	token := r.PostForm.Get("token")
	if token == "" {
		writeOAuthError(w, http.StatusBadRequest, zoidc.ErrInvalidRequest().WithDescription("token is missing; send the access token to introspect"))
		return
	}
	resp := &zoidc.IntrospectionResponse{}
	if id, sub, ok := p.accessTokenID(token); ok {
		var err error
		if resp, err = p.introspection(r.Context(), id, sub, cl); err != nil {
			p.tokenUnavailable(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// accessTokenID opens an access token into its id and subject.
func (p *Provider) accessTokenID(token string) (id, sub string, ok bool) {
	plain, err := p.tokenCrypto.Decrypt(token)
	if err != nil {
		return "", "", false
	}
	id, sub, ok = strings.Cut(plain, ":")
	return id, sub, ok && id != "" && !strings.Contains(sub, ":")
}

// introspection describes access token id of subject to the client
// asking: inactive when the token is unknown, expired, revoked or not the
// asker's to see. Errors are storage failures.
func (p *Provider) introspection(ctx context.Context, id, subject string, asker *client) (*zoidc.IntrospectionResponse, error) {
	inactive := &zoidc.IntrospectionResponse{}
	at, err := (&opStorage{p: p}).loadAccess(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return inactive, nil
	}
	if err != nil {
		return nil, err
	}
	if at.Subject != subject || p.now().After(at.ExpiresAt) {
		return inactive, nil
	}
	if at.ClientID != asker.cfg.ID && !asker.cfg.ResourceServer {
		return inactive, nil
	}
	resp := &zoidc.IntrospectionResponse{
		Active: true, Scope: at.Scopes, ClientID: at.ClientID, Subject: at.Subject, TokenType: zoidc.BearerToken,
		Expiration: zoidc.FromTime(at.ExpiresAt), IssuedAt: zoidc.FromTime(at.IssuedAt), Audience: []string{at.ClientID},
		Issuer: p.cfg.Issuer, Claims: map[string]any{"auth_time": at.AuthTime.Unix()},
	}
	if at.ACR != "" {
		resp.Claims["acr"] = at.ACR
	}
	return resp, nil
}

// SetIntrospectionFromToken answers zitadel's introspection with the same
// rules; idbridge serves the endpoint itself (introspect).
func (s *opStorage) SetIntrospectionFromToken(ctx context.Context, resp *zoidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	asker, ok := s.p.clients[clientID]
	if !ok {
		return errors.New("unknown client")
	}
	got, err := s.p.introspection(ctx, tokenID, subject, asker)
	if err != nil {
		return err
	}
	if !got.Active {
		return errors.New("access token inactive for this client")
	}
	*resp = *got
	return nil
}
