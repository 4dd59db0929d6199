package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// errNoSuccess: every operation of the run failed.
var errNoSuccess = errors.New("no operation succeeded")

// errNoCode: token mode ran out of minted codes.
var errNoCode = errors.New("no minted code left")

// errorPause is how long a virtual user waits after a failed operation.
const errorPause = 20 * time.Millisecond

// defaultMint is how many codes token mode makes when -requests is 0.
const defaultMint = 2000

// runner sends the load of one run.
type runner struct {
	o  options
	tr *http.Transport

	errs     atomic.Int64
	errMu    sync.Mutex
	firstErr string
}

func newRunner(o options) *runner {
	return &runner{o: o, tr: &http.Transport{
		MaxIdleConns:        2 * o.Concurrency,
		MaxIdleConnsPerHost: 2 * o.Concurrency,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}}
}

// op is one unit of load run by a virtual user.
type op func(ctx context.Context, v *vu) error

// load runs fn on Concurrency virtual users until ctx ends or limit
// operations were started (0: no limit). It returns the successes, the
// wall time and the merged latencies.
func (r *runner) load(ctx context.Context, limit int, fn op) (int64, time.Duration, *recorder) {
	var tickets, done atomic.Int64
	recs := make([]*recorder, r.o.Concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range recs {
		v := r.newVU()
		recs[i] = v.rec
		wg.Go(func() {
			for ctx.Err() == nil {
				if n := tickets.Add(1); limit > 0 && n > int64(limit) {
					return
				}
				if err := fn(ctx, v); err != nil {
					if ctx.Err() == nil {
						r.fail(err)
						// Do not spin on a server that refuses (429, 5xx).
						select {
						case <-ctx.Done():
						case <-time.After(errorPause):
						}
					}
					continue
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := newRecorder()
	for _, rec := range recs {
		all.merge(rec)
	}
	return done.Load(), elapsed, all
}

func (r *runner) fail(err error) {
	r.errs.Add(1)
	r.errMu.Lock()
	if r.firstErr == "" {
		r.firstErr = err.Error()
	}
	r.errMu.Unlock()
}

// run performs the run the options describe.
func (r *runner) run(ctx context.Context) (*report, error) {
	defer r.tr.CloseIdleConnections()
	rep := &report{Mode: r.o.Mode, Issuer: r.o.Issuer, Concurrency: r.o.Concurrency}
	parent := ctx
	ctx, cancel := context.WithTimeout(parent, r.o.Duration)
	defer cancel()
	var n int64
	var elapsed time.Duration
	var rec *recorder
	switch r.o.Mode {
	case modeLogin:
		rep.Unit = "logins"
		n, elapsed, rec = r.load(ctx, r.o.Requests, func(ctx context.Context, v *vu) error { return v.completeLogin(ctx) })
	case modeToken:
		rep.Unit = "token exchanges"
		codes, err := r.mint(ctx, rep)
		if err != nil {
			return nil, err
		}
		rep.Minted = len(codes)
		// The exchanges get a full -duration of their own.
		cancel()
		ctx, cancel = context.WithTimeout(parent, r.o.Duration)
		defer cancel()
		queue := make(chan minted, len(codes))
		for _, c := range codes {
			queue <- c
		}
		close(queue)
		n, elapsed, rec = r.load(ctx, len(codes), func(ctx context.Context, v *vu) error {
			c, ok := <-queue
			if !ok {
				return errNoCode
			}
			_, err := v.exchange(ctx, c.code, c.verifier)
			return err
		})
	case modeDiscovery, modeJWKS:
		rep.Unit = "requests"
		path := "/.well-known/openid-configuration"
		if r.o.Mode == modeJWKS {
			path = "/jwks"
		}
		u := r.o.Issuer + path
		n, elapsed, rec = r.load(ctx, r.o.Requests, func(ctx context.Context, v *vu) error { return v.fetch(ctx, r.o.Mode, u) })
	}
	rep.Seconds = elapsed.Seconds()
	rep.Operations, rep.Errors, rep.FirstError = n, r.errs.Load(), r.firstErr
	rep.PerSecond = float64(n) / elapsed.Seconds()
	rep.Steps = rec.summary()
	if n == 0 {
		return rep, fmt.Errorf("%w (%d errors; first: %s)", errNoSuccess, rep.Errors, rep.FirstError)
	}
	return rep, nil
}

// minted is a code waiting for its exchange.
type minted struct{ code, verifier string }

// mint makes codes for token mode with complete logins that stop before
// the exchange; it is not timed. Its failures go to rep.
func (r *runner) mint(ctx context.Context, rep *report) ([]minted, error) {
	want := r.o.Requests
	if want == 0 {
		want = defaultMint
	}
	var mu sync.Mutex
	codes := make([]minted, 0, want)
	n, _, _ := r.load(ctx, want, func(ctx context.Context, v *vu) error {
		code, verifier, err := v.login(ctx)
		if err != nil {
			return err
		}
		mu.Lock()
		codes = append(codes, minted{code, verifier})
		mu.Unlock()
		return nil
	})
	if n == 0 {
		return nil, fmt.Errorf("minting codes: %w (%d errors; first: %s)", errNoSuccess, r.errs.Load(), r.firstErr)
	}
	rep.MintErrors, rep.FirstMintError = r.errs.Swap(0), r.firstErr
	r.firstErr = ""
	return codes, nil
}
