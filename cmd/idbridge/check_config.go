package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/idbridge/idbridge/pkg/config"
)

func checkConfigCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check-config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration file to check (default: IDBRIDGE_CONFIG, else the embedded dev configuration)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(configPath(*path))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "configuration OK: issuer %s, storage %s, idv %s, %d client(s)\n", cfg.Issuer, cfg.Storage.Type, cfg.IDV.Type, len(cfg.Clients))
	return nil
}
