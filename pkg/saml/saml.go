// Package saml is idbridge's SAML 2.0 identity provider: a front door
// that translates SAML (metadata, SP-initiated and optional IdP-initiated
// single sign-on, SP-initiated single logout) into the same browser login
// the OpenID Provider runs, and its outcome into a signed assertion. The
// protocol is github.com/crewjam/saml's; nothing here signs XML by hand.
//
// A login goes: /saml/sso checks and stores the AuthnRequest (its ID is
// taken once across replicas) and sends the browser to /saml/begin, which
// asks the Front (idbridge's OpenID Provider, through an internal client
// per service provider) to run the journey: silent SSO, risk, identity
// verification or LiveID, on the provider's own pages. The journey ends at
// /saml/resume with a single-use code, which is redeemed for who
// authenticated and how; the assertion is built from the person record
// (pkg/users) and the claims engine (pkg/claims), released per the
// service provider's attribute policy, signed with the RSA key of the
// shared signing key ring, and posted to the assertion consumer service.
//
// The package does not import oidc/ or pkg/config: cmd/idbridge builds its
// Options and hands it the provider as a Front.
package saml

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	crewjam "github.com/crewjam/saml"

	"github.com/idbridge/idbridge/pkg/journey"
	"github.com/idbridge/idbridge/pkg/storage"
)

// Paths of the identity provider, below the issuer.
const (
	PathMetadata     = "/saml/metadata"
	PathSSO          = "/saml/sso"
	PathBegin        = "/saml/begin"
	PathResume       = "/saml/resume"
	PathSLO          = "/saml/slo"
	PathIDPInitiated = "/saml/idp-initiated"
)

// Front runs browser logins on idbridge's pages and owns the signing keys
// and the SSO session: *oidc.Provider is one.
type Front interface {
	// BeginLogin runs the journey for an internal client; the browser
	// ends at PathResume with code and state, or error and state.
	BeginLogin(w http.ResponseWriter, r *http.Request, req journey.LoginRequest)
	// RedeemLogin takes such a code once; journey.ErrLoginGone when it is
	// unknown, used or another client's.
	RedeemLogin(ctx context.Context, code, client string) (journey.Authentication, error)
	// EndBrowserSession ends this browser's SSO session when its person
	// is one belongs accepts.
	EndBrowserSession(w http.ResponseWriter, r *http.Request, client string, belongs func(sub string) bool) (bool, error)
	// SigningCertificates returns the signing key now in use with its
	// certificate, and the certificates of every published key.
	SigningCertificates(ctx context.Context) (tls.Certificate, []*x509.Certificate, error)
	// PostForm answers with the page that posts params to action.
	PostForm(w http.ResponseWriter, r *http.Request, client, uiLocales, action string, params url.Values)
	// ErrorPage shows the error page (problems: bad_request, expired,
	// completed, other_browser, unavailable, method, too_large,
	// internal).
	ErrorPage(w http.ResponseWriter, r *http.Request, client string, status int, problem, detail, fix string)
}

// Options are the identity provider's settings.
type Options struct {
	// Issuer is idbridge's public base URL; the entity id is
	// Issuer+PathMetadata.
	Issuer string
	// ServiceProviders may sign in.
	ServiceProviders []ServiceProvider
	// IAL2Class and LiveIDClass are the AuthnContextClassRef values of the
	// journeys.
	IAL2Class, LiveIDClass string
	// ACRAliases maps further requested class names to idbridge's own acr
	// values (assurance.acr_aliases).
	ACRAliases map[string]string
	// ClockSkew bounds how far apart clocks may be (default 60s).
	ClockSkew time.Duration
	// AssertionLifetime is how long an assertion may be accepted (default
	// 5m).
	AssertionLifetime time.Duration
	// LoginLifetime is how long a login may take from the request to the
	// answer (tokens.auth_request; default 15m).
	LoginLifetime time.Duration
	// PairwiseKey keys the pairwise NameIDs (at least 32 bytes, shared by
	// every replica, never changed: a new key gives everyone new NameIDs).
	PairwiseKey []byte
	// SecureCookies marks the browser binding cookie Secure (https).
	SecureCookies bool
}

// ServiceProvider is one service provider's settings.
type ServiceProvider struct {
	// ID is its short name; Client the internal client its logins run as.
	ID, Client string
	// EntityID is its entity id; with Metadata it must match (or is taken
	// from it when empty).
	EntityID string
	// Metadata is its SAML metadata (an EntityDescriptor), or nil.
	Metadata []byte
	// ACSURLs are its assertion consumer services (HTTP-POST) without
	// metadata, or the only ones of its metadata that are used.
	ACSURLs []string
	// SLOURL is its single logout service (HTTP-Redirect) without
	// metadata.
	SLOURL string
	// Certificate (PEM) verifies its signed requests without metadata.
	Certificate string
	// RequireSignedRequests refuses unsigned AuthnRequests.
	RequireSignedRequests bool
	// EncryptAssertions encrypts assertions to the encryption key its
	// metadata publishes, if any.
	EncryptAssertions bool
	// NameID is "persistent" or "email"; EmailDomain the domain of email
	// NameIDs.
	NameID, EmailDomain string
	// Attributes are the attribute names released (see Attributes).
	Attributes []string
	// IDPInitiated allows unsolicited responses started at
	// PathIDPInitiated.
	IDPInitiated bool
}

