package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/idbridge/idbridge/pkg/idv"
)

// pollInterval bounds how often one login asks 1Kosmos for news, however
// often browsers ask us.
const pollInterval = time.Second

// loginWait shows the waiting page: the hosted verification page (link and
// QR code for a phone), live status, and a Continue button for browsers
// without JavaScript.
func (p *Provider) loginWait(w http.ResponseWriter, r *http.Request) {
	a, ok := p.boundRequest(w, r)
	if !ok {
		return
	}
	if a.VerificationID == "" {
		http.Redirect(w, r, PathLogin+"?id="+a.ID, http.StatusSeeOther)
		return
	}
	if a.VerificationID == captureMarker {
		http.Redirect(w, r, PathLogin+"/capture?id="+a.ID, http.StatusSeeOther)
		return
	}
	f := p.loginFrame(r, a)
	p.render(w, r, http.StatusOK, "wait.html", f, map[string]any{
		"ID": a.ID, "Journey": a.Journey, "VerifyURL": p.verifyLink(a), "QR": PathLogin + "/qr?id=" + a.ID,
		"StatusURL": PathLogin + "/status?id=" + a.ID, "StatusText": p.statusSentence(f, a.LastStatus), "Minutes": p.minutesLeft(a),
	})
}

// statusSentence says where a verification in state stands and what
// happens next, in the page's language.
func (p *Provider) statusSentence(f frame, state string) string {
	switch idv.Status(state) {
	case idv.StatusInProgress, idv.StatusCompleted, idv.StatusDeclined, idv.StatusExpired, idv.StatusAbandoned:
	case "unavailable":
	default:
		state = string(idv.StatusPending)
	}
	return f.lang.T("status."+state, "Client", p.clientName(f))
}

// minutesLeft is how many whole minutes the person has left to finish the
// verification (0 when none or unknown): until the 1Kosmos session or the
// login expires, whichever comes first.
func (p *Provider) minutesLeft(a *authRequest) int {
	end := a.CreatedAt.Add(p.cfg.Tokens.AuthRequest)
	if !a.ExpiresAt.IsZero() && a.ExpiresAt.Before(end) {
		end = a.ExpiresAt
	}
	return int(end.Sub(p.now()) / time.Minute)
}

// verifyLink is where the waiting page's link and QR code lead: the
// hand-off page (1Kosmos's page itself only for a request started before
// hand-offs existed).
func (p *Provider) verifyLink(a *authRequest) string {
	if a.Handoff != "" {
		return p.handoffURL(a.Handoff)
	}
	return a.VerifyURL
}

// loginQR is the QR code of the hosted verification page, for a phone.
// It is drawn only when the browser shows it, and cached by the browser.
func (p *Provider) loginQR(w http.ResponseWriter, r *http.Request) {
	a, ok := p.boundRequest(w, r)
	if !ok {
		return
	}
	if a.VerifyURL == "" {
		http.NotFound(w, r)
		return
	}
	png, err := qrcode.Encode(p.verifyLink(a), qrcode.Medium, 220)
	if err != nil {
		http.Error(w, "QR code unavailable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(png)
}

// statusView is the JSON the waiting page polls: state is one of pending,
// in_progress, completed, declined, expired, abandoned, unavailable;
// message says it to the person in the page's language; next is where to
// go once the state is terminal.
type statusView struct {
	State   string `json:"state"`
	Message string `json:"message,omitempty"`
	Next    string `json:"next,omitempty"`
}

// loginStatus reports the verification state, polling 1Kosmos server-side
// at most once per pollInterval per login.
func (p *Provider) loginStatus(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	a, err := p.loadAuthRequest(r.Context(), r.FormValue("id"))
	if errors.Is(err, errAuthRequestGone) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found", "message": "this login has expired or was already completed"})
		return
	}
	var here bool
	if err == nil {
		here, err = p.startedHere(r, a)
	}
	if err != nil {
		// Storage is down, the login is not over: the page keeps polling.
		p.log.ErrorContext(r.Context(), "storage failure during login status", "error", err)
		w.Header().Set("Retry-After", retryAfter)
		writeJSON(w, http.StatusServiceUnavailable, statusView{State: "unavailable"})
		return
	}
	if !here {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "forbidden", "message": "this login belongs to another browser"})
		return
	}
	state := a.LastStatus
	if p.now().Sub(a.LastPolled) >= pollInterval {
		st, err := p.poll(r.Context(), a)
		switch {
		case errors.Is(err, idv.ErrUnavailable):
			state = "unavailable"
		case err != nil:
			p.log.WarnContext(r.Context(), "polling verification", "error", err)
			state = "unavailable"
		default:
			state = string(st)
		}
	}
	v := statusView{State: state, Message: p.statusSentence(p.loginFrame(r, a), state)}
	if idv.Status(state).Terminal() {
		v.Next = PathLogin + "/continue?id=" + a.ID
	}
	writeJSON(w, http.StatusOK, v)
}

// poll asks 1Kosmos for the session's status and remembers it.
func (p *Provider) poll(ctx context.Context, a *authRequest) (idv.Status, error) {
	var st idv.Status
	if a.Journey == journeyLiveID {
		res, err := p.verifier.LiveIDResult(ctx, a.VerificationID)
		if err != nil {
			return "", err
		}
		st = res.Status
	} else {
		res, err := p.verifier.IDVResult(ctx, a.VerificationID)
		if err != nil {
			return "", err
		}
		st = res.Status
	}
	a.LastStatus, a.LastPolled = string(st), p.now()
	// A request finished or changed meanwhile (Continue, another poll)
	// is not written back: the answer is still the status just read.
	if err := p.saveAuthRequest(ctx, a); err != nil && !errors.Is(err, errAuthRequestGone) && !errors.Is(err, errAuthRequestChanged) {
		return "", err
	}
	return st, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
