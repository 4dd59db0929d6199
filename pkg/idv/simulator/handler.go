package simulator

import "net/http"

// Handler serves the wire API and the hosted pages at paths relative to
// BaseURL; mount it there with http.StripPrefix when BaseURL has a path.
//
// Wire API (JSON; errors {"code","message"}):
//
//	POST /api/r1/system/community_info/fetch
//	GET  /caas/sd
//	GET  /docuverify/publickeys, /sessions/publickeys
//	POST /docuverify/document_share_session/create
//	POST /docuverify/document_share_session/result, /docuverify/v3/document_share_session/result
//	POST /docuverify/verify
//	PUT  /sessions/session/new
//	GET  /sessions/session/{id}/response
//
// Hosted pages (HTML, no JavaScript):
//
//	GET|POST /idproofing/session/{id}, GET /idproofing/session/{id}/done
//	GET|POST /liveid/session/{id},     GET /liveid/session/{id}/done
func (s *Simulator) Handler() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("POST /api/r1/system/community_info/fetch", s.handleCommunityInfo)
	api.HandleFunc("GET /caas/sd", s.handleServiceDirectory)
	api.HandleFunc("GET /docuverify/publickeys", publicKeyHandler(s.docuverify.PublicB64()))
	api.HandleFunc("GET /sessions/publickeys", publicKeyHandler(s.sessions.PublicB64()))
	api.HandleFunc("POST /docuverify/document_share_session/create", s.handleCreate)
	api.HandleFunc("POST /docuverify/document_share_session/result", s.handleResult)
	api.HandleFunc("POST /docuverify/v3/document_share_session/result", s.handleResult)
	api.HandleFunc("POST /docuverify/verify", s.handleVerify)
	api.HandleFunc("PUT /sessions/session/new", s.handleSessionNew)
	api.HandleFunc("GET /sessions/session/{id}/response", s.handleSessionResponse)
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not found")
	})

	page := http.NewServeMux()
	page.HandleFunc("GET /idproofing/session/{id}", s.handleIDVPage)
	page.HandleFunc("POST /idproofing/session/{id}", s.handleIDVSubmit)
	page.HandleFunc("GET /idproofing/session/{id}/done", s.handleIDVDone)
	page.HandleFunc("GET /liveid/session/{id}", s.handleLivePage)
	page.HandleFunc("POST /liveid/session/{id}", s.handleLiveSubmit)
	page.HandleFunc("GET /liveid/session/{id}/done", s.handleLiveDone)

	mux := http.NewServeMux()
	mux.Handle("/idproofing/", pageHeaders(page))
	mux.Handle("/liveid/", pageHeaders(page))
	mux.Handle("/", s.cfg.Faults.wrap(api))
	return mux
}
