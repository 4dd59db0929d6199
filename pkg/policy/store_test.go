package policy

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/idbridge/idbridge/pkg/logtest"
	"github.com/idbridge/idbridge/pkg/stepup"
	"github.com/idbridge/idbridge/pkg/storage"
	"github.com/idbridge/idbridge/pkg/storage/memory"
	"github.com/idbridge/idbridge/pkg/storage/redis"
	"github.com/idbridge/idbridge/pkg/storage/redistest"
)

// eachStore runs f on the memory store and on a real redis-server; the
// second store of the pair is another replica's view of the same state.
func eachStore(t *testing.T, f func(t *testing.T, a, b storage.Store)) {
	t.Run("memory", func(t *testing.T) {
		m := memory.New()
		t.Cleanup(func() { m.Close() })
		f(t, m, m)
	})
	t.Run("redis", func(t *testing.T) {
		srv := redistest.Start(t)
		open := func() storage.Store {
			s, err := redis.New(redis.Config{Addrs: []string{srv.Addr()}, KeyPrefix: "idb:"})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
		f(t, open(), open())
	})
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

const (
	v1 = "defaults:\n  new_device: liveid\n"
	v2 = "defaults:\n  new_device: liveid\nrules:\n  - name: deny-demo\n    when: client_id == \"demo\"\n    action: deny\n    reason: demo_closed\n"
)

func TestStoreVersions(t *testing.T) {
	eachStore(t, func(t *testing.T, st, _ storage.Store) {
		ctx := context.Background()
		var buf logtest.Buffer
		s := NewStore(st, Options{}, slog.New(slog.NewJSONHandler(&buf, nil)))
		lines := auditLines{&buf}
		_, err := s.Active(ctx)
		if !errors.Is(err, ErrNoVersion) {
			t.Fatalf("Active on an empty store: %v", err)
		}
		seeded, err := s.Seed(ctx, []byte(v1))
		must(t, err)
		if seeded.Number != 1 || seeded.By != "configuration" {
			t.Fatalf("seed %+v", seeded)
		}
		again, err := s.Seed(ctx, []byte(v2))
		must(t, err)
		if again.Number != 1 || again.Source != v1 {
			t.Fatalf("a second seed changed the policy: %+v", again)
		}

		_, err = s.Apply(ctx, []byte(v1), "cli", "")
		if !errors.Is(err, ErrUnchanged) {
			t.Errorf("applying the active text: %v", err)
		}
		_, err = s.Apply(ctx, []byte(one(`country > 3`)), "cli", "")
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("applying a bad policy: %v", err)
		}
		if n, _ := s.Head(ctx); n != 1 {
			t.Fatalf("head %d after refused applies", n)
		}

		applied, err := s.Apply(ctx, []byte(v2), "alice", "close the demo")
		must(t, err)
		if applied.Number != 2 || applied.By != "alice" || applied.Comment != "close the demo" || len(applied.SHA256) != 64 {
			t.Errorf("applied %+v", applied)
		}
		audit := lines.Find("audit", "policy.apply")
		if audit == nil || audit["version"] != float64(2) || audit["by"] != "alice" || !strings.Contains(audit["diff"].(string), "+   - name: deny-demo") {
			t.Errorf("audit line %v", audit)
		}

		back, err := s.Rollback(ctx, 1, "bob")
		must(t, err)
		if back.Number != 3 || back.Source != v1 || back.RollbackOf != 1 || back.By != "bob" {
			t.Errorf("rollback %+v", back)
		}
		if lines.Find("audit", "policy.rollback") == nil {
			t.Error("rollback not audited")
		}
		_, err = s.Rollback(ctx, 9, "bob")
		if !errors.Is(err, ErrNoVersion) {
			t.Errorf("rollback to a missing version: %v", err)
		}
		list, err := s.List(ctx, 0)
		must(t, err)
		if len(list) != 3 || list[0].Number != 3 || list[2].Number != 1 {
			t.Errorf("list %+v", list)
		}
		if l2, _ := s.List(ctx, 2); len(l2) != 2 {
			t.Errorf("limited list %d", len(l2))
		}

		must(t, s.ForgetSubject(ctx, "alice"))
		v, err := s.Get(ctx, 2)
		must(t, err)
		if v.By != "forgotten" || v.Source != v2 {
			t.Errorf("forgotten author %+v", v)
		}
	})
}

// Concurrent changes from two replicas are serialised: none is lost and
// the numbers have no gaps.
func TestStoreConcurrentApplies(t *testing.T) {
	eachStore(t, func(t *testing.T, a, b storage.Store) {
		ctx := context.Background()
		stores := []*Store{NewStore(a, Options{}, quiet()), NewStore(b, Options{}, quiet())}
		_, err := stores[0].Seed(ctx, []byte(v1))
		must(t, err)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				src := v1 + "# change " + strings.Repeat("x", i+1) + "\n"
				_, err := stores[i%2].Apply(ctx, []byte(src), "cli", "")
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, err)
		}
		list, err := stores[1].List(ctx, 0)
		must(t, err)
		if len(list) != 9 {
			t.Fatalf("%d versions, want 9", len(list))
		}
		seen := map[string]bool{}
		for i, v := range list {
			if v.Number != 9-i || seen[v.Source] {
				t.Errorf("version %d: number %d, duplicate %v", i, v.Number, seen[v.Source])
			}
			seen[v.Source] = true
		}
	})
}

