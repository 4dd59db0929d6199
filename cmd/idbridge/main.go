// Command idbridge is an OpenID Provider that sends users into 1Kosmos
// identity verification or LiveID step-up and returns identity assurance
// claims. Run it with no arguments to start everything on embedded
// defaults (memory storage, the 1Kosmos simulator in-process, a demo
// client).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `idbridge: OpenID Provider for 1Kosmos identity verification and LiveID step-up

Usage:
  idbridge [serve] [--config FILE]    start the provider (default; no file: embedded dev defaults)
  idbridge simulator [--listen ADDR]  run the 1Kosmos simulator on its own, like a remote tenant
                                      (tenant, keys, curve and --fault-* flags: idbridge simulator --help)
  idbridge check-config --config FILE report every problem of a configuration file
  idbridge keys list|rotate           show or rotate the shared signing keys
  idbridge users forget USER          erase a person's data everywhere (audited)
  idbridge policy apply|list|show|diff|rollback|test
                                      change the step-up policy live on every replica, or test it
  idbridge webhooks dead|replay ID    list dead-lettered webhooks, or send an event again
  idbridge conformance [--issuer URL] run the OpenID conformance checks against a running instance
  idbridge help                       show this help

The configuration file may also be given as IDBRIDGE_CONFIG.
Run 'idbridge COMMAND --help' for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "idbridge:", err)
		}
		os.Exit(2)
	}
}

// run dispatches a subcommand.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	switch {
	case len(args) > 0 && isHelp(args[0]):
		// The command list, not serve's flags: serve is only the default.
		cmd = "help"
	case len(args) > 0 && args[0] != "" && args[0][0] != '-':
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serveCommand(ctx, args, stdout, stderr)
	case "simulator":
		return simulatorCommand(ctx, args, stderr)
	case "check-config":
		return checkConfigCommand(args, stdout, stderr)
	case "keys":
		return keysCommand(ctx, args, stdout, stderr)
	case "users":
		return usersCommand(ctx, args, stdout, stderr)
	case "webhooks":
		return webhooksEntry(ctx, args, stdout, stderr)
	case "policy":
		return policyCommand(ctx, args, stdout, stderr)
	case "conformance":
		return conformanceCommand(ctx, args, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// isHelp reports whether arg asks for help in any of the usual spellings.
func isHelp(arg string) bool {
	switch arg {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

// configPath returns --config, else IDBRIDGE_CONFIG, else "" (embedded).
func configPath(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return os.Getenv("IDBRIDGE_CONFIG")
}
