package simulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv/onekosmos/envelope"
)

// appClient is a UWL requester and, with auth, an outside authenticator.
type appClient struct {
	*wireClient
	t *testing.T
}

func (c appClient) newSession(body string) wireResp {
	return c.do(wireReq{method: http.MethodPut, path: "/liveid/session/new", servicePub: c.sim.sessions.PublicB64(), body: []byte(body)})
}

func (c appClient) poll(id string) wireResp {
	return c.do(wireReq{method: http.MethodGet, path: "/liveid/session/" + id + "/response", servicePub: c.sim.sessions.PublicB64(),
		header: func(h http.Header) { h.Set("addsessioninfo", "1") }})
}

// userData opens an answered poll's data with ECDH(requester, publicKey).
func (c appClient) userData(r wireResp) map[string]any {
	m := r.json(c.t)
	key, err := c.key.SharedKey(m["publicKey"].(string))
	require.NoError(c.t, err)
	plain, err := envelope.Open(key, m["data"].(string))
	require.NoError(c.t, err)
	var u map[string]any
	require.NoError(c.t, json.Unmarshal(plain, &u))
	return u
}

func TestUWLSession(t *testing.T) {
	sim, _ := startSim(t, Config{})
	c := appClient{newWireClient(t, sim), t}
	sessPub := sim.sessions.PublicB64()

	// Proof a person: their proofing session's did names the account.
	id, _ := c.create("dl_object")
	require.NoError(t, sim.Complete(id, CompleteOptions{}))
	did := sim.idv[id].DID
	acct, ok := sim.Account(did)
	require.True(t, ok)

	r := c.newSession(`{"origin":{"tag":"sim","url":"https://idp.example","communityName":"default","communityId":"c","authPage":"blockid://authenticate"},
		"scopes":"","authtype":"none","metadata":{"purpose":"authentication","did":"` + did + `"}}`)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	sid := r.json(t)["sessionId"].(string)

	p := c.poll(sid)
	require.Equal(t, http.StatusOK, p.status, "%s", p.body)
	pending := p.json(t)
	assert.Equal(t, "Pending", pending["status"])
	assert.Nil(t, pending["data"], "no data: nobody has answered")
	info := pending["sessionInfo"].(map[string]any)
	assert.Equal(t, "authentication", info["metadata"].(map[string]any)["purpose"], "the helpers read sessionInfo.metadata.purpose")
	assert.Equal(t, c.key.PublicB64(), info["publicKey"], "the requester's key, which the authenticator encrypts for")

	require.NoError(t, sim.CompleteLiveID(sid, LiveIDOptions{Match: true}))
	done := c.poll(sid)
	answer := done.json(t)
	assert.NotEqual(t, sessPub, answer["publicKey"], "data is keyed by the authenticator, not the service")
	assert.Equal(t, map[string]any{"did": acct.DID, "userid": acct.UserID}, c.userData(done), "user_data names who signed in, nothing about faces")
	_, err := envelope.Open(c.shared(sessPub), answer["data"].(string))
	assert.Error(t, err, "the service key must not open the data")

	t.Run("an outside authenticator answers", func(t *testing.T) {
		r := c.newSession(`{"origin":{"tag":"sim"},"metadata":{"purpose":"authentication"}}`)
		require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
		sid := r.json(t)["sessionId"].(string)

		// The app reads the session object, encrypts user_data for its
		// publicKey and posts its answer.
		obj := send(t, mustReq(t, http.MethodGet, sim.url("/liveid/session/"+sid))).json(t)
		app, err := envelope.GenerateKey(envelope.Secp256k1)
		require.NoError(t, err)
		key, err := app.SharedKey(obj["publicKey"].(string))
		require.NoError(t, err)
		data, err := envelope.Seal(key, []byte(`{"did":"`+stranger.DID+`","userid":"`+stranger.UserID+`"}`))
		require.NoError(t, err)
		auth := &wireClient{t: t, sim: sim, key: app, license: "unused", now: sim.now}
		body, _ := json.Marshal(map[string]string{"data": data, "publicKey": app.PublicB64(), "did": stranger.DID, "appid": "com.example.app"})
		a := auth.do(wireReq{path: "/liveid/session/" + sid + "/authenticate", servicePub: sessPub, body: body,
			header: func(h http.Header) { h.Del("licensekey") }})
		require.Equal(t, http.StatusOK, a.status, "%s", a.body)
		assert.Equal(t, map[string]any{"did": stranger.DID, "userid": stranger.UserID}, c.userData(c.poll(sid)))

		again := auth.do(wireReq{path: "/liveid/session/" + sid + "/authenticate", servicePub: sessPub, body: body})
		assert.Equal(t, http.StatusBadRequest, again.status, "answered once")
	})

	t.Run("declined has no data", func(t *testing.T) {
		r := c.newSession(`{"origin":{"tag":"sim"},"metadata":{"purpose":"authentication"}}`)
		require.Equal(t, http.StatusCreated, r.status)
		sid := r.json(t)["sessionId"].(string)
		require.NoError(t, sim.Decline(sid))
		m := c.poll(sid).json(t)
		assert.Equal(t, "Declined", m["status"])
		assert.Nil(t, m["data"])
	})

	tests := []struct {
		name   string
		req    wireReq
		status int
	}{
		{name: "no origin", req: wireReq{method: http.MethodPut, path: "/liveid/session/new", servicePub: sessPub, body: []byte(`{"metadata":{"purpose":"authentication"}}`)}, status: 400},
		{name: "not JSON", req: wireReq{method: http.MethodPut, path: "/liveid/session/new", servicePub: sessPub, body: []byte(`<xml/>`)}, status: 400},
		{name: "docuverify key", req: wireReq{method: http.MethodPut, path: "/liveid/session/new", body: []byte(`{"origin":{}}`)}, status: 401},
		{name: "unknown session", req: wireReq{method: http.MethodGet, path: "/liveid/session/nope/response", servicePub: sessPub}, status: 404},
		{name: "bad license", req: wireReq{method: http.MethodGet, path: "/liveid/session/" + sid + "/response", servicePub: sessPub, license: "x"}, status: 401},
		{name: "answer without data", req: wireReq{path: "/liveid/session/" + sid + "/authenticate", servicePub: sessPub, body: []byte(`{"publicKey":"` + sessPub + `"}`)}, status: 400},
		{name: "answer with a bad key", req: wireReq{path: "/liveid/session/" + sid + "/authenticate", servicePub: sessPub, body: []byte(`{"data":"x","publicKey":"AAAA"}`)}, status: 400},
		{name: "answer to an unknown session", req: wireReq{path: "/liveid/session/nope/authenticate", servicePub: sessPub, body: []byte(`{"data":"x","publicKey":"` + sessPub + `"}`)}, status: 404},
		{name: "answer without requestid", req: wireReq{path: "/liveid/session/" + sid + "/authenticate", servicePub: sessPub, body: []byte(`{}`),
			header: func(h http.Header) { h.Del("requestid") }}, status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do(tt.req)
			assert.Equal(t, tt.status, r.status, "%s", r.body)
			assert.Equal(t, float64(tt.status), r.json(t)["code"])
		})
	}
}

