package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/tlsfiles"
)

func serveCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration file (default: IDBRIDGE_CONFIG, else the embedded dev configuration)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(configPath(*path))
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (set listen: in the configuration or IDBRIDGE_LISTEN)", cfg.Listen, err)
	}
	return serve(ctx, cfg, ln, log)
}

// serve builds the application and serves it on ln until ctx ends, then
// shuts down gracefully, finishing requests in flight.
func serve(ctx context.Context, cfg *config.Config, ln net.Listener, log *slog.Logger) error {
	app, err := build(ctx, cfg, log)
	if err != nil {
		ln.Close()
		return err
	}
	defer app.Close()
	srv := &http.Server{
		Handler:           app.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	if cfg.TLS.CertFile != "" {
		certs, err := tlsfiles.New(cfg.TLS.CertFile, cfg.TLS.KeyFile, log)
		if err != nil {
			ln.Close()
			return err
		}
		srv.TLSConfig = certs.TLSConfig()
		go func() { errc <- srv.ServeTLS(ln, "", "") }()
	} else {
		go func() { errc <- srv.Serve(ln) }()
	}
	if cfg.Metrics.Listen != "" {
		msrv := &http.Server{Addr: cfg.Metrics.Listen, Handler: app.metricsHandler(), ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := msrv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics listener", "error", err)
			}
		}()
		defer msrv.Close()
	}
	go app.Run(ctx)
	log.Info("idbridge serving", "issuer", cfg.Issuer, "listen", ln.Addr().String(), "storage", cfg.Storage.Type, "idv", cfg.IDV.Type)
	log.Info("discovery: " + cfg.Issuer + "/.well-known/openid-configuration")
	if cfg.Demo.Enabled {
		log.Info("demo relying party: open " + cfg.Issuer + "/demo")
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
