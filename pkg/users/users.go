// Package users keeps idbridge's person records: an opaque, random, stable
// subject; the identifiers relying parties know the person by; the current
// assurance; the verified identity (sealed at rest); the enrolled face
// reference; and the devices and networks seen. Records live in the shared
// storage.Store so every replica sees the same people.
package users

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/idbridge/idbridge/pkg/claims"
	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/storage"
)

// ErrNotFound: no user has that subject, identifier or document.
var ErrNotFound = errors.New("users: not found")

// Sealer encrypts personal data at rest (pkg/seal implements it).
type Sealer interface {
	Seal(plaintext, aad []byte) ([]byte, error)
	Open(sealed, aad []byte) ([]byte, error)
}

// Verified is the identity established by the latest passed verification.
// It is personal data: sealed in storage, never logged.
type Verified struct {
	Person     idv.Person    `json:"person"`
	Document   *idv.Document `json:"document,omitempty"`
	Liveness   idv.Outcome   `json:"liveness"`
	FaceMatch  idv.Outcome   `json:"face_match"`
	TxnID      string        `json:"txn"`
	VerifiedAt time.Time     `json:"verified_at"`
	ProofJWT   string        `json:"proof_jwt,omitempty"`
}

// User is one person.
type User struct {
	Subject   string    `json:"sub"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// IDVStatus is "none", "verified" or "failed" (the latest outcome).
	IDVStatus string `json:"idv_status"`
	// FaceRef is the enrolled face (from the latest passed IDV).
	FaceRef string `json:"face_ref,omitempty"`
	// EnrolledBy says how the verification that enrolled the face was
	// bound to this person (the journey core's source names: "session",
	// "caller", "client", "document"). A face without it is not used.
	EnrolledBy string `json:"enrolled_by,omitempty"`
	// Verified is decrypted on load; nil when never verified or erased by
	// retention.
	Verified *Verified `json:"-"`
	// Devices and Networks seen at successful logins (device ids are
	// random cookie values; networks are address prefixes).
	Devices  []string  `json:"devices,omitempty"`
	Networks []string  `json:"networks,omitempty"`
	Last     *Sighting `json:"last,omitempty"`
	// LastAuthAt is the time of the latest successful authentication.
	LastAuthAt time.Time `json:"last_auth_at,omitempty"`
}

// Sighting is where and when a successful login came from.
type Sighting struct {
	At       time.Time `json:"at"`
	Network  string    `json:"network,omitempty"`
	Country  string    `json:"country,omitempty"`
	Lat      float64   `json:"lat,omitempty"`
	Lon      float64   `json:"lon,omitempty"`
	HasGeo   bool      `json:"has_geo,omitempty"`
	DeviceID string    `json:"device,omitempty"`
}

// ClaimsIdentity is what the claims engine needs of the user.
func (u *User) ClaimsIdentity() claims.Identity {
	id := claims.Identity{Subject: u.Subject, IDVStatus: u.IDVStatus, Verifier: "1Kosmos"}
	if v := u.Verified; v != nil {
		id.Person = v.Person
		id.Document = v.Document
		id.VerifiedAt = v.VerifiedAt
		id.Liveness = v.Liveness
		id.FaceMatch = v.FaceMatch
		id.TxnID = v.TxnID
	}
	return id
}

// Enrolled reports whether the user can do LiveID step-up: a verified
// identity and a face enrolled by a verification whose binding to this
// person is recorded.
func (u *User) Enrolled() bool {
	return u != nil && u.FaceRef != "" && u.Verified != nil && u.EnrolledBy != ""
}

// Repo stores users. Safe for concurrent use.
type Repo struct {
	st        storage.Store
	seal      Sealer
	hashKey   []byte
	retention time.Duration
	now       func() time.Time
	cache     *identityCache
}

// Options configure a Repo.
type Options struct {
	// HashKey keys the lookup hashes of identifiers and documents.
	HashKey []byte
	// Retention of verified data after verification (0: kept).
	Retention time.Duration
	Now       func() time.Time
}

// New returns a Repo over st sealing personal data with s.
func New(st storage.Store, s Sealer, opt Options) *Repo {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Repo{st: st, seal: s, hashKey: opt.HashKey, retention: opt.Retention, now: opt.Now,
		cache: newIdentityCache(10000, 5*time.Minute)}
}

type record struct {
	User
	Sealed       []byte   `json:"sealed,omitempty"`
	Identifiers  []string `json:"identifiers,omitempty"` // index keys (keyed hashes)
	DocumentHash string   `json:"document_hash,omitempty"`
}

func userKey(sub string) string { return "user:{" + sub + "}" }

// NewSubject makes a random opaque subject (never derived from personal data).
func NewSubject() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "u_" + base64.RawURLEncoding.EncodeToString(b)
}

func (r *Repo) lookup(kind, value string) string {
	m := hmac.New(sha256.New, r.hashKey)
	m.Write([]byte(kind + "\x00" + value))
	return hex.EncodeToString(m.Sum(nil))
}

// DocumentKey is the keyed hash of issuing country, document type and
// number that finds the person a document belongs to.
func (r *Repo) DocumentKey(d *idv.Document) string {
	if d == nil || d.Number == "" {
		return ""
	}
	return r.lookup("doc", strings.ToUpper(d.IssuingCountry)+"|"+string(d.Type)+"|"+strings.ToUpper(strings.TrimSpace(d.Number)))
}

// Get loads a user by subject; ErrNotFound if absent.
func (r *Repo) Get(ctx context.Context, sub string) (*User, error) {
	rec, err := r.load(ctx, sub)
	if err != nil {
		return nil, err
	}
	return &rec.User, nil
}

func (r *Repo) load(ctx context.Context, sub string) (*record, error) {
	raw, err := r.raw(ctx, sub)
	if err != nil {
		return nil, err
	}
	var rec record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, fmt.Errorf("users: corrupt record: %w", err)
	}
	v, expired, err := r.open(rec.Subject, rec.Sealed)
	if err != nil {
		return nil, err
	}
	rec.Verified = v
	if expired {
		rec.FaceRef = ""
	}
	return &rec, nil
}

// Identity is the part of a user that tokens and userinfo state: the IDV
// status and the verified identity (nil when never verified or erased by
// retention). It decodes only those fields of the record, and not even
// those when the record is unchanged since this replica last decoded or
// wrote it (see identityCache).
func (r *Repo) Identity(ctx context.Context, sub string) (status string, v *Verified, err error) {
	raw, err := r.raw(ctx, sub)
	if err != nil {
		return "", nil, err
	}
	now := r.now()
	if status, v, ok := r.cache.get(sub, raw, now); ok {
		if v != nil && r.retention > 0 && now.Sub(v.VerifiedAt) > r.retention {
			v = nil
		}
		return status, v, nil
	}
	var rec struct {
		Subject   string `json:"sub"`
		IDVStatus string `json:"idv_status"`
		Sealed    []byte `json:"sealed"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		return "", nil, fmt.Errorf("users: corrupt record: %w", err)
	}
	v, expired, err := r.open(rec.Subject, rec.Sealed)
	if err == nil && !expired {
		r.cache.put(sub, raw, rec.IDVStatus, v, now)
	}
	return rec.IDVStatus, v, err
}

