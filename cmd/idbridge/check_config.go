package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/idbridge/idbridge/pkg/config"
	samlidp "github.com/idbridge/idbridge/pkg/saml"
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
	if len(cfg.SAML.ServiceProviders) > 0 {
		fmt.Fprintf(stdout, "SAML identity provider: entity id %s%s, %d service provider(s):\n", cfg.Issuer, samlidp.PathMetadata, len(cfg.SAML.ServiceProviders))
		for _, sp := range cfg.SAML.ServiceProviders {
			entity := sp.EntityID
			if entity == "" {
				entity = "(from its metadata)"
			}
			fmt.Fprintf(stdout, "  - %s: %s, journey %s, name_id %s, attributes %s, idp_initiated %t\n", sp.ID, entity, sp.Journey, sp.NameID, strings.Join(sp.Attributes, " "), sp.IDPInitiated)
		}
	}
	return nil
}
