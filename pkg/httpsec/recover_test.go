package httpsec_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/idbridge/idbridge/pkg/httpsec"
	"github.com/idbridge/idbridge/pkg/logtest"
)

func TestRecoverPanics(t *testing.T) {
	const secret = "sk_live_do_not_leak"
	tests := []struct {
		name        string
		handler     http.HandlerFunc
		wantStatus  int    // 0: the response must fail
		wantLog     string // "" : nothing logged
		wantHeaders map[string]string
	}{
		{
			name:       "panic before the response becomes a plain 500",
			handler:    func(w http.ResponseWriter, r *http.Request) { panic("lookup failed for " + secret) },
			wantStatus: 500,
			wantLog:    "panic serving request",
			wantHeaders: map[string]string{
				"Content-Type": "text/plain; charset=utf-8", "X-Request-Id": "req-1",
				"X-Frame-Options": "DENY", "Cache-Control": "no-store",
			},
		},
		{
			name: "headers the handler set before panicking are dropped",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Set-Cookie", "sid=abc")
				w.Header().Set("Location", "https://rp.example/cb?code=xyz")
				w.Header().Set("Content-Type", "application/json")
				var m map[string]int
				//lint:ignore SA5000 the test needs a real runtime panic, and this is one
				m["x"]++
			},
			wantStatus:  500,
			wantLog:     "assignment to entry in nil map",
			wantHeaders: map[string]string{"Set-Cookie": "", "Location": "", "Content-Type": "text/plain; charset=utf-8", "X-Request-Id": "req-1"},
		},
		{
			name: "panic after the response started aborts the connection",
			handler: func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, "partial")
				_ = http.NewResponseController(w).Flush()
				panic("late")
			},
			wantLog: "response_started=true",
		},
		{
			name:    "http.ErrAbortHandler passes through unlogged",
			handler: func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) },
		},
		{
			name:        "no panic, no change",
			handler:     func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) },
			wantStatus:  http.StatusTeapot,
			wantHeaders: map[string]string{"X-Request-Id": "req-1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs logtest.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			inner := httpsec.RecoverPanics(log)(tt.handler)
			// The order the application uses: request id, headers, recovery.
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Request-Id", "req-1")
				httpsec.Headers(inner).ServeHTTP(w, r)
			})
			srv := httptest.NewUnstartedServer(h)
			srv.Config.ErrorLog = slog.NewLogLogger(slog.New(slog.NewTextHandler(io.Discard, nil)).Handler(), slog.LevelError)
			srv.Start()
			defer srv.Close()
			resp, err := srv.Client().Get(srv.URL + "/path?code=querysecret")
			var body []byte
			if err == nil {
				body, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			if tt.wantStatus == 0 {
				if err == nil {
					t.Fatalf("response %d %q read whole; want a failed response", resp.StatusCode, body)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != tt.wantStatus {
					t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
				}
				if strings.Contains(string(body), secret) || strings.Contains(string(body), "nil map") {
					t.Fatalf("body leaks the panic: %q", body)
				}
				for k, want := range tt.wantHeaders {
					if got := resp.Header.Get(k); got != want {
						t.Errorf("%s = %q, want %q", k, got, want)
					}
				}
			}
			out := logs.String()
			if tt.wantLog == "" {
				if out != "" {
					t.Fatalf("logged %q, want nothing", out)
				}
				return
			}
			for _, want := range []string{tt.wantLog, "path=/path", "request_id=req-1", "stack="} {
				if !strings.Contains(out, want) {
					t.Errorf("log lacks %q:\n%s", want, out)
				}
			}
			if strings.Contains(out, "querysecret") {
				t.Errorf("log holds the query string:\n%s", out)
			}
		})
	}
}

func TestRecoverPanicsClipsLongValues(t *testing.T) {
	var logs logtest.Buffer
	h := httpsec.RecoverPanics(slog.New(slog.NewTextHandler(&logs, nil)))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic(strings.Repeat("x", 300) + "TAIL")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != 500 {
		t.Fatalf("status %d", rec.Code)
	}
	if out := logs.String(); strings.Contains(out, "TAIL") || !strings.Contains(out, strings.Repeat("x", 256)+"...") {
		t.Fatalf("panic value not clipped to 256 bytes:\n%s", out)
	}
}
