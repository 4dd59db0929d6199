package simulator

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/idbridge/idbridge/pkg/idv"
)

// account is a 1Kosmos user the simulator plays: the DID a proofing
// session was created for and the user ids 1Kosmos's account lookup
// lists for it (BIDPoNData.userIdList). The names and face come from the
// latest passed proofing.
type account struct {
	DID                 string
	UserIDs             []string
	FirstName, LastName string
	// Face is the selfie of the latest passed proofing (the authenticator
	// page shows it).
	Face    []byte
	touched time.Time
}

// idv returns the account as the port names it: its DID and first user id.
func (a *account) idv() *idv.Account {
	return &idv.Account{DID: a.DID, UserID: a.UserIDs[0]}
}

// hasUserID reports whether id is one of the account's user ids, compared
// case-insensitively as 1Kosmos's Java helper does.
func (a *account) hasUserID(id string) bool {
	for _, u := range a.UserIDs {
		if strings.EqualFold(u, id) {
			return true
		}
	}
	return false
}

// stranger is the 1Kosmos user the authenticator page signs in as for
// "someone else" (simulator-only): it exists, so 1Kosmos's own rules
// accept it, and it is nobody's bound account.
var stranger = idv.Account{DID: uuid.NewSHA1(uuid.NameSpaceURL, []byte("simulator:stranger")).String(), UserID: "someone.else"}

// accountIdle is how long an account nobody uses is kept (simulator-only;
// load tests make one per session).
const accountIdle = 24 * time.Hour

// accountLocked returns the account of did, making it on first use: its
// user id is derived from the DID (simulator-only naming). Caller holds
// s.mu.
func (s *Simulator) accountLocked(did string) *account {
	a, ok := s.accounts[did]
	if !ok {
		sum := sha256.Sum256([]byte("userid:" + did))
		a = &account{DID: did, UserIDs: []string{"user." + hex.EncodeToString(sum[:4])}}
		s.accounts[did] = a
	}
	a.touched = s.now()
	return a
}

// lookupLocked returns the account of did, nil when there is none.
// Caller holds s.mu.
func (s *Simulator) lookupLocked(did string) *account {
	if a, ok := s.accounts[did]; ok {
		a.touched = s.now()
		return a
	}
	return nil
}

// Account returns the 1Kosmos account the simulator plays for did (a
// proofing session's did or userUID): the one the account lookup by DID
// answers and an authenticator session signs in as. ok is false when no
// session was ever created for did (simulator-only test hook).
func (s *Simulator) Account(did string) (acct idv.Account, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.lookupLocked(did)
	if a == nil {
		return idv.Account{}, false
	}
	return *a.idv(), true
}

// Stranger returns the account that answers for "someone else" on the
// authenticator page (simulator-only).
func Stranger() idv.Account { return stranger }

// sweepAccountsLocked forgets accounts idle for accountIdle. Caller holds
// s.mu.
func (s *Simulator) sweepAccountsLocked(now time.Time) {
	for did, a := range s.accounts {
		if did != stranger.DID && now.Sub(a.touched) > accountIdle {
			delete(s.accounts, did)
		}
	}
}
