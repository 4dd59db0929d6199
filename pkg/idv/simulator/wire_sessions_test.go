package simulator

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/onekosmos/envelope"
)

func TestUWLSession(t *testing.T) {
	sim, _ := startSim(t, Config{})
	c := newWireClient(t, sim)
	sessPub := sim.sessions.PublicB64()

	// Enrol a user through proofing, then step up by userId alone.
	id, _ := c.create("dl_object")
	sim.mu.Lock()
	user := sim.idv[id].UserUID
	sim.mu.Unlock()
	require.NoError(t, sim.Complete(id, CompleteOptions{}))

	newSession := func(body string) wireResp {
		return c.do(wireReq{method: http.MethodPut, path: "/sessions/session/new", servicePub: sessPub, body: []byte(body)})
	}
	poll := func(id string) wireResp {
		return c.do(wireReq{method: http.MethodGet, path: "/sessions/session/" + id + "/response", servicePub: sessPub,
			header: func(h http.Header) { h.Set("addsessioninfo", "1") }})
	}

	r := newSession(`{"origin":{"tag":"idbridge","url":"https://idp.example","communityName":"default"},"purpose":"authentication","userId":"` + user + `"}`)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	created := r.json(t)
	sid := created["sessionId"].(string)
	assert.Equal(t, sim.BaseURL()+"/liveid/session/"+sid, created["url"])

	p := poll(sid)
	require.Equal(t, http.StatusOK, p.status, "%s", p.body)
	pending := p.json(t)
	assert.Equal(t, "Pending", pending["status"])
	assert.Nil(t, pending["data"])
	assert.NotNil(t, pending["sessionInfo"])

	require.NoError(t, sim.CompleteLiveID(sid, LiveIDOptions{Match: true}))
	done := poll(sid).json(t)
	assert.Equal(t, "Completed", done["status"])
	authPub := done["publicKey"].(string)
	assert.NotEqual(t, sessPub, authPub, "data is keyed by the authenticator, not the service")
	key, err := c.key.SharedKey(authPub)
	require.NoError(t, err)
	plain, err := envelope.Open(key, done["data"].(string))
	require.NoError(t, err)
	var res map[string]any
	require.NoError(t, json.Unmarshal(plain, &res))
	assert.Equal(t, "Passed", res["face_liveness"])
	assert.Equal(t, "Passed", res["face_compare"])
	assert.Equal(t, user, res["userId"])
	assert.Equal(t, faceRef(fixtures[0].Selfie), res["faceRef"])
	_, err = envelope.Open(c.shared(sessPub), done["data"].(string))
	assert.Error(t, err, "the service key must not open the data")

	t.Run("faceRef in metadata", func(t *testing.T) {
		r := newSession(`{"origin":"https://idp.example","purpose":"authentication","metadata":{"faceRef":"` + faceRef(fixtures[1].Selfie) + `"}}`)
		require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
		sid := r.json(t)["sessionId"].(string)
		require.NoError(t, sim.CompleteLiveID(sid, LiveIDOptions{Selfie: fixtures[0].Selfie}))
		done := poll(sid).json(t)
		key, err := c.key.SharedKey(done["publicKey"].(string))
		require.NoError(t, err)
		plain, err := envelope.Open(key, done["data"].(string))
		require.NoError(t, err)
		assert.Contains(t, string(plain), `"face_compare":"Failed"`)
	})

	t.Run("declined has no data", func(t *testing.T) {
		r := newSession(`{"purpose":"authentication","faceRef":"abc"}`)
		require.Equal(t, http.StatusCreated, r.status)
		sid := r.json(t)["sessionId"].(string)
		require.NoError(t, sim.Decline(sid))
		m := poll(sid).json(t)
		assert.Equal(t, "Declined", m["status"])
		assert.Nil(t, m["data"])
	})

	tests := []struct {
		name   string
		req    wireReq
		status int
	}{
		{name: "no face", req: wireReq{method: http.MethodPut, path: "/sessions/session/new", servicePub: sessPub, body: []byte(`{"purpose":"authentication","userId":"stranger"}`)}, status: 400},
		{name: "not JSON", req: wireReq{method: http.MethodPut, path: "/sessions/session/new", servicePub: sessPub, body: []byte(`<xml/>`)}, status: 400},
		{name: "docuverify key", req: wireReq{method: http.MethodPut, path: "/sessions/session/new", body: []byte(`{"faceRef":"abc"}`)}, status: 401},
		{name: "unknown session", req: wireReq{method: http.MethodGet, path: "/sessions/session/nope/response", servicePub: sessPub}, status: 404},
		{name: "bad license", req: wireReq{method: http.MethodGet, path: "/sessions/session/" + sid + "/response", servicePub: sessPub, license: "x"}, status: 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do(tt.req)
			assert.Equal(t, tt.status, r.status, "%s", r.body)
			assert.Equal(t, float64(tt.status), r.json(t)["code"])
		})
	}
}
