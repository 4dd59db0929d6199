package admin

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/idbridge/idbridge/pkg/policy"
)

// historySize is how many versions the page lists.
const historySize = 50

// form is what the policy form posts.
type form struct {
	Source, Comment, Client, Context string
}

func readForm(r *http.Request) form {
	return form{
		Source:  strings.ReplaceAll(r.PostFormValue("source"), "\r\n", "\n"),
		Comment: strings.TrimSpace(r.PostFormValue("comment")),
		Client:  strings.TrimSpace(r.PostFormValue("client_id")),
		Context: r.PostFormValue("context"),
	}
}

// pageData is what every view of the policy page shows: the active
// version, its history and the editor.
func (s *Server) pageData(r *http.Request, f form) (map[string]any, error) {
	ctx := r.Context()
	store := s.d.Policy.Store()
	history, err := store.List(ctx, historySize)
	if err != nil {
		return nil, err
	}
	data := map[string]any{
		"Who": current(r).Who, "CSRF": current(r).CSRF, "History": history, "Running": s.d.Policy.Current().Version,
		"Refresh": s.d.Policy.Interval(), "Samples": samples, "Recent": len(s.d.Journey.Recent()), "Variables": policy.Variables,
		"Form": f,
	}
	if len(history) > 0 {
		data["Active"] = history[0]
	}
	return data, nil
}

// policyPage shows the active policy in the editor (or version ?edit=N),
// the history, and the diff of version ?diff=N with the one before.
func (s *Server) policyPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	store := s.d.Policy.Store()
	f := form{Client: q.Get("client_id"), Context: "0"}
	data, err := s.pageData(r, f)
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	if a, ok := data["Active"].(policy.Version); ok {
		f.Source = a.Source
	}
	if n, err := strconv.Atoi(q.Get("edit")); err == nil {
		v, err := store.Get(ctx, n)
		if err != nil {
			data["Notice"] = err.Error()
		} else {
			f.Source, data["Editing"] = v.Source, n
		}
	}
	if n, err := strconv.Atoi(q.Get("diff")); err == nil && n > 0 {
		if v, err := store.Get(ctx, n); err == nil {
			old := ""
			if p, err := store.Get(ctx, n-1); err == nil {
				old = p.Source
			}
			data["Diff"], data["DiffOf"] = policy.Diff(old, v.Source), n
		}
	}
	if n, err := strconv.Atoi(q.Get("applied")); err == nil {
		data["Applied"] = n
	}
	data["Form"] = f
	s.render(w, http.StatusOK, "admin_policy.html", data)
}

// policyForm handles the editor's buttons: check, preview, apply.
func (s *Server) policyForm(w http.ResponseWriter, r *http.Request) {
	f := readForm(r)
	data, err := s.pageData(r, f)
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	status := http.StatusOK
	candidate, err := policy.Parse([]byte(f.Source), s.d.Policy.Store().Options())
	var pe *policy.Error
	switch {
	case errors.As(err, &pe):
		data["Problems"], status = pe.Problems, http.StatusUnprocessableEntity
		s.render(w, status, "admin_policy.html", data)
		return
	case err != nil:
		s.unavailable(w, r, err)
		return
	}
	switch r.PostFormValue("do") {
	case "apply":
		s.apply(w, r, f, data)
		return
	case "preview":
		data["Preview"] = s.preview(candidate, f)
	}
	data["Valid"] = true
	s.render(w, status, "admin_policy.html", data)
}

// apply stores the edited policy and loads it on this replica at once;
// the others follow within the refresh interval.
func (s *Server) apply(w http.ResponseWriter, r *http.Request, f form, data map[string]any) {
	v, err := s.d.Policy.Store().Apply(r.Context(), []byte(f.Source), current(r).Who, f.Comment)
	switch {
	case errors.Is(err, policy.ErrUnchanged):
		data["Notice"] = "Nothing applied: this is the active version's text."
		s.render(w, http.StatusOK, "admin_policy.html", data)
		return
	case err != nil:
		s.unavailable(w, r, err)
		return
	}
	s.loaded(w, r, v.Number)
}

// rollback stores an old version's text as the new active version.
func (s *Server) rollback(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil {
		s.denied(w, r, http.StatusBadRequest, "version must be a version number")
		return
	}
	v, err := s.d.Policy.Store().Rollback(r.Context(), n, current(r).Who)
	switch {
	case errors.Is(err, policy.ErrNoVersion):
		s.denied(w, r, http.StatusNotFound, err.Error())
		return
	case errors.Is(err, policy.ErrUnchanged):
		http.Redirect(w, r, PathPolicy, http.StatusSeeOther)
		return
	case err != nil:
		s.unavailable(w, r, err)
		return
	}
	s.loaded(w, r, v.Number)
}

// loaded makes this replica decide by the stored version now and shows
// the page.
func (s *Server) loaded(w http.ResponseWriter, r *http.Request, version int) {
	if _, err := s.d.Policy.Refresh(r.Context()); err != nil {
		s.d.Logger.WarnContext(r.Context(), "loading the applied policy", "error", err)
	}
	http.Redirect(w, r, fmt.Sprintf("%s?applied=%d", PathPolicy, version), http.StatusSeeOther)
}

// check validates the editor's text for the page's script: every problem
// with its line, as the editor is typed in.
func (s *Server) check(w http.ResponseWriter, r *http.Request) {
	_, err := policy.Parse([]byte(readForm(r).Source), s.d.Policy.Store().Options())
	var pe *policy.Error
	switch {
	case errors.As(err, &pe):
		type problem struct {
			policy.Problem
			Text string `json:"text"`
		}
		out := make([]problem, len(pe.Problems))
		for i, p := range pe.Problems {
			out[i] = problem{p, p.String()}
		}
		writeJSON(w, http.StatusOK, map[string]any{"valid": false, "problems": out})
	case err != nil:
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": err.Error()})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"valid": true, "problems": []any{}})
	}
}

func (s *Server) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	s.d.Logger.ErrorContext(r.Context(), "admin page", "error", err)
	s.denied(w, r, http.StatusServiceUnavailable, "the policy store is unavailable; try again in a moment")
}
