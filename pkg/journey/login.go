package journey

import (
	"errors"
	"time"
)

// LoginRequest is what a front door without pages of its own (SAML) asks
// of a browser login run by the front door that has them (the OpenID
// Provider's waiting page, LiveID identification, selfie capture, hand-off
// and cancel). The login answers by sending the browser to the client's
// registered return address with a single-use code and State, or with an
// OAuth-style error.
type LoginRequest struct {
	// Client is the internal client the login is for: one per SAML service
	// provider, never usable at /authorize, /par or /token. It chooses the
	// journey, the identifier namespace, the policy section and the
	// branding of the pages.
	Client string
	// ACR are the authentication context classes asked for, in idbridge's
	// own names (ACRIAL2, ACRLiveID), in order of preference. ACREssential
	// makes them exact: a login that achieves none of them fails with
	// unmet_authentication_requirements, never with a weaker one.
	ACR          []string
	ACREssential bool
	// Fresh: the person must authenticate now, never from the SSO session
	// (SAML ForceAuthn, like OIDC prompt=login).
	Fresh bool
	// Passive: the login must not interact with the person: the SSO
	// session answers, or it fails with login_required or
	// interaction_required (SAML IsPassive, like OIDC prompt=none).
	Passive bool
	// State is returned unchanged with the code or the error.
	State string
	// UILocales are the languages the pages should speak, most preferred
	// first (space separated BCP 47 tags; optional).
	UILocales string
}

// Authentication is what a finished login established: who authenticated,
// with which context class and methods, and when.
type Authentication struct {
	// Subject is the person's opaque, stable subject.
	Subject string
	// ACR is the achieved authentication context class in idbridge's own
	// names (ACRIAL2 or ACRLiveID).
	ACR string
	// AMR are the RFC 8176 methods used ("face", "user").
	AMR []string
	// AuthTime is when the person last authenticated interactively.
	AuthTime time.Time
}

// ErrLoginGone: the code of a finished login is unknown, expired, already
// redeemed, or was issued to another client.
var ErrLoginGone = errors.New("the login is unknown, expired or already completed; start again")
