package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/journey"
)

// documentTypes maps the names callers may use to 1Kosmos's identifiers.
var documentTypes = map[string]idv.DocumentType{
	"dl_object": idv.DriversLicense, "drivers_license": idv.DriversLicense, "driver_license": idv.DriversLicense, "dl": idv.DriversLicense,
	"ppt_object": idv.Passport, "passport": idv.Passport,
	"idcard_object": idv.IDCard, "id_card": idv.IDCard, "idcard": idv.IDCard, "national_id": idv.IDCard,
}

// createIDVBody is the input of the "1Kosmos IDV" connector node.
type createIDVBody struct {
	DocumentTypes  flexStrings `json:"document_types"`
	LivenessMode   string      `json:"liveness_mode"`
	UserIdentifier string      `json:"user_identifier"`
	ReturnURL      string      `json:"return_url"`
	origin
}

// createIDVSession serves POST /v1/idv/sessions.
func (s *Server) createIDVSession(ctx context.Context, req *request) (int, any, error) {
	var b createIDVBody
	if err := decodeBody(req.body, &b); err != nil {
		return 0, nil, err
	}
	doc, err := parseDocumentTypes(b.DocumentTypes)
	if err != nil {
		return 0, nil, err
	}
	mode := strings.ToLower(strings.TrimSpace(b.LivenessMode))
	switch mode {
	case "":
		mode = "passive"
	case "passive", "active", "none":
	default:
		return 0, nil, ErrMalformed.With(`liveness_mode must be "passive", "active" or "none"`)
	}
	if err := checkIdentifier(b.UserIdentifier, false); err != nil {
		return 0, nil, err
	}
	if b.ReturnURL != "" {
		u, err := url.Parse(b.ReturnURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(b.ReturnURL) > 2048 {
			return 0, nil, ErrMalformed.With("return_url must be an absolute http(s) URL")
		}
	}
	ip, err := b.check()
	if err != nil {
		return 0, nil, err
	}
	rec, err := s.startIDV(ctx, idvStart{client: req.client.ID, identifier: b.UserIdentifier, doc: doc, mode: mode, returnURL: b.ReturnURL, ip: ip, device: b.DeviceID})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{
		"session_id": rec.ID, "session_url": rec.URL, "expires_at": rfc3339(rec.ExpiresAt), "status": rec.Status,
	}, nil
}

// parseDocumentTypes returns the document the session starts with: the
// first one listed (the hosted page lets the person choose another).
func parseDocumentTypes(names []string) (idv.DocumentType, error) {
	var first idv.DocumentType
	for _, n := range names {
		d, ok := documentTypes[strings.ToLower(strings.TrimSpace(n))]
		if !ok {
			return "", ErrDocumentType.With("document_types: unknown document type (use dl_object, ppt_object or idcard_object)")
		}
		if first == "" {
			first = d
		}
	}
	if first == "" {
		first = idv.DriversLicense
	}
	return first, nil
}

// idvStart is what a proofing session is started with.
type idvStart struct {
	client, identifier string
	doc                idv.DocumentType
	mode, returnURL    string
	ip, device         string
}

// startIDV starts a proofing session owned by the caller and records it as
// pending. Whom it is for is the journey core's decision: the verifier
// gets the subject of the person the caller names, else the session id.
func (s *Server) startIDV(ctx context.Context, in idvStart) (session, error) {
	id := newID("idv_")
	var person journey.Person
	if in.identifier != "" {
		var err error
		if person, err = s.personFor(ctx, in.client, in.identifier); err != nil {
			return session{}, err
		}
	}
	up, err := s.verifier.StartIDV(ctx, s.journey.IDVRequest(person, id, []idv.DocumentType{in.doc}, in.mode))
	if err != nil {
		return session{}, err
	}
	now := s.now()
	rec := session{
		ID: id, Kind: kindIDV, Client: in.client, UpstreamID: up.ID, URL: up.URL,
		UserIdentifier: in.identifier, Subject: person.Subject(), DocumentType: string(in.doc), LivenessMode: in.mode,
		ReturnURL: in.returnURL, IP: in.ip, DeviceID: in.device, CreatedAt: now, ExpiresAt: up.ExpiresAt, Status: StatusPending,
	}
	if err := s.track(ctx, rec); err != nil {
		return session{}, err
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "api idv session started",
		slog.String("client", in.client), slog.String("session_id", id), slog.String("document_type", string(in.doc)))
	return rec, nil
}

// track stores a new record and puts it on the poller's list.
func (s *Server) track(ctx context.Context, rec session) error {
	if err := s.saveSession(ctx, rec); err != nil {
		return err
	}
	if err := s.indexSubject(ctx, rec.Subject, sessionKey(rec.ID)); err != nil {
		return err
	}
	return s.st.SetAdd(ctx, pendingSet, rec.ID, 0)
}

// getIDVSession serves GET /v1/idv/sessions/{id}.
func (s *Server) getIDVSession(ctx context.Context, req *request) (int, any, error) {
	rec, err := s.loadOwn(ctx, req.client.ID, kindIDV, req.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	rec = s.refreshForRead(ctx, rec)
	v, err := s.idvView(ctx, rec)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, v, nil
}

// refreshForRead asks the verifier about an unfinished record; when the
// verifier cannot answer the caller gets the last known state.
func (s *Server) refreshForRead(ctx context.Context, rec session) session {
	if terminal(rec.Status) {
		return rec
	}
	fresh, err := s.refresh(ctx, rec)
	if err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "api session refresh failed",
			slog.String("session_id", rec.ID), slog.String("error", err.Error()))
		return rec
	}
	return fresh
}
