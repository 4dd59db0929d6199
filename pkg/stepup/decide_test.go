package stepup

import (
	"slices"
	"testing"
	"time"
)

type decideCase struct {
	name    string
	signals func(s *Signals)
	rules   func(r *Rules)
	want    Decision
	reasons []Reason
}

func runDecideCases(t *testing.T, cases []decideCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			s, r := regular(), DefaultRules()
			if tt.signals != nil {
				tt.signals(&s)
			}
			if tt.rules != nil {
				tt.rules(&r)
			}
			got := Decide(s, r)
			if got.Decision != tt.want || !slices.Equal(got.Reasons, tt.reasons) {
				t.Errorf("Decide = %s %v, want %s %v", got.Decision, got.Reasons, tt.want, tt.reasons)
			}
		})
	}
}

func TestDecideSessionAndJourney(t *testing.T) {
	runDecideCases(t, []decideCase{
		{name: "fresh session, nothing new: silent allow", want: Allow},
		{
			name:    "no session, auto, enrolled verified user: liveid",
			signals: func(s *Signals) { s.SessionAuthTime = time.Time{} },
			want:    LiveID, reasons: []Reason{ReasonNoSession, ReasonClientDefaultLiveID},
		},
		{
			name:    "no session, empty client default means auto",
			signals: func(s *Signals) { s.SessionAuthTime = time.Time{}; s.ClientDefault = "" },
			want:    LiveID, reasons: []Reason{ReasonNoSession, ReasonClientDefaultLiveID},
		},
		{
			name:    "no session, auto, not enrolled: idv",
			signals: func(s *Signals) { s.SessionAuthTime = time.Time{}; s.Enrolled = false },
			want:    IDV, reasons: []Reason{ReasonNotEnrolled, ReasonNoSession, ReasonClientDefaultIDV},
		},
		{
			name:    "no session, auto, enrolled but unverified: idv",
			signals: func(s *Signals) { s.SessionAuthTime = time.Time{}; s.Verified = false },
			want:    IDV, reasons: []Reason{ReasonNoVerifiedIdentity, ReasonNoSession, ReasonClientDefaultIDV},
		},
		{
			name:    "no session, client idv: idv even for an enrolled user",
			signals: func(s *Signals) { s.SessionAuthTime = time.Time{}; s.ClientDefault = JourneyIDV },
			want:    IDV, reasons: []Reason{ReasonClientDefaultIDV, ReasonNoSession},
		},
		{
			name:    "no session, client liveid, enrolled: liveid",
			signals: func(s *Signals) { s.SessionAuthTime = time.Time{}; s.ClientDefault = JourneyLiveID },
			want:    LiveID, reasons: []Reason{ReasonNoSession, ReasonClientDefaultLiveID},
		},
		{
			name:    "no session, client liveid, not enrolled: idv",
			signals: func(s *Signals) { s.SessionAuthTime = time.Time{}; s.ClientDefault = JourneyLiveID; s.Enrolled = false },
			want:    IDV, reasons: []Reason{ReasonNotEnrolled, ReasonNoSession, ReasonClientDefaultLiveID},
		},
		{
			name:    "client default is case-insensitive",
			signals: func(s *Signals) { s.SessionAuthTime = time.Time{}; s.ClientDefault = "LiveID" },
			want:    LiveID, reasons: []Reason{ReasonNoSession, ReasonClientDefaultLiveID},
		},
		{
			name:    "unknown client default fails closed to idv",
			signals: func(s *Signals) { s.SessionAuthTime = time.Time{}; s.ClientDefault = "password" },
			want:    IDV, reasons: []Reason{ReasonClientDefaultIDV, ReasonNoSession},
		},
		{
			name:    "client idv does not force idv over a usable session",
			signals: func(s *Signals) { s.ClientDefault = JourneyIDV },
			want:    Allow,
		},
		{
			name:    "unknown user: idv",
			signals: func(s *Signals) { *s = Signals{Now: now} },
			want:    IDV,
			reasons: []Reason{ReasonNewDevice, ReasonNoVerifiedIdentity, ReasonNotEnrolled, ReasonNoSession, ReasonClientDefaultIDV},
		},
		{
			name:    "prompt=login forces liveid over a fresh session",
			signals: func(s *Signals) { s.PromptLogin = true },
			want:    LiveID, reasons: []Reason{ReasonPromptLogin, ReasonClientDefaultLiveID},
		},
		{
			name:    "prompt=login, not enrolled: idv",
			signals: func(s *Signals) { s.PromptLogin = true; s.Enrolled = false },
			want:    IDV, reasons: []Reason{ReasonNotEnrolled, ReasonPromptLogin, ReasonClientDefaultIDV},
		},
		{
			name:    "prompt=login, client idv: idv",
			signals: func(s *Signals) { s.PromptLogin = true; s.ClientDefault = JourneyIDV },
			want:    IDV, reasons: []Reason{ReasonClientDefaultIDV, ReasonPromptLogin},
		},
		{
			name:    "prompt=login without session",
			signals: func(s *Signals) { s.PromptLogin = true; s.SessionAuthTime = time.Time{} },
			want:    LiveID, reasons: []Reason{ReasonPromptLogin, ReasonNoSession, ReasonClientDefaultLiveID},
		},
		{
			name:    "max_age exceeded: reauthenticate",
			signals: func(s *Signals) { s.MaxAge = dur(5 * time.Minute) },
			want:    LiveID, reasons: []Reason{ReasonMaxAgeExceeded, ReasonClientDefaultLiveID},
		},
		{
			name:    "max_age satisfied: allow",
			signals: func(s *Signals) { s.MaxAge = dur(time.Hour) },
			want:    Allow,
		},
		{
			name:    "max_age equal to session age is satisfied",
			signals: func(s *Signals) { s.MaxAge = dur(10 * time.Minute) },
			want:    Allow,
		},
		{
			name:    "max_age=0 forces reauthentication",
			signals: func(s *Signals) { s.MaxAge = dur(0) },
			want:    LiveID, reasons: []Reason{ReasonMaxAgeExceeded, ReasonClientDefaultLiveID},
		},
		{
			name:    "negative max_age acts as zero",
			signals: func(s *Signals) { s.MaxAge = dur(-time.Second) },
			want:    LiveID, reasons: []Reason{ReasonMaxAgeExceeded, ReasonClientDefaultLiveID},
		},
		{
			name:    "max_age without session reports no_session only",
			signals: func(s *Signals) { s.MaxAge = dur(time.Minute); s.SessionAuthTime = time.Time{} },
			want:    LiveID, reasons: []Reason{ReasonNoSession, ReasonClientDefaultLiveID},
		},
		{
			name:    "session stamped in the future counts as new",
			signals: func(s *Signals) { s.MaxAge = dur(time.Minute); s.SessionAuthTime = now.Add(5 * time.Minute) },
			want:    Allow,
		},
		{
			name:    "max_age exceeded, not enrolled, client liveid: idv",
			signals: func(s *Signals) { s.MaxAge = dur(time.Minute); s.Enrolled = false; s.ClientDefault = JourneyLiveID },
			want:    IDV, reasons: []Reason{ReasonNotEnrolled, ReasonMaxAgeExceeded, ReasonClientDefaultLiveID},
		},
	})
}

