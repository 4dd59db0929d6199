package sessionstore_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/sessions"

	"github.com/idbridge/idbridge/pkg/storage"
	"github.com/idbridge/idbridge/pkg/storage/memory"
	"github.com/idbridge/idbridge/pkg/storage/redis"
	"github.com/idbridge/idbridge/pkg/storage/redistest"
	"github.com/idbridge/idbridge/pkg/storage/sessionstore"
)

const (
	cookieName = "idb_session"
	prefix     = "sess:"
)

var (
	hashKey  = []byte("0123456789abcdef0123456789abcdef")
	blockKey = []byte("abcdef0123456789abcdef0123456789")
)

// backends runs fn on the memory store and on a real Redis server.
func backends(t *testing.T, fn func(t *testing.T, st storage.Store)) {
	t.Run("memory", func(t *testing.T) {
		t.Parallel()
		st := memory.New()
		t.Cleanup(func() { st.Close() })
		fn(t, st)
	})
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		srv := redistest.Start(t)
		st, err := redis.New(redis.Config{Addrs: []string{srv.Addr()}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		fn(t, st)
	})
}

// load runs a request carrying cookies through the store's Get.
func load(t *testing.T, s *sessionstore.Store, cookies ...*http.Cookie) (*sessions.Session, error) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "https://idp.example/", nil)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	return s.Get(r, cookieName)
}

// save saves sess and returns the cookie the response set.
func save(t *testing.T, s *sessionstore.Store, sess *sessions.Session) *http.Cookie {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "https://idp.example/", nil)
	w := httptest.NewRecorder()
	if err := s.Save(r, w, sess); err != nil {
		t.Fatal(err)
	}
	cs := w.Result().Cookies()
	if len(cs) != 1 || cs[0].Name != cookieName {
		t.Fatalf("Save set cookies %v, want one %s", cs, cookieName)
	}
	return cs[0]
}

// started returns a saved session holding user=alice and its cookie.
func started(t *testing.T, s *sessionstore.Store) (*sessions.Session, *http.Cookie) {
	t.Helper()
	sess, err := load(t, s)
	if err != nil || !sess.IsNew {
		t.Fatalf("first Get: new=%v err=%v", sess.IsNew, err)
	}
	sess.Values["user"] = "alice"
	sess.Values["acr"] = 2
	return sess, save(t, s, sess)
}

func TestRoundTrip(t *testing.T) {
	backends(t, func(t *testing.T, st storage.Store) {
		s := sessionstore.New(st, prefix, hashKey, blockKey, sessions.Options{})
		sess, c := started(t, s)
		if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.MaxAge <= 0 {
			t.Errorf("cookie attributes %+v, want Secure, HttpOnly, SameSite=Lax, Path=/ and a Max-Age", c)
		}
		if strings.Contains(c.Value, sess.ID) || strings.Contains(c.Value, "alice") {
			t.Error("cookie shows the session id or a value in clear")
		}
		if _, err := st.Get(t.Context(), prefix+sess.ID); err != nil {
			t.Fatalf("record under prefix+id: %v", err)
		}

		got, err := load(t, s, c)
		if err != nil {
			t.Fatal(err)
		}
		if got.IsNew || got.ID != sess.ID || got.Values["user"] != "alice" || got.Values["acr"] != 2 {
			t.Fatalf("loaded new=%v id-match=%v values=%v", got.IsNew, got.ID == sess.ID, got.Values)
		}
	})
}

