package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBrandingFromYAML(t *testing.T) {
	c, err := Parse("t.yaml", []byte(`
dev: true
clients:
  - id: a
    name: Descope (1Kosmos IDV)
    client_name: Acme Bank
    logo_uri: https://cdn.acme.example/logo.png
    client_uri: https://acme.example
    policy_uri: https://acme.example/privacy
    tos_uri: https://acme.example/terms
    primary_color: "#0b5394"
    default_locale: de
    secret: s3cret
    redirect_uris: [https://rp.example/cb]
`))
	require.NoError(t, err)
	b := c.Clients[0].Branding
	require.Equal(t, Branding{ClientName: "Acme Bank", LogoURI: "https://cdn.acme.example/logo.png", ClientURI: "https://acme.example",
		PolicyURI: "https://acme.example/privacy", TOSURI: "https://acme.example/terms", PrimaryColor: "#0b5394", DefaultLocale: "de"}, b)
	require.Equal(t, "Descope (1Kosmos IDV)", c.Clients[0].Name, "the operator's name stays apart")
}

func TestBrandingValidation(t *testing.T) {
	tests := []struct {
		name string
		b    Branding
		dev  bool
		want string // "" valid
	}{
		{"all fields", Branding{ClientName: "Acme <Bank> & \"Co\"", LogoURI: "https://cdn.acme.example:8443/l.svg?v=2", PrimaryColor: "#1F5FBF", DefaultLocale: "fr-CA"}, false, ""},
		{"http in dev", Branding{LogoURI: "http://localhost:8080/logo.png"}, true, ""},
		{"http outside dev", Branding{PolicyURI: "http://acme.example/p"}, false, "policy_uri: \"http://acme.example/p\" must use https"},
		{"javascript link", Branding{TOSURI: "javascript:alert(1)"}, false, "tos_uri: \"javascript:alert(1)\" is not an absolute URL"},
		{"data logo", Branding{LogoURI: "data:image/svg+xml,<svg/>"}, false, "logo_uri"},
		{"relative", Branding{ClientURI: "/home"}, false, "client_uri: \"/home\" is not an absolute URL"},
		{"user info", Branding{LogoURI: "https://u:p@acme.example/l.png"}, false, "user name or password"},
		{"CSP breaking host", Branding{LogoURI: "https://acme.example;script-src/l.png"}, false, "logo_uri"},
		{"quote in path", Branding{LogoURI: "https://acme.example/l'.png"}, false, "characters a URL must escape"},
		{"semicolon in query", Branding{LogoURI: "https://acme.example/l.png?a;script-src *"}, false, "logo_uri"},
		{"too long", Branding{PolicyURI: "https://acme.example/" + strings.Repeat("a", 2100)}, false, "at most 2048"},
		{"long name", Branding{ClientName: strings.Repeat("é", 65)}, false, "client_name: is 65 characters long"},
		{"control in name", Branding{ClientName: "Acme\nBank"}, false, "control characters"},
		{"colour word", Branding{PrimaryColor: "red"}, false, "not a colour"},
		{"colour with CSS", Branding{PrimaryColor: "#fff;background:url(x)"}, false, "not a colour"},
		{"pale colour", Branding{PrimaryColor: "#ffcc00"}, false, "needs 4.5:1"},
		{"locale list", Branding{DefaultLocale: "de, fr"}, false, "not a BCP 47"},
		{"locale nonsense", Branding{DefaultLocale: "not a tag!"}, false, "not a BCP 47"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := strings.Join(tt.b.problems("clients[0]", tt.dev), "\n")
			if tt.want == "" {
				require.Empty(t, p)
				return
			}
			require.Contains(t, p, "clients[0].")
			require.Contains(t, p, tt.want)
		})
	}
}

func TestBrandOrigin(t *testing.T) {
	require.Equal(t, "https://cdn.acme.example:8443", BrandOrigin("https://CDN.acme.example:8443/l.png?x=1", false))
	require.Equal(t, "", BrandOrigin("http://acme.example/l.png", false))
	require.Equal(t, "http://localhost:8080", BrandOrigin("http://localhost:8080/l.png", true))
	require.Equal(t, "", BrandOrigin("https://acme.example;script-src/", false))
	require.Equal(t, "", BrandOrigin("", false))
}

func TestContrast(t *testing.T) {
	require.InDelta(t, 21, Contrast("#000000", "#ffffff"), 0.01)
	require.InDelta(t, 1, Contrast("#777777", "#777777"), 0.01)
	require.InDelta(t, 6.09, Contrast("#1f5fbf", "#ffffff"), 0.01)
}
