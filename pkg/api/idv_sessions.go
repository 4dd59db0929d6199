package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/idbridge/idbridge/pkg/idv"
	"github.com/idbridge/idbridge/pkg/users"
)

// documentTypes maps the names callers may use to 1Kosmos's identifiers.
var documentTypes = map[string]idv.DocumentType{
	"dl_object": idv.DriversLicense, "drivers_license": idv.DriversLicense, "driver_license": idv.DriversLicense, "dl": idv.DriversLicense,
	"ppt_object": idv.Passport, "passport": idv.Passport,
	"idcard_object": idv.IDCard, "id_card": idv.IDCard, "idcard": idv.IDCard, "national_id": idv.IDCard,
}

// modeWord is a liveness_mode plain enough to quote back in an error.
var modeWord = regexp.MustCompile(`^[a-z_]{1,16}$`)

// createIDVBody is the input of the "1Kosmos IDV" connector node.
type createIDVBody struct {
	DocumentTypes  flexStrings `json:"document_types"`
	LivenessMode   string      `json:"liveness_mode"`
	UserIdentifier string      `json:"user_identifier"`
	ReturnURL      string      `json:"return_url"`
}

// createIDVSession serves POST /v1/idv/sessions.
func (s *Server) createIDVSession(ctx context.Context, req *request) (int, any, error) {
	var b createIDVBody
	if err := decodeBody(req.body, &b); err != nil {
		return 0, nil, err
	}
	docs, err := parseDocumentTypes(b.DocumentTypes)
	if err != nil {
		return 0, nil, err
	}
	// 1Kosmos sets liveness in the dvcID workflow, not per session: only
	// what it can honour is accepted, anything else refused, never ignored.
	mode := strings.ToLower(strings.TrimSpace(b.LivenessMode))
	switch {
	case mode == "":
		mode = idv.LivenessPassive
	case !slices.Contains(idv.LivenessModes, mode):
		shown := "this value"
		if modeWord.MatchString(mode) {
			shown = strconv.Quote(mode)
		}
		return 0, nil, ErrMalformed.With(fmt.Sprintf("liveness_mode %s cannot be honoured by 1Kosmos, which runs the liveness check its dvcID workflow configures; accepted values: %s",
			shown, strings.Join(idv.LivenessModes, ", ")))
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
	rec, err := s.startIDV(ctx, req.client.ID, b.UserIdentifier, docs, mode, b.ReturnURL)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{
		"session_id": rec.ID, "session_url": rec.URL, "expires_at": rfc3339(rec.ExpiresAt), "status": rec.Status,
	}, nil
}

// parseDocumentTypes returns every requested document, in order without
// repeats: the first is the one the session starts with, and the person
// may present any of them. None means driver's licence.
func parseDocumentTypes(names []string) ([]idv.DocumentType, error) {
	var docs []idv.DocumentType
	for _, n := range names {
		d, ok := documentTypes[strings.ToLower(strings.TrimSpace(n))]
		if !ok {
			return nil, ErrDocumentType.With("document_types: unknown document type (use dl_object, ppt_object or idcard_object)")
		}
		if !slices.Contains(docs, d) {
			docs = append(docs, d)
		}
	}
	if len(docs) == 0 {
		docs = []idv.DocumentType{idv.DriversLicense}
	}
	return docs, nil
}

// startIDV starts a proofing session owned by client and records it as
// pending. The verifier gets an opaque reference: the user's subject when
// the identifier is known, else the session id.
func (s *Server) startIDV(ctx context.Context, client, identifier string, docs []idv.DocumentType, mode, returnURL string) (session, error) {
	id := newID("idv_")
	ref, sub := id, ""
	if identifier != "" {
		u, err := s.users.FindByIdentifier(ctx, identifier)
		switch {
		case err == nil:
			ref, sub = u.Subject, u.Subject
		case !errors.Is(err, users.ErrNotFound):
			return session{}, err
		}
	}
	up, err := s.verifier.StartIDV(ctx, idv.IDVRequest{DocumentTypes: docs, LivenessMode: mode, UserRef: ref})
	if err != nil {
		return session{}, err
	}
	now := s.now()
	rec := session{
		ID: id, Kind: kindIDV, Client: client, UpstreamID: up.ID, URL: up.URL,
		UserIdentifier: identifier, Subject: sub, DocumentType: string(docs[0]), LivenessMode: mode,
		ReturnURL: returnURL, CreatedAt: now, ExpiresAt: up.ExpiresAt, Status: StatusPending,
	}
	if err := s.track(ctx, rec); err != nil {
		return session{}, err
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "api idv session started",
		slog.String("client", client), slog.String("session_id", id), slog.String("document_type", string(docs[0])))
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
