package tlsfiles_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/idbridge/idbridge/pkg/logtest"
	"github.com/idbridge/idbridge/pkg/tlsfiles"
)

func TestRotation(t *testing.T) {
	later := time.Now().Add(24 * time.Hour * 90)
	p1, p2, p3 := newPair(t, 1, later), newPair(t, 2, later), newPair(t, 3, later)
	roots := x509.NewCertPool()
	for _, p := range []pair{p1, p2, p3} {
		roots.AddCert(p.x509)
	}
	certFile, keyFile := files(t, p1)
	var logs logtest.Buffer
	r, err := tlsfiles.New(certFile, keyFile, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	srv.TLS = r.TLSConfig()
	srv.StartTLS()
	defer srv.Close()

	steps := []struct {
		name       string
		change     func()
		wantSerial int64
		wantLog    string
	}{
		{name: "serves the initial pair", change: func() {}, wantSerial: 1},
		{name: "serves a renewed pair", change: func() {
			replace(t, keyFile, p2.key)
			replace(t, certFile, p2.cert)
		}, wantSerial: 2, wantLog: "tls certificate reloaded"},
		{name: "a broken certificate keeps the previous one", change: func() {
			if err := os.WriteFile(certFile, []byte("-----BEGIN CERT"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, wantSerial: 2, wantLog: "certificate file " + certFile + " holds no PEM"},
		{name: "a certificate without its key keeps the previous one", change: func() {
			replace(t, certFile, p3.cert)
		}, wantSerial: 2, wantLog: "private key does not match public key"},
		{name: "a missing file keeps the previous one", change: func() {
			if err := os.Remove(keyFile); err != nil {
				t.Fatal(err)
			}
		}, wantSerial: 2, wantLog: "tls certificate files unreadable"},
		{name: "the matching key completes the rotation", change: func() {
			replace(t, keyFile, p3.key)
		}, wantSerial: 3, wantLog: "serial=3"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			before := len(logs.String())
			st.change()
			if got := servedSerial(t, srv.URL, roots); got != st.wantSerial {
				t.Fatalf("served serial %d, want %d; log:\n%s", got, st.wantSerial, logs.String())
			}
			if got := r.Certificate().Leaf.SerialNumber.Int64(); got != st.wantSerial {
				t.Fatalf("Certificate() serial %d, want %d", got, st.wantSerial)
			}
			if added := logs.String()[before:]; !strings.Contains(added, st.wantLog) {
				t.Fatalf("log lacks %q:\n%s", st.wantLog, added)
			}
		})
	}
	if strings.Contains(logs.String(), "PRIVATE KEY") {
		t.Fatalf("key material in the log:\n%s", logs.String())
	}
}

func TestReloadReadsUnchangedLookingFiles(t *testing.T) {
	p1, p2 := newPair(t, 1, time.Now().Add(time.Hour*24*90)), newPair(t, 2, time.Now().Add(time.Hour*24*90))
	certFile, keyFile := files(t, p1)
	r, err := tlsfiles.New(certFile, keyFile, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	// An in-place rewrite; Reload must not depend on the stat noticing.
	if err := os.WriteFile(keyFile, p2.key, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, p2.cert, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := r.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := r.Certificate().Leaf.SerialNumber.Int64(); got != 2 {
		t.Fatalf("serial %d after Reload, want 2", got)
	}
	if err := os.WriteFile(certFile, []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := r.Reload(); !errors.Is(err, tlsfiles.ErrLoad) {
		t.Fatalf("Reload of junk: err = %v, want ErrLoad", err)
	}
	if got := r.Certificate().Leaf.SerialNumber.Int64(); got != 2 {
		t.Fatalf("serial %d after a failed Reload, want 2 kept", got)
	}
}

func TestNewErrorsNameTheFile(t *testing.T) {
	p1, p2 := newPair(t, 1, time.Now().Add(time.Hour)), newPair(t, 2, time.Now().Add(time.Hour))
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	cert1, key1, key2 := write("c1.pem", p1.cert), write("k1.pem", p1.key), write("k2.pem", p2.key)
	junk := write("junk.pem", []byte("not pem"))
	missing := filepath.Join(dir, "missing.pem")
	tests := []struct {
		name          string
		cert, key     string
		wantInMessage string
	}{
		{"missing certificate", missing, key1, "missing.pem"},
		{"missing key", cert1, missing, "missing.pem"},
		{"certificate not PEM", junk, key1, "junk.pem holds no PEM CERTIFICATE"},
		{"key not PEM", cert1, junk, "junk.pem"},
		{"key of another certificate", cert1, key2, "k2.pem"},
		{"key given as certificate", key1, cert1, "k1.pem holds no PEM CERTIFICATE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tlsfiles.New(tt.cert, tt.key, nil)
			if !errors.Is(err, tlsfiles.ErrLoad) {
				t.Fatalf("err = %v, want ErrLoad", err)
			}
			if !strings.Contains(err.Error(), tt.wantInMessage) {
				t.Fatalf("error %q does not mention %q", err, tt.wantInMessage)
			}
		})
	}
}

func TestExpiringCertificateIsReported(t *testing.T) {
	p := newPair(t, 1, time.Now().Add(48*time.Hour))
	certFile, keyFile := files(t, p)
	var logs logtest.Buffer
	if _, err := tlsfiles.New(certFile, keyFile, slog.New(slog.NewTextHandler(&logs, nil))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "expires soon") {
		t.Fatalf("no expiry warning:\n%s", logs.String())
	}
}

func TestTLSConfig(t *testing.T) {
	p := newPair(t, 7, time.Now().Add(24*time.Hour*90))
	certFile, keyFile := files(t, p)
	r, err := tlsfiles.New(certFile, keyFile, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.TLS = r.TLSConfig()
	srv.StartTLS()
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(p.x509)
	addr := srv.Listener.Addr().String()
	tests := []struct {
		name     string
		cfg      *tls.Config
		wantErr  bool
		wantALPN string
	}{
		{name: "TLS 1.3 with h2", cfg: &tls.Config{NextProtos: []string{"h2", "http/1.1"}}, wantALPN: "h2"},
		{name: "TLS 1.2 AEAD", cfg: &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}}},
		{name: "TLS 1.1 refused", cfg: &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}, wantErr: true},
		{name: "TLS 1.2 CBC suite refused", cfg: &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg.Clone()
			cfg.RootCAs, cfg.ServerName = roots, serverName
			conn, err := tls.Dial("tcp", addr, cfg)
			if tt.wantErr {
				if err == nil {
					conn.Close()
					t.Fatal("handshake succeeded, want refused")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if got := conn.ConnectionState().NegotiatedProtocol; got != tt.wantALPN {
				t.Fatalf("ALPN %q, want %q", got, tt.wantALPN)
			}
		})
	}
}

func TestConcurrentHandshakesDuringRotation(t *testing.T) {
	later := time.Now().Add(24 * time.Hour * 90)
	pairs := []pair{newPair(t, 1, later), newPair(t, 2, later), newPair(t, 3, later)}
	certFile, keyFile := files(t, pairs[0])
	r, err := tlsfiles.New(certFile, keyFile, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				c, err := r.GetCertificate(&tls.ClientHelloInfo{ServerName: serverName})
				if err != nil || c == nil || c.Leaf == nil {
					t.Errorf("GetCertificate: %v, %v", c, err)
					return
				}
			}
		})
	}
	for _, p := range append(pairs[1:], pairs[0]) {
		replace(t, keyFile, p.key)
		replace(t, certFile, p.cert)
	}
	close(stop)
	wg.Wait()
	// The files are settled now: the next handshake serves the last pair.
	c, err := r.GetCertificate(&tls.ClientHelloInfo{ServerName: serverName})
	if err != nil || c.Leaf.SerialNumber.Int64() != 1 {
		t.Fatalf("after rotating back to the first pair: %v, %v; want serial 1", c.Leaf.SerialNumber, err)
	}
}
