package main

import (
	"context"
	"time"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/metrics"
)

// timedVerifier records the latency and errors of every call to the
// verification service.
type timedVerifier struct {
	next idv.Verifier
	m    *metrics.Metrics
}

var _ idv.Verifier = timedVerifier{}

func (t timedVerifier) StartIDV(ctx context.Context, req idv.IDVRequest) (idv.Session, error) {
	start := time.Now()
	s, err := t.next.StartIDV(ctx, req)
	t.m.Verification("start_idv", time.Since(start), err)
	return s, err
}

func (t timedVerifier) IDVResult(ctx context.Context, id string) (idv.IDVResult, error) {
	start := time.Now()
	r, err := t.next.IDVResult(ctx, id)
	t.m.Verification("idv_result", time.Since(start), err)
	return r, err
}

func (t timedVerifier) StartLiveID(ctx context.Context, req idv.LiveIDRequest) (idv.Session, error) {
	start := time.Now()
	s, err := t.next.StartLiveID(ctx, req)
	t.m.Verification("start_liveid", time.Since(start), err)
	return s, err
}

func (t timedVerifier) LiveIDResult(ctx context.Context, id string) (idv.LiveIDResult, error) {
	start := time.Now()
	r, err := t.next.LiveIDResult(ctx, id)
	t.m.Verification("liveid_result", time.Since(start), err)
	return r, err
}

func (t timedVerifier) CheckFace(ctx context.Context, req idv.FaceCheck) (idv.LiveIDResult, error) {
	start := time.Now()
	r, err := t.next.CheckFace(ctx, req)
	t.m.Verification("check_face", time.Since(start), err)
	return r, err
}
