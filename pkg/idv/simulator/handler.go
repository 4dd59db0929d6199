package simulator

import "net/http"

// Handler serves the wire API and the hosted pages at paths relative to
// BaseURL; mount it there with http.StripPrefix when BaseURL has a path.
//
// Wire API (JSON; errors {"code","message"}; Config.Faults apply):
//
//	POST /api/r1/system/community_info/fetch
//	GET  /caas/sd
//	GET  /docuverify/publickeys, /liveid/publickeys
//	POST /docuverify/document_share_session/create
//	POST /docuverify/document_share_session/result       (v1 shapes)
//	POST /docuverify/v3/document_share_session/result    (v3 shapes)
//	POST /docuverify/verify
//	PUT  /liveid/session/new
//	GET  /liveid/session/{id}                             (session object; HTML to a browser)
//	POST /liveid/session/{id}/authenticate
//	GET  /liveid/session/{id}/response
//	GET  /adminconsole/api/r1/community/{community}/userdid/{did}/userinfo
//
// Hosted pages (HTML, no JavaScript; never faulted):
//
//	GET|POST /idproofing/session/{id}, GET /idproofing/session/{id}/done
//	GET|POST /liveid/session/{id},     GET /liveid/session/{id}/done
func (s *Simulator) Handler() http.Handler {
	mux := http.NewServeMux()
	wire := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, s.cfg.Faults.wrap(h)) }
	page := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, pageHeaders(h)) }

	wire("POST /api/r1/system/community_info/fetch", s.handleCommunityInfo)
	wire("GET /caas/sd", s.handleServiceDirectory)
	wire("GET /docuverify/publickeys", publicKeyHandler(s.docuverify.PublicB64()))
	wire("GET /liveid/publickeys", publicKeyHandler(s.sessions.PublicB64()))
	wire("POST /docuverify/document_share_session/create", s.handleCreate)
	wire("POST /docuverify/document_share_session/result", s.handleResult(false))
	wire("POST /docuverify/v3/document_share_session/result", s.handleResult(true))
	wire("POST /docuverify/verify", s.handleVerify)
	wire("PUT /liveid/session/new", s.handleSessionNew)
	wire("POST /liveid/session/{id}/authenticate", s.handleSessionAuthenticate)
	wire("GET /liveid/session/{id}/response", s.handleSessionResponse)
	wire("GET /adminconsole/api/r1/community/{community}/userdid/{did}/userinfo", s.handleUserInfo)
	wire("/", func(w http.ResponseWriter, r *http.Request) { writeError(w, http.StatusNotFound, "not found") })

	page("GET /idproofing/session/{id}", s.handleIDVPage)
	page("POST /idproofing/session/{id}", s.handleIDVSubmit)
	page("GET /idproofing/session/{id}/done", s.handleIDVDone)
	page("POST /liveid/session/{id}", s.handleLiveSubmit)
	page("GET /liveid/session/{id}/done", s.handleLiveDone)

	// The QR code's URL: the session object for the authenticator app,
	// the simulated app for a person's browser.
	livePage := pageHeaders(http.HandlerFunc(s.handleLivePage))
	object := s.cfg.Faults.wrap(http.HandlerFunc(s.handleSessionObject))
	mux.HandleFunc("GET /liveid/session/{id}", func(w http.ResponseWriter, r *http.Request) {
		if wantsHTML(r) {
			livePage.ServeHTTP(w, r)
			return
		}
		object.ServeHTTP(w, r)
	})
	return mux
}
