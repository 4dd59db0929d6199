package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
)

// The waiting page's link and QR code lead to idbridge's own hand-off page,
// not straight to 1Kosmos. Opened in the browser that started the login it
// goes straight on; opened anywhere else (a phone scanning the QR code, or
// someone a link was forwarded to) it first says which service asks, when
// and roughly where the sign-in started, and goes on to 1Kosmos only when
// the person confirms, once. A forwarded link is then a question the
// victim can refuse, not a silent sign-in of the sender. What remains (an
// attacker who confirms on their own device and forwards 1Kosmos's own
// link) is written in the README's Security section.

// handoffLifetime bounds how long a hand-off link works.
const handoffLifetime = 10 * time.Minute

// handoff is what a hand-off link stands for.
type handoff struct {
	AuthRequest string    `json:"authreq"`
	URL         string    `json:"url"` // the 1Kosmos page
	ClientID    string    `json:"client_id,omitempty"`
	UILocales   string    `json:"ui_locales,omitempty"`
	Journey     string    `json:"journey"`
	StartedAt   time.Time `json:"started_at"`
	Country     string    `json:"country,omitempty"`
	Browser     string    `json:"browser,omitempty"`
	System      string    `json:"system,omitempty"`
}

func handoffKey(token string) string { return "handoff:{" + token + "}" }

// newHandoff stores the hand-off of a started verification and returns its
// token.
func (p *Provider) newHandoff(ctx context.Context, a *authRequest, r *http.Request) (string, error) {
	where := p.where(r)
	browser, system := browserName(where.UserAgent)
	h := handoff{AuthRequest: a.ID, URL: a.VerifyURL, ClientID: a.ClientID, UILocales: a.UILocales, Journey: a.Journey,
		StartedAt: a.CreatedAt, Country: where.Country, Browser: browser, System: system}
	raw, err := json.Marshal(h)
	if err != nil {
		return "", err
	}
	token := randomToken()
	// No longer than the login it serves.
	ttl := min(handoffLifetime, p.cfg.Tokens.AuthRequest-p.now().Sub(a.CreatedAt))
	if ttl <= 0 {
		return "", errAuthRequestGone
	}
	return token, p.store.Set(ctx, handoffKey(token), raw, ttl)
}

// handoffURL is the absolute address of a hand-off, for links and QR codes.
func (p *Provider) handoffURL(token string) string {
	return strings.TrimRight(p.cfg.Issuer, "/") + PathLogin + "/handoff?h=" + token
}

// loginHandoff serves the hand-off page (GET) and the person's answer
// (POST, continue or refuse).
func (p *Provider) loginHandoff(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		p.errorPage(w, r, http.StatusMethodNotAllowed, problemMethod, "Open the link, or use the buttons on its page.", "Open the link you were given again.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	token := r.FormValue("h")
	if token == "" || len(token) > 64 {
		p.handoffGone(w, r)
		return
	}
	ctx := r.Context()
	if r.Method == http.MethodGet {
		raw, err := p.store.Get(ctx, handoffKey(token))
		if errors.Is(err, storage.ErrNotFound) {
			p.handoffGone(w, r)
			return
		}
		if err != nil {
			p.outage(w, r, err)
			return
		}
		var h handoff
		if err := json.Unmarshal(raw, &h); err != nil {
			p.handoffGone(w, r)
			return
		}
		here, err := p.startedLogin(r, h.AuthRequest)
		if err != nil {
			p.outage(w, r, err)
			return
		}
		if here {
			// The browser that started the login: nothing to confirm.
			http.Redirect(w, r, h.URL, http.StatusSeeOther)
			return
		}
		f := p.frameFor(r, h.ClientID, h.UILocales)
		in := h.Browser
		if h.Browser != "" && h.System != "" {
			in = f.lang.T("handoff.browser_on", "Browser", h.Browser, "System", h.System)
		} else if h.Browser == "" {
			in = h.System
		}
		p.render(w, r, http.StatusOK, "handoff.html", f, map[string]any{
			"Token": token, "LiveID": h.Journey == journeyLiveID, "Ago": f.lang.Ago(h.StartedAt, p.now()),
			"Started": f.lang.Date(h.StartedAt), "Country": f.lang.Country(h.Country), "Browser": in,
		})
		return
	}
	// Either answer uses the link up: it works once.
	raw, err := p.store.Take(ctx, handoffKey(token))
	if errors.Is(err, storage.ErrNotFound) {
		p.handoffGone(w, r)
		return
	}
	if err != nil {
		p.outage(w, r, err)
		return
	}
	var h handoff
	if err := json.Unmarshal(raw, &h); err != nil {
		p.handoffGone(w, r)
		return
	}
	if r.PostFormValue("answer") != "continue" {
		p.audit.Event(ctx, "handoff.refused", slog.String("auth_request", h.AuthRequest))
		p.render(w, r, http.StatusOK, "handoff.html", p.frameFor(r, h.ClientID, h.UILocales), map[string]any{"Refused": true})
		return
	}
	p.audit.Event(ctx, "handoff.confirmed", slog.String("auth_request", h.AuthRequest))
	http.Redirect(w, r, h.URL, http.StatusSeeOther)
}

func (p *Provider) handoffGone(w http.ResponseWriter, r *http.Request) {
	p.errorPage(w, r, http.StatusNotFound, problemLinkUsed, "This link was already used or has expired.",
		"If you are signing in, start again on the device where you began; a link works once, for 10 minutes.")
}

// startedLogin reports whether the browser sending r started the login
// request id (a finished or expired login was started nowhere); an error
// is shared storage failing.
func (p *Provider) startedLogin(r *http.Request, id string) (bool, error) {
	a, err := p.loadAuthRequest(r.Context(), id)
	if errors.Is(err, errAuthRequestGone) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return p.startedHere(r, a)
}

// browserName names a browser and system roughly, from a User-Agent, for a
// person to recognise ("Firefox", "Windows"); "" for what is unknown.
func browserName(ua string) (browser, system string) {
	var b, s string
	switch {
	case strings.Contains(ua, "Edg/"):
		b = "Edge"
	case strings.Contains(ua, "OPR/"):
		b = "Opera"
	case strings.Contains(ua, "Firefox/"):
		b = "Firefox"
	case strings.Contains(ua, "Chrome/") || strings.Contains(ua, "Chromium/"):
		b = "Chrome"
	case strings.Contains(ua, "Safari/"):
		b = "Safari"
	}
	switch {
	case strings.Contains(ua, "Android"):
		s = "Android"
	case strings.Contains(ua, "iPhone") || strings.Contains(ua, "iPad"):
		s = "iOS"
	case strings.Contains(ua, "Windows"):
		s = "Windows"
	case strings.Contains(ua, "Mac OS X"):
		s = "macOS"
	case strings.Contains(ua, "Linux"):
		s = "Linux"
	}
	return b, s
}
