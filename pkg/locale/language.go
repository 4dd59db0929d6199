package locale

import (
	"fmt"
	"strconv"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Language is one language of a Catalog: its messages and formats.
type Language struct {
	tag    language.Tag
	loc    *i18n.Localizer
	plural map[string]bool
}

// Tag is the language's BCP 47 tag.
func (l *Language) Tag() language.Tag { return l.tag }

// String is the tag as written in a lang attribute ("de").
func (l *Language) String() string { return l.tag.String() }

// T is the message id in this language. kv are pairs of a name and a value
// for the message's {{.Name}} fields; a pair named "Count" (an integer)
// also chooses the plural form of a message that has them. The result is plain text: pages escape
// it like any other value. A message missing from the catalog gives its
// id, which the catalog tests forbid.
func (l *Language) T(id string, kv ...any) string {
	s, err := l.Localize(id, kv...)
	if err != nil && s == "" {
		return id
	}
	return s
}

// Localize is T with the error of a missing message, plural form or field.
func (l *Language) Localize(id string, kv ...any) (string, error) {
	if len(kv)%2 != 0 {
		return "", fmt.Errorf("locale: message %s: fields must come in name, value pairs", id)
	}
	lc := &i18n.LocalizeConfig{MessageID: id}
	if len(kv) > 0 {
		data := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			name, ok := kv[i].(string)
			if !ok {
				return "", fmt.Errorf("locale: message %s: field name %v is not a string", id, kv[i])
			}
			data[name] = kv[i+1]
			if name == "Count" && l.plural[id] {
				lc.PluralCount = kv[i+1]
			}
		}
		lc.TemplateData = data
	}
	return l.loc.Localize(lc)
}

// Date writes t as a date and time for people, in UTC (the person's time
// zone is not known to the server), e.g. "3 March 2026, 14:05 UTC".
func (l *Language) Date(t time.Time) string {
	t = t.UTC()
	return l.T("format.datetime",
		"Day", t.Day(), "Month", l.T("format.month."+strconv.Itoa(int(t.Month()))), "Year", t.Year(),
		"Time", t.Format(l.T("format.time_layout")))
}

// Ago says how long ago t was, seen at now ("2 minutes ago").
func (l *Language) Ago(t, now time.Time) string {
	m := int(now.Sub(t) / time.Minute)
	if m < 1 {
		return l.T("format.just_now")
	}
	return l.T("format.minutes_ago", "Count", m)
}

// Country is the name of an ISO 3166-1 alpha-2 region in this language,
// or the code itself when it names none.
func (l *Language) Country(code string) string {
	if code == "" {
		return ""
	}
	region, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if name := display.Regions(l.tag).Name(region); name != "" {
		return name
	}
	return code
}
