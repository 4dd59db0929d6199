package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/sessions"

	"github.com/idbridge/idbridge/oidc"
	"github.com/idbridge/idbridge/pkg/admin"
	"github.com/idbridge/idbridge/pkg/api"
	"github.com/idbridge/idbridge/pkg/audit"
	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/demo"
	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/onekosmos"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
	"github.com/idbridge/idbridge/pkg/journey"
	"github.com/idbridge/idbridge/pkg/metrics"
	"github.com/idbridge/idbridge/pkg/netid"
	"github.com/idbridge/idbridge/pkg/policy"
	"github.com/idbridge/idbridge/pkg/ratelimit"
	samlidp "github.com/idbridge/idbridge/pkg/saml"
	"github.com/idbridge/idbridge/pkg/seal"
	"github.com/idbridge/idbridge/pkg/storage"
	"github.com/idbridge/idbridge/pkg/storage/memory"
	"github.com/idbridge/idbridge/pkg/storage/redis"
	"github.com/idbridge/idbridge/pkg/storage/sessionstore"
	"github.com/idbridge/idbridge/pkg/users"
)

// app is the running application: every dependency built from the
// configuration, and the HTTP handler that serves them.
type app struct {
	cfg      *config.Config
	log      *slog.Logger
	store    storage.Store
	users    *users.Repo
	journey  *journey.Core
	provider *oidc.Provider
	sim      *simulator.Simulator
	demo     *demo.Demo
	metrics  *metrics.Metrics
	netid    *netid.Resolver
	api      *api.Server
	// saml is the SAML identity provider (nil: no service provider is
	// configured).
	saml *samlidp.Server
	// policy is the live step-up policy, following the shared store.
	policy *policy.Live
	// admin is the policy administration page (nil: not configured).
	admin *admin.Server
	// self reaches idbridge's own URL (in-process simulator, demo).
	self *http.Client
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// build turns the file configuration into live dependencies.
func build(ctx context.Context, cfg *config.Config, log *slog.Logger) (*app, error) {
	a := &app{cfg: cfg, log: log, metrics: metrics.New()}
	var err error
	if a.self, err = selfClient(cfg); err != nil {
		return nil, err
	}
	if a.store, err = buildStore(cfg); err != nil {
		return nil, err
	}
	sealer, err := buildSealer(cfg, log)
	if err != nil {
		return nil, err
	}
	hashKey, err := keyOrRandom(cfg.PersonData.HashKey, "personal_data.hash_key", log)
	if err != nil {
		return nil, err
	}
	repo := users.New(a.store, sealer, users.Options{HashKey: hashKey, Retention: cfg.PersonData.Retention})
	a.users = repo
	verifier, err := a.buildVerifier(cfg)
	if err != nil {
		return nil, err
	}
	verifier = timedVerifier{next: verifier, m: a.metrics}
	crypto, err := keyOrRandom(cfg.Keys.CryptoKey, "keys.crypto_key", log)
	if err != nil {
		return nil, err
	}
	hk, err := keyOrRandom(cfg.Session.HashKey, "session.hash_key", log)
	if err != nil {
		return nil, err
	}
	bk, err := keyOrRandom(cfg.Session.BlockKey, "session.block_key", log)
	if err != nil {
		return nil, err
	}
	var cryptoKey [32]byte
	copy(cryptoKey[:], crypto)
	resolver, err := buildNetID(cfg)
	if err != nil {
		return nil, err
	}
	a.netid = resolver
	if a.policy, err = buildPolicy(ctx, cfg, a.store, log); err != nil {
		return nil, err
	}
	a.journey, err = journey.New(journey.Options{
		Users: repo, Rules: cfg.Risk.Rules.StepUp(cfg.Assurance.MaxVerificationAge), Policy: a.policy,
		MaxVerificationAge: cfg.Assurance.MaxVerificationAge, Locate: resolver.Locate, Logger: log, AuditAttr: audit.Attr,
	})
	if err != nil {
		return nil, err
	}
	a.provider, err = oidc.New(oidc.Deps{
		Config: cfg, Store: a.store, Journey: a.journey, Verifier: verifier, Sealer: sealer,
		CryptoKey: cryptoKey, Cookies: sessionstore.New(a.store, "browser-session:", hk, bk[:32], sessions.Options{Path: "/", MaxAge: int(cfg.Session.Lifetime.Seconds()), HttpOnly: true, Secure: strings.HasPrefix(cfg.Issuer, "https://"), SameSite: http.SameSiteLaxMode}),
		DeviceCookies: sessions.NewCookieStore(hk, bk[:32]), NetID: resolver, Metrics: a.metrics, Logger: log,
		InternalClients: samlClients(cfg),
	})
	if err != nil {
		return nil, err
	}
	if len(cfg.SAML.ServiceProviders) > 0 {
		o, err := samlOptions(cfg, hashKey)
		if err != nil {
			return nil, err
		}
		a.saml, err = samlidp.New(samlidp.Deps{Options: o, Store: a.store, Journey: a.journey, Front: a.provider, Logger: log,
			ClientIP: func(r *http.Request) string { return resolver.Client(r).IP.String() }})
		if err != nil {
			return nil, err
		}
	}
	auditLog, err := audit.New(log, cfg.Log, resolver)
	if err != nil {
		return nil, err
	}
	a.api, err = api.New(api.Deps{Config: apiOptions(cfg.API), Issuer: cfg.Issuer, Store: a.store, Journey: a.journey, Verifier: verifier, Logger: log, Sealer: sealer, NetID: resolver, Audit: auditLog})
	if err != nil {
		return nil, err
	}
	// Every owner of records about a person, for Forget.
	a.journey.Register("oidc", a.provider)
	a.journey.Register("api", a.api)
	a.journey.Register("policy", a.policy.Store())
	initCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := a.provider.Init(initCtx); err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	if cfg.Admin.Enabled {
		if a.admin, err = buildAdmin(cfg, a, hk, bk); err != nil {
			return nil, err
		}
	}
	if cfg.Demo.Enabled {
		for _, c := range cfg.Clients {
			if c.ID == cfg.Demo.ClientID {
				a.demo, err = demo.New(demo.Config{Issuer: cfg.Issuer, ClientID: c.ID, ClientSecret: c.Secret, HTTPClient: a.self, Logger: log})
				if err != nil {
					return nil, err
				}
			}
		}
	}
	return a, nil
}

func buildStore(cfg *config.Config) (storage.Store, error) {
	if cfg.Storage.Type == "redis" {
		r := cfg.Storage.Redis
		return redis.New(redis.Config{Addrs: r.Addrs, Username: r.Username, Password: r.Password, DB: r.DB, MasterName: r.MasterName, KeyPrefix: r.KeyPrefix, TLS: r.TLS,
			DialTimeout: r.Timeout, ReadTimeout: r.Timeout, WriteTimeout: r.Timeout, MaxRetries: r.MaxRetries})
	}
	return memory.New(), nil
}

// buildNetID resolves client addresses behind the configured proxies.
func buildNetID(cfg *config.Config) (*netid.Resolver, error) {
	nc := netid.Config{TrustedProxies: cfg.Risk.TrustedProxies, CountryHeader: cfg.Risk.CountryHeader}
	switch {
	case cfg.Risk.GeoIPMMDB != "":
		geo, err := netid.LoadMMDB(cfg.Risk.GeoIPMMDB)
		if err != nil {
			return nil, fmt.Errorf("risk.geoip_mmdb: %w", err)
		}
		nc.GeoIP = geo
	case cfg.Risk.GeoIPCSV != "":
		geo, err := netid.LoadCSVFile(cfg.Risk.GeoIPCSV)
		if err != nil {
			return nil, fmt.Errorf("risk.geoip_csv: %w", err)
		}
		nc.GeoIP = geo
	}
	return netid.New(nc)
}

func buildSealer(cfg *config.Config, log *slog.Logger) (*seal.Sealer, error) {
	if len(cfg.PersonData.Keys) == 0 {
		log.Warn("personal_data.keys not set: generated a key for this process (dev only; data sealed now cannot be read after a restart)")
		secret := make([]byte, 32)
		_, _ = rand.Read(secret)
		return seal.New(seal.Key{ID: "dev", Secret: secret})
	}
	keys := make([]seal.Key, 0, len(cfg.PersonData.Keys))
	for i, s := range cfg.PersonData.Keys {
		k, err := seal.ParseKey(s)
		if err != nil {
			return nil, fmt.Errorf("personal_data.keys[%d]: %w", i, err)
		}
		keys = append(keys, k)
	}
	return seal.New(keys[0], keys[1:]...)
}

// keyOrRandom decodes a configured base64 key, or makes one in dev.
func keyOrRandom(v, field string, log *slog.Logger) ([]byte, error) {
	if v != "" {
		b, err := config.DecodeKey(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
		}
		return b, nil
	}
	log.Debug(field + " not set: generated one for this process (dev only)")
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b, nil
}

// buildVerifier returns the 1Kosmos client for a real tenant, or the
// in-process simulator (by default reached through the real client over
// HTTP, so the wire protocol runs even in dev).
func (a *app) buildVerifier(cfg *config.Config) (idv.Verifier, error) {
	if cfg.IDV.Type == "onekosmos" {
		k := cfg.IDV.OneKosmos
		return onekosmos.New(onekosmos.Config{
			BaseURL: k.BaseURL, TenantDNS: k.TenantDNS, Community: k.Community, LicenseKey: k.LicenseKey,
			DVCID: k.DVCID, Curve: k.Curve, PrivateKey: k.PrivateKey, Timeout: k.Timeout, Retries: k.Retries, SessionTTL: cfg.IDV.SessionTTL, Logger: a.log,
		})
	}
	base := cfg.Issuer + "/simulator"
	sim, err := simulator.New(simulator.Config{BaseURL: base, AutoComplete: cfg.IDV.Simulator.AutoComplete, Scores: cfg.IDV.Simulator.Scores, SessionTTL: cfg.IDV.SessionTTL, Faults: simulatorFaults(cfg.IDV.Simulator.Faults)})
	if err != nil {
		return nil, err
	}
	a.sim = sim
	if cfg.IDV.Simulator.Client == "direct" {
		return sim, nil
	}
	return onekosmos.New(onekosmos.Config{
		BaseURL: base, TenantDNS: sim.TenantDNS(), Community: sim.Community(), LicenseKey: sim.LicenseKey(), DVCID: sim.DVCID(), SessionTTL: cfg.IDV.SessionTTL, HTTPClient: a.self, Logger: a.log,
	})
}

func (a *app) Close() error { return a.store.Close() }

// keyspaces lists every kind of record the application stores, with its
// owner.
func (a *app) keyspaces() []storage.Keyspace {
	var all []storage.Keyspace
	for _, ks := range [][]storage.Keyspace{users.Keyspaces, oidc.Keyspaces, api.Keyspaces, ratelimit.Keyspaces, policy.Keyspaces, samlidp.Keyspaces} {
		all = append(all, ks...)
	}
	return all
}

// Run performs background work until ctx ends: key rotation, and the age
// of the signing keys for metrics.
func (a *app) Run(ctx context.Context) {
	go a.provider.Run(ctx)
	go a.policy.Run(ctx)
	go func() {
		if err := a.api.Run(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("connector API background work stopped", "error", err)
		}
	}()
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if infos, err := a.provider.Keys(ctx); err == nil {
			for _, k := range infos {
				if k.State == oidc.KeyCurrent {
					a.metrics.KeyAge(k.Algorithm, time.Since(k.ActivatesAt))
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
