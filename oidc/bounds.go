package oidc

import (
	"encoding/json"
	"net/url"
	"strings"

	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"
)

// paramLimit is the longest value, in bytes, idbridge accepts for one
// authorization request parameter. Every parameter that is kept with the
// request, echoed back or verified is bounded, so a request costs the
// store a few KiB at most; the README's Security section lists the limits.
type paramLimit struct {
	name string
	max  int
}

// authorizeLimits is checked in this order, so the first problem named is
// always the same one.
var authorizeLimits = []paramLimit{
	{"state", 2048},
	{"nonce", 2048},
	{"login_hint", 256},
	{"id_token_hint", 8192},
	{"claims", 16 << 10},
	{"request", 32 << 10},
	{"request_uri", 256},
	{"scope", 1024},
	{"acr_values", 1024},
	{"prompt", 256},
	{"ui_locales", 256},
	{"claims_locales", 256},
	{"code_challenge", 128}, // an S256 challenge is 43 characters (RFC 7636 4.2)
	{"code_challenge_method", 16},
	{"response_type", 64},
	{"response_mode", 64},
	{"display", 32},
	{"max_age", 20},
}

// maxState is the longest state echoed back to the client.
const maxState = 2048

// maxAuthRequestParams bounds the stored request as /authorize builds it;
// maxAuthRequestRecord bounds it once the journey has added its own
// fields (verification link, risk reasons). JSON escaping can make a
// parameter up to six times longer when stored, so the record is measured,
// not estimated.
const (
	maxAuthRequestParams = 48 << 10
	maxAuthRequestRecord = 64 << 10
)

// checkParamSizes reports the first parameter of form that is longer than
// its limit, as invalid_request naming the parameter and its limit.
func checkParamSizes(form url.Values) *zoidc.Error {
	for _, l := range authorizeLimits {
		for _, v := range form[l.name] {
			if len(v) > l.max {
				return zoidc.ErrInvalidRequest().WithDescription("%s is longer than %d bytes; send at most %d bytes (idbridge bounds every authorization parameter)", l.name, l.max, l.max)
			}
		}
	}
	return nil
}

// objectParams are the parameters a request object set, for the same
// size check as the query's.
func objectParams(ar *zoidc.AuthRequest, claims string) url.Values {
	return url.Values{
		"state": {ar.State}, "nonce": {ar.Nonce}, "login_hint": {ar.LoginHint}, "id_token_hint": {ar.IDTokenHint},
		"claims": {claims}, "scope": {strings.Join(ar.Scopes, " ")}, "acr_values": {strings.Join(ar.ACRValues, " ")},
		"prompt": {strings.Join(ar.Prompt, " ")}, "code_challenge": {ar.CodeChallenge},
	}
}

// checkRecordSize refuses a request whose stored form would exceed
// maxAuthRequestParams.
func checkRecordSize(a *authRequest) *zoidc.Error {
	raw, err := json.Marshal(a)
	if err != nil || len(raw) > maxAuthRequestParams {
		return zoidc.ErrInvalidRequest().WithDescription("the authorization request is too large to keep (at most %d bytes once stored); send shorter parameters", maxAuthRequestParams)
	}
	return nil
}
