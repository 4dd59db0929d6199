package saml

import (
	"net/http"
)

// metadata serves the identity provider's metadata, signed with the
// current key: entity id, single sign-on (HTTP-Redirect and HTTP-POST),
// single logout (HTTP-Redirect), name identifier formats, and the
// certificates of every published signing key, so a service provider that
// refreshes it trusts the next key before it signs.
func (s *Server) metadata(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "GET the metadata", http.StatusMethodNotAllowed)
		return
	}
	idp, err := s.idp(r.Context())
	if err != nil {
		s.log.ErrorContext(r.Context(), "saml metadata: signing keys", "error", err)
		w.Header().Set("Retry-After", "5")
		http.Error(w, "signing keys unavailable; try again shortly", http.StatusServiceUnavailable)
		return
	}
	idp.SignMetadata = true
	idp.OnError = func(w http.ResponseWriter, r *http.Request, status int, err error) {
		s.log.ErrorContext(r.Context(), "saml metadata", "error", err)
		http.Error(w, "metadata unavailable", status)
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	idp.ServeMetadata(w, r)
}
