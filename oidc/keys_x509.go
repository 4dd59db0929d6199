package oidc

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net/url"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// certificateLifetime is how long the certificate of a signing key claims
// to be valid. SAML service providers trust the key published in metadata,
// not the certificate's dates, but some refuse an expired certificate; a
// key is rotated out long before.
const certificateLifetime = 20 * 365 * 24 * time.Hour

// SigningCertificates returns the RSA key of the shared signing key ring
// that signs now, as a self-signed certificate with its private key, and
// the certificates of every RSA key the ring publishes (the next one
// first, then the current and the previous ones), for front doors that
// sign with X.509 certificates (SAML). They rotate with the ring.
//
// A key's certificate is derived from the key alone (serial number and
// dates from its id and creation time; RSA PKCS #1 v1.5 signatures are
// deterministic), so every replica publishes the same bytes.
func (p *Provider) SigningCertificates(ctx context.Context) (current tls.Certificate, published []*x509.Certificate, err error) {
	if err := p.keys.ensure(ctx); err != nil {
		return tls.Certificate{}, nil, err
	}
	p.keys.mu.RLock()
	keys := p.keys.keys
	p.keys.mu.RUnlock()
	for _, state := range []string{KeyNext, KeyCurrent, KeyPrevious} {
		for _, k := range keys {
			if k.alg != jose.RS256 || k.info.State != state {
				continue
			}
			cert, err := p.keyCertificate(k)
			if err != nil {
				return tls.Certificate{}, nil, err
			}
			published = append(published, cert)
			if state == KeyCurrent && current.Leaf == nil {
				current = tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: k.priv, Leaf: cert}
			}
		}
	}
	if current.Leaf == nil {
		return tls.Certificate{}, nil, fmt.Errorf("oidc: no current %s signing key", jose.RS256)
	}
	return current, published, nil
}

// keyCertificate is the self-signed certificate of an RSA signing key,
// made once per key and kept with it.
func (p *Provider) keyCertificate(k *signingKey) (*x509.Certificate, error) {
	p.keys.mu.RLock()
	cert := k.cert
	p.keys.mu.RUnlock()
	if cert != nil {
		return cert, nil
	}
	priv, ok := k.priv.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("oidc: signing key %s is not an RSA key", k.info.ID)
	}
	host := p.cfg.Issuer
	if u, err := url.Parse(p.cfg.Issuer); err == nil && u.Host != "" {
		host = u.Hostname()
	}
	serial := sha256.Sum256([]byte("certificate:" + k.info.ID))
	created := k.info.CreatedAt.UTC().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber:          new(big.Int).SetBytes(serial[:16]),
		Subject:               pkix.Name{CommonName: host, Organization: []string{"idbridge"}, OrganizationalUnit: []string{"signing key " + k.info.ID}},
		NotBefore:             created.Add(-time.Hour),
		NotAfter:              created.Add(certificateLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		SignatureAlgorithm:    x509.SHA256WithRSA,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, fmt.Errorf("oidc: certificate of signing key %s: %w", k.info.ID, err)
	}
	cert, err = x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	p.keys.mu.Lock()
	k.cert = cert
	p.keys.mu.Unlock()
	return cert, nil
}