func TestRejectedCookies(t *testing.T) {
	backends(t, func(t *testing.T, st storage.Store) {
		s := sessionstore.New(st, prefix, hashKey, blockKey, sessions.Options{})
		_, c := started(t, s)
		other := sessionstore.New(st, prefix, []byte("another-hash-key-another-hash-ke"), blockKey, sessions.Options{})
		_, foreign := started(t, other)

		flipped := *c
		b := []byte(flipped.Value)
		b[len(b)/2] ^= 0x01
		flipped.Value = string(b)
		tests := []struct {
			name   string
			cookie *http.Cookie
		}{
			{"tampered", &flipped},
			{"signed with another key", foreign},
			{"garbage", &http.Cookie{Name: cookieName, Value: "not-a-session"}},
			{"empty", &http.Cookie{Name: cookieName, Value: ""}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				sess, err := load(t, s, tt.cookie)
				if err != nil {
					t.Fatalf("Get returned %v; a bad cookie is just no session", err)
				}
				if !sess.IsNew || len(sess.Values) != 0 || sess.ID != "" {
					t.Fatalf("got new=%v id=%q values=%v, want a new empty session", sess.IsNew, sess.ID, sess.Values)
				}
			})
		}
	})
}

func TestExpiry(t *testing.T) {
	backends(t, func(t *testing.T, st storage.Store) {
		opts := sessionstore.DefaultOptions()
		opts.MaxAge = 1
		s := sessionstore.New(st, prefix, hashKey, blockKey, opts)
		sess, c := started(t, s)
		if c.MaxAge != 1 {
			t.Fatalf("cookie Max-Age %d, want 1", c.MaxAge)
		}
		deadline := time.Now().Add(15 * time.Second)
		for {
			_, err := st.Get(t.Context(), prefix+sess.ID)
			if errors.Is(err, storage.ErrNotFound) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if time.Now().After(deadline) {
				t.Fatal("session record outlived its MaxAge")
			}
			time.Sleep(50 * time.Millisecond)
		}
		got, err := load(t, s, c)
		if err != nil || !got.IsNew {
			t.Fatalf("after expiry: new=%v err=%v, want a new session", got.IsNew, err)
		}
	})
}

func TestDelete(t *testing.T) {
	backends(t, func(t *testing.T, st storage.Store) {
		s := sessionstore.New(st, prefix, hashKey, blockKey, sessions.Options{})
		sess, c := started(t, s)
		sess.Options.MaxAge = -1
		gone := save(t, s, sess)
		if gone.MaxAge >= 0 || gone.Value != "" {
			t.Fatalf("deleting cookie %+v, want an empty one that expires now", gone)
		}
		if _, err := st.Get(t.Context(), prefix+sess.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("record after delete: %v, want ErrNotFound", err)
		}
		// A copy of the old cookie no longer opens the session.
		got, err := load(t, s, c)
		if err != nil || !got.IsNew || len(got.Values) != 0 {
			t.Fatalf("replayed cookie: new=%v values=%v err=%v", got.IsNew, got.Values, err)
		}
	})
}

func TestBackendDown(t *testing.T) {
	st := memory.New()
	s := sessionstore.New(st, prefix, hashKey, blockKey, sessions.Options{})
	_, c := started(t, s)
	st.Close()
	sess, err := load(t, s, c)
	if !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("Get with the backend down: %v, want ErrUnavailable", err)
	}
	if sess == nil || !sess.IsNew {
		t.Fatal("Get with the backend down must still return a new session")
	}
}

func TestOptionDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   sessions.Options
		want sessions.Options
	}{
		{"zero gives defaults", sessions.Options{}, sessionstore.DefaultOptions()},
		{"path and samesite filled in", sessions.Options{MaxAge: 60, HttpOnly: true},
			sessions.Options{Path: "/", MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode}},
		{"explicit values kept", sessions.Options{Path: "/op", SameSite: http.SameSiteStrictMode, Secure: true},
			sessions.Options{Path: "/op", SameSite: http.SameSiteStrictMode, Secure: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := memory.New()
			defer st.Close()
			s := sessionstore.New(st, prefix, hashKey, blockKey, tt.in)
			if *s.Options != tt.want {
				t.Fatalf("Options = %+v, want %+v", *s.Options, tt.want)
			}
		})
	}
}
