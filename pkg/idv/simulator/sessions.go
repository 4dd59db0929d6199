package simulator

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/google/uuid"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/idv/onekosmos/envelope"
)

// Session and verification states in 1Kosmos's words.
const (
	wirePending      = "Pending"
	wireInProgress   = "In Progress"
	wireCompleted    = "Completed"
	wireExpired      = "Expired"
	wireDeclined     = "Declined"
	wirePassed       = "Passed"
	wireFailed       = "Failed"
	wireNotPerformed = "Not performed"
)

// retention is how long a finished or expired session stays readable.
const retention = time.Hour

// idvSession is a document share session.
type idvSession struct {
	ID        string
	DocType   idv.DocumentType
	UserUID   string
	Status    string
	Created   time.Time
	Expires   time.Time
	Completed time.Time
	CSRF      string
	Reason    string
	Outcome   *idvOutcome
}

// idvOutcome is what the person submitted and what the checks concluded.
type idvOutcome struct {
	Fixture      Fixture
	DocType      idv.DocumentType
	Face         faceCheck
	Verification string
	Reason       string
	ProofJWT     string
	CertToken    string
}

// liveSession is a UWL authenticator session (LiveID).
type liveSession struct {
	ID        string
	UserID    string
	FaceRef   string // enrolled face to compare with
	Purpose   string
	Origin    string
	Status    string
	Created   time.Time
	Expires   time.Time
	Completed time.Time
	CSRF      string
	Reason    string
	Face      *faceCheck
	// auth is the simulated authenticator's key: results are encrypted
	// with ECDH(auth, requester) and auth's public key is returned.
	auth *envelope.KeyPair
}

func active(status string) bool { return status == wirePending || status == wireInProgress }

// refreshIDV expires a session whose time is up. Caller holds s.mu.
func (s *Simulator) refreshIDV(x *idvSession) {
	if active(x.Status) && !s.now().Before(x.Expires) {
		x.Status = wireExpired
		x.Reason = "session expired"
	}
}

func (s *Simulator) refreshLive(x *liveSession) {
	if active(x.Status) && !s.now().Before(x.Expires) {
		x.Status = wireExpired
		x.Reason = "session expired"
	}
}

// createIDV registers a new Pending session and returns a copy of it.
func (s *Simulator) createIDV(doc idv.DocumentType, userUID string) (idvSession, error) {
	now := s.now()
	x := &idvSession{
		ID: uuid.NewString(), DocType: doc, UserUID: userUID, Status: wirePending,
		Created: now, Expires: now.Add(s.cfg.SessionTTL), CSRF: randomToken(),
	}
	s.mu.Lock()
	s.sweepLocked(now)
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

// openIDV moves a Pending session to In Progress (the page was opened).
func (s *Simulator) openIDV(id string) (idvSession, error) {
	return sessionCopy(s, s.idv, id, s.refreshIDV, func(x *idvSession) { x.Status = opened(x.Status) })
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

// opened is the status after a hosted page was opened.
func opened(st string) string {
	if st == wirePending {
		return wireInProgress
	}
	return st
}

// createLive registers a new UWL session.
func (s *Simulator) createLive(userID, ref, purpose, origin string) (liveSession, error) {
	auth, err := envelope.GenerateKey(s.cfg.Curve)
	if err != nil {
		return liveSession{}, err
	}
	now := s.now()
	x := &liveSession{
		ID: uuid.NewString(), UserID: userID, FaceRef: ref, Purpose: purpose, Origin: origin,
		Status: wirePending, Created: now, Expires: now.Add(s.cfg.SessionTTL), CSRF: randomToken(), auth: auth,
	}
	s.mu.Lock()
	if x.FaceRef == "" && userID != "" {
		x.FaceRef = s.enrolled[userID]
	}
	s.sweepLocked(now)
	s.live[x.ID] = x
	s.mu.Unlock()
	if s.cfg.AutoComplete {
		if err := s.CompleteLiveID(x.ID, LiveIDOptions{Match: true}); err != nil {
			return liveSession{}, err
		}
	}
	return s.liveSnapshot(x.ID)
}

func (s *Simulator) liveSnapshot(id string) (liveSession, error) {
	return sessionCopy(s, s.live, id, s.refreshLive, nil)
}

func (s *Simulator) openLive(id string) (liveSession, error) {
	return sessionCopy(s, s.live, id, s.refreshLive, func(x *liveSession) { x.Status = opened(x.Status) })
}

// sweepLocked forgets sessions past their retention so that long load
// tests do not grow memory without bound; it runs at most once a minute.
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
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
