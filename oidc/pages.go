package oidc

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/text/language"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/locale"
	"github.com/idbridge/idbridge/templates"
)

var pageNames = []string{"error.html", "wait.html", "identify.html", "form_post.html", "logged_out.html", "capture.html", "handoff.html", "logout_confirm.html"}

// pageSet is every page parsed once per language, each with the shared
// layout and that language's words (the template functions t and lang).
type pageSet struct {
	catalog *locale.Catalog
	byLang  map[language.Tag]map[string]*template.Template
}

func parsePages(c *locale.Catalog) (*pageSet, error) {
	set := &pageSet{catalog: c, byLang: map[language.Tag]map[string]*template.Template{}}
	for _, tag := range c.Tags() {
		l := c.Language(tag)
		funcs := template.FuncMap{"t": l.T, "lang": l.String}
		set.byLang[tag] = map[string]*template.Template{}
		for _, name := range pageNames {
			t, err := template.New(name).Funcs(funcs).ParseFS(templates.FS, "layout.html", name)
			if err != nil {
				return nil, err
			}
			set.byLang[tag][name] = t
		}
	}
	return set, nil
}

// frame is what every page shows around its own content: the language,
// the client's brand, and a way out.
type frame struct {
	lang   *locale.Language
	client *client // nil when the page does not know the client
	// cancel is the id of the login the page's Cancel button ends; "" for
	// pages that cannot cancel one.
	cancel string
	// back labels the way out "Back to <client>" rather than "Cancel".
	back bool
}

// frameFor chooses the page's language: the request's ui_locales, then the
// browser's Accept-Language, then the client's default_locale.
func (p *Provider) frameFor(r *http.Request, clientID, uiLocales string) frame {
	f := frame{client: p.clients[clientID]}
	fallback := ""
	if f.client != nil {
		fallback = f.client.cfg.DefaultLocale
	}
	f.lang = p.pages.catalog.Choose(uiLocales, r.Header.Get("Accept-Language"), fallback)
	return f
}

// loginFrame is the frame of a page of login a: its client, its language,
// and Cancel.
func (p *Provider) loginFrame(r *http.Request, a *authRequest) frame {
	f := p.frameFor(r, a.ClientID, a.UILocales)
	f.cancel = a.ID
	return f
}

// brand is a client's presentation, as the layout shows it.
type brand struct {
	Name, Logo, Color, Home, Policy, TOS string
}

var brandColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// brandOf is the validated branding of cl (none for nil). Values that do
// not pass the configuration's checks are left out, so a page can never
// carry one into its markup or CSP.
func (p *Provider) brandOf(cl *client) brand {
	if cl == nil {
		return brand{}
	}
	b := cl.cfg.Branding
	ok := func(u string) string {
		if config.BrandOrigin(u, p.cfg.Dev) == "" {
			return ""
		}
		return u
	}
	out := brand{Name: b.ClientName, Logo: ok(b.LogoURI), Home: ok(b.ClientURI), Policy: ok(b.PolicyURI), TOS: ok(b.TOSURI)}
	if brandColor.MatchString(b.PrimaryColor) {
		out.Color = b.PrimaryColor
	}
	return out
}

// clientName is how pages name the client to people: its client_name, or
// "the application" in the page's language.
func (p *Provider) clientName(f frame) string {
	if f.client != nil && f.client.cfg.ClientName != "" {
		return f.client.cfg.ClientName
	}
	return f.lang.T("site.the_application")
}

// render writes a page in the frame's language with idbridge's security
// headers: a strict CSP (no inline script, no framing; images from
// idbridge and the client's logo origin only) and no caching.
func (p *Provider) render(w http.ResponseWriter, r *http.Request, status int, name string, f frame, data map[string]any) {
	if f.lang == nil {
		f.lang = p.pages.catalog.Language(locale.Default)
	}
	b := p.brandOf(f.client)
	if data == nil {
		data = map[string]any{}
	}
	data["Brand"], data["Client"], data["Cancel"], data["Back"] = b, p.clientName(f), f.cancel, f.back
	data["Ref"] = w.Header().Get("X-Request-Id")
	var buf bytes.Buffer
	if err := p.pages.byLang[f.lang.Tag()][name].ExecuteTemplate(&buf, "layout", data); err != nil {
		p.log.ErrorContext(r.Context(), "rendering page", "page", name, "error", err)
		http.Error(w, "page unavailable", http.StatusInternalServerError)
		return
	}
	formAction := "'self'"
	if name == "form_post.html" {
		if u, err := url.Parse(data["Action"].(string)); err == nil {
			formAction = u.Scheme + "://" + u.Host
		}
	}
	img := "'self' data:"
	if o := config.BrandOrigin(b.Logo, p.cfg.Dev); o != "" {
		img += " " + o
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", f.lang.String())
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src "+img+"; connect-src 'self'; form-action "+formAction+"; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Accept-Language")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// static serves the two small scripts the pages use.
func (p *Provider) static(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	if name != "wait.js" && name != "autosubmit.js" {
		http.NotFound(w, r)
		return
	}
	b, err := templates.FS.ReadFile(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(b)
}

// loggedOut is the signed-out page; client_id (when the logout named a
// client) brands it and offers the way back to the client's home page.
func (p *Provider) loggedOut(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, http.StatusOK, "logged_out.html", p.frameFor(r, r.URL.Query().Get("client_id"), r.URL.Query().Get("ui_locales")), nil)
}
