package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/idbridge/idbridge/pkg/storage"
)

// PathPAR is the pushed authorization request endpoint (RFC 9126).
const PathPAR = "/par"

// parLifetime is how long a request_uri can be used (RFC 9126 2.2 suggests
// 5 to 600 seconds).
const parLifetime = 60 * time.Second

const requestURIPrefix = "urn:ietf:params:oauth:request_uri:"

type pushedRequest struct {
	ClientID string     `json:"client_id"`
	Form     url.Values `json:"form"`
}

func parKey(uri string) string { return "par:{" + uri + "}" }

// par accepts an authenticated client's authorization parameters and
// returns a single-use request_uri for /authorize.
func (p *Provider) par(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeOAuthError(w, http.StatusMethodNotAllowed, zoidc.ErrInvalidRequest().WithDescription("use POST"))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, zoidc.ErrInvalidRequest().WithDescription("the form body could not be read (at most 64 KiB)"))
		return
	}
	cl, err := p.authenticateClient(r)
	if err != nil {
		p.clientError(w, err)
		return
	}
	form := url.Values{}
	for k, v := range r.PostForm {
		if k == "client_secret" || k == "client_assertion" || k == "client_assertion_type" {
			continue
		}
		form[k] = v
	}
	form.Set("client_id", cl.cfg.ID)
	if form.Get("request_uri") != "" {
		writeOAuthError(w, http.StatusBadRequest, zoidc.ErrInvalidRequest().WithDescription("request_uri must not be pushed (RFC 9126 2.1)"))
		return
	}
	if _, aerr := p.parseAuthorize(r.Context(), form, pushing); aerr != nil {
		e := aerr.oauth
		if aerr.page {
			e = zoidc.ErrInvalidRequest().WithDescription("%s %s", aerr.detail, aerr.fix)
		}
		writeOAuthError(w, http.StatusBadRequest, e)
		return
	}
	uri := requestURIPrefix + randomToken()
	raw, _ := json.Marshal(pushedRequest{ClientID: cl.cfg.ID, Form: form})
	if err := p.store.Set(r.Context(), parKey(uri), raw, parLifetime); err != nil {
		writeOAuthError(w, http.StatusServiceUnavailable, errTemporarilyUnavailable().WithDescription("idbridge's storage is unavailable; retry shortly"))
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"request_uri": uri, "expires_in": int(parLifetime.Seconds())})
}

// takePushed redeems a request_uri once, for the client that pushed it.
// A request_uri that PAR did not issue is request_uri_not_supported; an
// expired or reused one is invalid_request_uri. Both go back to the client
// when the outer request names a registered redirect_uri, else to a page.
func (p *Provider) takePushed(ctx context.Context, outer url.Values) (url.Values, *authzError) {
	clientID, uri := outer.Get("client_id"), outer.Get("request_uri")
	cl, ok := p.clients[clientID]
	if !ok {
		return nil, pageError(http.StatusBadRequest, "Unknown client_id.", "Send the client_id together with request_uri.")
	}
	refuse := func(e *zoidc.Error, problem, fix string) (url.Values, *authzError) {
		if ru := outer.Get("redirect_uri"); ru != "" && slices.Contains(cl.cfg.RedirectURIs, ru) {
			return nil, &authzError{to: authResponse{redirectURI: ru, state: outer.Get("state")}, oauth: e.WithDescription("%s", problem)}
		}
		return nil, pageError(http.StatusBadRequest, problem, fix)
	}
	if !strings.HasPrefix(uri, requestURIPrefix) {
		return refuse(errRequestURINotSupported(), "request_uri is supported only for pushed authorization requests",
			"Push the request to "+PathPAR+" and use the request_uri it returns.")
	}
	// Only the client that pushed the request may spend its request_uri:
	// it is read first and taken only when the client matches.
	pr, err := p.readPushed(ctx, uri, false)
	if err == nil && pr.ClientID == cl.cfg.ID {
		pr, err = p.readPushed(ctx, uri, true)
	}
	if errors.Is(err, storage.ErrNotFound) || (err == nil && pr.ClientID != cl.cfg.ID) {
		return refuse(errInvalidRequestURI(), "the request_uri is unknown, expired or was already used",
			"Push the authorization request again; each request_uri works once, for 60 seconds, for the client that pushed it.")
	}
	if err != nil {
		return nil, pageError(http.StatusServiceUnavailable, "The service is temporarily unavailable.", "Try again in a moment.")
	}
	return pr.Form, nil
}

// readPushed reads a pushed request, taking it (single use) when take.
func (p *Provider) readPushed(ctx context.Context, uri string, take bool) (pushedRequest, error) {
	var pr pushedRequest
	get := p.store.Get
	if take {
		get = p.store.Take
	}
	raw, err := get(ctx, parKey(uri))
	if err != nil {
		return pr, err
	}
	if err := json.Unmarshal(raw, &pr); err != nil {
		return pr, fmt.Errorf("oidc: stored pushed request unreadable: %w", err)
	}
	return pr, nil
}

func writeOAuthError(w http.ResponseWriter, status int, e *zoidc.Error) {
	body := map[string]string{"error": string(e.ErrorType)}
	if e.Description != "" {
		body["error_description"] = e.Description
	}
	writeJSON(w, status, body)
}
