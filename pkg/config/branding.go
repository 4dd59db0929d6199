package config

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// Branding is how a client presents itself to people on idbridge's pages,
// with the names of OpenID Connect Dynamic Client Registration 1.0
// metadata (section 2). Every field is optional.
type Branding struct {
	// ClientName is the application's name as people see it (client_name),
	// separate from the operator's Name. Empty: pages say "the application".
	ClientName string `yaml:"client_name"`
	// LogoURI is the application's logo (logo_uri): an https URL of an
	// image, shown at most 48 pixels high. Its origin is added to the
	// pages' Content-Security-Policy img-src, nothing else.
	LogoURI string `yaml:"logo_uri"`
	// ClientURI is the application's home page (client_uri): the "Back to"
	// link of pages that have no sign-in to return to.
	ClientURI string `yaml:"client_uri"`
	// PolicyURI and TOSURI are linked at the foot of every page (policy_uri,
	// tos_uri).
	PolicyURI string `yaml:"policy_uri"`
	TOSURI    string `yaml:"tos_uri"`
	// PrimaryColor ("#rrggbb") colours buttons and links; white text on it
	// must keep the 4.5:1 contrast WCAG 2.1 AA asks of text.
	PrimaryColor string `yaml:"primary_color"`
	// DefaultLocale is the BCP 47 tag of the pages' language when neither
	// ui_locales nor the browser's Accept-Language names one idbridge has.
	DefaultLocale string `yaml:"default_locale"`
}

// Limits of branding fields.
const (
	maxClientName = 64
	maxBrandURI   = 2048
)

var (
	hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	// webHost is a DNS name or IPv4 address with an optional port: what
	// may stand in a CSP source expression without quoting.
	webHost = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?(?::[0-9]{1,5})?$`)
)

// problems reports every invalid branding field of the client at path f.
func (b Branding) problems(f string, dev bool) []string {
	var p []string
	add := func(field, format string, args ...any) {
		p = append(p, f+"."+field+": "+fmt.Sprintf(format, args...))
	}
	switch n := utf8.RuneCountInString(b.ClientName); {
	case !utf8.ValidString(b.ClientName):
		add("client_name", "is not valid UTF-8")
	case n > maxClientName:
		add("client_name", "is %d characters long; people's pages show at most %d", n, maxClientName)
	case strings.ContainsFunc(b.ClientName, unicode.IsControl):
		add("client_name", "contains control characters; write the name on one line")
	}
	for _, u := range []struct{ field, v string }{{"logo_uri", b.LogoURI}, {"client_uri", b.ClientURI}, {"policy_uri", b.PolicyURI}, {"tos_uri", b.TOSURI}} {
		if u.v == "" {
			continue
		}
		if msg := checkBrandURI(u.v, dev); msg != "" {
			add(u.field, "%s", msg)
		}
	}
	if b.PrimaryColor != "" {
		if !hexColor.MatchString(b.PrimaryColor) {
			add("primary_color", "%q is not a colour: write #rrggbb, e.g. #1f5fbf", b.PrimaryColor)
		} else if c := Contrast(b.PrimaryColor, "#ffffff"); c < 4.5 {
			add("primary_color", "white text on %s has a contrast of %.1f:1; WCAG 2.1 AA needs 4.5:1: choose a darker colour", b.PrimaryColor, c)
		}
	}
	if b.DefaultLocale != "" {
		if _, err := language.Parse(b.DefaultLocale); err != nil || strings.ContainsAny(b.DefaultLocale, " ,;") {
			add("default_locale", "%q is not a BCP 47 language tag (e.g. de or fr-CA)", b.DefaultLocale)
		}
	}
	return p
}

// checkBrandURI says what is wrong with a branding URL, or "".
func checkBrandURI(v string, dev bool) string {
	if len(v) > maxBrandURI {
		return fmt.Sprintf("is %d bytes long; at most %d", len(v), maxBrandURI)
	}
	u, err := url.Parse(v)
	switch {
	case err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "":
		return fmt.Sprintf("%q is not an absolute URL", v)
	case u.Scheme != "https" && !(dev && u.Scheme == "http"):
		return fmt.Sprintf("%q must use https (http only with dev: true)", v)
	case u.User != nil:
		return fmt.Sprintf("%q must not carry a user name or password", v)
	case !webHost.MatchString(u.Host):
		return fmt.Sprintf("%q: the host must be a DNS name or IPv4 address with an optional port", v)
	case strings.ContainsAny(v, " \t\r\n\"'<>;,\\"):
		return fmt.Sprintf("%q contains characters a URL must escape (space, quotes, <, >, ;, comma, backslash)", v)
	}
	return ""
}

// BrandOrigin is the scheme://host[:port] of a validated branding URL, for
// a Content-Security-Policy source list; "" when the URL does not pass the
// same checks as the configuration.
func BrandOrigin(v string, dev bool) string {
	if v == "" || checkBrandURI(v, dev) != "" {
		return ""
	}
	u, _ := url.Parse(v)
	return u.Scheme + "://" + strings.ToLower(u.Host)
}

// Contrast is the WCAG 2.1 contrast ratio of two #rrggbb colours (1 to 21).
func Contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// luminance is the WCAG 2.1 relative luminance of #rrggbb.
func luminance(hex string) float64 {
	var ch [3]float64
	for i := range ch {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		c := float64(v) / 255
		if c <= 0.04045 {
			ch[i] = c / 12.92
		} else {
			ch[i] = math.Pow((c+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*ch[0] + 0.7152*ch[1] + 0.0722*ch[2]
}