func (r *Repo) raw(ctx context.Context, sub string) ([]byte, error) {
	if sub == "" {
		return nil, ErrNotFound
	}
	raw, err := r.st.Get(ctx, userKey(sub))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, ErrNotFound
	}
	return raw, err
}

// open decrypts the verified identity; expired reports that retention
// erased it.
func (r *Repo) open(sub string, sealed []byte) (v *Verified, expired bool, err error) {
	if len(sealed) == 0 {
		return nil, false, nil
	}
	pt, err := r.seal.Open(sealed, []byte(sub))
	if err != nil {
		return nil, false, fmt.Errorf("users: cannot open verified data: %w", err)
	}
	v = new(Verified)
	if err := json.Unmarshal(pt, v); err != nil {
		return nil, false, fmt.Errorf("users: corrupt verified data: %w", err)
	}
	if r.retention > 0 && r.now().Sub(v.VerifiedAt) > r.retention {
		return nil, true, nil
	}
	return v, false, nil
}

func (r *Repo) save(ctx context.Context, rec *record) error {
	rec.UpdatedAt = r.now()
	rec.Sealed = nil
	if rec.Verified != nil {
		pt, err := json.Marshal(rec.Verified)
		if err != nil {
			return err
		}
		if rec.Sealed, err = r.seal.Seal(pt, []byte(rec.Subject)); err != nil {
			return err
		}
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := r.st.Set(ctx, userKey(rec.Subject), raw, 0); err != nil {
		r.cache.drop(rec.Subject)
		return err
	}
	r.cache.put(rec.Subject, raw, rec.IDVStatus, rec.Verified, r.now())
	return nil
}

// FindByIdentifier returns the user an identifier names; ErrNotFound if
// none. Finding someone by name proves nothing about who is asking: the
// journey core decides what a name may be used for.
func (r *Repo) FindByIdentifier(ctx context.Context, id Identifier) (*User, error) {
	if id.IsZero() {
		return nil, ErrNotFound
	}
	return r.findBy(ctx, r.identKey(id))
}

// FindByDocument returns the user a verified document belongs to.
func (r *Repo) FindByDocument(ctx context.Context, d *idv.Document) (*User, error) {
	k := r.DocumentKey(d)
	if k == "" {
		return nil, ErrNotFound
	}
	return r.findBy(ctx, "doc:{"+k+"}")
}

func (r *Repo) findBy(ctx context.Context, key string) (*User, error) {
	sub, err := r.st.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return r.Get(ctx, string(sub))
}
