package httpsec_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/idbridge/idbridge/pkg/httpsec"
)

// chunked hides the body's length, so the request is sent chunked.
type chunked struct{ io.Reader }

func TestMaxBody(t *testing.T) {
	const limit = 100
	tests := []struct {
		name       string
		body       io.Reader
		wantStatus int
		wantCalled bool
	}{
		{name: "no body", body: nil, wantStatus: 200, wantCalled: true},
		{name: "under the limit", body: strings.NewReader(strings.Repeat("a", 99)), wantStatus: 200, wantCalled: true},
		{name: "exactly the limit", body: strings.NewReader(strings.Repeat("a", limit)), wantStatus: 200, wantCalled: true},
		{name: "declared length over the limit is refused at once", body: strings.NewReader(strings.Repeat("a", limit+1)), wantStatus: 413},
		{name: "chunked body over the limit fails the handler's read", body: chunked{strings.NewReader(strings.Repeat("a", 10*limit))}, wantStatus: 413, wantCalled: true},
		{name: "chunked body under the limit", body: chunked{strings.NewReader("hello")}, wantStatus: 200, wantCalled: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := false
			h := httpsec.MaxBody(limit)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called = true
				b, err := io.ReadAll(r.Body)
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					http.Error(w, "too big", http.StatusRequestEntityTooLarge)
					return
				}
				if err != nil {
					t.Errorf("read: %v", err)
				}
				_, _ = io.WriteString(w, strconv.Itoa(len(b)))
			}))
			srv := httptest.NewServer(h)
			defer srv.Close()
			resp, err := srv.Client().Post(srv.URL, "text/plain", tt.body)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus || called != tt.wantCalled {
				t.Fatalf("status %d, handler called %v; want %d, %v", resp.StatusCode, called, tt.wantStatus, tt.wantCalled)
			}
		})
	}
}
