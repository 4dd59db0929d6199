package simulator

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/idbridge/idbridge/pkg/idv/onekosmos/envelope"
)

// Body limits. A verify call carries a base64 selfie; nothing else is big.
const (
	smallBodyLimit = 64 << 10
	imageBodyLimit = 8 << 20
)

// apiError is 1Kosmos's error body: {"code":400,"message":"dvcID is required"}.
type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":500,"message":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, apiError{Code: status, Message: msg})
}

// caller is an authenticated request: the AES key shared with the client
// and the client's public key.
type caller struct {
	key       []byte
	publicKey string
}

// requestID is the decrypted requestid header.
type requestID struct {
	TS    json.RawMessage `json:"ts"`
	AppID string          `json:"appid"`
	UUID  string          `json:"uuid"`
}

// authenticate checks the publickey, licensekey and requestid headers
// against svc, the service key the client used. On failure it has written
// the error (400 for missing headers, 401 otherwise) and returns false.
func (s *Simulator) authenticate(w http.ResponseWriter, r *http.Request, svc *envelope.KeyPair) (caller, bool) {
	pub, lic, rid := r.Header.Get("publickey"), r.Header.Get("licensekey"), r.Header.Get("requestid")
	if pub == "" || lic == "" || rid == "" {
		writeError(w, http.StatusBadRequest, "publickey, licensekey and requestid headers are required")
		return caller{}, false
	}
	key, err := svc.SharedKey(pub)
	if err != nil {
		writeError(w, http.StatusUnauthorized, "invalid publickey")
		return caller{}, false
	}
	got, err := envelope.Open(key, lic)
	if err != nil || subtle.ConstantTimeCompare(got, []byte(s.cfg.LicenseKey)) != 1 {
		writeError(w, http.StatusUnauthorized, "invalid licensekey")
		return caller{}, false
	}
	if !s.checkRequestID(w, key, rid) {
		return caller{}, false
	}
	return caller{key: key, publicKey: pub}, true
}

// authenticateApp checks an authenticator's publickey and requestid
// headers (encrypted with the sessions key; an authenticator sends no
// licensekey). On failure it has written the error.
func (s *Simulator) authenticateApp(w http.ResponseWriter, r *http.Request) bool {
	pub, rid := r.Header.Get("publickey"), r.Header.Get("requestid")
	if pub == "" || rid == "" {
		writeError(w, http.StatusBadRequest, "publickey and requestid headers are required")
		return false
	}
	key, err := s.sessions.SharedKey(pub)
	if err != nil {
		writeError(w, http.StatusUnauthorized, "invalid publickey")
		return false
	}
	return s.checkRequestID(w, key, rid)
}

// checkRequestID opens the requestid header with key and checks its
// freshness and that its uuid is new. On failure it has written a 401.
func (s *Simulator) checkRequestID(w http.ResponseWriter, key []byte, rid string) bool {
	plain, err := envelope.Open(key, rid)
	var id requestID
	if err != nil || json.Unmarshal(plain, &id) != nil || id.UUID == "" {
		writeError(w, http.StatusUnauthorized, "invalid requestid")
		return false
	}
	now := s.now()
	if s.cfg.Freshness >= 0 {
		ts, ok := parseTS(id.TS)
		if !ok || math.Abs(now.Sub(ts).Seconds()) > s.cfg.Freshness.Seconds() {
			writeError(w, http.StatusUnauthorized, "requestid expired")
			return false
		}
	}
	if !s.seen.add(id.UUID, now, s.cfg.Freshness) {
		writeError(w, http.StatusUnauthorized, "requestid already used")
		return false
	}
	return true
}

// parseTS reads requestid.ts: unix seconds as a number or a string;
// values that only make sense as milliseconds are taken as such.
func parseTS(raw json.RawMessage) (time.Time, bool) {
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil {
		var str string
		if json.Unmarshal(raw, &str) != nil {
			return time.Time{}, false
		}
		if f, err = strconv.ParseFloat(str, 64); err != nil {
			return time.Time{}, false
		}
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 || f > 1e15 {
		return time.Time{}, false
	}
	if f > 1e11 {
		f /= 1000
	}
	return time.Unix(0, int64(f*1e9)), true
}

// replayCache remembers requestid uuids so each is accepted once.
type replayCache struct {
	mu        sync.Mutex
	m         map[string]time.Time
	lastPrune time.Time
}

// maxReplayWindow bounds memory when freshness checks are off.
const maxReplayWindow = 10 * time.Minute

func (c *replayCache) add(id string, now time.Time, window time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]time.Time{}
	}
	if _, dup := c.m[id]; dup {
		return false
	}
	if window < 0 || window > maxReplayWindow {
		window = maxReplayWindow
	}
	if now.Sub(c.lastPrune) > window {
		c.lastPrune = now
		for k, t := range c.m {
			if now.Sub(t) > 2*window {
				delete(c.m, k)
			}
		}
	}
	c.m[id] = now
	return true
}

// readBody reads at most limit bytes; a longer body gets 413.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	var b bytes.Buffer
	_, err := b.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "request body too large")
		} else {
			writeError(w, http.StatusBadRequest, "request body cannot be read")
		}
		return nil, false
	}
	return b.Bytes(), true
}

// openData reads a docuverify body {"data": "<enc JSON>"} (or, as in
// 1Kosmos's Postman examples, {"data": {...}} in plain) and returns the
// inner JSON object. On failure it has written a 400.
func (s *Simulator) openData(w http.ResponseWriter, r *http.Request, c caller, limit int64) ([]byte, bool) {
	body, ok := readBody(w, r, limit)
	if !ok {
		return nil, false
	}
	var outer struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &outer); err != nil {
		writeError(w, http.StatusBadRequest, "request body must be a JSON object")
		return nil, false
	}
	inner := bytes.TrimSpace(outer.Data)
	switch {
	case len(inner) == 0 || bytes.Equal(inner, []byte("null")):
		writeError(w, http.StatusBadRequest, "data is required")
		return nil, false
	case inner[0] == '"':
		var enc string
		if json.Unmarshal(inner, &enc) != nil {
			writeError(w, http.StatusBadRequest, "data cannot be decrypted")
			return nil, false
		}
		plain, err := envelope.Open(c.key, enc)
		if err != nil {
			writeError(w, http.StatusBadRequest, "data cannot be decrypted")
			return nil, false
		}
		inner = bytes.TrimSpace(plain)
	}
	if len(inner) == 0 || inner[0] != '{' || !json.Valid(inner) {
		writeError(w, http.StatusBadRequest, "data must be a JSON object")
		return nil, false
	}
	return inner, true
}

// sealJSON encrypts v under key as a wire string.
func sealJSON(key []byte, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return envelope.Seal(key, b)
}
