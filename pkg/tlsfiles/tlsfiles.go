// Package tlsfiles serves HTTPS from a certificate and key on disk and
// picks up renewed files without a restart.
//
// Every handshake stats both files (two cheap system calls next to the
// handshake's public-key operations); when either file's identity, size or
// modification time changed, the pair is read again. A replacement that
// does not load (half written, key not matching, not PEM) is logged and
// the previous certificate stays in service until a later change loads.
// Replace files atomically (write elsewhere, then rename, as cert-manager
// and Kubernetes secret volumes do): an in-place rewrite of the same size
// within the file system's timestamp granularity can go unnoticed, though
// Reload (for example on SIGHUP) always reads the files.
package tlsfiles

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// ErrLoad is matched (errors.Is) by every error New and Reload return.
var ErrLoad = errors.New("tlsfiles: cannot load certificate")

// expiryWarning is how close to its expiry a loaded certificate is
// reported with a warning.
const expiryWarning = 14 * 24 * time.Hour

// Reloader holds the current certificate of a certificate and key file
// pair. It is safe for concurrent use.
type Reloader struct {
	certFile, keyFile string
	log               *slog.Logger

	mu      sync.RWMutex
	cert    *tls.Certificate
	seen    stamp  // the files as they were at the last load attempt
	statErr string // last stat failure logged, to log each one once
}

// New loads the pair at once; its error names the file at fault and
// matches ErrLoad. A nil log means slog.Default().
func New(certFile, keyFile string, log *slog.Logger) (*Reloader, error) {
	if log == nil {
		log = slog.Default()
	}
	r := &Reloader{certFile: certFile, keyFile: keyFile, log: log}
	st, err := statPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLoad, err)
	}
	c, err := load(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	r.cert, r.seen = c, st
	r.warnExpiry(c)
	return r, nil
}

// Certificate returns the certificate in service; its Leaf is parsed.
func (r *Reloader) Certificate() *tls.Certificate {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.cert
}

// GetCertificate is the tls.Config hook: it returns the current
// certificate, first loading the files again if they changed. It never
// fails once New succeeded; a replacement that does not load is logged
// and the previous certificate is returned.
func (r *Reloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	st, err := statPair(r.certFile, r.keyFile)
	r.mu.RLock()
	cur, same := r.cert, err == nil && r.seen.same(st)
	r.mu.RUnlock()
	if same {
		return cur, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		// Mid-rotation a file can be missing for a moment.
		if msg := err.Error(); msg != r.statErr {
			r.statErr = msg
			r.log.Error("tls certificate files unreadable: keeping the previous certificate",
				"cert_file", r.certFile, "key_file", r.keyFile, "error", msg)
		}
		return r.cert, nil
	}
	r.statErr = ""
	if !r.seen.same(st) {
		r.seen = st
		_ = r.reloadLocked()
	}
	return r.cert, nil
}

// Reload reads the files now, whether or not they look changed. On
// failure it returns the error (matching ErrLoad) and keeps the previous
// certificate.
func (r *Reloader) Reload() error {
	st, err := statPair(r.certFile, r.keyFile)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrLoad, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen = st
	return r.reloadLocked()
}

func (r *Reloader) reloadLocked() error {
	c, err := load(r.certFile, r.keyFile)
	if err != nil {
		r.log.Error("tls certificate reload failed: keeping the previous certificate", "error", err.Error())
		return err
	}
	r.cert = c
	r.log.Info("tls certificate reloaded", "cert_file", r.certFile, "serial", c.Leaf.SerialNumber.Text(16),
		"subject", c.Leaf.Subject.String(), "not_after", c.Leaf.NotAfter)
	r.warnExpiry(c)
	return nil
}

func (r *Reloader) warnExpiry(c *tls.Certificate) {
	if left := time.Until(c.Leaf.NotAfter); left < expiryWarning {
		r.log.LogAttrs(context.Background(), slog.LevelWarn, "tls certificate expires soon or has expired",
			slog.String("cert_file", r.certFile), slog.Time("not_after", c.Leaf.NotAfter))
	}
}

// load reads and checks the pair; errors name the file at fault. Key
// material never appears in them.
func load(certFile, keyFile string) (*tls.Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("%w: certificate: %w", ErrLoad, err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("%w: key: %w", ErrLoad, err)
	}
	if !hasBlock(certPEM, "CERTIFICATE") {
		return nil, fmt.Errorf("%w: certificate file %s holds no PEM CERTIFICATE block", ErrLoad, certFile)
	}
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("%w: certificate file %s with key file %s: %w", ErrLoad, certFile, keyFile, err)
	}
	return &c, nil
}

func hasBlock(data []byte, typ string) bool {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return false
		}
		if b.Type == typ {
			return true
		}
	}
}

// stamp identifies the versions of the two files.
type stamp struct{ cert, key os.FileInfo }

func statPair(certFile, keyFile string) (stamp, error) {
	c, err := os.Stat(certFile)
	if err != nil {
		return stamp{}, err
	}
	k, err := os.Stat(keyFile)
	if err != nil {
		return stamp{}, err
	}
	return stamp{c, k}, nil
}

func (s stamp) same(o stamp) bool {
	return s.cert != nil && o.cert != nil && sameFile(s.cert, o.cert) && sameFile(s.key, o.key)
}

// sameFile: the same inode (a rename or symlink swap makes a new one), and
// the same size and modification time (an in-place rewrite).
func sameFile(a, b os.FileInfo) bool {
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}
