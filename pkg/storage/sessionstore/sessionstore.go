// Package sessionstore is a gorilla/sessions Store whose values live in
// storage.Store, so every replica sees the same browser sessions and a
// session can be ended on the server.
//
// The cookie carries only a random session id, signed and encrypted with
// securecookie; the values are gob-encoded under prefix+id with the
// session's MaxAge as lifetime. A cookie that does not verify, or whose
// record is gone, simply yields a new empty session.
package sessionstore

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/gob"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"

	"github.com/idbridge/idbridge/pkg/storage"
)

// DefaultTTL is how long the server keeps a session whose MaxAge is 0 (a
// cookie that lasts until the browser closes): the server cannot see the
// browser close, so it bounds the record itself.
const DefaultTTL = 24 * time.Hour

var _ sessions.Store = (*Store)(nil)

// Store is a sessions.Store on storage.Store. It is safe for concurrent
// use.
type Store struct {
	st     storage.Store
	prefix string
	// Codecs sign and encrypt the session id in the cookie.
	Codecs []securecookie.Codec
	// Options are copied into every new session.
	Options *sessions.Options
}

// DefaultOptions are the cookie settings New applies when given zero
// Options: the whole site, a week, HTTPS only, hidden from scripts, sent on
// top-level navigations from other sites (SameSite=Lax) so that returning
// from an identity provider keeps the session.
func DefaultOptions() sessions.Options {
	return sessions.Options{
		Path:     "/",
		MaxAge:   7 * 24 * 3600,
		Secure:   true,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
}

// New returns a Store keeping session values in st under prefix+id.
// hashKey (32 or 64 bytes) signs the cookie and blockKey (32 bytes for
// AES-256) encrypts it. Zero opts mean DefaultOptions; otherwise an empty
// Path becomes "/" and an unset SameSite becomes Lax.
func New(st storage.Store, prefix string, hashKey, blockKey []byte, opts sessions.Options) *Store {
	if opts == (sessions.Options{}) {
		opts = DefaultOptions()
	}
	if opts.Path == "" {
		opts.Path = "/"
	}
	if opts.SameSite == 0 {
		opts.SameSite = http.SameSiteLaxMode
	}
	s := &Store{
		st:      st,
		prefix:  prefix,
		Codecs:  securecookie.CodecsFromPairs(hashKey, blockKey),
		Options: &opts,
	}
	s.MaxAge(opts.MaxAge)
	return s
}

// MaxAge sets the lifetime of new sessions, in seconds, and how old a
// cookie the codecs accept.
func (s *Store) MaxAge(age int) {
	s.Options.MaxAge = age
	cookieAge := age
	if age <= 0 {
		cookieAge = int(DefaultTTL / time.Second)
	}
	for _, c := range s.Codecs {
		if sc, ok := c.(*securecookie.SecureCookie); ok {
			sc.MaxAge(cookieAge)
		}
	}
}

// Get returns the session called name for r, cached for the request by
// sessions.GetRegistry.
func (s *Store) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New loads the session named by r's cookie. A missing, forged, expired or
// unreadable cookie, or one whose record is gone, gives a new empty
// session and no error; only a failing backend is reported (wrapping
// storage.ErrUnavailable), together with a new empty session.
func (s *Store) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(s, name)
	opts := *s.Options
	sess.Options = &opts
	sess.IsNew = true
	c, err := r.Cookie(name)
	if err != nil {
		return sess, nil
	}
	var id string
	if securecookie.DecodeMulti(name, c.Value, &id, s.Codecs...) != nil {
		return sess, nil
	}
	data, err := s.st.Get(r.Context(), s.prefix+id)
	if errors.Is(err, storage.ErrNotFound) {
		return sess, nil
	}
	if err != nil {
		return sess, fmt.Errorf("sessionstore: loading session: %w", err)
	}
	values := make(map[any]any)
	if gob.NewDecoder(bytes.NewReader(data)).Decode(&values) != nil {
		return sess, nil
	}
	sess.ID, sess.Values, sess.IsNew = id, values, false
	return sess, nil
}

// Save writes the session's values with its MaxAge as lifetime (DefaultTTL
// for 0) and sets the cookie. MaxAge < 0 deletes the record and expires
// the cookie. Values must be gob-encodable; register custom types with
// gob.Register.
func (s *Store) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	ctx := r.Context()
	if sess.Options.MaxAge < 0 {
		if sess.ID != "" {
			if err := s.st.Delete(ctx, s.prefix+sess.ID); err != nil {
				return fmt.Errorf("sessionstore: deleting session: %w", err)
			}
		}
		http.SetCookie(w, sessions.NewCookie(sess.Name(), "", sess.Options))
		return nil
	}
	if sess.ID == "" {
		id, err := newID()
		if err != nil {
			return err
		}
		sess.ID = id
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(sess.Values); err != nil {
		return fmt.Errorf("sessionstore: encoding values: %w", err)
	}
	ttl := time.Duration(sess.Options.MaxAge) * time.Second
	if ttl == 0 {
		ttl = DefaultTTL
	}
	if err := s.st.Set(ctx, s.prefix+sess.ID, buf.Bytes(), ttl); err != nil {
		return fmt.Errorf("sessionstore: saving session: %w", err)
	}
	encoded, err := securecookie.EncodeMulti(sess.Name(), sess.ID, s.Codecs...)
	if err != nil {
		return fmt.Errorf("sessionstore: encoding cookie: %w", err)
	}
	http.SetCookie(w, sessions.NewCookie(sess.Name(), encoded, sess.Options))
	return nil
}

// newID returns 256 random bits, base64url-encoded.
func newID() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}
