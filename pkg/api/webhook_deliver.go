package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
)

// claimBatch is how many outbox messages one pass takes.
const claimBatch = 32

// deliveryState counts the failed attempts of one outbox message.
type deliveryState struct {
	Attempts  int       `json:"attempts"`
	NextAt    time.Time `json:"next_at"`
	LastError string    `json:"last_error,omitempty"`
}

func deliveryStateKey(msgID string) string { return "api:delivery:{" + hashHex(msgID) + "}" }

// deliverOnce claims due outbox messages for this replica and delivers
// them. Messages stay in the outbox until acknowledged, so a replica that
// dies mid-delivery leaves them to another after the lease.
func (s *Server) deliverOnce(ctx context.Context) error {
	msgs, err := s.st.Claim(ctx, outboxQueue, s.consumer, claimBatch, s.cfg.Webhooks.Lease)
	if err != nil {
		return err
	}
	var errs []error
	for _, m := range msgs {
		if ctx.Err() != nil {
			break
		}
		if err := s.deliver(ctx, m); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// deliver sends one message, or records why not. An error means the
// store failed; the message then comes back after its lease.
func (s *Server) deliver(ctx context.Context, m storage.Message) error {
	var om outboxMessage
	if err := json.Unmarshal(m.Payload, &om); err != nil || om.EventID == "" {
		s.log.Error("api webhook: unreadable outbox message dropped", slog.String("message_id", m.ID))
		return s.st.Ack(ctx, outboxQueue, m.ID)
	}
	stateKey := deliveryStateKey(m.ID)
	var state deliveryState
	if raw, err := s.st.Get(ctx, stateKey); err == nil {
		_ = json.Unmarshal(raw, &state)
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if s.now().Before(state.NextAt) {
		return nil // not due: it returns after the lease
	}
	done := deliveredKey(om.EventID, om.Endpoint)
	if !om.Force {
		if _, err := s.st.Get(ctx, done); err == nil {
			return s.finishMessage(ctx, m.ID)
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
	}
	var body eventBody
	meta, err := loadMeta(ctx, s.st, om.EventID)
	if err == nil {
		err = s.getRecord(ctx, eventBodyKey(om.EventID), &body)
	}
	if errors.Is(err, errNoRecord) {
		s.log.Info("api webhook: event expired or erased, not delivered", slog.String("event_id", om.EventID))
		return s.finishMessage(ctx, m.ID)
	}
	if err != nil {
		return err
	}
	ep, ok := s.endpoint(om.Endpoint)
	if !ok {
		state.Attempts, state.LastError = max(state.Attempts, 1), "endpoint no longer configured"
		return s.bury(ctx, m.ID, meta, om.Endpoint, state)
	}
	sendErr := s.send(ctx, ep.URL, ep.Secret, om.EventID, body.Body)
	if sendErr == nil {
		if err := s.st.Set(ctx, done, []byte("1"), s.cfg.Webhooks.EventTTL); err != nil {
			return err
		}
		s.log.Info("api webhook delivered", slog.String("event_id", om.EventID), slog.String("type", meta.Type), slog.Int("attempt", state.Attempts+1))
		return s.finishMessage(ctx, m.ID)
	}
	if ctx.Err() != nil {
		return nil // shutting down: not the endpoint's failure; the lease brings it back
	}
	state.Attempts++
	state.LastError = sendErr.Error()
	if state.Attempts >= s.cfg.Webhooks.MaxAttempts {
		return s.bury(ctx, m.ID, meta, om.Endpoint, state)
	}
	state.NextAt = s.now().Add(s.backoff(state.Attempts))
	s.log.Warn("api webhook attempt failed", slog.String("event_id", om.EventID), slog.Int("attempt", state.Attempts), slog.String("error", state.LastError))
	raw, _ := json.Marshal(state)
	return s.st.Set(ctx, stateKey, raw, s.cfg.Webhooks.EventTTL)
}

// backoff is the wait after the n-th failed attempt: Backoff doubled per
// further failure, at most MaxBackoff.
func (s *Server) backoff(n int) time.Duration {
	d := s.cfg.Webhooks.Backoff
	for i := 1; i < n && d < s.cfg.Webhooks.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, s.cfg.Webhooks.MaxBackoff)
}

func (s *Server) finishMessage(ctx context.Context, msgID string) error {
	if err := s.st.Ack(ctx, outboxQueue, msgID); err != nil {
		return err
	}
	return s.st.Delete(ctx, deliveryStateKey(msgID))
}

// send POSTs body to target, signed. Only a 2xx answer is a delivery;
// redirects are not followed.
func (s *Server) send(ctx context.Context, target, secret, eventID string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Webhooks.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	ts := s.now()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "idbridge-webhooks/1")
	req.Header.Set(HeaderEventID, eventID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set(HeaderSignature, SignWebhook(secret, ts, body))
	resp, err := s.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL, which may carry a token
		}
		return fmt.Errorf("request failed: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("endpoint answered %d", resp.StatusCode)
	}
	return nil
}
