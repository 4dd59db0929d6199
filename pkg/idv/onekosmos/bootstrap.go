package onekosmos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/idbridge/idbridge/pkg/idv"
)

// minForcedRefresh bounds how often a 401 may force a bootstrap refresh, so
// a wrong license key does not turn every call into four.
const minForcedRefresh = 30 * time.Second

// tenant is what bootstrap learned: community info, the service map and
// the service keys. Immutable once published.
type tenant struct {
	fetched       time.Time
	tenantTag     string
	communityID   string
	communityName string
	adminconsole  string
	docuverify    string
	sessions      string
	dv            *signer // nil until the docuverify key is fetched
	sess          *signer // nil until the sessions key is fetched
	// community signs account lookups (ECDH with community.publicKey);
	// nil when community_info gave no usable key.
	community *signer
}

// need says which service keys a call requires.
type need int

const (
	needDocuverify need = 1 << iota
	needSessions
)

func (t *tenant) has(n need) bool {
	return (n&needDocuverify == 0 || t.dv != nil) && (n&needSessions == 0 || t.sess != nil)
}

// bootstrapper caches the tenant. Readers take the published value
// lock-free; one fetch runs at a time (sem), and a waiting caller gives up
// when its context ends.
type bootstrapper struct {
	c          *Client
	sem        chan struct{}
	cur        atomic.Pointer[tenant]
	lastForced time.Time // guarded by sem
}

func (b *bootstrapper) init(c *Client) {
	b.c = c
	b.sem = make(chan struct{}, 1)
}

func (b *bootstrapper) lock(ctx context.Context) error {
	select {
	case b.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return unavailable("bootstrap", ctx.Err())
	}
}

func (b *bootstrapper) unlock() { <-b.sem }

func (b *bootstrapper) fresh(t *tenant) bool {
	return t != nil && b.c.cfg.Now().Sub(t.fetched) < b.c.cfg.BootstrapTTL
}

// get returns a tenant that is within BootstrapTTL and has the keys n
// asks for, fetching what is missing. When a refresh after expiry fails
// with ErrUnavailable, the expired value is used rather than failing.
func (b *bootstrapper) get(ctx context.Context, n need) (*tenant, error) {
	if t := b.cur.Load(); b.fresh(t) && t.has(n) {
		return t, nil
	}
	if err := b.lock(ctx); err != nil {
		return nil, err
	}
	defer b.unlock()
	old := b.cur.Load()
	if b.fresh(old) && old.has(n) {
		return old, nil
	}
	base := old
	if !b.fresh(old) {
		base = nil
	}
	t, err := b.fetch(ctx, base, n)
	if err != nil {
		if old != nil && old.has(n) && errors.Is(err, idv.ErrUnavailable) && ctx.Err() == nil {
			b.c.log.WarnContext(ctx, "1kosmos bootstrap refresh failed; using cached tenant", slogErr(err))
			return old, nil
		}
		return nil, err
	}
	b.publish(t, old)
	return t, nil
}

// refresh is called after a 401 on a call made with stale. It refetches
// everything unless another caller already did or the last forced refresh
// was recent. changed reports whether the key the call needs differs now.
func (b *bootstrapper) refresh(ctx context.Context, stale *tenant, n need) (t *tenant, changed bool, err error) {
	if err := b.lock(ctx); err != nil {
		return nil, false, err
	}
	defer b.unlock()
	if cur := b.cur.Load(); cur != stale && cur != nil && cur.has(n) {
		return cur, keysDiffer(stale, cur, n), nil
	}
	now := b.c.cfg.Now()
	if !b.lastForced.IsZero() && now.Sub(b.lastForced) < minForcedRefresh {
		return stale, false, nil
	}
	b.lastForced = now
	t, err = b.fetch(ctx, nil, n)
	if err != nil {
		return nil, false, err
	}
	b.publish(t, stale)
	return t, keysDiffer(stale, t, n), nil
}

func (b *bootstrapper) publish(t, old *tenant) {
	if old == nil || t.fetched != old.fetched {
		// A new service map may mean a new docuverify: probe the newer
		// result path again.
		b.c.resultFallback.Store(false)
	}
	b.cur.Store(t)
}

func keysDiffer(a, b *tenant, n need) bool {
	differ := func(x, y *signer) bool {
		return x == nil || y == nil || string(x.shared) != string(y.shared)
	}
	return (n&needDocuverify != 0 && differ(a.dv, b.dv)) || (n&needSessions != 0 && differ(a.sess, b.sess))
}

// fetch builds a tenant: from base (still fresh, only keys missing) or
// from scratch.
func (b *bootstrapper) fetch(ctx context.Context, base *tenant, n need) (*tenant, error) {
	var t tenant
	if base != nil {
		t = *base
	} else {
		t.fetched = b.c.cfg.Now()
		if err := b.c.fetchCommunity(ctx, &t); err != nil {
			return nil, err
		}
		if err := b.c.fetchServices(ctx, &t); err != nil {
			return nil, err
		}
	}
	if n&needDocuverify != 0 && t.dv == nil {
		s, err := b.c.fetchKey(ctx, "docuverify", t.docuverify, b.c.cfg.AppID)
		if err != nil {
			return nil, err
		}
		t.dv = s
	}
	if n&needSessions != 0 && t.sess == nil {
		s, err := b.c.fetchKey(ctx, "sessions", t.sessions, b.c.cfg.AppID)
		if err != nil {
			return nil, err
		}
		t.sess = s
	}
	return &t, nil
}