// TestAccountLookup is the helpers' GET {adminconsole}/.../userdid/{did}/userinfo,
// keyed with the community key.
func TestAccountLookup(t *testing.T) {
	sim, _ := startSim(t, Config{})
	c := newWireClient(t, sim)
	id, _ := c.create("dl_object")
	did := sim.idv[id].DID
	acct, _ := sim.Account(did)
	communityPub := sim.community.PublicB64()
	lookup := func(community, did string, header func(http.Header)) wireResp {
		return c.do(wireReq{method: http.MethodGet, servicePub: communityPub,
			path: "/adminconsole/api/r1/community/" + url.PathEscape(community) + "/userdid/" + url.PathEscape(did) + "/userinfo?devicelist=true",
			header: func(h http.Header) {
				h.Set("X-TenantTag", tenantTag)
				if header != nil {
					header(h)
				}
			}})
	}
	r := lookup(sim.Community(), did, nil)
	pon := openSealed(t, c.shared(communityPub), r)
	assert.Equal(t, []any{acct.UserID}, pon["userIdList"])
	for _, k := range []string{"id", "personId", "communityId", "publicKey", "poi_ial", "pon_ial"} {
		assert.IsType(t, "", pon[k], k)
	}
	assert.NotNil(t, pon["device"])

	for name, tc := range map[string]struct {
		r      wireResp
		status int
	}{
		"unknown DID":       {lookup(sim.Community(), uuid.NewString(), nil), 404},
		"other community":   {lookup("other", did, nil), 404},
		"no X-TenantTag":    {lookup(sim.Community(), did, func(h http.Header) { h.Del("X-TenantTag") }), 400},
		"wrong X-TenantTag": {lookup(sim.Community(), did, func(h http.Header) { h.Set("X-TenantTag", "other") }), 401},
		"docuverify key": {c.do(wireReq{method: http.MethodGet, path: "/adminconsole/api/r1/community/default/userdid/" + did + "/userinfo",
			header: func(h http.Header) { h.Set("X-TenantTag", tenantTag) }}), 401},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.status, tc.r.status, "%s", tc.r.body)
			assert.EqualValues(t, tc.status, tc.r.json(t)["code"])
		})
	}
}
