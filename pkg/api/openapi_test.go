package api

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestOpenAPIDocument(t *testing.T) {
	e := newEnv(t, nil)
	resp, err := http.Get(e.http.URL + "/v1/openapi.json")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	b, _ := io.ReadAll(resp.Body)
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Servers []map[string]string                  `json:"servers"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	require.Regexp(t, `^3\.`, doc.OpenAPI)
	require.Equal(t, "https://idb.example", doc.Servers[0]["url"])
	for path, method := range map[string]string{
		"/v1/idv/sessions": "post", "/v1/idv/sessions/{session_id}": "get",
		"/v1/stepup/challenges": "post", "/v1/stepup/challenges/{challenge_id}": "get",
		"/v1/risk/evaluate": "post", "/v1/users/{user_identifier}/forget": "post",
		"/v1/hooks/descope": "post", "/v1/openapi.json": "get",
		"/v1/idv/sessions/{session_id}/cancel": "post", "/v1/stepup/challenges/{challenge_id}/cancel": "post",
	} {
		op, ok := doc.Paths[path][method]
		require.True(t, ok, "%s %s missing", method, path)
		require.Contains(t, op, "responses")
	}
	// Every route the server answers is documented, and nothing more.
	require.Len(t, doc.Paths, 10)
}
