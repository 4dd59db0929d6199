// Package httpsec is the HTTP hardening every idbridge response gets:
// security headers with safe defaults that handlers may override, bounded
// request bodies, and panics turned into plain 500s.
package httpsec

import (
	"net/http"
)

// Defaults of Options.
const (
	// DefaultCSP allows nothing: right for JSON, redirects and errors.
	// Pages set their own policy, which Headers leaves alone.
	DefaultCSP = "default-src 'none'; frame-ancestors 'none'"
	// DefaultHSTS is one year, without includeSubDomains, which would
	// bind every other host of the operator's domain too.
	DefaultHSTS = "max-age=31536000"
)

// Options configure HeadersWith.
type Options struct {
	// HTTPS says the public issuer is https even though requests arrive
	// in plain HTTP (TLS ends at a proxy in front): Strict-Transport-Security
	// is then sent on every response, not only on requests that came over
	// TLS. Leave it false for an http:// development issuer.
	HTTPS bool
	// HSTS is the Strict-Transport-Security value (default DefaultHSTS).
	HSTS string
	// CSP is the Content-Security-Policy for responses whose handler set
	// none (default DefaultCSP).
	CSP string
}

// Headers is HeadersWith(Options{}): HSTS only on requests that came over
// TLS.
func Headers(next http.Handler) http.Handler { return HeadersWith(Options{})(next) }

// HeadersWith returns middleware that gives every response these headers,
// each only if the handler did not set it itself:
//
//	X-Content-Type-Options: nosniff
//	Referrer-Policy: no-referrer
//	X-Frame-Options: DENY
//	Content-Security-Policy: o.CSP
//	Strict-Transport-Security: o.HSTS (over TLS, or always if o.HTTPS)
//
// The headers are filled in when the response starts (its first
// WriteHeader, Write or Flush), so a handler can set its own at any point
// before that.
func HeadersWith(o Options) func(http.Handler) http.Handler {
	if o.HSTS == "" {
		o.HSTS = DefaultHSTS
	}
	if o.CSP == "" {
		o.CSP = DefaultCSP
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hw := &headerWriter{ResponseWriter: w, o: &o, hsts: o.HTTPS || r.TLS != nil}
			next.ServeHTTP(hw, r)
			// A handler that wrote nothing: the server sends the header
			// after we return, from the same map.
			hw.fill()
		})
	}
}

// headerWriter fills in the missing headers when the response starts.
type headerWriter struct {
	http.ResponseWriter
	o      *Options
	hsts   bool
	filled bool
}

func (w *headerWriter) fill() {
	if w.filled {
		return
	}
	w.filled = true
	h := w.ResponseWriter.Header()
	setDefault(h, "X-Content-Type-Options", "nosniff")
	setDefault(h, "Referrer-Policy", "no-referrer")
	setDefault(h, "X-Frame-Options", "DENY")
	setDefault(h, "Content-Security-Policy", w.o.CSP)
	if w.hsts {
		setDefault(h, "Strict-Transport-Security", w.o.HSTS)
	}
}

func setDefault(h http.Header, key, value string) {
	if len(h.Values(key)) == 0 {
		h.Set(key, value)
	}
}

// WriteHeader fills in the headers before a final status; informational
// 1xx responses pass through untouched.
func (w *headerWriter) WriteHeader(code int) {
	if code >= 200 || code == http.StatusSwitchingProtocols {
		w.fill()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *headerWriter) Write(b []byte) (int, error) {
	w.fill()
	return w.ResponseWriter.Write(b)
}

// Flush implements http.Flusher; flushing starts the response.
func (w *headerWriter) Flush() { _ = w.FlushError() }

// FlushError is what http.ResponseController calls; flushing starts the
// response.
func (w *headerWriter) FlushError() error {
	w.fill()
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *headerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
