package oidc

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/idbridge/idbridge/pkg/idv"
)

// cancelDescription is the error_description of a login the person
// cancelled.
const cancelDescription = "the person cancelled the sign-in"

// loginCancel is the Cancel button of every login page (POST id): the
// login ends at once, the client gets access_denied saying the person
// cancelled, and the verification is cancelled at the verifier where it
// can be. Only the browser that started the login can cancel it, once; a
// completion racing the cancel loses (one of them claims the login).
func (p *Provider) loginCancel(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		p.errorPage(w, r, http.StatusMethodNotAllowed, problemMethod, "The cancel endpoint accepts POST only.", "Use the Cancel button of a sign-in page.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	a, ok := p.boundRequest(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	if err := p.claim(ctx, a); errors.Is(err, errAuthRequestGone) {
		p.errorPage(w, r, http.StatusNotFound, problemExpired, "This login was already completed or cancelled.", "Go back to the application; it has received the result.")
		return
	} else if err != nil {
		p.unavailable(w, r, a, err)
		return
	}
	p.cancelVerification(context.WithoutCancel(ctx), a)
	p.audit.Event(ctx, "login.cancelled", slog.String("client_id", a.ClientID), slog.String("auth_request", a.ID), slog.String("journey", a.Journey))
	p.failRequest(w, r, a, zoidc.ErrAccessDenied().WithDescription(cancelDescription))
}

// cancelVerification ends the login's 1Kosmos session when the verifier
// can cancel one (idv.Canceller). 1Kosmos documents no cancel call, so
// with the 1Kosmos client the session is left to expire: nothing can
// complete the login any more, which was claimed first.
func (p *Provider) cancelVerification(ctx context.Context, a *authRequest) {
	if a.VerificationID == "" || a.VerificationID == captureMarker {
		return
	}
	if _, err := idv.Cancel(ctx, p.verifier, a.Journey == journeyLiveID, a.VerificationID); err != nil {
		p.log.WarnContext(ctx, "cancelling the verification", "error", err, "auth_request", a.ID)
	}
}
