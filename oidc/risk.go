package oidc

import (
	"net/http"

	"github.com/gorilla/sessions"

	"github.com/idbridge/idbridge/pkg/netid"
)

const deviceCookie = "idbridge_device"

// deviceID returns the browser's long-lived device id, setting the cookie
// on first sight. It is random and bound to users only by their logins;
// it lives in a signed and encrypted cookie for risk.device_memory, with
// nothing stored server-side.
func (p *Provider) deviceID(w http.ResponseWriter, r *http.Request) string {
	s, err := p.devices.Get(r, deviceCookie)
	if err != nil {
		s, _ = p.devices.New(r, deviceCookie)
	}
	if id, _ := s.Values["d"].(string); id != "" {
		return id
	}
	id := newID()
	s.Values["d"] = id
	s.Options = &sessions.Options{Path: "/", MaxAge: int(p.cfg.Risk.DeviceMemory.Seconds()), HttpOnly: true, Secure: p.secureCookies(), SameSite: http.SameSiteLaxMode}
	_ = s.Save(r, w)
	return id
}

// where returns what the risk policy knows of the request's origin.
func (p *Provider) where(r *http.Request) netid.Client { return p.netid.Client(r) }
