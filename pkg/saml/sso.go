package saml

import (
	"errors"
	"fmt"
	"net/http"
	"os"

	crewjam "github.com/crewjam/saml"

	"github.com/idbridge/idbridge/pkg/storage"
)

// Limits of what a request may carry.
const (
	// maxMessage bounds a decoded SAML message (AuthnRequest,
	// LogoutRequest); a real one is a few KiB.
	maxMessage = 64 << 10
	// maxRelayState bounds the RelayState kept and echoed (the bindings
	// ask senders for at most 80 bytes; some send more).
	maxRelayState = 1024
)

// sso is the single sign-on service (HTTP-Redirect and HTTP-POST
// bindings). A valid request of a known service provider is stored, its
// ID taken once, and the browser sent on to begin the journey; anything
// else is an error page: a request that cannot be trusted never gets an
// assertion, and its ACS URL is never used. A request that is valid but
// cannot be met (name identifier format, authentication context) is
// answered with a SAML error Response at once.
func (s *Server) sso(w http.ResponseWriter, r *http.Request) {
	if !s.message(w, r, "single sign-on") {
		return
	}
	ctx := r.Context()
	idp, err := s.idp(ctx)
	if err != nil {
		s.unavailable(w, r, "", err)
		return
	}
	req, err := crewjam.NewIdpAuthnRequest(idp, r)
	if err != nil {
		s.page(w, r, "", http.StatusBadRequest, "bad_request", "The SAML request could not be read: "+err.Error(), "Send a deflated, base64-encoded AuthnRequest as SAMLRequest (HTTP-Redirect) or a base64-encoded one in a form (HTTP-POST).")
		return
	}
	if len(req.RequestBuffer) > maxMessage {
		s.page(w, r, "", http.StatusRequestEntityTooLarge, "bad_request", fmt.Sprintf("The AuthnRequest is larger than %d bytes.", maxMessage), "Send a plain AuthnRequest; idbridge needs no extensions.")
		return
	}
	if len(req.RelayState) > maxRelayState {
		s.page(w, r, "", http.StatusBadRequest, "bad_request", fmt.Sprintf("The RelayState is longer than %d bytes.", maxRelayState), "Send a short RelayState (the SAML bindings ask for at most 80 bytes), e.g. a key to state the service provider keeps.")
		return
	}
	if err := req.Validate(); err != nil {
		s.refuseRequest(w, r, req, err)
		return
	}
	sp := s.sps.byEntity[req.Request.Issuer.Value]
	if req.ACSEndpoint.Binding != crewjam.HTTPPostBinding {
		s.page(w, r, sp.Client, http.StatusBadRequest, "bad_request", "The request asks for an answer by "+req.ACSEndpoint.Binding+".", "idbridge answers with the HTTP-POST binding only: ask for it (ProtocolBinding) or name an HTTP-POST assertion consumer service.")
		return
	}
	if req.Request.IssueInstant.After(s.now().Add(s.o.ClockSkew)) {
		s.page(w, r, sp.Client, http.StatusBadRequest, "bad_request", "The AuthnRequest's IssueInstant is in the future, beyond the allowed clock skew ("+s.o.ClockSkew.String()+").", "Synchronise the service provider's clock (NTP).")
		return
	}
	want := s.want(req.Request.RequestedAuthnContext)
	switch {
	case !s.nameIDPolicyOK(sp, req.Request.NameIDPolicy):
		s.sendStatus(w, r, sp, req, crewjam.StatusRequester, crewjam.StatusInvalidNameIDPolicy, "this service provider gets "+string(formatOf(sp))+" name identifiers")
		return
	case req.Request.RequestedAuthnContext != nil && !knownComparison(req.Request.RequestedAuthnContext.Comparison):
		s.sendStatus(w, r, sp, req, crewjam.StatusRequester, crewjam.StatusRequestUnsupported, "unknown RequestedAuthnContext Comparison")
		return
	case want.Asked && len(want.Accept) == 0:
		s.sendStatus(w, r, sp, req, crewjam.StatusResponder, crewjam.StatusNoAuthnContext, "idbridge authenticates with "+s.o.IAL2Class+" and "+s.o.LiveIDClass+" only")
		return
	}
	l := &login{
		ID: newToken(), SP: sp.ID, RequestID: req.Request.ID, IssueInstant: req.Request.IssueInstant,
		ACS: *req.ACSEndpoint, RelayState: req.RelayState, Want: want,
		Force: req.Request.ForceAuthn != nil && *req.Request.ForceAuthn, Passive: req.Request.IsPassive != nil && *req.Request.IsPassive,
		Browser: s.bindBrowser(w, r), CreatedAt: s.now(),
	}
	switch err := s.accept(ctx, l, sp.EntityID); {
	case errors.Is(err, errRequestReplayed):
		s.page(w, r, sp.Client, http.StatusBadRequest, "bad_request", "This AuthnRequest (ID "+truncate(l.RequestID, 80)+") was already used.", "Send a new AuthnRequest, with a new ID, for every sign-in.")
		return
	case err != nil:
		s.unavailable(w, r, sp.Client, err)
		return
	}
	s.log.InfoContext(ctx, "saml request accepted", "sp", sp.ID, "force", l.Force, "passive", l.Passive, "signed", req.Request.Signature != nil || r.URL.Query().Has("Signature"))
	http.Redirect(w, r, PathBegin+"?login="+l.ID, http.StatusSeeOther)
}

