package tlsfiles

import "crypto/tls"

// TLSConfig returns a server configuration taking its certificate from r:
// TLS 1.2 at least, and for TLS 1.2 only ECDHE key exchange with AEAD
// ciphers (the Mozilla "intermediate" profile; TLS 1.3 suites are not
// configurable and all good). HTTP/2 and HTTP/1.1 are offered by ALPN.
// Use it with http.Server.ServeTLS(ln, "", "") or tls.NewListener.
func (r *Reloader) TLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: r.GetCertificate,
		NextProtos:     []string{"h2", "http/1.1"},
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
	}
}
