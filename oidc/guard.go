package oidc

import (
	"bytes"
	"context"
	"net/http"
	"time"
)

// withStoreGuard turns a failure of zitadel's endpoints that is caused by
// unreachable shared storage into 503 temporarily_unavailable (RFC 6749
// 5.2 has no such code for the token endpoint, so the error is sent as
// OAuth JSON with 503 and Retry-After, which clients treat as retryable).
// Responses are small, so they are buffered to decide.
func (p *Provider) withStoreGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		// Any error may hide a storage failure (a code lookup that failed
		// reads as invalid_grant): check the store only then, off the happy path.
		if rec.status >= 400 {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), time.Second)
			err := p.store.Ping(ctx)
			cancel()
			if err != nil {
				p.log.ErrorContext(r.Context(), "storage unavailable", "path", r.URL.Path, "error", err)
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Cache-Control", "no-store")
				w.Header().Set("Retry-After", "5")
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = w.Write([]byte(`{"error":"temporarily_unavailable","error_description":"idbridge's storage is unavailable; retry shortly"}`))
				return
			}
		}
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.status)
		_, _ = rec.body.WriteTo(w)
	})
}

type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if !b.wrote {
		b.status, b.wrote = status, true
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.wrote = true
	return b.body.Write(p)
}
