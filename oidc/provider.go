// Package oidc is idbridge's OpenID Provider: discovery, JWKS, authorize
// and the login journey through identity verification or LiveID step-up,
// the token endpoint's authorization_code grant, introspection and
// end_session; via zitadel's op package (which only this package imports)
// the refresh_token grant, userinfo and revocation.
package oidc

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/gorilla/sessions"
	"github.com/rs/cors"
	zop "github.com/zitadel/oidc/v3/pkg/op"

	"github.com/idbridge/idbridge/pkg/audit"
	"github.com/idbridge/idbridge/pkg/claims"
	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/journey"
	"github.com/idbridge/idbridge/pkg/locale"
	"github.com/idbridge/idbridge/pkg/metrics"
	"github.com/idbridge/idbridge/pkg/netid"
	"github.com/idbridge/idbridge/pkg/storage"
	"github.com/idbridge/idbridge/pkg/users"
	"github.com/idbridge/idbridge/templates"
)

// Endpoint paths. Relying parties read them from discovery.
const (
	PathAuthorize  = "/authorize"
	PathToken      = "/token"
	PathUserinfo   = "/userinfo"
	PathIntrospect = "/introspect"
	PathRevoke     = "/revoke"
	PathEndSession = "/end_session"
	PathJWKS       = "/jwks"
	PathLogin      = "/login"
)

// Deps are the live dependencies of a Provider.
type Deps struct {
	Config *config.Config
	Store  storage.Store
	// Journey decides who the person is, which check runs and how its
	// result lands; its person store is the provider's.
	Journey  *journey.Core
	Verifier idv.Verifier
	// Sealer protects signing keys at rest, like personal data.
	Sealer users.Sealer
	// CryptoKey encrypts opaque access tokens; every replica shares it.
	CryptoKey [32]byte
	// Cookies holds the browser session cookie (signed and encrypted).
	Cookies sessions.Store
	// DeviceCookies holds the device id cookie: a store that keeps its
	// values in the cookie itself (sessions.CookieStore), so remembering a
	// device costs no storage. Nil uses Cookies.
	DeviceCookies sessions.Store
	// NetID resolves client addresses and countries (trusted proxies,
	// GeoIP); nil trusts no proxy headers.
	NetID *netid.Resolver
	// Metrics records logins and step-up decisions; nil records nothing.
	Metrics *metrics.Metrics
	// InternalClients are the clients of other front doors (one per SAML
	// service provider), which log in through BeginLogin only.
	InternalClients []config.Client
	Logger          *slog.Logger
	Now             func() time.Time
}

// Provider is the OpenID Provider. Build it with New and serve Handler.
type Provider struct {
	cfg      *config.Config
	store    storage.Store
	users    *users.Repo
	journey  *journey.Core
	verifier idv.Verifier
	cookies  sessions.Store
	devices  sessions.Store
	log      *slog.Logger
	now      func() time.Time
	keys     *keyRing
	clients  map[string]*client
	op       *zop.Provider
	// tokenCrypto seals opaque access tokens (zitadel reads them back).
	tokenCrypto *tokenCrypto
	// tokenGate bounds the token requests processed at once.
	tokenGate *gate
	// zitadelToken answers the token requests idbridge leaves to zitadel.
	zitadelToken http.Handler
	pages        *pageSet
	acr          acrPolicy
	netid        *netid.Resolver
	metrics      *metrics.Metrics
	// audit writes the audit trail, with client addresses as configured.
	audit *audit.Log

	discoveryOnce sync.Once
	discoveryJSON []byte
	discoveryErr  error
}

