package idv

import (
	"context"
	"errors"
	"testing"
)

// fakeVerifier is a Verifier that is not a Canceller (the 1Kosmos client's
// case); cancelling records what a Canceller was asked, and answers err.
type fakeVerifier struct{ Verifier }

type cancelling struct {
	fakeVerifier
	asked []string
	err   error
}

func (c *cancelling) CancelIDV(_ context.Context, id string) error {
	c.asked = append(c.asked, "idv:"+id)
	return c.err
}

func (c *cancelling) CancelLiveID(_ context.Context, id string) error {
	c.asked = append(c.asked, "liveid:"+id)
	return c.err
}

func TestCancel(t *testing.T) {
	ctx := context.Background()
	if can, err := Cancel(ctx, fakeVerifier{}, false, "s1"); can || err != nil {
		t.Fatalf("a verifier that cannot cancel: %v %v", can, err)
	}
	c := &cancelling{}
	if can, err := Cancel(ctx, c, false, "s1"); !can || err != nil {
		t.Fatalf("idv: %v %v", can, err)
	}
	if can, err := Cancel(ctx, c, true, "c1"); !can || err != nil {
		t.Fatalf("liveid: %v %v", can, err)
	}
	if got := c.asked; len(got) != 2 || got[0] != "idv:s1" || got[1] != "liveid:c1" {
		t.Fatalf("asked %v", got)
	}
	c.err = ErrNotFound
	if _, err := Cancel(ctx, c, false, "gone"); err != nil {
		t.Fatalf("an unknown session has nothing left to cancel: %v", err)
	}
	c.err = ErrUnavailable
	if _, err := Cancel(ctx, c, false, "s2"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("other errors are reported: %v", err)
	}
}
