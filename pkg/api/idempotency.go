package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/idbridge/idbridge/pkg/storage"
)

// IdempotencyHeader names the caller's retry key on POSTs.
const IdempotencyHeader = "Idempotency-Key"

// IdempotencyField is the same key as a member of the JSON body, for
// callers that cannot set a header per request: Descope's Generic HTTP
// connector sets headers once per connector, while each flow step sets
// its own body (docs/connector.md cites the pages).
const IdempotencyField = "idempotency_key"

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

// idempotencyKey is the request's retry key: the Idempotency-Key header or
// the body's idempotency_key member (the same value when both are sent).
// An empty member is no key: a flow template whose value is empty.
func idempotencyKey(req *request) (string, error) {
	key := req.Header.Get(IdempotencyHeader)
	var b struct {
		Key json.RawMessage `json:"idempotency_key"`
	}
	if json.Unmarshal(req.body, &b) == nil && len(b.Key) > 0 && string(b.Key) != "null" {
		var field string
		if json.Unmarshal(b.Key, &field) != nil {
			return "", ErrMalformed.With("idempotency_key must be a string")
		}
		switch field = strings.TrimSpace(field); {
		case field == "":
		case key != "" && key != field:
			return "", ErrMalformed.With("the Idempotency-Key header and the idempotency_key member differ; send one, or the same value")
		default:
			key = field
		}
	}
	if len(key) > 255 {
		return "", ErrMalformed.With("the idempotency key is longer than 255 characters")
	}
	return key, nil
}

// idempotent serves a POST that may carry an idempotency key (header or
// body member): the same key with the same body gets the first answer
// again, the same key with another body gets 422, and a retry racing the
// first request gets 409. Keys are per caller. Only successful answers
// are kept; after an error the key may be used again.
//
// For a caller that signs its requests, a signed body creates once
// (onceSigned) whether or not it carries a key: a key in the header is
// not covered by the signature, so a captured body sent again under a new
// header key is still 409 replayed_request; its own key gets the first
// answer.
func (s *Server) idempotent(e endpoint) handler {
	plain := s.post(e)
	return func(w http.ResponseWriter, req *request) {
		key, err := idempotencyKey(req)
		if err != nil {
			s.writeError(w, req.Request, err)
			return
		}
		signed := req.client.HMACSecret != ""
		switch {
		case key == "" && signed:
			s.onceSigned(w, req, e)
			return
		case key == "":
			plain(w, req)
			return
		}
		ctx := req.Context()
		k := "api:idem:{" + hashHex(req.client.ID, key) + "}"
		bodyHash := hashHex(string(req.compact))
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
		release := func() { _ = s.st.Delete(context.WithoutCancel(ctx), k) }
		if signed {
			spent, err := s.spendSigned(ctx, req)
			if err != nil {
				release()
				s.writeError(w, req.Request, err)
				return
			}
			release = func() { _ = s.st.Delete(context.WithoutCancel(ctx), k); spent() }
		}
		status, v, err := e(ctx, req)
		if err != nil {
			release()
			s.writeError(w, req.Request, err)
			return
		}
		body, err := json.Marshal(v)
		if err != nil {
			release()
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
// no idempotency key: Descope's signature covers the body only, so the
// same signed body, captured and sent again, must not create a second
// session. Each signed body creates once per caller and endpoint within
// the idempotency window; a replay is 409 replayed_request. After an
// error the body may be sent again.
func (s *Server) onceSigned(w http.ResponseWriter, req *request, e endpoint) {
	ctx := req.Context()
	unspend, err := s.spendSigned(ctx, req)
	if err != nil {
		s.writeError(w, req.Request, err)
		return
	}
	status, v, err := e(ctx, req)
	if err != nil {
		unspend()
		s.writeError(w, req.Request, err)
		return
	}
	writeJSON(w, status, v)
}

// spendSigned marks the request's signed body as used for its endpoint:
// ErrReplayedRequest (audited) when it was used before. The returned
// function gives it back, after an error.
func (s *Server) spendSigned(ctx context.Context, req *request) (func(), error) {
	k := "api:signed:{" + hashHex(req.client.ID, req.URL.Path, string(req.compact)) + "}"
	err := s.st.Create(ctx, k, []byte{1}, s.cfg.IdempotencyTTL)
	if errors.Is(err, storage.ErrExists) {
		s.audit.Alert(ctx, "api.request_replayed", slog.String("api_client", req.client.ID), slog.String("path", routeOf(req.Request)))
		return nil, ErrReplayedRequest
	}
	if err != nil {
		return nil, err
	}
	return func() { _ = s.st.Delete(context.WithoutCancel(ctx), k) }, nil
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
