package ratelimit

import (
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/idbridge/idbridge/pkg/netid"
)

// TooManyRequests is the default deny handler: 429 with a short plain-text
// body. Middleware has already set Retry-After.
var TooManyRequests http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = io.WriteString(w, "too many requests\n")
})

// Middleware limits requests by the key that key returns for them; a
// request for which key returns "" is not counted. A request over the
// limit gets a Retry-After header (whole seconds, at least 1) and is
// passed to deny (TooManyRequests if nil) instead of the next handler.
// Store failures let the request through (see Limiter.Allow).
func Middleware(l *Limiter, key func(*http.Request) string, deny http.Handler) func(http.Handler) http.Handler {
	if deny == nil {
		deny = TooManyRequests
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			k := key(r)
			if k == "" {
				next.ServeHTTP(w, r)
				return
			}
			ok, retry, _ := l.Allow(r.Context(), k)
			if !ok {
				w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(retry)))
				deny.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// retrySeconds rounds up to whole seconds, at least 1 (RFC 9110 §10.2.3).
func retrySeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	if s < 1 {
		return 1
	}
	return s
}

// ByClientIP keys requests by the client address that res resolves
// (believing forwarding headers only from trusted proxies): the whole
// address for IPv4, the /64 for IPv6, since one subscriber usually holds a
// whole /64. It returns "" (not limited) when no address is known.
func ByClientIP(res *netid.Resolver) func(*http.Request) string {
	return func(r *http.Request) string {
		return clientKey(res.Client(r).IP)
	}
}

func clientKey(ip netip.Addr) string {
	switch {
	case !ip.IsValid():
		return ""
	case ip.Is4():
		return ip.String()
	default:
		p, _ := ip.Prefix(64)
		return p.String()
	}
}
