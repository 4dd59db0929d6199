package httpsec

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
)

// maxPanicValue bounds how much of a panic value is logged.
const maxPanicValue = 256

// RecoverPanics returns middleware that turns a panic in the handler into
// a 500 with a generic body, and logs it (method, path without the query,
// the X-Request-Id response header if an outer middleware set it, the
// panic value cut to 256 bytes, and the stack). The client learns nothing
// about the failure. Headers the handler set before panicking are dropped;
// headers set by outer middleware are kept. If the response had already
// started, nothing sensible can be sent: the connection is aborted
// (http.ErrAbortHandler) so the client sees a broken response rather than
// a truncated one that looks whole. http.ErrAbortHandler itself passes
// through untouched.
func RecoverPanics(log *slog.Logger) func(http.Handler) http.Handler {
	if log == nil {
		log = slog.Default()
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			before := w.Header().Clone()
			sw := &startWriter{ResponseWriter: w}
			defer func() {
				p := recover()
				if p == nil {
					return
				}
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.LogAttrs(r.Context(), slog.LevelError, "panic serving request",
					slog.String("request_id", w.Header().Get("X-Request-Id")),
					slog.String("method", r.Method), slog.String("path", r.URL.Path),
					slog.String("panic", clip(fmt.Sprint(p), maxPanicValue)),
					slog.Bool("response_started", sw.started),
					slog.String("stack", string(debug.Stack())))
				if sw.started {
					panic(http.ErrAbortHandler)
				}
				h := w.Header()
				for k := range h {
					delete(h, k)
				}
				for k, v := range before {
					h[k] = v
				}
				h.Set("Content-Type", "text/plain; charset=utf-8")
				h.Set("Cache-Control", "no-store")
				h.Set("X-Content-Type-Options", "nosniff")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte("internal server error\n"))
			}()
			next.ServeHTTP(sw, r)
		})
	}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}

// startWriter notes whether the response has started.
type startWriter struct {
	http.ResponseWriter
	started bool
}

func (w *startWriter) WriteHeader(code int) {
	if code >= 200 || code == http.StatusSwitchingProtocols {
		w.started = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *startWriter) Write(b []byte) (int, error) {
	w.started = true
	return w.ResponseWriter.Write(b)
}

// Flush implements http.Flusher; flushing starts the response.
func (w *startWriter) Flush() { _ = w.FlushError() }

// FlushError is what http.ResponseController calls.
func (w *startWriter) FlushError() error {
	w.started = true
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *startWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
