package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/idv/onekosmos/envelope"
	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

const simulatorUsage = `Usage: idbridge simulator [flags]

Runs the 1Kosmos simulator on its own, like a remote tenant: point a second
idbridge (idv.type: onekosmos, idv.onekosmos.base_url: the --base-url) or
1Kosmos's own helper libraries at it with the same tenant DNS, community,
license key and dvcID. Flags marked simulator-only have no counterpart in
the real service.

Flags:
`

// simulatorCommand serves a standalone simulator until ctx ends.
func simulatorCommand(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("simulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, simulatorUsage)
		fs.PrintDefaults()
	}
	listen := fs.String("listen", "127.0.0.1:8081", "address to serve the simulated tenant on")
	base := fs.String("base-url", "", "public URL of the simulator (default http://LISTEN)")
	var cfg simulator.Config
	fs.StringVar(&cfg.TenantDNS, "tenant-dns", simulator.DefaultTenantDNS, "tenant DNS name community_info/fetch answers for (the client's tenant_dns)")
	fs.StringVar(&cfg.Community, "community", simulator.DefaultCommunity, "community name within the tenant")
	fs.StringVar(&cfg.LicenseKey, "license-key", simulator.DefaultLicenseKey, "the one license key accepted")
	fs.StringVar(&cfg.DVCID, "dvc-id", simulator.DefaultDVCID, "the one docuverify workflow id (dvcID) accepted")
	fs.StringVar(&cfg.Curve, "curve", envelope.Secp256k1, "curve of every key: secp256k1 or prime256v1")
	fs.DurationVar(&cfg.SessionTTL, "session-ttl", simulator.DefaultSessionTTL, "how long a session may stay unfinished before it is EXPIRED")
	fs.BoolVar(&cfg.AutoComplete, "auto-complete", false, "simulator-only: complete every session at once (load tests)")
	fs.BoolVar(&cfg.Scores, "scores", false, "simulator-only: add invented score and confidence fields to answers")
	var f config.SimulatorFaults
	fs.Float64Var(&f.ErrorRate, "fault-5xx", 0, "simulator-only: share of wire requests answered 503 (0..1)")
	fs.Float64Var(&f.GarbageRate, "fault-garbage", 0, "simulator-only: share of wire requests answered 200 with a body that is not JSON (0..1)")
	fs.Float64Var(&f.DropRate, "fault-drop", 0, "simulator-only: share of wire requests whose connection is dropped without an answer (0..1)")
	fs.DurationVar(&f.Latency, "fault-latency", 0, "simulator-only: delay added to every wire request, e.g. 300ms")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("simulator: unexpected argument %q", fs.Arg(0))
	}
	if err := checkSimulatorFlags(cfg, f); err != nil {
		return err
	}
	if *base == "" {
		*base = "http://" + *listen
	}
	cfg.BaseURL = *base
	cfg.Faults = simulatorFaults(f)
	log := slog.New(slog.NewTextHandler(stderr, nil))
	return simulator.ListenAndServe(ctx, *listen, cfg, log)
}

// checkSimulatorFlags reports every bad flag value at once, with the fix.
func checkSimulatorFlags(cfg simulator.Config, f config.SimulatorFaults) error {
	var problems []string
	if cfg.Curve != envelope.Secp256k1 && cfg.Curve != envelope.Prime256v1 {
		problems = append(problems, fmt.Sprintf("--curve %q: use secp256k1 or prime256v1", cfg.Curve))
	}
	for _, r := range []struct {
		flag string
		v    float64
	}{{"--fault-5xx", f.ErrorRate}, {"--fault-garbage", f.GarbageRate}, {"--fault-drop", f.DropRate}} {
		if r.v < 0 || r.v > 1 || r.v != r.v {
			problems = append(problems, fmt.Sprintf("%s %v: give a probability between 0 and 1", r.flag, r.v))
		}
	}
	if f.Latency < 0 {
		problems = append(problems, fmt.Sprintf("--fault-latency %s: give a duration of 0 or more, e.g. 300ms", f.Latency))
	}
	if cfg.SessionTTL <= 0 {
		problems = append(problems, fmt.Sprintf("--session-ttl %s: give a positive duration, e.g. 10m", cfg.SessionTTL))
	}
	for _, v := range []struct{ flag, v string }{
		{"--tenant-dns", cfg.TenantDNS}, {"--community", cfg.Community}, {"--license-key", cfg.LicenseKey}, {"--dvc-id", cfg.DVCID},
	} {
		if strings.TrimSpace(v.v) == "" {
			problems = append(problems, v.flag+": must not be empty")
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("simulator: %s", strings.Join(problems, "; "))
	}
	return nil
}

// simulatorFaults turns configured faults into the simulator's live
// settings; nil when nothing is injected.
func simulatorFaults(f config.SimulatorFaults) *simulator.Faults {
	if !f.Any() {
		return nil
	}
	faults := &simulator.Faults{}
	faults.Set(simulator.FaultSettings{ErrorRate: f.ErrorRate, GarbageRate: f.GarbageRate, CloseRate: f.DropRate, Latency: f.Latency})
	return faults
}
