package simulator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ListenAndServe runs a standalone simulator on addr until ctx is done,
// then shuts down gracefully. An empty cfg.BaseURL becomes
// "http://<addr>"; the handler is mounted at BaseURL's path. One log line
// per request (method, path, status, duration; never bodies or headers).
func ListenAndServe(ctx context.Context, addr string, cfg Config, log *slog.Logger) error {
	if log == nil {
		log = slog.Default()
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("simulator: listen %s: %w", addr, err)
	}
	if cfg.BaseURL == "" {
		host := ln.Addr().String()
		if h, p, err := net.SplitHostPort(host); err == nil && (h == "::" || h == "0.0.0.0" || h == "") {
			host = net.JoinHostPort("localhost", p)
		}
		cfg.BaseURL = "http://" + host
	}
	sim, err := New(cfg)
	if err != nil {
		_ = ln.Close()
		return err
	}
	base, _ := url.Parse(sim.BaseURL()) // New has validated it
	var h http.Handler = sim.Handler()
	if p := strings.TrimRight(base.Path, "/"); p != "" {
		h = http.StripPrefix(p, h)
	}
	srv := &http.Server{
		Handler:           logRequests(log, h),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	log.Info("1Kosmos simulator listening", "addr", ln.Addr().String(), "base_url", sim.BaseURL(),
		"tenant_dns", sim.TenantDNS(), "community", sim.Community(), "dvc_id", sim.DVCID())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the status for the log line.
func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
			"duration_ms", time.Since(start).Milliseconds())
	})
}
