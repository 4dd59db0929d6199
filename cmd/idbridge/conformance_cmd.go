package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"

	"github.com/idbridge/idbridge/pkg/conformance"
)

// conformanceCommand runs the conformance checks against a running
// instance and prints a pass/fail table (or JSON). It fails when any check
// fails.
func conformanceCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("conformance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	defIssuer := os.Getenv("IDBRIDGE_ISSUER")
	if defIssuer == "" {
		defIssuer = "http://localhost:8080"
	}
	issuer := fs.String("issuer", defIssuer, "issuer URL of the running instance (default: IDBRIDGE_ISSUER, else http://localhost:8080)")
	client := fs.String("client", "conformance-1", "client id for the logins (client_secret_basic)")
	secret := fs.String("secret", "conformance-secret-1", "secret of -client")
	client2 := fs.String("client2", "conformance-2", "second client id, for client_secret_post (empty: -client)")
	secret2 := fs.String("secret2", "conformance-secret-2", "secret of -client2")
	redirect := fs.String("redirect-uri", conformance.DefaultRedirectURI, "redirect URI registered for both clients (never contacted)")
	plan := fs.String("plan", "all", "plans to run: basic, config, ekyc, or all (comma-separated)")
	only := fs.String("run", "", "run only the checks whose name matches this regular expression")
	asJSON := fs.Bool("json", false, "print machine-readable JSON instead of the table")
	list := fs.Bool("list", false, "list the checks of -plan and exit")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: idbridge conformance [flags]\n\nRuns OpenID Foundation style conformance checks against a running idbridge\nwhose verification backend is the 1Kosmos simulator. Exits non-zero if a check fails.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	plans, err := conformance.ParsePlans(*plan)
	if err != nil {
		return err
	}
	if *list {
		for _, c := range conformance.Checks(plans...) {
			fmt.Fprintf(stdout, "%-7s %-58s %s\n", c.Plan, c.Name, c.Summary)
		}
		return nil
	}
	cfg := conformance.Config{
		Issuer:      *issuer,
		Client:      conformance.Client{ID: *client, Secret: *secret},
		Client2:     conformance.Client{ID: *client2, Secret: *secret2},
		RedirectURI: *redirect,
	}
	if *only != "" {
		if cfg.Only, err = regexp.Compile(*only); err != nil {
			return fmt.Errorf("-run: %w", err)
		}
	}
	if !*asJSON {
		cfg.Progress = func(r conformance.Result) {
			fmt.Fprintf(stderr, "%s %s (%s)\n", r.Status, r.Name, r.Duration.Round(1e6))
		}
	}
	rep, err := conformance.Run(ctx, cfg, plans...)
	if err != nil {
		return err
	}
	if *asJSON {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.WriteTable(stdout)
	}
	if err != nil {
		return err
	}
	if !rep.OK() {
		return fmt.Errorf("%d of %d conformance checks failed", rep.Failed, len(rep.Results))
	}
	return nil
}
