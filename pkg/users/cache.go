package users

import (
	"bytes"
	"slices"
	"sync"
	"time"
)

// identityCache keeps recently decoded identities by subject, each with
// the exact record bytes it came from. A hit needs the stored record to be
// byte for byte the same, so a change or an erasure made by any replica is
// seen at once: the cache saves only decoding and decryption (the token
// endpoint and userinfo read the identity a login just wrote). Entries
// live a few minutes and the cache is bounded.
type identityCache struct {
	mu      sync.Mutex
	entries map[string]cachedIdentity
	max     int
	ttl     time.Duration
}

type cachedIdentity struct {
	raw    []byte
	status string
	v      *Verified
	at     time.Time
}

func newIdentityCache(max int, ttl time.Duration) *identityCache {
	return &identityCache{entries: make(map[string]cachedIdentity), max: max, ttl: ttl}
}

// get returns the identity decoded from raw, if cached and fresh. The
// Verified is a copy the caller may keep.
func (c *identityCache) get(sub string, raw []byte, now time.Time) (string, *Verified, bool) {
	c.mu.Lock()
	e, ok := c.entries[sub]
	c.mu.Unlock()
	if !ok || now.Sub(e.at) > c.ttl || !bytes.Equal(e.raw, raw) {
		return "", nil, false
	}
	return e.status, e.v.clone(), true
}

// put remembers what raw decodes to; raw must not change afterwards.
func (c *identityCache) put(sub string, raw []byte, status string, v *Verified, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[sub]; !ok && len(c.entries) >= c.max {
		for k := range c.entries { // evict one, arbitrarily
			delete(c.entries, k)
			break
		}
	}
	c.entries[sub] = cachedIdentity{raw: raw, status: status, v: v.clone(), at: now}
}

func (c *identityCache) drop(sub string) {
	c.mu.Lock()
	delete(c.entries, sub)
	c.mu.Unlock()
}

// clone copies v deeply enough that neither copy can change the other.
func (v *Verified) clone() *Verified {
	if v == nil {
		return nil
	}
	c := *v
	c.Person.Nationalities = slices.Clone(v.Person.Nationalities)
	if v.Person.Address != nil {
		a := *v.Person.Address
		c.Person.Address = &a
	}
	if v.Document != nil {
		d := *v.Document
		c.Document = &d
	}
	return &c
}
