package api

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"time"
)

// Outbound event types.
const (
	EventIDVCompleted    = "idv.completed"
	EventIDVFailed       = "idv.failed"
	EventStepUpCompleted = "stepup.completed"
)

// Headers of outbound webhook requests. The signature is
// "v1=" + hex(HMAC-SHA256(secret, timestamp + "." + body)); receivers
// should refuse timestamps more than ReplayWindow away from their clock
// and remember event ids for at least as long.
const (
	HeaderEventID   = "X-Idbridge-Event-Id"
	HeaderTimestamp = "X-Idbridge-Timestamp"
	HeaderSignature = "X-Idbridge-Signature"
)

// ReplayWindow is the documented tolerance of X-Idbridge-Timestamp.
const ReplayWindow = 5 * time.Minute

// Event is the body of an outbound webhook.
type Event struct {
	ID        string         `json:"id"`
	Type      string         `json:"type"`
	CreatedAt time.Time      `json:"created_at"`
	Data      map[string]any `json:"data"`
}

// eventMeta is the part of a stored event that operators' tools read
// without the sealer: no personal data.
type eventMeta struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	Endpoints []string  `json:"endpoints"`
}

// eventBody is the sealed part: the exact bytes that are signed and sent.
type eventBody struct {
	Body json.RawMessage `json:"body"`
}

// outboxMessage asks for one event to be delivered to one endpoint.
type outboxMessage struct {
	EventID  string `json:"event_id"`
	Endpoint string `json:"endpoint"`
	// Force resends even if the endpoint already acknowledged the event
	// (operator replay).
	Force bool `json:"force,omitempty"`
}

func eventMetaKey(id string) string { return "api:event:{" + id + "}" }
func eventBodyKey(id string) string { return "api:eventbody:{" + id + "}" }
func deliveredKey(eventID, endpoint string) string {
	return "api:delivered:{" + hashHex(eventID, endpoint) + "}"
}

// notify queues the outbound event of a finished record. The event id is
// derived from the record, so finishing twice after a crash queues the
// same event, which the deliverer sends once.
func (s *Server) notify(ctx context.Context, rec session) error {
	typ := EventStepUpCompleted
	var data map[string]any
	if rec.Kind == kindIDV {
		typ = EventIDVFailed
		if rec.Status == StatusCompleted {
			typ = EventIDVCompleted
		}
		v, err := s.idvView(ctx, rec)
		if err != nil {
			return err
		}
		data = v
	} else {
		data = challengeView(rec)
	}
	var endpoints []string
	for _, e := range s.cfg.Webhooks.Endpoints {
		if len(e.Events) == 0 || slices.Contains(e.Events, typ) {
			endpoints = append(endpoints, e.URL)
		}
	}
	if len(endpoints) == 0 {
		return nil
	}
	id := "evt_" + hashHex(rec.ID, typ)
	ev := Event{ID: id, Type: typ, CreatedAt: s.now().UTC().Truncate(time.Second), Data: data}
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	ttl := s.cfg.Webhooks.EventTTL
	if err := s.putRecord(ctx, eventBodyKey(id), eventBody{Body: body}, ttl); err != nil {
		return err
	}
	meta, _ := json.Marshal(eventMeta{ID: id, Type: typ, CreatedAt: ev.CreatedAt, Endpoints: endpoints})
	if err := s.st.Set(ctx, eventMetaKey(id), meta, ttl); err != nil {
		return err
	}
	for _, k := range []string{eventBodyKey(id), eventMetaKey(id)} {
		if err := s.indexSubject(ctx, rec.Subject, k); err != nil {
			return err
		}
	}
	for _, ep := range endpoints {
		msg, _ := json.Marshal(outboxMessage{EventID: id, Endpoint: ep})
		if _, err := s.st.Enqueue(ctx, outboxQueue, msg); err != nil {
			return err
		}
	}
	return nil
}

// SignWebhook returns the X-Idbridge-Signature value of body sent at ts.
func SignWebhook(secret string, ts time.Time, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts.Unix(), 10) + "."))
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// VerifyWebhook checks the headers of a received webhook the way a
// receiver should: a v1 signature of "timestamp.body" under secret, and a
// timestamp within ReplayWindow of now. It is what docs/connector.md
// describes, offered for Go receivers and tests.
func VerifyWebhook(secret string, h interface{ Get(string) string }, body []byte, now time.Time) bool {
	sec, err := strconv.ParseInt(h.Get(HeaderTimestamp), 10, 64)
	if err != nil {
		return false
	}
	ts := time.Unix(sec, 0)
	if d := now.Sub(ts); d > ReplayWindow || d < -ReplayWindow {
		return false
	}
	want := SignWebhook(secret, ts, body)
	return hmac.Equal([]byte(want), []byte(h.Get(HeaderSignature)))
}

// endpoint returns the configured endpoint with url.
func (s *Server) endpoint(url string) (WebhookEndpoint, bool) {
	for _, e := range s.cfg.Webhooks.Endpoints {
		if e.URL == url {
			return e, true
		}
	}
	return WebhookEndpoint{}, false
}
