// Package audit writes idbridge's audit trail: one log line per
// security-relevant event, with the message "audit", an "audit" attribute
// naming the event (such as "oauth.code_replayed") and the client's
// address as the operator chose to keep it (log.client_address): in full,
// truncated to its network, or as a keyed hash that links one address's
// lines without revealing it. Lines never carry tokens, secrets or
// personal data; callers add only identifiers such as client ids.
package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/netid"
)

// Ways to record a client address (log.client_address).
const (
	// Full keeps the address as it is.
	Full = "full"
	// Truncated keeps the network only: the /24 of an IPv4 address, the
	// /48 of an IPv6 one. The default.
	Truncated = "truncated"
	// Hashed keeps "h:" and the first 128 bits of HMAC-SHA256 of the
	// address under log.client_address_key, in hex.
	Hashed = "hashed"
)

// Unknown is recorded when no client address is known.
const Unknown = "unknown"

// Addresses formats client addresses for the audit trail. It is immutable
// and safe for concurrent use.
type Addresses struct {
	mode string
	key  []byte
}

// NewAddresses checks mode ("" means Truncated) and the key Hashed needs
// (at least 32 bytes; every replica must use the same one, so their lines
// agree).
func NewAddresses(mode string, key []byte) (*Addresses, error) {
	switch mode {
	case "":
		mode = Truncated
	case Full, Truncated:
	case Hashed:
		if len(key) < 32 {
			return nil, errors.New("audit: hashed client addresses need a key of at least 32 bytes (log.client_address_key)")
		}
	default:
		return nil, fmt.Errorf("audit: client address mode %q is not one of full, truncated, hashed", mode)
	}
	return &Addresses{mode: mode, key: key}, nil
}

// Format records ip as configured; Unknown for an invalid address.
func (a *Addresses) Format(ip netip.Addr) string {
	if !ip.IsValid() {
		return Unknown
	}
	ip = ip.Unmap().WithZone("")
	switch a.mode {
	case Full:
		return ip.String()
	case Hashed:
		m := hmac.New(sha256.New, a.key)
		m.Write(ip.AsSlice())
		return "h:" + hex.EncodeToString(m.Sum(nil)[:16])
	}
	return netid.Network(ip)
}

// Log writes audit lines. A nil *Log writes nothing.
type Log struct {
	log   *slog.Logger
	addrs *Addresses
	res   *netid.Resolver
}

// New builds a Log from the log section of the configuration; res resolves
// client addresses behind trusted proxies (nil: the peer address).
func New(log *slog.Logger, cfg config.Log, res *netid.Resolver) (*Log, error) {
	var key []byte
	if cfg.ClientAddressKey != "" {
		var err error
		if key, err = config.DecodeKey(cfg.ClientAddressKey); err != nil {
			return nil, fmt.Errorf("audit: log.client_address_key: %w", err)
		}
	}
	addrs, err := NewAddresses(cfg.ClientAddress, key)
	if err != nil {
		return nil, err
	}
	if res == nil {
		if res, err = netid.New(netid.Config{}); err != nil {
			return nil, err
		}
	}
	if log == nil {
		log = slog.Default()
	}
	return &Log{log: log, addrs: addrs, res: res}, nil
}

type addressKey struct{}

// Middleware records the client address of each request in its context,
// for Event and Attr.
func (l *Log) Middleware(next http.Handler) http.Handler {
	if l == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(l.WithRequest(r.Context(), r)))
	})
}

// WithRequest returns ctx carrying r's client address, formatted.
func (l *Log) WithRequest(ctx context.Context, r *http.Request) context.Context {
	if l == nil {
		return ctx
	}
	return context.WithValue(ctx, addressKey{}, l.addrs.Format(l.res.Addr(r)))
}

// Attr is the client_address attribute of the request ctx belongs to
// (Unknown outside a request), for lines written without Event.
func Attr(ctx context.Context) slog.Attr {
	v, _ := ctx.Value(addressKey{}).(string)
	if v == "" {
		v = Unknown
	}
	return slog.String("client_address", v)
}

// Event writes an audit line at Info: something that happened as it
// should (a sign-out, a granted request).
func (l *Log) Event(ctx context.Context, event string, attrs ...slog.Attr) {
	l.write(ctx, slog.LevelInfo, event, attrs)
}

// Alert writes an audit line at Warn: something an operator may need to
// investigate (a replayed code, failed authentications).
func (l *Log) Alert(ctx context.Context, event string, attrs ...slog.Attr) {
	l.write(ctx, slog.LevelWarn, event, attrs)
}

func (l *Log) write(ctx context.Context, level slog.Level, event string, attrs []slog.Attr) {
	if l == nil {
		return
	}
	all := append([]slog.Attr{slog.String("audit", event), Attr(ctx)}, attrs...)
	l.log.LogAttrs(ctx, level, "audit", all...)
}
