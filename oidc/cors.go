package oidc

import (
	"net/http"
	"slices"

	"github.com/rs/cors"

	"github.com/idbridge/idbridge/pkg/config"
)

// Cross-origin reads. Discovery and JWKS are public metadata: any origin
// may read them, without credentials. The token, userinfo, revocation and
// introspection endpoints answer browsers only from the origins clients
// registered (clients[].allowed_origins), and never with
// Access-Control-Allow-Credentials: tokens travel in headers and bodies,
// not cookies, so no origin needs the browser's credentials, and none is
// allowed by reflecting what it sent.

// publicCORS is the policy of discovery and JWKS.
func publicCORS() *cors.Cors {
	return cors.New(cors.Options{AllowedOrigins: []string{"*"}, AllowedMethods: []string{http.MethodGet, http.MethodHead}})
}

// clientCORSOptions is the policy of the endpoints clients call with
// tokens; zitadel's routes get the same options. Origins are compared
// exactly, never by pattern.
func clientCORSOptions(origins []string) *cors.Options {
	return &cors.Options{
		AllowOriginFunc:  func(origin string) bool { return slices.Contains(origins, origin) },
		AllowCredentials: false,
		AllowedMethods:   []string{http.MethodGet, http.MethodHead, http.MethodPost},
		AllowedHeaders:   []string{"Accept", "Accept-Language", "Authorization", "Content-Type"},
	}
}

// allowedOrigins is every origin some client registered, each once.
func allowedOrigins(clients []config.Client) []string {
	var out []string
	for _, c := range clients {
		for _, o := range c.AllowedOrigins {
			if !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
	}
	return out
}
