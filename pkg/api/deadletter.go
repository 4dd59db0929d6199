package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
)

// ErrEventNotFound: no stored event has that id (never sent, expired
// after webhooks.event_ttl, or erased with its person).
var ErrEventNotFound = errors.New("api: no stored event with this id")

// DeadLetter is a delivery that failed every allowed attempt.
type DeadLetter struct {
	EventID   string    `json:"event_id"`
	Type      string    `json:"type"`
	Endpoint  string    `json:"endpoint"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error"`
	DiedAt    time.Time `json:"died_at"`
}

func deadKey(member string) string { return "api:dead:{" + member + "}" }

// bury moves a delivery to the dead-letter list and out of the outbox.
func (s *Server) bury(ctx context.Context, msgID string, meta eventMeta, endpoint string, state deliveryState) error {
	member := hashHex(meta.ID, endpoint)
	dl := DeadLetter{EventID: meta.ID, Type: meta.Type, Endpoint: endpoint, Attempts: state.Attempts, LastError: state.LastError, DiedAt: s.now().UTC()}
	raw, _ := json.Marshal(dl)
	if err := s.st.Set(ctx, deadKey(member), raw, s.cfg.Webhooks.EventTTL); err != nil {
		return err
	}
	if err := s.st.SetAdd(ctx, deadSet, member, 0); err != nil {
		return err
	}
	s.log.LogAttrs(ctx, slog.LevelError, "api webhook dead-lettered",
		slog.String("event_id", meta.ID), slog.String("type", meta.Type), slog.Int("attempts", state.Attempts), slog.String("error", state.LastError))
	return s.finishMessage(ctx, msgID)
}

// DeadLetters lists the dead-letter list, oldest first. It needs only the
// store (for the idbridge webhooks command).
func DeadLetters(ctx context.Context, st storage.Store) ([]DeadLetter, error) {
	members, err := st.SetMembers(ctx, deadSet)
	if err != nil {
		return nil, err
	}
	var out []DeadLetter
	for _, m := range members {
		raw, err := st.Get(ctx, deadKey(m))
		if errors.Is(err, storage.ErrNotFound) {
			_ = st.SetRemove(ctx, deadSet, m) // expired or erased
			continue
		}
		if err != nil {
			return nil, err
		}
		var dl DeadLetter
		if err := json.Unmarshal(raw, &dl); err != nil {
			return nil, fmt.Errorf("api: corrupt dead letter: %w", err)
		}
		out = append(out, dl)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].DiedAt.Before(out[j].DiedAt) })
	return out, nil
}

// Replay queues the stored event eventID again for every endpoint it was
// addressed to, even those that acknowledged it, and removes its dead
// letters. It returns the number of deliveries queued; ErrEventNotFound if
// the event is gone. A running Server sends them on its next pass.
func Replay(ctx context.Context, st storage.Store, eventID string) (int, error) {
	meta, err := loadMeta(ctx, st, eventID)
	if errors.Is(err, errNoRecord) {
		return 0, ErrEventNotFound
	}
	if err != nil {
		return 0, err
	}
	if _, err := st.Get(ctx, eventBodyKey(eventID)); errors.Is(err, storage.ErrNotFound) {
		return 0, ErrEventNotFound
	} else if err != nil {
		return 0, err
	}
	n := 0
	for _, ep := range meta.Endpoints {
		msg, _ := json.Marshal(outboxMessage{EventID: eventID, Endpoint: ep, Force: true})
		if _, err := st.Enqueue(ctx, outboxQueue, msg); err != nil {
			return n, err
		}
		n++
		member := hashHex(eventID, ep)
		if err := st.Delete(ctx, deadKey(member)); err != nil {
			return n, err
		}
		if err := st.SetRemove(ctx, deadSet, member); err != nil {
			return n, err
		}
	}
	return n, nil
}

func loadMeta(ctx context.Context, st storage.Store, eventID string) (eventMeta, error) {
	var meta eventMeta
	if eventID == "" || len(eventID) > 128 {
		return meta, errNoRecord
	}
	raw, err := st.Get(ctx, eventMetaKey(eventID))
	if errors.Is(err, storage.ErrNotFound) {
		return meta, errNoRecord
	}
	if err != nil {
		return meta, err
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return meta, fmt.Errorf("api: corrupt event: %w", err)
	}
	return meta, nil
}
