package oidc

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strings"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
)

// tokenParams are the token request parameters idbridge reads; each may
// appear once (RFC 6749 3.2).
var tokenParams = []string{"grant_type", "code", "redirect_uri", "code_verifier",
	"client_id", "client_secret", "client_assertion", "client_assertion_type", "refresh_token", "scope"}

// tokenResponse is a successful token response (RFC 6749 5.1, OIDC Core
// 3.1.3.3).
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token,omitempty"`
	ExpiresIn    int64  `json:"expires_in"`
	IDToken      string `json:"id_token"`
	Scope        string `json:"scope,omitempty"`
}

// token is the token endpoint. The authorization_code grant, every login's
// last step, is answered here (storage failures are 503 where they
// happen); refresh_token and unsupported grant types go to zitadel, behind
// withStoreGuard. The form was read by withAssertionReplayCheck.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeOAuthError(w, http.StatusMethodNotAllowed, zoidc.ErrInvalidRequest().WithDescription("the token endpoint takes POST with a form body"))
		return
	}
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, zoidc.ErrInvalidRequest().WithDescription("the form body could not be read (at most 64 KiB)"))
		return
	}
	for _, k := range tokenParams {
		if len(r.PostForm[k]) > 1 {
			writeOAuthError(w, http.StatusBadRequest, zoidc.ErrInvalidRequest().WithDescription("%s is repeated; send each parameter once (RFC 6749 3.2)", k))
			return
		}
	}
	if err := p.tokenGate.enter(r.Context()); err != nil {
		p.log.WarnContext(r.Context(), "token request not admitted", "error", err)
		w.Header().Set("Retry-After", "1")
		writeOAuthError(w, http.StatusServiceUnavailable, errTemporarilyUnavailable().WithDescription("idbridge is busy; retry shortly"))
		return
	}
	defer p.tokenGate.leave()
	if r.PostForm.Get("grant_type") != string(zoidc.GrantTypeCode) {
		p.zitadelToken.ServeHTTP(w, r)
		return
	}
	p.exchangeCode(w, r)
}

