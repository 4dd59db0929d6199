package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
)

// IdempotencyHeader names the caller's retry key on POSTs.
const IdempotencyHeader = "Idempotency-Key"

// inProgressTTL bounds how long a crashed request blocks its key.
const inProgressTTL = time.Minute

// idemRecord is the stored answer to one Idempotency-Key.
type idemRecord struct {
	BodyHash   string          `json:"body_hash"`
	InProgress bool            `json:"in_progress,omitempty"`
	Status     int             `json:"status,omitempty"`
	Body       json.RawMessage `json:"body,omitempty"`
}

// get serves a read.
func (s *Server) get(e endpoint) handler { return s.post(e) }

// post serves a request whose retries need no key.
func (s *Server) post(e endpoint) handler {
	return func(w http.ResponseWriter, req *request) {
		status, v, err := e(req.Context(), req)
		if err != nil {
			s.writeError(w, req.Request, err)
			return
		}
		writeJSON(w, status, v)
	}
}

// idempotent serves a POST that may carry an Idempotency-Key: the same key
// with the same body gets the first answer again, the same key with
// another body gets 422, and a retry racing the first request gets 409.
// Keys are per caller. Only successful answers are kept; after an error
// the key may be used again. Without a key, a caller that signs its
// requests gets onceSigned.
func (s *Server) idempotent(e endpoint) handler {
	plain := s.post(e)
	return func(w http.ResponseWriter, req *request) {
		key := req.Header.Get(IdempotencyHeader)
		if key == "" && req.client.HMACSecret != "" {
			s.onceSigned(w, req, e)
			return
		}
		if key == "" {
			plain(w, req)
			return
		}
		if len(key) > 255 {
			s.writeError(w, req.Request, ErrMalformed.With("Idempotency-Key is longer than 255 characters"))
			return
		}
		ctx := req.Context()
		k := "api:idem:{" + hashHex(req.client.ID, key) + "}"
		bodyHash := hashHex(string(req.body))
		placeholder, err := s.encodeRecord(k, idemRecord{BodyHash: bodyHash, InProgress: true})
		if err == nil {
			err = s.st.Create(ctx, k, placeholder, inProgressTTL)
		}
		if errors.Is(err, storage.ErrExists) {
			s.replayIdempotent(w, req, k, bodyHash)
			return
		}
		if err != nil {
			s.writeError(w, req.Request, err)
			return
		}
		status, v, err := e(ctx, req)
		if err != nil {
			_ = s.st.Delete(ctx, k)
			s.writeError(w, req.Request, err)
			return
		}
		body, err := json.Marshal(v)
		if err != nil {
			_ = s.st.Delete(ctx, k)
			s.writeError(w, req.Request, err)
			return
		}
		if err := s.putRecord(ctx, k, idemRecord{BodyHash: bodyHash, Status: status, Body: body}, s.cfg.IdempotencyTTL); err != nil {
			// The work is done; a retry may repeat it, which the caller
			// asked to avoid, so say so in the log but answer anyway.
			s.log.Warn("api: idempotency answer not stored", "error", err.Error())
		}
		writeRaw(w, status, body)
	}
}

// onceSigned serves a signed request that creates something and carries
// no Idempotency-Key: Descope's signature covers the body only, so the
// same signed body, captured and sent again, must not create a second
// session. Each signed body creates once per caller and endpoint within
// the idempotency window; a replay is 409 replayed_request. After an
// error the body may be sent again.
func (s *Server) onceSigned(w http.ResponseWriter, req *request, e endpoint) {
	ctx := req.Context()
	k := "api:signed:{" + hashHex(req.client.ID, req.URL.Path, string(req.body)) + "}"
	err := s.st.Create(ctx, k, []byte{1}, s.cfg.IdempotencyTTL)
	if errors.Is(err, storage.ErrExists) {
		s.audit.Alert(ctx, "api.request_replayed", slog.String("api_client", req.client.ID), slog.String("path", routeOf(req.Request)))
		s.writeError(w, req.Request, ErrReplayedRequest)
		return
	}
	if err != nil {
		s.writeError(w, req.Request, err)
		return
	}
	status, v, err := e(ctx, req)
	if err != nil {
		_ = s.st.Delete(context.WithoutCancel(ctx), k)
		s.writeError(w, req.Request, err)
		return
	}
	writeJSON(w, status, v)
}

func (s *Server) replayIdempotent(w http.ResponseWriter, req *request, k, bodyHash string) {
	var rec idemRecord
	if err := s.getRecord(req.Context(), k, &rec); err != nil {
		if errors.Is(err, errNoRecord) {
			err = ErrInProgress // expired between Create and Get; let the caller retry
		}
		s.writeError(w, req.Request, err)
		return
	}
	switch {
	case rec.BodyHash != bodyHash:
		s.writeError(w, req.Request, ErrIdempotencyReuse)
	case rec.InProgress:
		e := *ErrInProgress
		e.RetryAfter = time.Second
		s.writeError(w, req.Request, &e)
	default:
		w.Header().Set("Idempotent-Replayed", "true")
		writeRaw(w, rec.Status, rec.Body)
	}
}
