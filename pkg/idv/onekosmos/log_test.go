package onekosmos

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/logtest"
)

func TestLogsCarryNoSecretsOrPersonalData(t *testing.T) {
	f := newFake(t)
	image := []byte("selfie-bytes-0123456789")
	f.set(rResultV3, func(w http.ResponseWriter, r *http.Request) {
		key, _, _ := f.open(r)
		f.sealed(w, key, map[string]any{"sessionId": "s-1", "sessionResult": "SUCCESS",
			"sessionData": map[string]any{"user": map[string]any{"uid": "did-zeb", "username": "zebulon@example.com"}},
			"document":    map[string]any{"firstName": "Zebulon", "lastName": "Quixote", "documentId": "DN-998877", "dob": "19700102"}})
	})
	f.set(rVerify, func(w http.ResponseWriter, r *http.Request) {
		writeJSONT(w, 400, map[string]any{"code": 400, "message": "bad license " + fakeLicense})
	})
	var buf logtest.Buffer
	c := f.client(func(cfg *Config) {
		cfg.Logger = slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	ctx := context.Background()
	_, err := c.StartIDV(ctx, idv.IDVRequest{UserRef: "user-ref-1"})
	require.NoError(t, err)
	r, err := c.IDVResult(ctx, "s-1")
	require.NoError(t, err)
	require.Equal(t, "Zebulon", r.Person.GivenName)
	enrolled := []byte("enrolled-face-bytes-9876")
	_, err = c.CheckFace(ctx, idv.FaceCheck{Image: image, Enrolled: enrolled})
	require.ErrorIs(t, err, idv.ErrRejected)

	out := buf.String()
	assert.Equal(t, 6, strings.Count(out, `"msg":"1kosmos call"`), out) // 3 bootstrap + create, result, verify
	for _, secret := range []string{fakeLicense, "Zebulon", "Quixote", "DN-998877", "19700102", "user-ref-1", "did-zeb", "zebulon@example.com",
		base64.StdEncoding.EncodeToString(enrolled), base64.StdEncoding.EncodeToString(image), "hosted.example", c.PublicKey()} {
		assert.NotContains(t, out, secret)
	}
}
