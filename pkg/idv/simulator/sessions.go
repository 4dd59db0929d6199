package simulator

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/google/uuid"

	"github.com/idbridge/idbridge/pkg/idv"
)

// state is where a session stands. The 1Kosmos words each one is reported
// with are in result_v1.go and result_v3.go.
type state int

const (
	statePending    state = iota // created, page not opened
	stateInProgress              // page opened
	stateSucceeded               // SUCCESS (an authenticator session: answered)
	stateFailed                  // FAILED, with a failure
	stateExpired                 // EXPIRED: the session lifetime passed
	stateAbandoned               // ABANDONED: scanning stopped before the end
	stateDeclined                // the person declined (no public 1Kosmos word)
)

// active reports whether the session may still change.
func (st state) active() bool { return st == statePending || st == stateInProgress }

// label is what the hosted pages show.
func (st state) label() string {
	switch st {
	case statePending:
		return "Pending"
	case stateInProgress:
		return "In progress"
	case stateSucceeded:
		return "Completed"
	case stateFailed:
		return "Failed"
	case stateExpired:
		return "Expired"
	case stateAbandoned:
		return "Abandoned"
	}
	return "Declined"
}

// status is the port's status of st.
func (st state) status() idv.Status {
	switch st {
	case statePending:
		return idv.StatusPending
	case stateInProgress:
		return idv.StatusInProgress
	case stateSucceeded, stateFailed:
		return idv.StatusCompleted
	case stateExpired:
		return idv.StatusExpired
	case stateAbandoned:
		return idv.StatusAbandoned
	}
	return idv.StatusDeclined
}

// retention is how long a finished or expired session stays readable.
const retention = time.Hour

// idvSession is a document share session.
type idvSession struct {
	ID string
	// DocTypes are the documents the person may present; the first is the
	// one the session was created with.
	DocTypes  []idv.DocumentType
	DID       string // sessionRequest did (or userUID): the account played
	State     state
	Created   time.Time
	Expires   time.Time
	Completed time.Time
	CSRF      string
	// Reason is why a session failed, expired, was abandoned or declined.
	Reason  string
	Failure *failure
	Outcome *idvOutcome
}

// idvOutcome is what the person presented.
type idvOutcome struct {
	Fixture   Fixture
	DocType   idv.DocumentType
	Selfie    []byte
	ProofJWT  string
	CertToken string
}

// failure is a FAILED session's errorInfo (FACTS.md section 2).
type failure struct {
	Code    string // "IDV" + 4 digits
	Message string
	Reason  string
}

// liveSession is a UWL authenticator session (LiveID).
type liveSession struct {
	ID string
	liveParams
	State     state
	Created   time.Time
	Expires   time.Time
	Completed time.Time
	CSRF      string
	Reason    string
	Answer    *liveAnswer
}

// sessionOrigin is the origin object of session/new (FACTS.md section 6).
type sessionOrigin struct {
	Tag           string `json:"tag"`
	URL           string `json:"url"`
	CommunityName string `json:"communityName"`
	CommunityID   string `json:"communityId"`
	AuthPage      string `json:"authPage"`
}

// liveAnswer is what an authenticator posted to session/{id}/authenticate.
type liveAnswer struct {
	// Data is user_data sealed for the requester; PublicKey is the
	// authenticator's key, which the requester decrypts with.
	Data      string
	PublicKey string
	// User is the plaintext user_data when the simulator itself played
	// the authenticator; nil when an outside authenticator answered.
	User map[string]any
}

// refreshIDV expires a session whose time is up. Caller holds s.mu.
func (s *Simulator) refreshIDV(x *idvSession) {
	if x.State.active() && !s.now().Before(x.Expires) {
		x.State, x.Reason, x.Completed = stateExpired, "session expired", x.Expires
	}
}

func (s *Simulator) refreshLive(x *liveSession) {
	if x.State.active() && !s.now().Before(x.Expires) {
		x.State, x.Reason, x.Completed = stateExpired, "session expired", x.Expires
	}
}