// Two replicas on one store: what one applies, the other decides by once
// it refreshes; a rollback likewise; a policy that does not compile
// leaves both on the version they run.
func TestLiveFollowsTheStore(t *testing.T) {
	eachStore(t, func(t *testing.T, a, b storage.Store) {
		ctx := context.Background()
		one, two := NewStore(a, Options{}, quiet()), NewStore(b, Options{}, quiet())
		initial := mustParse(t, v1)
		_, err := one.Seed(ctx, []byte(v1))
		must(t, err)
		replicas := []*Live{NewLive(one, initial, 0, quiet()), NewLive(two, initial, 0, quiet())}
		refreshAll := func() {
			for _, l := range replicas {
				_, err := l.Refresh(ctx)
				must(t, err)
			}
		}
		demo := regular()
		decide := func(l *Live) (int, stepup.Decision) {
			d := l.Current().Decide(demo)
			return d.Version, d.Decision
		}
		refreshAll()
		for _, l := range replicas {
			if v, d := decide(l); v != 1 || d != stepup.Allow {
				t.Fatalf("before: version %d %s", v, d)
			}
		}

		_, err = one.Apply(ctx, []byte(v2), "cli", "")
		must(t, err)
		if v, _ := decide(replicas[1]); v != 1 {
			t.Fatalf("the other replica changed before refreshing: %d", v)
		}
		refreshAll()
		for i, l := range replicas {
			if v, d := decide(l); v != 2 || d != stepup.Deny {
				t.Errorf("replica %d after apply: version %d %s", i, v, d)
			}
		}

		_, err = two.Rollback(ctx, 1, "cli")
		must(t, err)
		refreshAll()
		for i, l := range replicas {
			if v, d := decide(l); v != 3 || d != stepup.Allow {
				t.Errorf("replica %d after rollback: version %d %s", i, v, d)
			}
		}

		// A version this build cannot compile (written by a newer one, or
		// by hand) is refused by both; they keep version 3.
		must(t, a.Set(ctx, keyVersion+"4", []byte(`{"version":4,"source":"rules: [{when: 'nope', action: deny}]"}`), 0))
		must(t, a.Set(ctx, keyHead, []byte("4"), 0))
		refreshAll()
		for i, l := range replicas {
			if v, _ := decide(l); v != 3 {
				t.Errorf("replica %d took a bad version: %d", i, v)
			}
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

type auditLines struct{ b *logtest.Buffer }

// Find returns the first JSON log line whose key has value.
func (a auditLines) Find(key, value string) map[string]any {
	for _, l := range strings.Split(a.b.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m[key] == value {
			return m
		}
	}
	return nil
}
