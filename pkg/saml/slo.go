package saml

import (
	"net/http"

	crewjam "github.com/crewjam/saml"
)

// slo is the single logout service for SP-initiated logout with the
// HTTP-Redirect binding. The LogoutRequest must be signed by the service
// provider (saml-profiles 4.4.4.1), addressed here, current, and new (its
// ID is taken once across replicas). It ends the idbridge SSO session of
// the browser that brings it when that session's person is the one the
// request names (its NameID at that service provider), for every front
// door; a browser without that person's session ends nothing. The
// service provider gets a signed LogoutResponse with Success either way:
// the person is signed out of idbridge in this browser.
func (s *Server) slo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		s.page(w, r, "", http.StatusMethodNotAllowed, "method", "The single logout service takes the HTTP-Redirect binding (GET).", "Send the LogoutRequest with the HTTP-Redirect binding.")
		return
	}
	if !s.message(w, r, "single logout") {
		return
	}
	ctx := r.Context()
	idp, err := s.idp(ctx)
	if err != nil {
		s.unavailable(w, r, "", err)
		return
	}
	req, err := crewjam.NewIdpLogoutRequest(idp, r)
	if err != nil {
		s.page(w, r, "", http.StatusBadRequest, "bad_request", "The LogoutRequest could not be read: "+err.Error(), "Send a deflated, base64-encoded, signed LogoutRequest as SAMLRequest.")
		return
	}
	if len(req.RequestBuffer) > maxMessage {
		s.page(w, r, "", http.StatusRequestEntityTooLarge, "bad_request", "The LogoutRequest is too large.", "Send a plain LogoutRequest.")
		return
	}
	if err := req.Validate(); err != nil {
		s.page(w, r, "", http.StatusBadRequest, "bad_request", "The LogoutRequest was refused: "+err.Error(),
			"Send a LogoutRequest signed with the service provider's key, with Destination "+s.o.Issuer+PathSLO+", a new ID and a current IssueInstant, from a configured service provider.")
		return
	}
	sp := s.sps.byEntity[req.Request.Issuer.Value]
	named := ""
	if req.Request.NameID != nil {
		named = req.Request.NameID.Value
	}
	status := crewjam.StatusSuccess
	ended, err := s.front.EndBrowserSession(w, r, sp.Client, func(sub string) bool {
		v, _ := s.nameID(sp, sub)
		return named != "" && v == named
	})
	if err != nil {
		s.log.ErrorContext(ctx, "saml logout: storage failure", "error", err)
		status = crewjam.StatusResponder
	}
	s.log.InfoContext(ctx, "saml logout", "sp", sp.ID, "ended", ended)
	if err := req.WriteLogoutResponse(w, req.MakeLogoutResponse(status)); err != nil {
		s.page(w, r, sp.Client, http.StatusInternalServerError, "internal", "The LogoutResponse could not be sent: "+err.Error(), "Give the service provider an HTTP-Redirect SingleLogoutService (saml.service_providers[].slo_url or its metadata).")
	}
}
