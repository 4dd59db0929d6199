package saml

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	crewjam "github.com/crewjam/saml"

	"github.com/idbridge/idbridge/pkg/journey"
	"github.com/idbridge/idbridge/pkg/users"
)

// resume is where the journey returns: with a code, which is redeemed for
// who authenticated and how and answered with a signed assertion; or with
// an error, answered with the SAML status it stands for. Either way the
// login is taken once, in the browser that brought the request.
func (s *Server) resume(w http.ResponseWriter, r *http.Request) {
	l, _, sp, ok := s.ownLogin(w, r, "state")
	if !ok {
		return
	}
	ctx, q := r.Context(), r.URL.Query()
	if q.Get("iss") != s.o.Issuer {
		s.page(w, r, sp.Client, http.StatusBadRequest, "bad_request", "The login's answer does not come from this idbridge (iss).", "Start the sign-in again from the application.")
		return
	}
	var auth journey.Authentication
	var err error
	if q.Get("error") == "" {
		auth, err = s.front.RedeemLogin(ctx, q.Get("code"), sp.Client)
		if errors.Is(err, journey.ErrLoginGone) {
			s.page(w, r, sp.Client, http.StatusNotFound, "completed", "The login's code is unknown, expired or already used.", "Go back to the application; start the sign-in again if it did not receive the result.")
			return
		}
		if err != nil {
			s.unavailable(w, r, sp.Client, err)
			return
		}
	}
	if l, err = s.take(ctx, l.ID); errors.Is(err, errLoginGone) {
		s.page(w, r, sp.Client, http.StatusNotFound, "completed", "This SAML login was already answered.", "Go back to the application; it has received the result.")
		return
	} else if err != nil {
		s.unavailable(w, r, sp.Client, err)
		return
	}
	req, err := s.request(ctx, r, l, sp)
	if err != nil {
		s.unavailable(w, r, sp.Client, err)
		return
	}
	if e := q.Get("error"); e != "" {
		top, second := statusOf(e, l.Passive)
		s.log.InfoContext(ctx, "saml login refused", "sp", sp.ID, "error", e)
		s.sendStatus(w, r, sp, req, top, second, truncate(q.Get("error_description"), 256))
		return
	}
	s.answer(w, r, sp, l, req, auth)
}

// answer posts the assertion of auth, when it meets what was asked.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, sp *sp, l *login, req *crewjam.IdpAuthnRequest, auth journey.Authentication) {
	ctx := r.Context()
	if !l.Want.met(auth.ACR) {
		s.sendStatus(w, r, sp, req, crewjam.StatusResponder, crewjam.StatusNoAuthnContext, "the authentication did not reach the requested context")
		return
	}
	if l.Force && auth.AuthTime.Before(l.CreatedAt.Truncate(1e9)) {
		s.sendStatus(w, r, sp, req, crewjam.StatusResponder, crewjam.StatusAuthnFailed, "the person did not authenticate again")
		return
	}
	u, err := s.journey.Users().Get(ctx, auth.Subject)
	if errors.Is(err, users.ErrNotFound) {
		s.sendStatus(w, r, sp, req, crewjam.StatusResponder, crewjam.StatusUnknownPrincipal, "the person is no longer known")
		return
	}
	if err != nil {
		s.unavailable(w, r, sp.Client, err)
		return
	}
	if err := s.assertion(req, sp, auth, u); err != nil {
		s.page(w, r, sp.Client, http.StatusInternalServerError, "internal", "The assertion could not be made: "+err.Error(), "Check the signing keys (idbridge keys list).")
		return
	}
	s.log.InfoContext(ctx, "saml assertion issued", "sp", sp.ID, "class", s.class(auth.ACR), "solicited", l.RequestID != "")
	s.post(w, r, sp, req)
}

// request rebuilds crewjam's view of a stored login, to answer it.
func (s *Server) request(ctx context.Context, r *http.Request, l *login, sp *sp) (*crewjam.IdpAuthnRequest, error) {
	idp, err := s.idp(ctx)
	if err != nil {
		return nil, err
	}
	acs := l.ACS
	req := &crewjam.IdpAuthnRequest{
		IDP: idp, HTTPRequest: r, RelayState: l.RelayState, Now: s.now(),
		Request:                 crewjam.AuthnRequest{ID: l.RequestID, IssueInstant: l.IssueInstant, Version: "2.0"},
		ServiceProviderMetadata: sp.meta, ACSEndpoint: &acs,
	}
	for i := range sp.meta.SPSSODescriptors {
		for _, e := range sp.meta.SPSSODescriptors[i].AssertionConsumerServices {
			if e.Location == acs.Location && e.Binding == acs.Binding && req.SPSSODescriptor == nil {
				d := sp.meta.SPSSODescriptors[i]
				req.SPSSODescriptor = &d
			}
		}
	}
	if req.SPSSODescriptor == nil {
		return nil, errors.New("saml: the login's assertion consumer service is no longer in the service provider's metadata")
	}
	return req, nil
}

// statusOf is the SAML status of a login's OAuth error.
func statusOf(oauthError string, passive bool) (top, second string) {
	switch oauthError {
	case "login_required", "interaction_required", "consent_required", "account_selection_required":
		if passive {
			return crewjam.StatusResponder, crewjam.StatusNoPassive
		}
		return crewjam.StatusResponder, crewjam.StatusAuthnFailed
	case "unmet_authentication_requirements":
		return crewjam.StatusResponder, crewjam.StatusNoAuthnContext
	case "access_denied":
		return crewjam.StatusResponder, crewjam.StatusAuthnFailed
	case "invalid_request":
		return crewjam.StatusRequester, crewjam.StatusRequestUnsupported
	}
	return crewjam.StatusResponder, ""
}

// sendStatus answers a validated request with a signed error Response.
func (s *Server) sendStatus(w http.ResponseWriter, r *http.Request, sp *sp, req *crewjam.IdpAuthnRequest, top, second, message string) {
	if err := req.MakeErrorResponse(top, second, message); err != nil {
		s.page(w, r, sp.Client, http.StatusInternalServerError, "internal", "The SAML error response could not be made: "+err.Error(), "Check the signing keys (idbridge keys list).")
		return
	}
	s.post(w, r, sp, req)
}

// post sends the Response to the assertion consumer service with the
// HTTP-POST binding, on idbridge's form_post page.
func (s *Server) post(w http.ResponseWriter, r *http.Request, sp *sp, req *crewjam.IdpAuthnRequest) {
	form, err := req.PostBinding()
	if err != nil {
		s.page(w, r, sp.Client, http.StatusInternalServerError, "internal", "The SAML response could not be made: "+err.Error(), "Check the signing keys (idbridge keys list) and the service provider's metadata.")
		return
	}
	params := url.Values{"SAMLResponse": {form.SAMLResponse}}
	if form.RelayState != "" {
		params.Set("RelayState", form.RelayState)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.front.PostForm(w, r, sp.Client, "", form.URL, params)
}
