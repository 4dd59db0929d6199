package simulator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
)

// tenantTag is the simulated tenant's tag (community_info tenant.tenanttag,
// the X-TenantTag of account lookups).
const tenantTag = "sim"

// tenantID and communityID are stable 24-hex ids (the length of the ids
// 1Kosmos returns) derived from the configured names.
func (s *Simulator) tenantID() string { return shortID("tenant:" + s.cfg.TenantDNS) }
func (s *Simulator) communityID() string {
	return shortID("community:" + s.cfg.TenantDNS + "/" + s.cfg.Community)
}

func shortID(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:12])
}

// handleCommunityInfo answers POST /api/r1/system/community_info/fetch with
// body {dns, communityName} or {tenantId, communityId}; no auth headers.
func (s *Simulator) handleCommunityInfo(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r, smallBodyLimit)
	if !ok {
		return
	}
	var q struct {
		DNS           string `json:"dns"`
		CommunityName string `json:"communityName"`
		TenantID      string `json:"tenantId"`
		CommunityID   string `json:"communityId"`
	}
	if err := json.Unmarshal(body, &q); err != nil {
		writeError(w, http.StatusBadRequest, "request body must be a JSON object")
		return
	}
	var match bool
	switch {
	case q.DNS != "":
		match = strings.EqualFold(q.DNS, s.cfg.TenantDNS) && (q.CommunityName == "" || q.CommunityName == s.cfg.Community)
	case q.TenantID != "":
		match = q.TenantID == s.tenantID() && (q.CommunityID == "" || q.CommunityID == s.communityID())
	default:
		writeError(w, http.StatusBadRequest, "dns or tenantId is required")
		return
	}
	if !match {
		writeError(w, http.StatusNotFound, "community not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"tenant": map[string]any{
			"id": s.tenantID(), "tenanttag": tenantTag, "name": "1Kosmos simulator", "dns": []string{s.cfg.TenantDNS},
		},
		"community": map[string]any{
			"id": s.communityID(), "tenantid": s.tenantID(), "name": s.cfg.Community, "publicKey": s.community.PublicB64(),
		},
	})
}

// handleServiceDirectory answers GET /caas/sd: absolute URLs of the
// services. 1Kosmos's helpers discard a map without "licenses". The
// sessions service lives under /liveid (wire_sessions.go).
func (s *Simulator) handleServiceDirectory(w http.ResponseWriter, r *http.Request) {
	sd := map[string]string{"sessions": s.url("/liveid")}
	for _, name := range []string{"licenses", "docuverify", "adminconsole", "idproofing", "liveid"} {
		sd[name] = s.url("/" + name)
	}
	writeJSON(w, http.StatusOK, sd)
}

// publicKeyHandler answers GET {service}/publickeys with no auth headers.
func publicKeyHandler(pub string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"publicKey": pub})
	}
}