func TestDecideACRAndAssurance(t *testing.T) {
	stale := func(s *Signals) { s.VerifiedAt = now.Add(-100 * 24 * time.Hour) }
	ninetyDays := func(r *Rules) { r.MaxVerificationAge = 90 * 24 * time.Hour }
	runDecideCases(t, []decideCase{
		{
			name:    "liveid acr forces liveid over a fresh session",
			signals: func(s *Signals) { s.RequestedACR = []string{DefaultLiveIDACR} },
			want:    LiveID, reasons: []Reason{ReasonACRRequiresLiveID},
		},
		{
			name:    "liveid acr, not enrolled: idv",
			signals: func(s *Signals) { s.RequestedACR = []string{DefaultLiveIDACR}; s.Enrolled = false },
			want:    IDV, reasons: []Reason{ReasonNotEnrolled, ReasonACRRequiresLiveID},
		},
		{
			name:    "liveid acr, unverified: idv",
			signals: func(s *Signals) { s.RequestedACR = []string{DefaultLiveIDACR}; s.Verified = false },
			want:    IDV, reasons: []Reason{ReasonNoVerifiedIdentity, ReasonACRRequiresLiveID},
		},
		{
			name:    "configured acr values are the ones recognised",
			signals: func(s *Signals) { s.RequestedACR = []string{"face"} },
			rules:   func(r *Rules) { r.LiveIDACR = "face" },
			want:    LiveID, reasons: []Reason{ReasonACRRequiresLiveID},
		},
		{
			name:    "ial2 acr met by a current IAL2 verification",
			signals: func(s *Signals) { s.RequestedACR = []string{DefaultIDVACR}; s.ACREssential = true },
			want:    Allow,
		},
		{
			name:    "ial2 acr, IAL1 user: idv",
			signals: func(s *Signals) { s.RequestedACR = []string{DefaultIDVACR}; s.IAL = 1 },
			want:    IDV, reasons: []Reason{ReasonIALRequired},
		},
		{
			name:    "ial2 acr, unverified user: idv",
			signals: func(s *Signals) { s.RequestedACR = []string{DefaultIDVACR}; s.Verified = false },
			want:    IDV, reasons: []Reason{ReasonIALRequired, ReasonNoVerifiedIdentity},
		},
		{
			name:    "ial2 acr, stale verification: idv",
			signals: func(s *Signals) { s.RequestedACR = []string{DefaultIDVACR}; stale(s) },
			rules:   ninetyDays,
			want:    IDV, reasons: []Reason{ReasonIALRequired, ReasonVerificationStale},
		},
		{
			name:    "stale verification without an IAL requirement: allow",
			signals: stale,
			rules:   ninetyDays,
			want:    Allow,
		},
		{
			name:    "verification never stale when max age is zero",
			signals: func(s *Signals) { s.RequiredIAL = 2; s.VerifiedAt = now.Add(-10 * 365 * 24 * time.Hour) },
			want:    Allow,
		},
		{
			name:    "first recognised acr decides: ial2 before liveid",
			signals: func(s *Signals) { s.RequestedACR = []string{"urn:other", DefaultIDVACR, DefaultLiveIDACR} },
			want:    Allow,
		},
		{
			name:    "first recognised acr decides: liveid before ial2",
			signals: func(s *Signals) { s.RequestedACR = []string{DefaultLiveIDACR, DefaultIDVACR}; s.IAL = 1 },
			want:    LiveID, reasons: []Reason{ReasonACRRequiresLiveID},
		},
		{
			name:    "unknown voluntary acr is ignored",
			signals: func(s *Signals) { s.RequestedACR = []string{"urn:other"} },
			want:    Allow,
		},
		{
			name:    "unknown essential acr denies",
			signals: func(s *Signals) { s.RequestedACR = []string{"urn:other"}; s.ACREssential = true },
			want:    Deny, reasons: []Reason{ReasonACRUnsupported},
		},
		{
			name:    "empty acr values are ignored even when essential",
			signals: func(s *Signals) { s.RequestedACR = []string{""}; s.ACREssential = true },
			want:    Allow,
		},
		{
			name:    "verified_claims met by a current IAL2 verification",
			signals: func(s *Signals) { s.RequiredIAL = 2 },
			want:    Allow,
		},
		{
			name:    "verified_claims, IAL1 user: idv",
			signals: func(s *Signals) { s.RequiredIAL = 2; s.IAL = 1 },
			want:    IDV, reasons: []Reason{ReasonIALRequired, ReasonVerifiedClaimsRequested},
		},
		{
			name:    "verified_claims, stale verification: idv",
			signals: func(s *Signals) { s.RequiredIAL = 2; stale(s) },
			rules:   ninetyDays,
			want:    IDV, reasons: []Reason{ReasonIALRequired, ReasonVerifiedClaimsRequested, ReasonVerificationStale},
		},
		{
			name: "verified_claims for an unknown user without session: idv",
			signals: func(s *Signals) {
				s.RequiredIAL = 2
				s.Verified, s.Enrolled, s.SessionAuthTime = false, false, time.Time{}
			},
			want: IDV,
			reasons: []Reason{ReasonIALRequired, ReasonVerifiedClaimsRequested, ReasonNoVerifiedIdentity,
				ReasonNotEnrolled, ReasonNoSession, ReasonClientDefaultIDV},
		},
		{
			name:    "verified_claims and ial2 acr: reasons name the acr only",
			signals: func(s *Signals) { s.RequiredIAL = 2; s.RequestedACR = []string{DefaultIDVACR}; s.IAL = 1 },
			want:    IDV, reasons: []Reason{ReasonIALRequired},
		},
		{
			name:    "IAL1 requirement is always met",
			signals: func(s *Signals) { s.RequiredIAL = 1; s.Verified = false },
			want:    Allow,
		},
		{
			name:    "IAL above 2 is treated as 2",
			signals: func(s *Signals) { s.RequiredIAL = 3 },
			want:    Allow,
		},
		{
			name:    "ial2 acr plus prompt=login: liveid for a verified user",
			signals: func(s *Signals) { s.RequestedACR = []string{DefaultIDVACR}; s.PromptLogin = true },
			want:    LiveID, reasons: []Reason{ReasonPromptLogin, ReasonClientDefaultLiveID},
		},
	})
}
