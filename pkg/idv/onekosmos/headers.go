package onekosmos

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/idbridge/idbridge/pkg/idv/onekosmos/envelope"
)

// requestID is the plaintext of the requestid header. Field order matters
// to nobody's parser but is kept as 1Kosmos's helper writes it.
type requestID struct {
	TS    int64  `json:"ts"`
	AppID string `json:"appid"`
	UUID  string `json:"uuid"`
}

// signer holds the shared key of one service and makes its headers.
type signer struct {
	c      *Client
	shared []byte // ECDH(client private, service public), the AES key
	appID  string
}

// signerFor derives the AES key shared with a service public key.
func (c *Client) signerFor(servicePub, appID string) (*signer, error) {
	shared, err := c.key.SharedKey(servicePub)
	if err != nil {
		return nil, err
	}
	return &signer{c: c, shared: shared, appID: appID}, nil
}

// ts is the requestid timestamp: unix seconds, rounded to nearest as the
// helper's Math.round(ms/1000).
func (s *signer) ts() int64 {
	ms := s.c.cfg.Now().UnixMilli()
	return (ms + 500) / 1000
}

// requestIDPlain returns the requestid plaintext for a fresh uuid.
func (s *signer) requestIDPlain() ([]byte, error) {
	return json.Marshal(requestID{TS: s.ts(), AppID: s.appID, UUID: s.c.newUUID()})
}

// seal encrypts plaintext for the service.
func (s *signer) seal(plaintext []byte) (string, error) {
	return s.c.seal(s.shared, plaintext)
}

// open decrypts a wire string from the service.
func (s *signer) open(wire string) ([]byte, error) {
	return envelope.Open(s.shared, wire)
}

// headers returns the signed headers of one request: publickey (plain),
// licensekey and requestid (encrypted), Content-Type and charset. Keys are
// written lower-case, as the helper sends them.
func (s *signer) headers() (http.Header, error) {
	rid, err := s.requestIDPlain()
	if err != nil {
		return nil, err
	}
	lk, err := s.seal([]byte(s.c.cfg.LicenseKey))
	if err != nil {
		return nil, err
	}
	ridEnc, err := s.seal(rid)
	if err != nil {
		return nil, err
	}
	h := plainHeaders()
	h["publickey"] = []string{s.c.key.PublicB64()}
	h["licensekey"] = []string{lk}
	h["requestid"] = []string{ridEnc}
	return h, nil
}

// plainHeaders are sent on every call, including the unauthenticated
// bootstrap calls.
func plainHeaders() http.Header {
	return http.Header{
		"Content-Type": []string{"application/json"},
		"charset":      []string{"utf-8"},
	}
}

// sealedBody returns the docuverify body {"data":"<enc JSON of v>"}.
func (s *signer) sealedBody(v any) ([]byte, error) {
	inner, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	data, err := s.seal(inner)
	if err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		Data string `json:"data"`
	}{data})
}

// newRequest builds a request with the given headers and body.
func newRequest(ctx context.Context, method, url string, h http.Header, body []byte) (*http.Request, error) {
	var req *http.Request
	var err error
	if body != nil {
		req, err = http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	} else {
		req, err = http.NewRequestWithContext(ctx, method, url, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("onekosmos: building request: %w", err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	return req, nil
}

// newUUIDv4 returns a random RFC 9562 version 4 UUID.
func newUUIDv4() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// request builds a signed docuverify-style request whose body is
// {"data":"<enc JSON of v>"}.
func (s *signer) request(ctx context.Context, method, url string, v any) (*http.Request, error) {
	h, err := s.headers()
	if err != nil {
		return nil, err
	}
	body, err := s.sealedBody(v)
	if err != nil {
		return nil, err
	}
	return newRequest(ctx, method, url, h, body)
}
