package api

import (
	_ "embed"
	"encoding/json"
	"net/http"
)

//go:embed openapi.json
var openAPISpec []byte

// OpenAPI returns the OpenAPI 3 description of the API with servers set
// to issuer (when not empty).
func OpenAPI(issuer string) []byte {
	if issuer == "" {
		return openAPISpec
	}
	var doc map[string]any
	if err := json.Unmarshal(openAPISpec, &doc); err != nil {
		return openAPISpec
	}
	doc["servers"] = []any{map[string]any{"url": issuer}}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return openAPISpec
	}
	return b
}

// handleOpenAPI serves GET /v1/openapi.json (no authentication: it holds
// no secrets and connector set-up needs it).
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(OpenAPI(s.issuer))
}
