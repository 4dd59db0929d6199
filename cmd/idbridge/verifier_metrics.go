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

// timed runs call and records it under kind.
func timed[T any](m *metrics.Metrics, kind string, call func() (T, error)) (T, error) {
	start := time.Now()
	v, err := call()
	m.Verification(kind, time.Since(start), err)
	return v, err
}

func (t timedVerifier) StartIDV(ctx context.Context, req idv.IDVRequest) (idv.Session, error) {
	return timed(t.m, "start_idv", func() (idv.Session, error) { return t.next.StartIDV(ctx, req) })
}

func (t timedVerifier) IDVResult(ctx context.Context, id string) (idv.IDVResult, error) {
	return timed(t.m, "idv_result", func() (idv.IDVResult, error) { return t.next.IDVResult(ctx, id) })
}

func (t timedVerifier) StartLiveID(ctx context.Context, req idv.LiveIDRequest) (idv.Session, error) {
	return timed(t.m, "start_liveid", func() (idv.Session, error) { return t.next.StartLiveID(ctx, req) })
}

func (t timedVerifier) LiveIDResult(ctx context.Context, id string) (idv.LiveIDResult, error) {
	return timed(t.m, "liveid_result", func() (idv.LiveIDResult, error) { return t.next.LiveIDResult(ctx, id) })
}

func (t timedVerifier) CheckFace(ctx context.Context, req idv.FaceCheck) (idv.LiveIDResult, error) {
	return timed(t.m, "check_face", func() (idv.LiveIDResult, error) { return t.next.CheckFace(ctx, req) })
}
