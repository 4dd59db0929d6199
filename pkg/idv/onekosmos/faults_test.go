package onekosmos

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/idv"
)

func TestSlowServiceTimesOut(t *testing.T) {
	f := newFake(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	f.set(rResultV3, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	c := f.client(func(cfg *Config) { cfg.Timeout = 50 * time.Millisecond })
	_, err := c.IDVResult(context.Background(), "s-1")
	require.ErrorIs(t, err, idv.ErrUnavailable)
	assert.ErrorIs(t, err, errTimeout)
	assert.Equal(t, 1+DefaultRetries, f.count(rResultV3), "result is retried")
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name      string
		route     string
		call      func(c *Client) error
		wantErr   error
		wantCalls int
	}{
		{
			name:  "result retried after 5xx",
			route: rResultV3,
			call: func(c *Client) error {
				r, err := c.IDVResult(context.Background(), "s-1")
				if err == nil && r.Status != idv.StatusPending {
					return errors.New("wrong status")
				}
				return err
			},
			wantCalls: 2,
		},
		{
			name:  "create not retried after 5xx",
			route: rCreate,
			call: func(c *Client) error {
				_, err := c.StartIDV(context.Background(), idv.IDVRequest{})
				return err
			},
			wantErr:   idv.ErrUnavailable,
			wantCalls: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			var mu sync.Mutex
			failed := false
			next := f.routes[tt.route]
			f.set(tt.route, func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				first := !failed
				failed = true
				mu.Unlock()
				if first {
					writeJSONT(w, 503, map[string]any{"code": 503, "message": "busy"})
					return
				}
				next(w, r)
			})
			err := tt.call(f.client(nil))
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.wantCalls, f.count(tt.route))
		})
	}
}

func TestBadAnswersAreUnavailable(t *testing.T) {
	tests := []struct {
		name    string
		handler func(f *fakeService) http.HandlerFunc
		cause   error
		once    bool // answer understood, content unusable: not retried
	}{
		{name: "garbage body", cause: errGarbage, handler: func(*fakeService) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<html>oops")) }
		}},
		{name: "data not decryptable", cause: errUndecrypt, handler: func(*fakeService) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				writeJSONT(w, 200, map[string]string{"data": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="})
			}
		}},
		{name: "data encrypted with the returned publicKey", cause: errUndecrypt, handler: func(f *fakeService) http.HandlerFunc {
			// The helper decrypts with the request key, never with the
			// answer's publicKey: an answer keyed otherwise is refused.
			return func(w http.ResponseWriter, r *http.Request) {
				key, _, _ := f.open(r)
				other := append([]byte(nil), key...)
				other[0] ^= 1
				f.sealed(w, other, map[string]string{"status": "Completed"})
			}
		}},
		{name: "oversized body", cause: errTooLarge, handler: func(*fakeService) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				chunk := []byte(strings.Repeat("x", 64<<10))
				for i := 0; i < 64; i++ { // 4 MiB against a 64 KiB limit
					if _, err := w.Write(chunk); err != nil {
						return
					}
				}
			}
		}},
		{name: "connection closed mid-answer", handler: func(*fakeService) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				conn, buf, err := http.NewResponseController(w).Hijack()
				if err != nil {
					return
				}
				_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"data\":\"abc")
				_ = buf.Flush()
				_ = conn.Close()
			}
		}},
		{name: "answer for another session", cause: errOtherSession, once: true, handler: func(f *fakeService) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				key, _, _ := f.open(r)
				f.sealed(w, key, map[string]string{"sessionId": "s-2", "status": "Completed"})
			}
		}},
		{name: "unknown status word", cause: errStatus, once: true, handler: func(f *fakeService) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				key, _, _ := f.open(r)
				f.sealed(w, key, map[string]string{"status": "Frobnicated"})
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.set(rResultV3, tt.handler(f))
			c := f.client(func(cfg *Config) { cfg.MaxResponseBytes = 64 << 10 })
			_, err := c.IDVResult(context.Background(), "s-1")
			require.ErrorIs(t, err, idv.ErrUnavailable)
			if tt.cause != nil {
				assert.ErrorIs(t, err, tt.cause)
			}
			want := 1 + DefaultRetries
			if tt.once {
				want = 1
			}
			assert.Equal(t, want, f.count(rResultV3))
		})
	}
}

