package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/users"
)

// adminApp loads the configuration named by the flags and builds the
// application without serving it, for operator commands that act on the
// shared store (meaningful with storage type redis).
func adminApp(ctx context.Context, name string, args []string, stderr io.Writer) (*app, *flag.FlagSet, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration file (default: IDBRIDGE_CONFIG, else the embedded dev configuration)")
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	cfg, err := config.Load(configPath(*path))
	if err != nil {
		return nil, nil, err
	}
	a, err := build(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return nil, nil, err
	}
	return a, fs, nil
}

const keysUsage = "usage: idbridge keys list|rotate [--config FILE]\n  list    show the signing key ring (next, current, previous per algorithm)\n  rotate  make the next keys sign now and publish fresh next keys\n"

func keysCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "rotate") {
		fmt.Fprint(stderr, keysUsage)
		return errors.New("keys: say list or rotate")
	}
	a, _, err := adminApp(ctx, "keys "+args[0], args[1:], stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	list := a.provider.Keys
	if args[0] == "rotate" {
		if _, err := a.provider.RotateKeys(ctx, true); err != nil {
			return err
		}
		a.log.Info("audit", slog.String("audit", "keys.rotate"))
	}
	infos, err := list(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KID\tALG\tSTATE\tCREATED\tACTIVATES\tRETIRED")
	for _, k := range infos {
		retired := "-"
		if !k.RetiredAt.IsZero() {
			retired = k.RetiredAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Algorithm, k.State, k.CreatedAt.UTC().Format(time.RFC3339), k.ActivatesAt.UTC().Format(time.RFC3339), retired)
	}
	return tw.Flush()
}

const usersUsage = "usage: idbridge users forget USER [--config FILE]\n  USER is the subject (u_...) or an identifier a relying party knows the person by\n"

func usersCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) < 2 || args[0] != "forget" {
		fmt.Fprint(stderr, usersUsage)
		return errors.New("users: say forget USER")
	}
	who := args[1]
	a, _, err := adminApp(ctx, "users forget", args[2:], stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.users.Get(ctx, who)
	if errors.Is(err, users.ErrNotFound) {
		u, err = a.users.FindByIdentifier(ctx, who)
	}
	if errors.Is(err, users.ErrNotFound) {
		return fmt.Errorf("users forget: no user has the subject or identifier %q", who)
	}
	if err != nil {
		return err
	}
	if err := a.forget(ctx, u.Subject); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "forgot %s\n", u.Subject)
	return nil
}

// webhooksEntry runs `idbridge webhooks ...` on the configured store.
func webhooksEntry(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	n := 0
	for n < len(args) && !strings.HasPrefix(args[n], "-") {
		n++
	}
	if n == 0 {
		return webhooksCommand(ctx, nil, nil, stdout, stderr)
	}
	a, _, err := adminApp(ctx, "webhooks", args[n:], stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	return webhooksCommand(ctx, a.store, args[:n], stdout, stderr)
}
