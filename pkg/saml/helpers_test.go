package saml

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/xml"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	crewjam "github.com/crewjam/saml"
	"github.com/stretchr/testify/require"

	"github.com/idbridge/idbridge/pkg/journey"
	"github.com/idbridge/idbridge/pkg/seal"
	"github.com/idbridge/idbridge/pkg/storage/memory"
	"github.com/idbridge/idbridge/pkg/users"
)

// fakeFront is a hand-written Front: a fixed signing key, and a record of
// the pages and forms the identity provider asked for.
type fakeFront struct {
	cert   tls.Certificate
	begun  []journey.LoginRequest
	posted []url.Values
	pages  []string
	redeem func(code, client string) (journey.Authentication, error)
}

func (f *fakeFront) BeginLogin(w http.ResponseWriter, _ *http.Request, req journey.LoginRequest) {
	f.begun = append(f.begun, req)
	w.WriteHeader(http.StatusSeeOther)
}

func (f *fakeFront) RedeemLogin(_ context.Context, code, client string) (journey.Authentication, error) {
	if f.redeem == nil {
		return journey.Authentication{}, journey.ErrLoginGone
	}
	return f.redeem(code, client)
}

func (f *fakeFront) EndBrowserSession(http.ResponseWriter, *http.Request, string, func(string) bool) (bool, error) {
	return false, nil
}

func (f *fakeFront) SigningCertificates(context.Context) (tls.Certificate, []*x509.Certificate, error) {
	return f.cert, []*x509.Certificate{f.cert.Leaf}, nil
}

func (f *fakeFront) PostForm(w http.ResponseWriter, _ *http.Request, _, _, _ string, params url.Values) {
	f.posted = append(f.posted, params)
	w.WriteHeader(http.StatusOK)
}

func (f *fakeFront) ErrorPage(w http.ResponseWriter, _ *http.Request, _ string, status int, problem, _, _ string) {
	f.pages = append(f.pages, problem)
	w.WriteHeader(status)
}

func selfSigned(t testing.TB, name string) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return key, cert
}

const testIssuer = "https://idbridge.example"

// newTestServer is the identity provider on the memory store with a fake
// front, and crewjam's ServiceProvider "sp" (unsigned requests allowed).
func newTestServer(t testing.TB) (*Server, *fakeFront, *crewjam.ServiceProvider) {
	t.Helper()
	key, cert := selfSigned(t, "idbridge")
	front := &fakeFront{cert: tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert}}
	spKey, spCert := selfSigned(t, "sp")
	acs, _ := url.Parse("https://sp.example/acs")
	sp := &crewjam.ServiceProvider{EntityID: "https://sp.example/metadata", Key: spKey, Certificate: spCert, AcsURL: *acs, AuthnNameIDFormat: crewjam.PersistentNameIDFormat}
	meta, err := xml.Marshal(sp.Metadata())
	require.NoError(t, err)
	st := memory.New()
	sealer, err := seal.New(seal.Key{ID: "k", Secret: bytes.Repeat([]byte{1}, 32)})
	require.NoError(t, err)
	core, err := journey.New(journey.Options{Users: users.New(st, sealer, users.Options{HashKey: []byte("k")})})
	require.NoError(t, err)
	s, err := New(Deps{Store: st, Journey: core, Front: front, Options: Options{
		Issuer: testIssuer, IAL2Class: journey.ACRIAL2, LiveIDClass: journey.ACRLiveID, PairwiseKey: bytes.Repeat([]byte{2}, 32),
		ServiceProviders: []ServiceProvider{{ID: "sp", Client: "saml:sp", Metadata: meta, NameID: "persistent", Attributes: []string{"ial_level"}, EncryptAssertions: true}},
	}})
	require.NoError(t, err)
	idpMeta := &crewjam.EntityDescriptor{EntityID: testIssuer + PathMetadata, IDPSSODescriptors: []crewjam.IDPSSODescriptor{{SingleSignOnServices: []crewjam.Endpoint{
		{Binding: crewjam.HTTPRedirectBinding, Location: testIssuer + PathSSO}}}}}
	sp.IDPMetadata = idpMeta
	return s, front, sp
}

// deflated is raw as the HTTP-Redirect binding carries it.
func deflated(raw []byte) string {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	_, _ = w.Write(raw)
	_ = w.Close()
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

func serve(s *Server, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, r)
	return w
}
