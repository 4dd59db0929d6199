package onekosmos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/idbridge/idbridge/pkg/idv"
)

// maxBackoff caps the wait between attempts.
const maxBackoff = 5 * time.Second

// exchange describes one logical call to a 1Kosmos service.
type exchange struct {
	// op names the call in errors and logs.
	op string
	// idempotent calls are retried on ErrUnavailable outcomes.
	idempotent bool
	// build makes a fresh request for each attempt (new requestid uuid,
	// new IV), bound to ctx.
	build func(ctx context.Context) (*http.Request, error)
	// handle interprets a complete answer. Returning an error that wraps
	// idv.ErrUnavailable marks the attempt failed (retried, counted by the
	// breaker); any other error ends the call as it is.
	handle func(status int, body []byte) error
}

// do runs x through the breaker with a per-attempt timeout and a bounded
// body, retrying idempotent calls with exponential backoff and full
// jitter.
func (c *Client) do(ctx context.Context, x exchange) error {
	attempts := 1
	if x.idempotent {
		attempts += c.cfg.Retries
	}
	var err error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			if werr := c.wait(ctx, i); werr != nil {
				return err
			}
		}
		err = c.attempt(ctx, x)
		if err == nil || !errors.Is(err, idv.ErrUnavailable) || errors.Is(err, errOpen) || ctx.Err() != nil {
			return err
		}
	}
	return err
}

// wait sleeps before retry number i (1-based): a random duration in
// [0, base*2^(i-1)], capped.
func (c *Client) wait(ctx context.Context, i int) error {
	ceil := c.backoffBase << (i - 1)
	if ceil > maxBackoff || ceil <= 0 {
		ceil = maxBackoff
	}
	d := time.Duration(rand.Int64N(int64(ceil) + 1))
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-c.sleep(d):
		return nil
	}
}

// attempt sends one request.
func (c *Client) attempt(parent context.Context, x exchange) (err error) {
	if !c.breaker.allow() {
		return unavailable(x.op, errOpen)
	}
	start := c.cfg.Now()
	status := 0
	defer func() {
		neutral := err != nil && parent.Err() != nil
		c.breaker.done(err == nil || !errors.Is(err, idv.ErrUnavailable), neutral)
		c.log.LogAttrs(parent, levelFor(err), "1kosmos call",
			slogOp(x.op), slogStatus(status), slogDuration(c.cfg.Now().Sub(start)), slogErr(err))
	}()

	ctx, cancel := context.WithTimeout(parent, c.cfg.Timeout)
	defer cancel()
	req, err := x.build(ctx)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if parent.Err() != nil {
			return unavailable(x.op, parent.Err())
		}
		return unavailable(x.op, transportCause(ctx, err))
	}
	defer resp.Body.Close()
	status = resp.StatusCode
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxResponseBytes+1))
	if err != nil {
		return unavailable(x.op, transportCause(ctx, err))
	}
	if int64(len(body)) > c.cfg.MaxResponseBytes {
		return unavailable(x.op, errTooLarge)
	}
	return x.handle(resp.StatusCode, body)
}

// Causes of transport failures, reported without URLs (which may carry
// session ids) or bodies.
var (
	errTimeout = errors.New("call timed out")
	errNetwork = errors.New("network error")
)

func transportCause(ctx context.Context, err error) error {
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
		return errTimeout
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		return errTimeout
	}
	return fmt.Errorf("%w: %s", errNetwork, opErrorKind(err))
}

// opErrorKind keeps the innermost error text, which names the failure
// (connection refused, EOF) but not the URL.
func opErrorKind(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}
