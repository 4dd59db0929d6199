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
	"github.com/idbridge/idbridge/pkg/journey"
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

const usersUsage = "usage: idbridge users forget USER [--namespace NS] [--config FILE]\n" +
	"  USER is the subject (u_...) or an identifier a relying party knows the person by;\n" +
	"  an identifier is looked up in NS, or in every configured namespace (it must name one person)\n"

func usersCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) < 2 || args[0] != "forget" {
		fmt.Fprint(stderr, usersUsage)
		return errors.New("users: say forget USER")
	}
	who := args[1]
	fs := flag.NewFlagSet("users forget", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ns := fs.String("namespace", "", "the identifier namespace (clients[].identifier_namespace or api.clients[].identifier_namespace)")
	cfgPath := fs.String("config", "", "configuration file (default: IDBRIDGE_CONFIG, else the embedded dev configuration)")
	if err := fs.Parse(args[2:]); err != nil {
		return err
	}
	a, _, err := adminApp(ctx, "users forget", []string{"--config", *cfgPath}, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	sub, err := a.resolvePerson(ctx, who, *ns)
	if err != nil {
		return fmt.Errorf("users forget: %w", err)
	}
	if err := a.journey.Forget(ctx, sub, "cli"); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "forgot %s\n", sub)
	return nil
}

// resolvePerson finds the subject who names: a subject, or an identifier
// in namespace ns (or in every configured namespace, where it must name
// exactly one person).
func (a *app) resolvePerson(ctx context.Context, who, ns string) (string, error) {
	spaces := []string{ns}
	if ns == "" {
		spaces = a.cfg.IdentifierNamespaces()
	}
	found := map[string]bool{}
	if u, err := a.journey.Resolve(ctx, who, users.Identifier{}); err == nil {
		return u.Subject, nil
	} else if !errors.Is(err, journey.ErrUnknownPerson) {
		return "", err
	}
	for _, space := range spaces {
		id, err := users.NewIdentifier(space, who)
		if err != nil {
			return "", fmt.Errorf("%q is not an identifier: %w", who, err)
		}
		u, err := a.journey.Resolve(ctx, "", id)
		if errors.Is(err, journey.ErrUnknownPerson) {
			continue
		}
		if err != nil {
			return "", err
		}
		found[u.Subject] = true
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("no person has the subject or identifier %q (namespaces searched: %s)", who, strings.Join(spaces, ", "))
	case 1:
		for sub := range found {
			return sub, nil
		}
	}
	return "", fmt.Errorf("%q names %d different people in different namespaces; choose one with --namespace", who, len(found))
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
