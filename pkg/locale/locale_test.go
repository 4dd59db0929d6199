package locale_test

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/idbridge/idbridge/pkg/locale"
	"github.com/idbridge/idbridge/templates"
)

func shipped(t *testing.T) *locale.Catalog {
	t.Helper()
	c, err := locale.Load(templates.FS, "locales")
	require.NoError(t, err)
	return c
}

func TestShippedLanguages(t *testing.T) {
	var got []string
	for _, tag := range shipped(t).Tags() {
		got = append(got, tag.String())
	}
	require.Equal(t, []string{"en", "de", "es", "fr"}, got)
}

// TestEveryKeyInEveryLanguage holds every catalog to the default one:
// the same ids, and every id localizes without error for the plural
// counts that select each CLDR form of these languages (one, many, other).
func TestEveryKeyInEveryLanguage(t *testing.T) {
	c := shipped(t)
	want := c.IDs(locale.Default)
	require.NotEmpty(t, want)
	for _, tag := range c.Tags() {
		t.Run(tag.String(), func(t *testing.T) {
			require.Equal(t, want, c.IDs(tag), "message ids of %s differ from %s", tag, locale.Default)
			l := c.Language(tag)
			for _, id := range want {
				counts := []int{0, 1, 2, 5, 1000000}
				if !c.Plural(id) {
					counts = counts[:1]
				}
				for _, n := range counts {
					s, err := l.Localize(id, "Client", "Acme", "Count", n, "Ref", "r1", "Ago", "a", "Date", "d", "Browser", "b", "System", "s",
						"Day", 1, "Month", "m", "Year", 2026, "Time", "t")
					require.NoError(t, err, "%s %s (count %d)", tag, id, n)
					require.NotEmpty(t, strings.TrimSpace(s), "%s %s", tag, id)
					require.NotContains(t, s, "<no value>", "%s %s names a field nobody passes", tag, id)
				}
			}
		})
	}
}

func TestChoose(t *testing.T) {
	c := shipped(t)
	tests := []struct {
		name               string
		ui, accept, client string
		want               string
	}{
		{"ui_locales first", "fr-CA de", "es", "de", "fr"},
		{"ui_locales skips what is missing", "ja de", "es", "", "de"},
		{"then Accept-Language", "", "es-MX,es;q=0.9,en;q=0.5", "de", "es"},
		{"Accept-Language weights", "", "en;q=0.2, de;q=0.9", "", "de"},
		{"then the client's default", "ja", "zh-CN", "fr", "fr"},
		{"then the catalog's default", "ja", "zh-CN", "", "en"},
		{"malformed input is ignored", "<script> x-!!", "%%%;q=abc", "??", "en"},
		{"wildcard Accept-Language", "", "*", "es", "es"},
		{"a very long list", strings.Repeat("ja ", 500) + "de", "", "fr", "fr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, c.Choose(tt.ui, tt.accept, tt.client).String())
		})
	}
}

func TestPluralsAndDates(t *testing.T) {
	c := shipped(t)
	en, de, fr, es := c.Language(language.English), c.Language(language.German), c.Language(language.French), c.Language(language.Spanish)
	now := time.Date(2026, time.March, 3, 14, 5, 0, 0, time.UTC)
	require.Equal(t, "1 minute ago", en.Ago(now.Add(-90*time.Second), now))
	require.Equal(t, "3 minutes ago", en.Ago(now.Add(-3*time.Minute), now))
	require.Equal(t, "less than a minute ago", en.Ago(now.Add(-time.Second), now))
	require.Equal(t, "vor 1 Minute", de.Ago(now.Add(-time.Minute), now))
	require.Equal(t, "vor 2 Minuten", de.Ago(now.Add(-2*time.Minute), now))
	require.Equal(t, "il y a 1 minute", fr.Ago(now.Add(-time.Minute), now))
	require.Equal(t, "hace 4 minutos", es.Ago(now.Add(-4*time.Minute), now))

	require.Equal(t, "March 3, 2026, 2:05 PM UTC", en.Date(now))
	require.Equal(t, "3. März 2026, 14:05 UTC", de.Date(now))
	require.Equal(t, "3 mars 2026, 14:05 UTC", fr.Date(now))
	require.Equal(t, "3 de marzo de 2026, 14:05 UTC", es.Date(now))
	require.Equal(t, "3. März 2026, 14:05 UTC", de.Date(now.In(time.FixedZone("x", 3600))), "always UTC")

	require.Equal(t, "Germany", en.Country("DE"))
	require.Equal(t, "Deutschland", de.Country("DE"))
	require.Equal(t, "Allemagne", fr.Country("DE"))
	require.Equal(t, "Alemania", es.Country("de"))
	require.Equal(t, "Q!", en.Country("Q!"), "a code that names no region stays as it is")
}

// TestMessagesArePlainText: a message's fields are not templates, and
// nothing in a message is markup to the catalog; pages escape the result.
func TestMessagesArePlainText(t *testing.T) {
	en := shipped(t).Language(language.English)
	s := en.T("wait.intro_idv", "Client", `{{.Count}}<script>alert(1)</script>`)
	require.Equal(t, `{{.Count}}<script>alert(1)</script> asks you to verify your identity with an ID document and a selfie.`, s)
	require.Equal(t, "no.such.message", en.T("no.such.message"))
	_, err := en.Localize("wait.intro_idv", "Client")
	require.Error(t, err, "fields come in pairs")
}

func TestLoadNeedsTheDefaultLanguage(t *testing.T) {
	_, err := locale.Load(fstest.MapFS{"l/de.json": {Data: []byte(`{"a":"b"}`)}}, "l")
	require.ErrorContains(t, err, "en.json")
	_, err = locale.Load(fstest.MapFS{"l/en.json": {Data: []byte(`{"a":`)}}, "l")
	require.Error(t, err)
}
