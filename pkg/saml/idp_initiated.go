package saml

import (
	"errors"
	"net/http"

	"github.com/idbridge/idbridge/pkg/storage"
)

// idpInitiated starts a sign-in at idbridge for a service provider that
// allows it (saml.service_providers[].idp_initiated; off by default): the
// journey runs as for a request without RequestedAuthnContext, and the
// unsolicited response goes to the service provider's default assertion
// consumer service. RelayState (at most 80 bytes, as the bindings ask)
// is passed on.
func (s *Server) idpInitiated(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		s.page(w, r, "", http.StatusMethodNotAllowed, "method", "IdP-initiated sign-in is opened with GET.", "Link to "+PathIDPInitiated+"?sp=ID.")
		return
	}
	q := r.URL.Query()
	sp, ok := s.sps.byID[q.Get("sp")]
	if !ok || !sp.IDPInitiated {
		s.page(w, r, "", http.StatusNotFound, "bad_request", "No service provider "+truncate(q.Get("sp"), 64)+" accepts IdP-initiated sign-in.", "Name a service provider with idp_initiated: true (saml.service_providers[].id), or start at the service provider.")
		return
	}
	relay := q.Get("RelayState")
	if len(relay) > 80 {
		s.page(w, r, sp.Client, http.StatusBadRequest, "bad_request", "The RelayState is longer than 80 bytes.", "Send at most 80 bytes of RelayState (saml-bindings 3.4.3).")
		return
	}
	ctx := r.Context()
	idp, err := s.idp(ctx)
	if err != nil {
		s.unavailable(w, r, sp.Client, err)
		return
	}
	req, err := idp.NewIdpInitiatedRequest(r, sp.EntityID, relay)
	if err != nil {
		s.page(w, r, sp.Client, http.StatusBadRequest, "bad_request", "The service provider cannot take an unsolicited response: "+err.Error(), "Give it an HTTP-POST assertion consumer service.")
		return
	}
	l := &login{ID: newToken(), SP: sp.ID, ACS: *req.ACSEndpoint, RelayState: relay, Browser: s.bindBrowser(w, r), CreatedAt: s.now()}
	if err := s.accept(ctx, l, sp.EntityID); err != nil {
		if !errors.Is(err, storage.ErrUnavailable) {
			s.log.ErrorContext(ctx, "saml: storing an IdP-initiated login", "error", err)
		}
		s.unavailable(w, r, sp.Client, err)
		return
	}
	http.Redirect(w, r, PathBegin+"?login="+l.ID, http.StatusSeeOther)
}
