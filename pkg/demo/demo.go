// Package demo is the built-in demo relying party at /demo: a real OpenID
// Connect client (zitadel's rp package, PKCE, state cookie) that signs in
// through idbridge and shows the ID token and userinfo claims it got.
package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"sync"

	"github.com/zitadel/oidc/v3/pkg/client/rp"
	httphelper "github.com/zitadel/oidc/v3/pkg/http"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/idbridge/idbridge/templates"
)

// Config of the demo relying party.
type Config struct {
	Issuer, ClientID, ClientSecret string
	// HTTPClient reaches the issuer (the same process, over loopback).
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// Demo serves /demo, /demo/login and /demo/callback.
type Demo struct {
	cfg    Config
	page   *template.Template
	cookie *httphelper.CookieHandler

	mu sync.Mutex
	rp rp.RelyingParty
}

// New builds the demo. Discovery happens on first use, so the provider may
// start after it.
func New(cfg Config) (*Demo, error) {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	page, err := template.ParseFS(templates.FS, "demo_layout.html", "demo.html")
	if err != nil {
		return nil, err
	}
	hashKey, blockKey := make([]byte, 32), make([]byte, 32)
	_, _ = rand.Read(hashKey)
	_, _ = rand.Read(blockKey)
	opts := []httphelper.CookieHandlerOpt{}
	if len(cfg.Issuer) < 8 || cfg.Issuer[:8] != "https://" {
		opts = append(opts, httphelper.WithUnsecure())
	}
	return &Demo{cfg: cfg, page: page, cookie: httphelper.NewCookieHandler(hashKey, blockKey, opts...)}, nil
}

func (d *Demo) relyingParty(ctx context.Context) (rp.RelyingParty, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.rp != nil {
		return d.rp, nil
	}
	r, err := rp.NewRelyingPartyOIDC(ctx, d.cfg.Issuer, d.cfg.ClientID, d.cfg.ClientSecret,
		d.cfg.Issuer+"/demo/callback", []string{"openid", "profile", "address", "identity_assurance"},
		rp.WithPKCE(d.cookie), rp.WithHTTPClient(d.cfg.HTTPClient))
	if err != nil {
		return nil, err
	}
	d.rp = r
	return r, nil
}

// Handler serves the demo's pages.
func (d *Demo) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/demo", func(w http.ResponseWriter, r *http.Request) {
		d.render(w, http.StatusOK, map[string]any{})
	})
	mux.HandleFunc("/demo/login", d.login)
	mux.HandleFunc("/demo/callback", d.callback)
	mux.HandleFunc("/demo/logo.svg", logo)
	return mux
}

// logoSVG is the demo application's logo, which its client registration
// names as logo_uri: idbridge's pages show it.
const logoSVG = `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40" viewBox="0 0 160 40">` +
	`<rect width="40" height="40" rx="8" fill="#0b5394"/><path d="M10 28 20 10 30 28z" fill="#fff"/>` +
	`<text x="48" y="27" font-family="sans-serif" font-size="18" font-weight="700" fill="#0b5394">Demo Bank</text></svg>`

func logo(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write([]byte(logoSVG))
}

// login starts a sign-in; journey=liveid asks for the LiveID acr and a
// fresh authentication, journey=idv for IAL2 identity proofing.
func (d *Demo) login(w http.ResponseWriter, r *http.Request) {
	party, err := d.relyingParty(r.Context())
	if err != nil {
		d.cfg.Logger.Error("demo: discovery failed", "error", err)
		d.render(w, http.StatusBadGateway, map[string]any{"Error": "The demo could not read idbridge's discovery document: " + err.Error()})
		return
	}
	var params []rp.URLParamOpt
	switch r.URL.Query().Get("journey") {
	case "liveid":
		params = append(params, rp.WithURLParam("acr_values", "urn:idbridge:acr:liveid"), rp.WithPromptURLParam("login"))
	case "idv":
		params = append(params, rp.WithURLParam("acr_values", "urn:idbridge:acr:ial2"),
			rp.WithURLParam("claims", `{"userinfo":{"verified_claims":{"verification":{"trust_framework":null},"claims":{"given_name":null,"family_name":null,"birthdate":null}}}}`))
	}
	rp.AuthURLHandler(randomState, party, params...)(w, r)
}

func (d *Demo) callback(w http.ResponseWriter, r *http.Request) {
	if e := r.URL.Query().Get("error"); e != "" {
		d.render(w, http.StatusOK, map[string]any{"Error": e + ": " + r.URL.Query().Get("error_description")})
		return
	}
	party, err := d.relyingParty(r.Context())
	if err != nil {
		d.render(w, http.StatusBadGateway, map[string]any{"Error": err.Error()})
		return
	}
	show := func(w http.ResponseWriter, r *http.Request, tokens *zoidc.Tokens[*zoidc.IDTokenClaims], state string, _ rp.RelyingParty, info *zoidc.UserInfo) {
		d.render(w, http.StatusOK, map[string]any{"IDToken": pretty(tokens.IDTokenClaims), "UserInfo": pretty(info)})
	}
	rp.CodeExchangeHandler(rp.UserinfoCallback(show), party)(w, r)
}

func (d *Demo) render(w http.ResponseWriter, status int, data map[string]any) {
	var buf bytes.Buffer
	if err := d.page.ExecuteTemplate(&buf, "layout", data); err != nil {
		http.Error(w, "demo page unavailable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

func pretty(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err.Error()
	}
	return string(b)
}

func randomState() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