// Deps are the live dependencies of a Server.
type Deps struct {
	Options Options
	Store   storage.Store
	// Journey gives the person store and the verification age the
	// attributes are built with.
	Journey *journey.Core
	Front   Front
	// ClientIP is the client's address as idbridge trusts it (behind
	// risk.trusted_proxies); nil uses the peer address.
	ClientIP func(*http.Request) string
	Logger   *slog.Logger
	Now      func() time.Time
}

// Server is the SAML identity provider. It is safe for concurrent use.
type Server struct {
	o        Options
	st       storage.Store
	journey  *journey.Core
	front    Front
	clientIP func(*http.Request) string
	log      *slog.Logger
	now      func() time.Time
	sps      *registry
}

// New builds the identity provider; every service provider's metadata is
// parsed now, so a broken one stops the start.
func New(d Deps) (*Server, error) {
	o := d.Options
	if d.Store == nil || d.Journey == nil || d.Front == nil {
		return nil, errors.New("saml: Store, Journey and Front are required")
	}
	if len(o.PairwiseKey) < 32 {
		return nil, errors.New("saml: PairwiseKey must have at least 32 bytes")
	}
	if o.ClockSkew == 0 {
		o.ClockSkew = time.Minute
	}
	if o.AssertionLifetime == 0 {
		o.AssertionLifetime = 5 * time.Minute
	}
	if o.LoginLifetime == 0 {
		o.LoginLifetime = 15 * time.Minute
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.ClientIP == nil {
		d.ClientIP = func(r *http.Request) string { return hostOf(r.RemoteAddr) }
	}
	sps, err := newRegistry(o.ServiceProviders)
	if err != nil {
		return nil, err
	}
	return &Server{o: o, st: d.Store, journey: d.Journey, front: d.Front, clientIP: d.ClientIP, log: d.Logger, now: d.Now, sps: sps}, nil
}

// Handler serves the identity provider's paths.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(PathMetadata, s.metadata)
	mux.HandleFunc(PathSSO, s.sso)
	mux.HandleFunc(PathBegin, s.begin)
	mux.HandleFunc(PathResume, s.resume)
	mux.HandleFunc(PathSLO, s.slo)
	mux.HandleFunc(PathIDPInitiated, s.idpInitiated)
	mux.HandleFunc("/saml/", func(w http.ResponseWriter, r *http.Request) {
		s.front.ErrorPage(w, r, "", http.StatusNotFound, "bad_request", "There is no SAML endpoint at "+r.URL.Path+".", "Use the endpoints of idbridge's SAML metadata ("+PathMetadata+").")
	})
	return mux
}

// EntityID is the identity provider's entity id.
func (s *Server) EntityID() string { return s.o.Issuer + PathMetadata }

// idp is crewjam's identity provider with the signing key in use now;
// built per request, so a rotated key signs at once on every replica.
func (s *Server) idp(ctx context.Context) (*crewjam.IdentityProvider, error) {
	current, published, err := s.front.SigningCertificates(ctx)
	if err != nil {
		return nil, err
	}
	base, err := url.Parse(s.o.Issuer)
	if err != nil {
		return nil, err
	}
	at := func(p string) url.URL { return *base.JoinPath(p) }
	var extra []*x509.Certificate
	for _, c := range published {
		if !c.Equal(current.Leaf) {
			extra = append(extra, c)
		}
	}
	valid := 24 * time.Hour
	return &crewjam.IdentityProvider{
		Key:                     current.PrivateKey,
		Certificate:             current.Leaf,
		ExtraCertificates:       extra,
		Logger:                  slogLogger{s.log},
		MetadataURL:             at(PathMetadata),
		SSOURL:                  at(PathSSO),
		LogoutURL:               at(PathSLO),
		ServiceProviderProvider: s.sps,
		SignatureMethod:         "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
		ValidDuration:           &valid,
		NameIDFormats:           []crewjam.NameIDFormat{crewjam.PersistentNameIDFormat, crewjam.EmailAddressNameIDFormat},
		LogoutBindings:          []string{crewjam.HTTPRedirectBinding},
		ReplayCache:             replayCache{st: s.st, ctx: ctx},
		RejectSHA1Signatures:    true,
	}, nil
}

// Keyspaces are the records the identity provider owns. None names a
// person: a login in flight holds the request, not who answers it.
var Keyspaces = []storage.Keyspace{
	{Prefix: "saml-login:", Owner: "saml"},
	{Prefix: "saml-request:", Owner: "saml"},
	{Prefix: "saml-replay:", Owner: "saml"},
}

// slogLogger is crewjam's logger on the application's (debug level:
// idbridge logs what it refuses itself).
type slogLogger struct{ l *slog.Logger }

func (s slogLogger) say(msg string)                 { s.l.Debug("saml library", "detail", msg) }
func (s slogLogger) Printf(format string, v ...any) { s.say(fmt.Sprintf(format, v...)) }
func (s slogLogger) Print(v ...any)                 { s.say(fmt.Sprint(v...)) }
func (s slogLogger) Println(v ...any)               { s.say(fmt.Sprint(v...)) }
func (s slogLogger) Fatal(v ...any)                 { s.say(fmt.Sprint(v...)) }
func (s slogLogger) Fatalf(format string, v ...any) { s.say(fmt.Sprintf(format, v...)) }
func (s slogLogger) Fatalln(v ...any)               { s.say(fmt.Sprint(v...)) }
func (s slogLogger) Panic(v ...any)                 { s.say(fmt.Sprint(v...)) }
func (s slogLogger) Panicf(format string, v ...any) { s.say(fmt.Sprintf(format, v...)) }
func (s slogLogger) Panicln(v ...any)               { s.say(fmt.Sprint(v...)) }
