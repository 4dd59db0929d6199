package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/idbridge/idbridge/pkg/admin"
	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/policy"
	"github.com/idbridge/idbridge/pkg/storage"
)

// initialPolicy is the policy document the configuration gives: the file
// risk.policy_file, else the risk rules rendered as one.
func initialPolicy(cfg *config.Config) ([]byte, error) {
	if cfg.Risk.PolicyFile != "" {
		b, err := os.ReadFile(cfg.Risk.PolicyFile)
		if err != nil {
			return nil, fmt.Errorf("risk.policy_file: %w", err)
		}
		return b, nil
	}
	global, clients := cfg.StepUpRules()
	return policy.Render(global, clients), nil
}

// buildPolicy compiles the configuration's policy, stores it as the first
// version when the shared store holds none, and returns the live policy
// following the store. When the store cannot be reached now, the
// configuration's policy decides until it can.
func buildPolicy(ctx context.Context, cfg *config.Config, st storage.Store, log *slog.Logger) (*policy.Live, error) {
	global, _ := cfg.StepUpRules()
	opts := policy.Options{Base: global}
	src, err := initialPolicy(cfg)
	if err != nil {
		return nil, err
	}
	initial, err := policy.Parse(src, opts)
	if err != nil {
		what := "risk.rules"
		if cfg.Risk.PolicyFile != "" {
			what = "risk.policy_file " + cfg.Risk.PolicyFile
		}
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	store := policy.NewStore(st, opts, log)
	live := policy.NewLive(store, initial, cfg.Risk.PolicyRefresh, log)
	seedCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	active, err := store.Seed(seedCtx, src)
	if err != nil {
		log.Warn("policy store unreachable; deciding by the configuration's policy until it answers", "error", err)
		return live, nil
	}
	if active.Source != string(src) {
		log.Info("the stored policy is in force; the configuration's risk rules only seed an empty store (idbridge policy apply to change it)", "version", active.Number)
	}
	if _, err := live.Refresh(seedCtx); err != nil {
		log.Warn("loading the stored policy", "error", err)
	}
	return live, nil
}

// buildAdmin builds the policy administration page; hk and bk are the
// session keys, shared by replicas, that sign its cookie.
func buildAdmin(cfg *config.Config, a *app, hk, bk []byte) (*admin.Server, error) {
	secret := ""
	for _, c := range cfg.Clients {
		if c.ID == cfg.Admin.ClientID {
			secret = c.Secret
		}
	}
	return admin.New(admin.Deps{Config: cfg.Admin, Issuer: cfg.Issuer, ClientSecret: secret, HTTPClient: a.self,
		HashKey: hk, BlockKey: bk, Policy: a.policy, Journey: a.journey, Logger: a.log})
}