// New builds the provider from its dependencies.
func New(d Deps) (*Provider, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.NetID == nil {
		var err error
		if d.NetID, err = netid.New(netid.Config{}); err != nil {
			return nil, err
		}
	}
	if d.Journey == nil {
		return nil, errors.New("oidc: Journey is required")
	}
	if d.DeviceCookies == nil {
		d.DeviceCookies = d.Cookies
	}
	p := &Provider{
		cfg: d.Config, store: d.Store, users: d.Journey.Users(), journey: d.Journey, verifier: d.Verifier,
		cookies: d.Cookies, devices: d.DeviceCookies, log: d.Logger, now: d.Now,
		keys: newKeyRing(d.Store, d.Sealer, d.Now, d.Config.Keys.RotationPeriod,
			// A retired key stays published while tokens it signed live.
			max(d.Config.Tokens.IDToken, d.Config.Tokens.AccessToken)+time.Hour),
		clients: map[string]*client{},
		acr:     newACRPolicy(d.Config.Assurance.ACRAliases),
		netid:   d.NetID,
		metrics: d.Metrics,
		// A token request should not queue for longer than a client waits.
		tokenGate: newGate(d.Config.TokenSlots(runtime.GOMAXPROCS(0)), 5*time.Second),
	}
	for _, c := range d.Config.Clients {
		cl := &client{cfg: c, idTokenTTL: d.Config.Tokens.IDToken, loginURL: func(id string) string { return PathLogin + "?id=" + id }}
		var err error
		if cl.idTokenClaims, err = c.IDTokenClaims.Request(); err != nil {
			return nil, fmt.Errorf("client %s: id_token_claims: %w", c.ID, err)
		}
		if c.JWKS != "" {
			var set jose.JSONWebKeySet
			if err := json.Unmarshal([]byte(c.JWKS), &set); err != nil {
				return nil, fmt.Errorf("client %s: jwks: %w", c.ID, err)
			}
			cl.jwks = &set
		}
		p.clients[c.ID] = cl
	}
	catalog, err := locale.Load(templates.FS, "locales")
	if err != nil {
		return nil, err
	}
	for _, c := range d.Config.Clients {
		if c.DefaultLocale != "" && !catalog.Supports(c.DefaultLocale) {
			return nil, fmt.Errorf("client %s: default_locale %q is not a language of idbridge's pages (%s)", c.ID, c.DefaultLocale, catalog)
		}
	}
	if err := p.addInternalClients(d.InternalClients, catalog); err != nil {
		return nil, err
	}
	if p.pages, err = parsePages(catalog); err != nil {
		return nil, err
	}
	if p.audit, err = audit.New(d.Logger, d.Config.Log, d.NetID); err != nil {
		return nil, err
	}

	opCfg := &zop.Config{
		CryptoKey:                d.CryptoKey,
		CryptoKeyId:              "k1",
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		AuthMethodPrivateKeyJWT:  true,
		GrantTypeRefreshToken:    true,
		RequestObjectSupported:   false,
		SupportedUILocales:       catalog.Tags(),
		SupportedClaims:          claimsSupported(),
		SupportedScopes:          []string{"openid", "profile", "address", "identity_assurance", "offline_access"},
		DefaultLogoutRedirectURI: "/logged-out",
	}
	tc, err := newTokenCrypto(d.CryptoKey)
	if err != nil {
		return nil, err
	}
	p.tokenCrypto = tc
	opts := []zop.Option{
		zop.WithCrypto(tc),
		zop.WithCustomEndpoints(
			zop.NewEndpoint(PathAuthorize), zop.NewEndpoint(PathToken), zop.NewEndpoint(PathUserinfo),
			zop.NewEndpoint(PathRevoke), zop.NewEndpoint(PathEndSession), zop.NewEndpoint(PathJWKS)),
		zop.WithCustomIntrospectionEndpoint(zop.NewEndpoint(PathIntrospect)),
		zop.WithCORSOptions(clientCORSOptions(allowedOrigins(d.Config.Clients))),
		zop.WithLogger(d.Logger),
	}
	if d.Config.Dev {
		opts = append(opts, zop.WithAllowInsecure())
	}
	issuer := zop.StaticIssuer(d.Config.Issuer)
	p.op, err = zop.NewProvider(opCfg, &opStorage{p: p}, issuer, opts...)
	if err != nil {
		return nil, err
	}
	p.zitadelToken = p.withStoreGuard(p.withTokenClient(p.op))
	return p, nil
}

// Init creates or loads the shared signing keys, so the first request does
// not pay for it and a broken key configuration fails at start.
func (p *Provider) Init(ctx context.Context) error { return p.keys.ensure(ctx) }

// RotateKeys advances the signing key ring now: the next keys start
// signing (force) or only those that are due.
func (p *Provider) RotateKeys(ctx context.Context, force bool) ([]KeyInfo, error) {
	return p.keys.Rotate(ctx, force)
}

// Keys lists the signing key ring.
func (p *Provider) Keys(ctx context.Context) ([]KeyInfo, error) { return p.keys.List(ctx) }

