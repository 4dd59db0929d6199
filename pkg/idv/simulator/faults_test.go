package simulator

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFaults(t *testing.T) {
	faults := &Faults{}
	sim, srv := startSim(t, Config{Faults: faults})
	c := newWireClient(t, sim)
	create := wireReq{path: "/docuverify/document_share_session/create", inner: c.createBody("dl_object")}

	t.Run("none", func(t *testing.T) {
		assert.Equal(t, http.StatusOK, c.do(create).status)
	})
	t.Run("5xx", func(t *testing.T) {
		faults.Set(FaultSettings{ErrorRate: 1})
		defer faults.Set(FaultSettings{})
		r := c.do(create)
		require.Equal(t, http.StatusServiceUnavailable, r.status)
		assert.Equal(t, float64(503), r.json(t)["code"])
	})
	t.Run("garbage", func(t *testing.T) {
		faults.Set(FaultSettings{GarbageRate: 1})
		defer faults.Set(FaultSettings{})
		r := c.do(create)
		require.Equal(t, http.StatusOK, r.status)
		assert.False(t, json.Valid(r.body), "%q", r.body)
	})
	t.Run("connection closed", func(t *testing.T) {
		faults.Set(FaultSettings{CloseRate: 1})
		defer faults.Set(FaultSettings{})
		_, err := http.Get(srv.URL + "/simulator/caas/sd")
		require.Error(t, err)
	})
	t.Run("latency gives up with the client", func(t *testing.T) {
		faults.Set(FaultSettings{Latency: time.Hour})
		defer faults.Set(FaultSettings{})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/simulator/caas/sd", nil)
		require.NoError(t, err)
		_, err = http.DefaultClient.Do(req)
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
	t.Run("pages are never faulted", func(t *testing.T) {
		faults.Set(FaultSettings{ErrorRate: 1})
		defer faults.Set(FaultSettings{})
		id, err := sim.StartIDV(context.Background(), idvReq())
		require.NoError(t, err)
		r := send(t, mustReq(t, http.MethodGet, id.URL))
		assert.Equal(t, http.StatusOK, r.status)
	})
	t.Run("cleared", func(t *testing.T) {
		assert.Equal(t, FaultSettings{}, faults.Settings())
		assert.Equal(t, http.StatusOK, c.do(create).status)
	})
}