// message checks the method of a binding endpoint and bounds what it
// reads; when it refuses, it has answered.
func (s *Server) message(w http.ResponseWriter, r *http.Request, what string) bool {
	switch r.Method {
	case http.MethodGet:
		if len(r.URL.RawQuery) > 2*maxMessage {
			s.page(w, r, "", http.StatusRequestEntityTooLarge, "too_large", "The "+what+" request's query is too long.", "Send a SAML message of a few KiB.")
			return false
		}
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 2*maxMessage)
		if err := r.ParseForm(); err != nil {
			s.page(w, r, "", http.StatusRequestEntityTooLarge, "too_large", "The "+what+" form could not be read (at most 128 KiB).", "Send a SAML message of a few KiB.")
			return false
		}
	default:
		w.Header().Set("Allow", "GET, POST")
		s.page(w, r, "", http.StatusMethodNotAllowed, "method", "The "+what+" endpoint takes GET (HTTP-Redirect) and POST (HTTP-POST).", "Send the browser here with the HTTP-Redirect or HTTP-POST binding.")
		return false
	}
	return true
}

// refuseRequest answers an AuthnRequest Validate refused, on a page that
// names the problem for the operator (logged) and the person.
func (s *Server) refuseRequest(w http.ResponseWriter, r *http.Request, req *crewjam.IdpAuthnRequest, err error) {
	client := ""
	if req.Request.Issuer != nil {
		if sp, ok := s.sps.byEntity[req.Request.Issuer.Value]; ok {
			client = sp.Client
		}
	}
	fix := "Send a well-formed SAML 2.0 AuthnRequest."
	switch {
	case errors.Is(err, crewjam.ErrUnknownServiceProvider), errors.Is(err, os.ErrNotExist) && !errors.Is(err, crewjam.ErrUnknownAssertionConsumerService):
		fix = "Register the service provider in saml.service_providers (its entity id is the request's Issuer)."
	case errors.Is(err, crewjam.ErrInvalidSignature):
		fix = "Sign the AuthnRequest with the key of the certificate in the service provider's metadata (this service provider must sign its requests)."
	case errors.Is(err, crewjam.ErrDestinationMismatch):
		fix = "Set Destination to " + s.o.Issuer + PathSSO + " exactly."
	case errors.Is(err, crewjam.ErrExpired), errors.Is(err, crewjam.ErrNotYetValid):
		fix = "Send the request as it is made (IssueInstant within 90 seconds) and synchronise the clocks."
	case errors.Is(err, crewjam.ErrUnknownAssertionConsumerService):
		fix = "Name an assertion consumer service of the service provider's metadata (saml.service_providers[].acs_urls)."
	case errors.Is(err, crewjam.ErrMissingElement):
		fix = "Give the AuthnRequest an ID and an Issuer."
	}
	s.page(w, r, client, http.StatusBadRequest, "bad_request", "The SAML AuthnRequest was refused: "+err.Error(), fix)
}

// unavailable answers while shared storage (or the key ring on it) fails.
func (s *Server) unavailable(w http.ResponseWriter, r *http.Request, client string, err error) {
	s.log.ErrorContext(r.Context(), "saml: storage failure", "error", err)
	status, pr := http.StatusServiceUnavailable, "unavailable"
	if !errors.Is(err, storage.ErrUnavailable) {
		status, pr = http.StatusInternalServerError, "internal"
	}
	s.page(w, r, client, status, pr, "idbridge's storage could not be used: "+err.Error(), "Try again in a moment.")
}

func (s *Server) page(w http.ResponseWriter, r *http.Request, client string, status int, problem, detail, fix string) {
	s.front.ErrorPage(w, r, client, status, problem, detail, fix)
}

func truncate(v string, n int) string {
	if len(v) > n {
		return v[:n] + "..."
	}
	return v
}
