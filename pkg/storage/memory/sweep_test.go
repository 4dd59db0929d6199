package memory

import (
	"testing"
	"time"
)

func TestSweepDropsExpired(t *testing.T) {
	s := New()
	defer s.Close()
	ctx := t.Context()
	if err := s.Set(ctx, "short", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, "forever", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAdd(ctx, "set", "m", time.Minute); err != nil {
		t.Fatal(err)
	}
	s.sweep(time.Now().Add(2 * time.Minute))
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.values["short"]; ok {
		t.Error("expired value survived the sweep")
	}
	if _, ok := s.sets["set"]; ok {
		t.Error("expired set survived the sweep")
	}
	if _, ok := s.values["forever"]; !ok {
		t.Error("sweep dropped a value without expiry")
	}
}
