package admin

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"sync"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	httphelper "github.com/zitadel/oidc/v3/pkg/http"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/stepup"
)

// signIn signs administrators in through idbridge itself: an OpenID
// Connect code flow (PKCE, state cookie) of the admin client asking for a
// face check in this authentication.
type signIn struct {
	d      Deps
	cookie *httphelper.CookieHandler

	mu    sync.Mutex
	party rp.RelyingParty
}

func newSignIn(d Deps, secure bool) *signIn {
	opts := []httphelper.CookieHandlerOpt{httphelper.WithPath("/admin")}
	if !secure {
		opts = append(opts, httphelper.WithUnsecure())
	}
	return &signIn{d: d, cookie: httphelper.NewCookieHandler(d.HashKey[:32], d.BlockKey[:32], opts...)}
}

// relyingParty reads idbridge's discovery on first use, so the provider
// may start after the page.
func (o *signIn) relyingParty(ctx context.Context) (rp.RelyingParty, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.party != nil {
		return o.party, nil
	}
	p, err := rp.NewRelyingPartyOIDC(ctx, o.d.Issuer, o.d.Config.ClientID, o.d.ClientSecret, o.d.Issuer+config.AdminCallbackPath,
		[]string{"openid"}, rp.WithPKCE(o.cookie), rp.WithHTTPClient(o.d.HTTPClient))
	if err != nil {
		return nil, err
	}
	o.party = p
	return p, nil
}

func (o *signIn) start(w http.ResponseWriter, r *http.Request) {
	party, err := o.relyingParty(r.Context())
	if err != nil {
		o.d.Logger.ErrorContext(r.Context(), "admin sign-in: discovery failed", "error", err)
		http.Redirect(w, r, PathLogin+"?error="+url.QueryEscape("idbridge's discovery document could not be read; try again"), http.StatusSeeOther)
		return
	}
	rp.AuthURLHandler(randomState, party, rp.WithURLParam("acr_values", stepup.DefaultLiveIDACR+" "+stepup.DefaultIDVACR), rp.WithPromptURLParam("login"))(w, r)
}

// callback finishes a sign-in through idbridge: only a listed subject
// becomes an administrator.
func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	if e := r.URL.Query().Get("error"); e != "" {
		http.Redirect(w, r, PathLogin+"?error="+url.QueryEscape("sign-in refused: "+e), http.StatusSeeOther)
		return
	}
	party, err := s.oidc.relyingParty(r.Context())
	if err != nil {
		http.Redirect(w, r, PathLogin+"?error="+url.QueryEscape("sign-in failed; try again"), http.StatusSeeOther)
		return
	}
	done := func(w http.ResponseWriter, r *http.Request, tokens *zoidc.Tokens[*zoidc.IDTokenClaims], _ string, _ rp.RelyingParty) {
		sub := tokens.IDTokenClaims.Subject
		if !s.allowed(sub) {
			s.d.Logger.WarnContext(r.Context(), "audit", "audit", "admin.signin_failed", "how", "oidc", "sub", sub)
			http.Redirect(w, r, PathLogin+"?error="+url.QueryEscape("you signed in, but you are not an administrator (admin.subjects)"), http.StatusSeeOther)
			return
		}
		s.signedIn(w, r, sub)
	}
	rp.CodeExchangeHandler(done, party)(w, r)
}

func randomState() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
