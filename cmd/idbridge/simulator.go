package main

import (
	"context"
	"flag"
	"io"
	"log/slog"

	"github.com/idbridge/idbridge/pkg/idv/simulator"
)

func simulatorCommand(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("simulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8081", "address to serve the simulated tenant on")
	base := fs.String("base-url", "", "public URL of the simulator (default http://LISTEN)")
	auto := fs.Bool("auto-complete", false, "simulator-only: complete every session at once (load tests)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *base == "" {
		*base = "http://" + *listen
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	return simulator.ListenAndServe(ctx, *listen, simulator.Config{BaseURL: *base, AutoComplete: *auto}, log)
}