// exchangeCode redeems an authorization code (RFC 6749 4.1.3, RFC 7636
// 4.6, OIDC Core 3.1.3.2): the client authenticates first, so a wrong
// secret leaves the code to its rightful client; then the code is taken
// exactly once, and it must belong to the client, the redirect_uri and
// the PKCE verifier.
func (p *Provider) exchangeCode(w http.ResponseWriter, r *http.Request) {
	ctx, form := r.Context(), r.PostForm
	cl, cerr := p.authenticateClient(r)
	if cerr != nil {
		p.clientError(w, cerr)
		return
	}
	code, redirectURI := form.Get("code"), form.Get("redirect_uri")
	if code == "" {
		writeOAuthError(w, http.StatusBadRequest, zoidc.ErrInvalidRequest().WithDescription("code is missing; send the code from the authorization response"))
		return
	}
	if redirectURI == "" {
		writeOAuthError(w, http.StatusBadRequest, zoidc.ErrInvalidRequest().WithDescription("redirect_uri is missing; send the redirect_uri of the authorization request"))
		return
	}
	ar, err := p.redeemCode(ctx, code)
	if errors.Is(err, errCodeInvalid) {
		writeOAuthError(w, http.StatusBadRequest, zoidc.ErrInvalidGrant().WithDescription("the code is unknown, expired or already used; start a new login"))
		return
	}
	if err != nil {
		p.tokenUnavailable(w, r, err)
		return
	}
	if gerr := checkCodeGrant(ar, cl, redirectURI, form.Get("code_verifier")); gerr != nil {
		writeOAuthError(w, http.StatusBadRequest, gerr)
		return
	}
	resp, err := p.issueTokens(ctx, cl, ar, code)
	if errors.Is(err, errGrantRevoked) {
		// A concurrent replay of this code revoked the grant meanwhile.
		writeOAuthError(w, http.StatusBadRequest, asOIDCError(err))
		return
	}
	if err != nil {
		p.tokenUnavailable(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// checkCodeGrant checks a redeemed code against the request presenting it.
func checkCodeGrant(ar *authRequest, cl *client, redirectURI, verifier string) *zoidc.Error {
	if ar.ClientID != cl.cfg.ID {
		return zoidc.ErrInvalidGrant().WithDescription("the code was issued to another client")
	}
	if ar.RedirectURI != redirectURI {
		return zoidc.ErrInvalidGrant().WithDescription("redirect_uri differs from the one in the authorization request")
	}
	switch {
	case ar.CodeChallenge == "" && verifier != "":
		// RFC 9700 2.1.1: a verifier without a challenge is refused.
		return zoidc.ErrInvalidGrant().WithDescription("code_verifier sent, but the authorization request had no code_challenge")
	case ar.CodeChallenge == "" && cl.requirePKCE():
		return zoidc.ErrInvalidGrant().WithDescription("this client must use PKCE")
	case ar.CodeChallenge != "" && verifier == "":
		return zoidc.ErrInvalidGrant().WithDescription("code_verifier is missing; send the PKCE verifier of the authorization request")
	case ar.CodeChallenge != "" && !pkceMatches(ar.CodeChallenge, verifier):
		return zoidc.ErrInvalidGrant().WithDescription("code_verifier does not match the code_challenge")
	}
	return nil
}

// pkceMatches checks an S256 challenge (the only method /authorize takes).
func pkceMatches(challenge, verifier string) bool {
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}

// issueTokens stores the access token (and a refresh token when the
// client may refresh and offline_access was granted) and signs the ID
// token.
func (p *Provider) issueTokens(ctx context.Context, cl *client, ar *authRequest, code string) (*tokenResponse, error) {
	s := &opStorage{p: p}
	var (
		tokenID, refresh string
		err              error
	)
	if slices.Contains(ar.Scopes, zoidc.ScopeOfflineAccess) && cl.cfg.RefreshTokens {
		tokenID, refresh, _, err = s.CreateAccessAndRefreshTokens(ctx, ar, "")
	} else {
		tokenID, _, err = s.CreateAccessToken(ctx, ar)
	}
	if err != nil {
		return nil, err
	}
	access, err := p.tokenCrypto.Encrypt(tokenID + ":" + ar.Subject)
	if err != nil {
		return nil, err
	}
	id, err := p.signIDToken(ctx, cl, idTokenFacts{grant: grantOf(ar), nonce: ar.Nonce, accessToken: access, code: code})
	if err != nil {
		return nil, err
	}
	return &tokenResponse{
		AccessToken: access, TokenType: zoidc.BearerToken, RefreshToken: refresh,
		ExpiresIn: int64(p.cfg.Tokens.AccessToken.Seconds()), IDToken: id,
		Scope: strings.Join(ar.Scopes, " "),
	}, nil
}

// clientError answers a failed client authentication: invalid_client is
// 401 with a Basic challenge (RFC 6749 5.2), anything else 400.
func (p *Provider) clientError(w http.ResponseWriter, e *zoidc.Error) {
	if e.ErrorType != zoidc.InvalidClient {
		writeOAuthError(w, http.StatusBadRequest, e)
		return
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="idbridge"`)
	writeOAuthError(w, http.StatusUnauthorized, e)
}

// tokenUnavailable answers a storage or signing failure with 503 (retryable).
func (p *Provider) tokenUnavailable(w http.ResponseWriter, r *http.Request, err error) {
	p.log.ErrorContext(r.Context(), "token endpoint", "error", err)
	w.Header().Set("Retry-After", "5")
	writeOAuthError(w, http.StatusServiceUnavailable, errTemporarilyUnavailable().WithDescription("idbridge's storage is unavailable; retry shortly"))
}
