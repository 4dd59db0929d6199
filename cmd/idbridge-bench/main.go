// Command idbridge-bench is a load generator for an idbridge running on this
// machine. It drives complete logins (authorize with PKCE, waiting page,
// status polling, continue, code, token exchange, userinfo), the token
// endpoint alone, discovery or JWKS, and reports throughput and latency
// percentiles per step.
//
// Complete logins need the simulator in auto-complete mode:
//
//	IDBRIDGE_SIM_AUTO_COMPLETE=true go run ./cmd/idbridge
//	go run ./cmd/idbridge-bench -mode login -concurrency 32 -duration 20s
//
// It refuses any issuer that is not on the loopback interface.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "idbridge-bench:", err)
		}
		os.Exit(2)
	}
}

// run parses the flags, runs the load and prints the report.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "idbridge-bench: %s against %s, %d clients, %s%s\n", opts.Mode, opts.Issuer, opts.Concurrency, opts.Duration, limitText(opts.Requests))
	rep, err := newRunner(opts).run(ctx)
	if err != nil {
		return err
	}
	if opts.JSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	rep.writeTable(stdout)
	return nil
}

func limitText(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", at most %d operations", n)
}
