package oidc

import (
	"bytes"
	"io/fs"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/idbridge/idbridge/pkg/config"
	"github.com/idbridge/idbridge/pkg/locale"
	"github.com/idbridge/idbridge/templates"
)

const hostile = `<script>alert(1)</script>"><img src=x onerror=alert(1)>`

// TestHostileBrandingCannotInjectMarkup: a client_name is text, and
// branding values that are not what the configuration accepts (set here
// past validation) never reach the page or its CSP.
func TestHostileBrandingCannotInjectMarkup(t *testing.T) {
	tests := []struct {
		name  string
		brand config.Branding
	}{
		{"client_name", config.Branding{ClientName: hostile}},
		{"logo_uri javascript", config.Branding{ClientName: "Acme", LogoURI: "javascript:alert(1)"}},
		{"logo_uri attribute break", config.Branding{ClientName: "Acme", LogoURI: `https://cdn.example/l.png" onerror="alert(1)`}},
		{"logo_uri CSP break", config.Branding{ClientName: "Acme", LogoURI: "https://cdn.example;script-src 'unsafe-inline'/l.png"}},
		{"policy_uri data", config.Branding{ClientName: "Acme", PolicyURI: "data:text/html,<script>alert(1)</script>"}},
		{"primary_color CSS", config.Branding{ClientName: "Acme", PrimaryColor: "#000;}</style><script>alert(1)</script>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarnessOpts(t, harnessOpts{configure: func(c *config.Config) {
				for i := range c.Clients {
					if c.Clients[i].ID == "idv-rp" {
						c.Clients[i].Branding = tt.brand
					}
				}
			}})
			resp, body := h.rawGet(h.browser, h.srv.URL+"/authorize?"+authParams("idv-rp").Encode())
			require.Equal(t, http.StatusOK, resp.StatusCode, body)
			require.Contains(t, body, `id="verify-link"`)
			for _, bad := range []string{"<script>alert", "<img src=x", `onerror="alert`, "javascript:", "data:text/html", "</style><script>"} {
				require.NotContains(t, body, bad)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			require.Contains(t, csp, "img-src 'self' data:; ", "no foreign image source: %s", csp)
			require.NotContains(t, csp, "unsafe-inline'/")
			if tt.brand.ClientName == hostile {
				require.Contains(t, body, "&lt;script&gt;alert(1)&lt;/script&gt;", "the name is shown as text")
			}
		})
	}
}

// TestBrandingOnPages: a valid brand is shown (name, logo, colour, links)
// and the logo's origin, alone, joins the CSP img-src.
func TestBrandingOnPages(t *testing.T) {
	h := newHarnessOpts(t, harnessOpts{configure: func(c *config.Config) {
		for i := range c.Clients {
			if c.Clients[i].ID == "idv-rp" {
				c.Clients[i].Branding = config.Branding{ClientName: "Acme Bank", LogoURI: "https://cdn.acme.example/logo.png",
					PolicyURI: "https://acme.example/privacy", TOSURI: "https://acme.example/terms", PrimaryColor: "#0b5394", ClientURI: "https://acme.example"}
			}
		}
	}})
	resp, body := h.rawGet(h.browser, h.srv.URL+"/authorize?"+authParams("idv-rp").Encode())
	require.Equal(t, http.StatusOK, resp.StatusCode)
	for _, want := range []string{`id="client-logo" src="https://cdn.acme.example/logo.png" alt="Acme Bank"`, `style="--brand: #0b5394"`,
		`id="policy" href="https://acme.example/privacy"`, `id="tos" href="https://acme.example/terms"`, "Acme Bank asks you to verify your identity",
		`id="cancel"`, "Cancel and return to Acme Bank"} {
		require.Contains(t, body, want)
	}
	require.Contains(t, resp.Header.Get("Content-Security-Policy"), "img-src 'self' data: https://cdn.acme.example; ")

	// An unregistered redirect_uri: the page names and brands the client
	// and leads back to its home page, never to the redirect_uri.
	bad := authParams("idv-rp", "redirect_uri", "https://evil.example/cb")
	resp, body = h.rawGet(h.newBrowser(), h.srv.URL+"/authorize?"+bad.Encode())
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, body, `id="back" href="https://acme.example"`)
	require.NotContains(t, body, "evil.example")
}

// TestHostileTranslationIsEscaped: a catalog entry is text too.
func TestHostileTranslationIsEscaped(t *testing.T) {
	files := fstest.MapFS{}
	require.NoError(t, fs.WalkDir(templates.FS, "locales", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templates.FS, path)
		files[path] = &fstest.MapFile{Data: b}
		return err
	}))
	en := string(files["locales/en.json"].Data)
	en = strings.Replace(en, `"title_idv": "Verify your identity"`, `"title_idv": "`+strings.ReplaceAll(hostile, `"`, `\"`)+`"`, 1)
	en = strings.Replace(en, `"privacy": "Privacy policy"`, `"privacy": "{{.Client}}</a><script>x()</script>"`, 1)
	files["locales/en.json"] = &fstest.MapFile{Data: []byte(en)}
	cat, err := locale.Load(files, "locales")
	require.NoError(t, err)
	set, err := parsePages(cat)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, set.byLang[language.English]["wait.html"].ExecuteTemplate(&buf, "layout", map[string]any{
		"Journey": "idv", "Client": "Acme", "Brand": brand{Policy: "https://acme.example/p"}, "VerifyURL": "https://x.example/",
	}))
	out := buf.String()
	require.NotContains(t, out, "<script>alert")
	require.NotContains(t, out, "<img src=x")
	require.NotContains(t, out, "<script>x()")
	require.Contains(t, out, "&lt;script&gt;alert(1)&lt;/script&gt;")
}

// rawGet follows the issuer's own redirects and returns the last answer
// with its headers.
func (h *harness) rawGet(c *http.Client, u string) (*http.Response, string) {
	h.t.Helper()
	for range 10 {
		resp, err := c.Get(u)
		require.NoError(h.t, err)
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound || loc == "" || strings.HasPrefix(loc, "http") && !strings.HasPrefix(loc, h.srv.URL) {
			return resp, b.String()
		}
		if strings.HasPrefix(loc, "/") {
			loc = h.srv.URL + loc
		}
		u = loc
	}
	h.t.Fatal("too many redirects")
	return nil, ""
}
