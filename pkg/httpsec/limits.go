package httpsec

import "net/http"

// MaxBody returns middleware that limits request bodies to n bytes. A
// request declaring a larger Content-Length is refused at once with 413;
// otherwise the body is wrapped with http.MaxBytesReader, so a handler
// reading past n gets an *http.MaxBytesError and the connection is closed
// after the response. An inner MaxBody can only lower the limit, so give
// routes that take large uploads their own MaxBody instead of wrapping
// them in a smaller one.
func MaxBody(n int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > n {
				w.Header().Set("Connection", "close")
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(w, r.Body, n)
			}
			next.ServeHTTP(w, r)
		})
	}
}