// communityInfo is the answer of community_info/fetch; only the fields
// the client uses.
type communityInfo struct {
	Tenant *struct {
		ID        string `json:"id"`
		TenantTag string `json:"tenanttag"`
	} `json:"tenant"`
	Community *struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		PublicKey string `json:"publicKey"`
	} `json:"community"`
}

// fetchCommunity calls POST {BaseURL}/api/r1/system/community_info/fetch
// with {dns, communityName} and no auth headers.
func (c *Client) fetchCommunity(ctx context.Context, t *tenant) error {
	const op = "community_info"
	body, err := json.Marshal(struct {
		DNS           string `json:"dns"`
		CommunityName string `json:"communityName"`
	}{c.cfg.TenantDNS, c.cfg.Community})
	if err != nil {
		return err
	}
	return c.do(ctx, exchange{
		op: op, idempotent: true,
		build: func(ctx context.Context) (*http.Request, error) {
			return newRequest(ctx, http.MethodPost, c.base+c.cfg.Paths.CommunityInfo, plainHeaders(), body)
		},
		handle: func(status int, raw []byte) error {
			var ci communityInfo
			if err := c.decodeAnswer(op, status, raw, &ci); err != nil {
				return err
			}
			if ci.Tenant == nil || ci.Community == nil {
				return rejected(op, fmt.Sprintf("no tenant %q with community %q (check TenantDNS and Community)", c.cfg.TenantDNS, c.cfg.Community))
			}
			t.tenantTag = ci.Tenant.TenantTag
			t.communityID = ci.Community.ID
			t.communityName = ci.Community.Name
			if k := ci.Community.PublicKey; k != "" {
				t.community, _ = c.signerFor(k, c.cfg.AppID) // unusable: lookups report it
			}
			if t.communityName == "" {
				t.communityName = c.cfg.Community
			}
			return nil
		},
	})
}

// fetchServices calls GET {BaseURL}/caas/sd. Like 1Kosmos's helpers, a map
// without "licenses" is not a service map.
func (c *Client) fetchServices(ctx context.Context, t *tenant) error {
	const op = "service_directory"
	return c.do(ctx, exchange{
		op: op, idempotent: true,
		build: func(ctx context.Context) (*http.Request, error) {
			return newRequest(ctx, http.MethodGet, c.base+c.cfg.Paths.ServiceDirectory, plainHeaders(), nil)
		},
		handle: func(status int, raw []byte) error {
			var sd map[string]any
			if err := c.decodeAnswer(op, status, raw, &sd); err != nil {
				return err
			}
			if sd == nil {
				return unavailable(op, errGarbage)
			}
			if _, ok := sd["licenses"]; !ok {
				return unavailable(op, errors.New("service map has no licenses entry"))
			}
			var err error
			if t.docuverify, err = serviceURL(sd, "docuverify"); err != nil {
				return rejected(op, err.Error())
			}
			// sessions is needed only for authenticator-app LiveID.
			t.sessions, _ = serviceURL(sd, "sessions")
			t.adminconsole, _ = sd["adminconsole"].(string)
			return nil
		},
	})
}

// serviceURL reads an absolute http(s) base URL from the service map.
func serviceURL(sd map[string]any, name string) (string, error) {
	s, _ := sd[name].(string)
	u, err := url.Parse(s)
	if s == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("service map has no usable %s URL", name)
	}
	return strings.TrimRight(s, "/"), nil
}

// fetchKey calls GET {service}/publickeys (no auth headers) and derives
// the shared key.
func (c *Client) fetchKey(ctx context.Context, name, service, appID string) (*signer, error) {
	op := name + "_publickeys"
	if service == "" {
		return nil, rejected(op, "service map has no "+name+" URL")
	}
	var s *signer
	err := c.do(ctx, exchange{
		op: op, idempotent: true,
		build: func(ctx context.Context) (*http.Request, error) {
			return newRequest(ctx, http.MethodGet, service+c.cfg.Paths.PublicKeys, plainHeaders(), nil)
		},
		handle: func(status int, raw []byte) error {
			var pk struct {
				PublicKey string `json:"publicKey"`
			}
			if err := c.decodeAnswer(op, status, raw, &pk); err != nil {
				return err
			}
			if pk.PublicKey == "" {
				return unavailable(op, errGarbage)
			}
			var err error
			if s, err = c.signerFor(pk.PublicKey, appID); err != nil {
				return unavailable(op, fmt.Errorf("service public key unusable: %w", err))
			}
			return nil
		},
	})
	return s, err
}
