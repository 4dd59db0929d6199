package metrics

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// OtherRoute is the route label of requests no known route matches.
const OtherRoute = "other"

// Middleware counts every request in idbridge_http_requests_total and
// times it in idbridge_http_request_duration_seconds. route names the
// request's route; it must return one of a small fixed set of values
// (see Routes), never the raw path; "" is recorded as "other". Methods
// other than the standard ones are recorded as "other". A request whose
// handler panics is recorded with status 500 and the panic continues.
func (m *Metrics) Middleware(route func(*http.Request) string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if m == nil {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rt := route(r)
			if rt == "" {
				rt = OtherRoute
			}
			rec := &statusWriter{ResponseWriter: w}
			returned := false
			// Deferred without recover, so a panic goes on up unchanged
			// (with its original stack) after being counted.
			defer func() {
				status := rec.status
				switch {
				case !returned:
					status = http.StatusInternalServerError
				case status == 0:
					status = http.StatusOK
				}
				m.httpRequests.WithLabelValues(rt, method(r.Method), strconv.Itoa(status)).Inc()
				m.httpDuration.WithLabelValues(rt).Observe(time.Since(start).Seconds())
			}()
			next.ServeHTTP(rec, r)
			returned = true
		})
	}
}

// method bounds the method label: clients can send any token as a method.
func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return OtherRoute
}

// Routes returns a route function for Middleware. A pattern ending in "/"
// matches every path below it (the longest such pattern wins), any other
// pattern matches its path exactly; the label is the pattern itself, and
// paths matching nothing are "other".
func Routes(patterns ...string) func(*http.Request) string {
	exact := make(map[string]bool)
	var prefixes []string
	for _, p := range patterns {
		if strings.HasSuffix(p, "/") {
			prefixes = append(prefixes, p)
		} else {
			exact[p] = true
		}
	}
	return func(r *http.Request) string {
		path := r.URL.Path
		if exact[path] {
			return path
		}
		best := ""
		for _, p := range prefixes {
			if len(p) > len(best) && strings.HasPrefix(path, p) {
				best = p
			}
		}
		if best == "" {
			return OtherRoute
		}
		return best
	}
}

// statusWriter remembers the status code of the response. It passes
// Flush and the rest on through Unwrap (http.ResponseController).
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 && code >= 200 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Flush lets handlers that assert http.Flusher stream through the wrapper.
func (s *statusWriter) Flush() {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	_ = http.NewResponseController(s.ResponseWriter).Flush()
}

// Unwrap gives http.ResponseController the writer underneath.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
