package oidc

import zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

// OAuth error codes zitadel has no constructor for.
func errTemporarilyUnavailable() *zoidc.Error {
	return &zoidc.Error{ErrorType: "temporarily_unavailable"} // RFC 6749 4.1.2.1
}

func errUnsupportedResponseType() *zoidc.Error {
	return &zoidc.Error{ErrorType: "unsupported_response_type"} // RFC 6749 4.1.2.1
}

func errRequestURINotSupported() *zoidc.Error {
	return &zoidc.Error{ErrorType: "request_uri_not_supported"} // OIDC Core 3.1.2.6
}

func errUnmetAuthenticationRequirements() *zoidc.Error {
	return &zoidc.Error{ErrorType: "unmet_authentication_requirements"} // OIDC Core 5.5.1.1 errata, RFC 9470
}

func errInvalidRequestObject() *zoidc.Error {
	return &zoidc.Error{ErrorType: "invalid_request_object"} // OIDC Core 6.3
}

func errInvalidRequestURI() *zoidc.Error {
	return &zoidc.Error{ErrorType: "invalid_request_uri"} // RFC 9101 / OIDC Core 6.3
}
