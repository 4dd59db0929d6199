package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/policy"
)

const policyUsage = `usage: idbridge policy COMMAND [--config FILE]
  apply FILE [--comment TEXT]   validate FILE and store it as the new active version
  list                          the stored versions, newest first
  show [VERSION]                a version's text (default: the active one)
  diff V1 V2                    what changed from V1 to V2
  rollback VERSION              store VERSION's text as the new active version
  test FILE CASES.yaml          decide every case under FILE and show the result
Every replica decides by a newly stored version within risk.policy_refresh
(default 2s). Versions live in the shared store: with storage type memory
only the process that stored them sees them.
`

// policyCommand runs `idbridge policy ...`.
func policyCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || isHelp(args[0]) {
		fmt.Fprint(stderr, policyUsage)
		if len(args) == 0 {
			return errors.New("policy: say apply, list, show, diff, rollback or test")
		}
		return flag.ErrHelp
	}
	cmd, rest := args[0], args[1:]
	fs := flag.NewFlagSet("policy "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "configuration file (default: IDBRIDGE_CONFIG, else the embedded dev configuration)")
	comment := fs.String("comment", "", "why the change is made (apply), kept with the version")
	var pos []string
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		rest = fs.Args()
		if len(rest) > 0 {
			pos, rest = append(pos, rest[0]), rest[1:]
		}
	}
	want := map[string]int{"apply": 1, "list": 0, "show": -1, "diff": 2, "rollback": 1, "test": 2}
	n, ok := want[cmd]
	if !ok {
		fmt.Fprint(stderr, policyUsage)
		return fmt.Errorf("policy: unknown command %q", cmd)
	}
	if (n >= 0 && len(pos) != n) || (n < 0 && len(pos) > 1) {
		fmt.Fprint(stderr, policyUsage)
		return fmt.Errorf("policy %s: wrong number of arguments", cmd)
	}
	if cmd == "test" {
		return policyTest(*cfgPath, pos[0], pos[1], stdout)
	}
	a, _, err := adminApp(ctx, "policy "+cmd, []string{"--config", *cfgPath}, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	store := a.policy.Store()
	by := "cli"
	if u := os.Getenv("USER"); u != "" {
		by = "cli:" + u
	}
	switch cmd {
	case "apply":
		src, err := os.ReadFile(pos[0])
		if err != nil {
			return fmt.Errorf("policy apply: %w", err)
		}
		v, err := store.Apply(ctx, src, by, *comment)
		if err != nil {
			return fmt.Errorf("policy apply %s: %w", pos[0], err)
		}
		fmt.Fprintf(stdout, "stored version %d; every replica decides by it within %s\n", v.Number, a.cfg.Risk.PolicyRefresh)
	case "rollback":
		n, err := versionArg(pos[0])
		if err != nil {
			return err
		}
		v, err := store.Rollback(ctx, n, by)
		if err != nil {
			return fmt.Errorf("policy rollback: %w", err)
		}
		fmt.Fprintf(stdout, "stored version %d with the text of version %d; every replica decides by it within %s\n", v.Number, n, a.cfg.Risk.PolicyRefresh)
	case "list":
		list, err := store.List(ctx, 0)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "VERSION\tCREATED\tBY\tCOMMENT")
		for i, v := range list {
			mark := ""
			if i == 0 {
				mark = " (active)"
			}
			fmt.Fprintf(tw, "%d%s\t%s\t%s\t%s\n", v.Number, mark, v.CreatedAt.UTC().Format(time.RFC3339), v.By, v.Comment)
		}
		return tw.Flush()
	case "show":
		v, err := showVersion(ctx, store, pos)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "# version %d, stored %s by %s\n%s", v.Number, v.CreatedAt.UTC().Format(time.RFC3339), v.By, v.Source)
	case "diff":
		var texts [2]string
		for i, arg := range pos {
			n, err := versionArg(arg)
			if err != nil {
				return err
			}
			v, err := store.Get(ctx, n)
			if err != nil {
				return err
			}
			texts[i] = v.Source
		}
		d := policy.Diff(texts[0], texts[1])
		if d == "" {
			d = "(no difference)\n"
		}
		fmt.Fprint(stdout, d)
	}
	return nil
}

func showVersion(ctx context.Context, store *policy.Store, pos []string) (*policy.Version, error) {
	if len(pos) == 0 {
		return store.Active(ctx)
	}
	n, err := versionArg(pos[0])
	if err != nil {
		return nil, err
	}
	return store.Get(ctx, n)
}

func versionArg(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(s, "v"))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%q is not a version number (see idbridge policy list)", s)
	}
	return n, nil
}

// policyTest decides every case of casesPath under the policy in
// policyPath, compiled with the configuration's acr values and
// verification age; any case that does not hold is an error.
func policyTest(cfgPath, policyPath, casesPath string, stdout io.Writer) error {
	cfg, err := config.Load(configPath(cfgPath))
	if err != nil {
		return err
	}
	src, err := os.ReadFile(policyPath)
	if err != nil {
		return fmt.Errorf("policy test: %w", err)
	}
	global, _ := cfg.StepUpRules()
	p, err := policy.Parse(src, policy.Options{Base: global})
	if err != nil {
		return fmt.Errorf("%s: %w", policyPath, err)
	}
	raw, err := os.ReadFile(casesPath)
	if err != nil {
		return fmt.Errorf("policy test: %w", err)
	}
	cases, err := policy.ParseCases(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", casesPath, err)
	}
	if failed := policy.Report(stdout, policy.RunCases(p, cases)); failed > 0 {
		return fmt.Errorf("policy test: %d of %d cases do not hold", failed, len(cases))
	}
	return nil
}