func TestServiceRefusals(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		want    error
		message string
	}{
		{name: "400 with message", status: 400, body: `{"code":400,"message":"dvcID is required"}`, want: idv.ErrRejected, message: "dvcID is required"},
		{name: "unknown session", status: 404, body: `{"code":404,"message":"session not found"}`, want: idv.ErrNotFound, message: "session not found"},
		{name: "unknown dvcID", status: 404, body: `{"code":404,"message":"dvcID not found"}`, want: idv.ErrRejected, message: "dvcID not found"},
		{name: "license key echoed back is redacted", status: 403, body: `{"code":403,"message":"license ` + fakeLicense + ` disabled"}`, want: idv.ErrRejected, message: "license [license key] disabled"},
		{name: "text body", status: 422, body: "unprocessable\x00\n entity", want: idv.ErrRejected, message: "unprocessable   entity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t)
			f.set(rResultV3, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			_, err := f.client(nil).IDVResult(context.Background(), "s-1")
			require.ErrorIs(t, err, tt.want)
			var se *ServiceError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.message, se.Message)
			assert.NotContains(t, err.Error(), fakeLicense)
			assert.Equal(t, 1, f.count(rResultV3), "refusals are not retried")
			assert.Zero(t, f.count(rResult), "a JSON 404 is not a missing path")
		})
	}
}

func TestResultPathFallback(t *testing.T) {
	t.Run("plain 404 on v3 falls back and remembers", func(t *testing.T) {
		f := newFake(t)
		f.set(rResultV3, http.NotFound) // text/plain "404 page not found"
		c := f.client(nil)
		for i := 0; i < 3; i++ {
			r, err := c.IDVResult(context.Background(), "s-1")
			require.NoError(t, err)
			assert.Equal(t, idv.StatusPending, r.Status)
		}
		assert.Equal(t, 1, f.count(rResultV3), "v3 probed once")
		assert.Equal(t, 3, f.count(rResult))
	})
	t.Run("html 404 on v3 falls back; JSON 404 on fallback is not found", func(t *testing.T) {
		f := newFake(t)
		f.set(rResultV3, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(404)
			_, _ = w.Write([]byte("<h1>Cannot POST</h1>"))
		})
		f.set(rResult, func(w http.ResponseWriter, r *http.Request) {
			writeJSONT(w, 404, map[string]any{"code": 404, "message": "session not found"})
		})
		_, err := f.client(nil).IDVResult(context.Background(), "nope")
		require.ErrorIs(t, err, idv.ErrNotFound)
		assert.Equal(t, 1, f.count(rResult))
	})
	t.Run("both paths missing is a setup error", func(t *testing.T) {
		f := newFake(t)
		f.set(rResultV3, http.NotFound)
		f.set(rResult, http.NotFound)
		_, err := f.client(nil).IDVResult(context.Background(), "s-1")
		require.ErrorIs(t, err, idv.ErrRejected)
		assert.Contains(t, err.Error(), "Paths.Result")
	})
	t.Run("fallback is probed again after a bootstrap refresh", func(t *testing.T) {
		f := newFake(t)
		f.set(rResultV3, http.NotFound)
		clock := newTestClock()
		c := f.client(func(cfg *Config) { cfg.Now = clock.Now })
		_, err := c.IDVResult(context.Background(), "s-1")
		require.NoError(t, err)
		clock.Advance(DefaultBootstrapTTL + time.Second)
		_, err = c.IDVResult(context.Background(), "s-1")
		require.NoError(t, err)
		assert.Equal(t, 2, f.count(rResultV3))
		assert.Equal(t, 2, f.count(rSD))
	})
}

func TestCanceledContext(t *testing.T) {
	f := newFake(t)
	c := f.client(nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.IDVResult(ctx, "s-1")
	require.ErrorIs(t, err, idv.ErrUnavailable)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, "closed", c.BreakerState(), "a caller giving up says nothing about the service")
}
