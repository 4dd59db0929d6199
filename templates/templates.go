// Package templates holds idbridge's server-rendered HTML pages, embedded in
// the binary: the provider's pages at the top level, their words in every
// language under locales/ (one go-i18n JSON catalog per language, read by
// pkg/locale), the 1Kosmos simulator's hosted pages under simulator/.
package templates

import "embed"

// FS holds every page. Parse with html/template's ParseFS.
//
//go:embed *.html *.js locales/*.json simulator/*.html
var FS embed.FS