// createIDV registers a new pending session for did (a fresh one when
// empty) and returns a copy of it.
func (s *Simulator) createIDV(docs []idv.DocumentType, did string) (idvSession, error) {
	now := s.now()
	if did == "" {
		did = uuid.NewString() // as 1Kosmos's helpers do
	}
	x := &idvSession{
		ID: uuid.NewString(), DocTypes: docs, DID: did, State: statePending,
		Created: now, Expires: now.Add(s.cfg.SessionTTL), CSRF: randomToken(),
	}
	s.mu.Lock()
	s.sweepLocked(now)
	s.accountLocked(did)
	s.idv[x.ID] = x
	s.mu.Unlock()
	if s.cfg.AutoComplete {
		if err := s.Complete(x.ID, CompleteOptions{}); err != nil {
			return idvSession{}, err
		}
	}
	return s.idvSnapshot(x.ID)
}

// idvSnapshot returns a copy of the session after applying expiry.
func (s *Simulator) idvSnapshot(id string) (idvSession, error) {
	return sessionCopy(s, s.idv, id, s.refreshIDV, nil)
}

// openIDV moves a pending session to in progress (the page was opened).
func (s *Simulator) openIDV(id string) (idvSession, error) {
	return sessionCopy(s, s.idv, id, s.refreshIDV, func(x *idvSession) { x.State = opened(x.State) })
}

// sessionCopy returns a copy of session id of m after refresh (expiry) and
// then (if any) have been applied under the simulator's lock.
func sessionCopy[T any](s *Simulator, m map[string]*T, id string, refresh, then func(*T)) (T, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	x, ok := m[id]
	if !ok {
		var zero T
		return zero, ErrNotFound
	}
	refresh(x)
	if then != nil {
		then(x)
	}
	return *x, nil
}

// opened is the state after a hosted page was opened.
func opened(st state) state {
	if st == statePending {
		return stateInProgress
	}
	return st
}

// liveParams is what an authenticator session is created with.
type liveParams struct {
	// Expected is the account the simulated authenticator signs in as when
	// the person presses "my account" (simulator-only: the real service
	// is not told who should answer).
	Expected *idv.Account
	Purpose  string
	Metadata map[string]any
	Origin   sessionOrigin
	Scopes   string
	AuthType string
	// RequesterKey is the publickey of the session/new call: the
	// authenticator encrypts its answer for it. Empty for sessions made
	// in-process.
	RequesterKey string
}

// createLive registers a new UWL session.
func (s *Simulator) createLive(p liveParams) (liveSession, error) {
	now := s.now()
	x := &liveSession{
		ID: uuid.NewString(), liveParams: p,
		State: statePending, Created: now, Expires: now.Add(s.cfg.SessionTTL), CSRF: randomToken(),
	}
	s.mu.Lock()
	s.sweepLocked(now)
	s.live[x.ID] = x
	s.mu.Unlock()
	if s.cfg.AutoComplete {
		// The expected account signs in; a session that names none gets
		// someone else, as a person without an account would.
		if err := s.CompleteLiveID(x.ID, LiveIDOptions{Match: x.Expected != nil}); err != nil {
			return liveSession{}, err
		}
	}
	return s.liveSnapshot(x.ID)
}

func (s *Simulator) liveSnapshot(id string) (liveSession, error) {
	return sessionCopy(s, s.live, id, s.refreshLive, nil)
}

func (s *Simulator) openLive(id string) (liveSession, error) {
	return sessionCopy(s, s.live, id, s.refreshLive, func(x *liveSession) { x.State = opened(x.State) })
}

// sweepLocked forgets sessions past their retention so that long load
// tests do not grow memory without bound; it runs at most once a minute.
// Accounts stay for accountIdle: a later authenticator session signs in
// as one.
// Caller holds s.mu.
func (s *Simulator) sweepLocked(now time.Time) {
	if now.Sub(s.lastSweep) < time.Minute {
		return
	}
	s.lastSweep = now
	for id, x := range s.idv {
		if now.After(x.Expires.Add(retention)) {
			delete(s.idv, id)
		}
	}
	for id, x := range s.live {
		if now.After(x.Expires.Add(retention)) {
			delete(s.live, id)
		}
	}
	s.sweepAccountsLocked(now)
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