// Run performs the provider's background work until ctx ends: automatic
// key rotation, checked every minute, on one replica at a time.
func (p *Provider) Run(ctx context.Context) {
	p.keys.rotationLoop(ctx, time.Minute, func(err error) {
		p.log.ErrorContext(ctx, "signing key rotation", "error", err)
	})
}

func claimsSupported() []string {
	list, _ := claims.Metadata()["claims_supported"].([]string)
	return list
}

// Handler serves every endpoint of the provider.
func (p *Provider) Handler() http.Handler {
	mux := http.NewServeMux()
	// Browser-based clients call discovery and JWKS from any origin, and
	// the endpoints that take tokens from their registered origins (cors.go).
	public, withCORS := publicCORS().Handler, cors.New(*p.op.CORSOptions()).Handler
	mux.Handle("/.well-known/openid-configuration", public(http.HandlerFunc(p.discovery)))
	mux.HandleFunc(PathAuthorize, p.authorize)
	mux.Handle(PathPAR, p.withAssertionReplayCheck(http.HandlerFunc(p.par)))
	mux.HandleFunc(PathLogin, p.loginStart)
	mux.HandleFunc(PathLogin+"/identify", p.loginIdentify)
	mux.HandleFunc(PathLogin+"/wait", p.loginWait)
	mux.HandleFunc(PathLogin+"/status", p.loginStatus)
	mux.HandleFunc(PathLogin+"/continue", p.loginContinue)
	mux.HandleFunc(PathLogin+"/capture", p.loginCapture)
	mux.HandleFunc(PathLogin+"/qr", p.loginQR)
	mux.HandleFunc(PathLogin+"/handoff", p.loginHandoff)
	mux.HandleFunc(PathLogin+"/cancel", p.loginCancel)
	mux.HandleFunc("/static/", p.static)
	mux.HandleFunc("/logged-out", p.loggedOut)
	mux.Handle(PathToken, withCORS(withNoStore(p.withAssertionReplayCheck(http.HandlerFunc(p.token)))))
	mux.Handle(PathUserinfo, withNoStore(p.withStoreGuard(withBearerChallenge(p.op))))
	mux.Handle(PathIntrospect, withCORS(withNoStore(p.withAssertionReplayCheck(http.HandlerFunc(p.introspect)))))
	mux.Handle(PathRevoke, withNoStore(p.withStoreGuard(p.op)))
	mux.Handle(PathJWKS, public(http.HandlerFunc(p.jwks)))
	mux.HandleFunc(PathEndSession, p.endSession)
	// zitadel serves only the routes above; its others (device
	// authorization, its authorize callback, its own discovery) are not
	// idbridge's and answer 404 like any unknown path.
	mux.HandleFunc("/", p.notFound)
	return p.audit.Middleware(mux)
}

// notFound answers a path idbridge does not serve.
func (p *Provider) notFound(w http.ResponseWriter, r *http.Request) {
	p.errorPage(w, r, http.StatusNotFound, problemNoPage, "There is no page at this address.", "Check the link; relying parties find idbridge's endpoints in its discovery document.")
}

// withTokenClient tells SigningKey which algorithm the authenticating
// client registered for its ID tokens.
func (p *Provider) withTokenClient(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _, ok := r.BasicAuth()
		if !ok {
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			if err := r.ParseForm(); err == nil {
				id = r.PostForm.Get("client_id")
			}
		}
		if c, found := p.clients[id]; found && c.cfg.IDTokenAlg == "ES256" {
			r = r.WithContext(context.WithValue(r.Context(), algKey{}, jose.ES256))
		}
		next.ServeHTTP(w, r)
	})
}

// withBearerChallenge answers a rejected access token with 401 and a
// WWW-Authenticate challenge (RFC 6750 3.1) where zitadel answers 403.
func withBearerChallenge(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&challengeWriter{ResponseWriter: w}, r)
	})
}

type challengeWriter struct{ http.ResponseWriter }

func (c *challengeWriter) WriteHeader(status int) {
	if status == http.StatusUnauthorized || status == http.StatusForbidden {
		c.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="the access token is invalid, expired or revoked"`)
		status = http.StatusUnauthorized
	}
	c.ResponseWriter.WriteHeader(status)
}

func withNoStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Pragma", "no-cache")
		next.ServeHTTP(w, r)
	})
}

func newID() string { return randomToken()[:32] }

func init() {
	// A broken random source must stop the process, not mint weak tokens.
	if _, err := rand.Read(make([]byte, 1)); err != nil {
		panic(err)
	}
}
