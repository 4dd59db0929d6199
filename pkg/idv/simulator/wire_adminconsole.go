package simulator

import (
	"crypto/sha512"
	"net/http"
)

// GET {adminconsole}/api/r1/community/{community}/userdid/{did}/userinfo,
// the account lookup by DID of 1Kosmos's helpers (FACTS.md section 6):
// headers publickey, X-TenantTag, and licensekey and requestid encrypted
// under ECDH(client, community.publicKey of community_info). The answer
// {data} decrypts with the same key to the fields of 1Kosmos's BIDPoNData
// model: id, personId, userIdList, communityId, publicKey, poi_ial,
// pon_ial, and device with ?devicelist=true. The values are ours; an
// unknown DID answers 404 {code, message} (NOT PUBLIC: error bodies).

// handleUserInfo answers the account lookup for the accounts the
// simulator plays.
func (s *Simulator) handleUserInfo(w http.ResponseWriter, r *http.Request) {
	c, ok := s.authenticate(w, r, s.community)
	if !ok {
		return
	}
	switch tag := r.Header.Get("X-TenantTag"); {
	case tag == "":
		writeError(w, http.StatusBadRequest, "X-TenantTag header is required")
		return
	case tag != tenantTag:
		writeError(w, http.StatusUnauthorized, "unknown X-TenantTag")
		return
	case r.PathValue("community") != s.cfg.Community:
		writeError(w, http.StatusNotFound, "community not found")
		return
	}
	did := r.PathValue("did")
	s.mu.Lock()
	var pon map[string]any
	if a := s.lookupLocked(did); a != nil {
		pub := sha512.Sum512([]byte("account key:" + did))
		pon = map[string]any{
			"id": shortID("pon:" + did), "personId": shortID("person:" + did),
			"userIdList": append([]string(nil), a.UserIDs...), "communityId": s.communityID(),
			"publicKey": b64(pub[:]), "poi_ial": "2", "pon_ial": "2",
		}
		if r.URL.Query().Get("devicelist") == "true" {
			pon["device"] = map[string]any{}
		}
	}
	s.mu.Unlock()
	if pon == nil {
		writeError(w, http.StatusNotFound, "user not found")
		return
	}
	data, err := sealJSON(c.key, pon)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "response cannot be encrypted")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"data": data})
}
