package admin

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
	"time"
)

var funcs = template.FuncMap{
	"when": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	"lines": func(s string) []string {
		return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	},
	"diffClass": func(l string) string {
		switch {
		case strings.HasPrefix(l, "+ "):
			return "add"
		case strings.HasPrefix(l, "- "):
			return "del"
		}
		return ""
	},
}

// csp allows the page's own script (validation as you type) and its
// fetches, nothing else; no framing.
const csp = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func (s *Server) render(w http.ResponseWriter, status int, name string, data map[string]any) {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.d.Logger.Error("rendering admin page", "page", name, "error", err)
		http.Error(w, "page unavailable", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
