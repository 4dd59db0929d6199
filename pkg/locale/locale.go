// Package locale is the language of the pages people see: message
// catalogs (go-i18n, one JSON file per language), the choice of a language
// for a request (ui_locales, then Accept-Language, then the client's
// default, then the catalog's default) and words that depend on the
// language (plurals, dates, country names).
package locale

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Default is the language of the catalog every other one is checked
// against, and the last resort of Choose.
var Default = language.English

// Catalog holds every language's messages. It is safe for concurrent use.
type Catalog struct {
	bundle  *i18n.Bundle
	tags    []language.Tag // Default first
	matcher language.Matcher
	langs   map[language.Tag]*Language
	ids     map[language.Tag][]string
	// plural holds the ids of messages with plural forms (in any language).
	plural map[string]bool
}

// Load reads every <tag>.json file in dir of fsys. One of them must be the
// Default language.
func Load(fsys fs.FS, dir string) (*Catalog, error) {
	files, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	c := &Catalog{bundle: i18n.NewBundle(Default), langs: map[language.Tag]*Language{}, ids: map[language.Tag][]string{}, plural: map[string]bool{}}
	c.bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, f := range files {
		mf, err := c.bundle.LoadMessageFileFS(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("locale: %s: %w", f, err)
		}
		for _, m := range mf.Messages {
			c.ids[mf.Tag] = append(c.ids[mf.Tag], m.ID)
			if m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != "" {
				c.plural[m.ID] = true
			}
		}
		slices.Sort(c.ids[mf.Tag])
		c.tags = append(c.tags, mf.Tag)
	}
	if !slices.Contains(c.tags, Default) {
		return nil, fmt.Errorf("locale: no %s.json in %s: the default language's catalog is required", Default, dir)
	}
	slices.SortFunc(c.tags, func(a, b language.Tag) int {
		switch {
		case a == Default:
			return -1
		case b == Default:
			return 1
		}
		return strings.Compare(a.String(), b.String())
	})
	c.matcher = language.NewMatcher(c.tags)
	for _, t := range c.tags {
		c.langs[t] = &Language{tag: t, loc: i18n.NewLocalizer(c.bundle, t.String()), plural: c.plural}
	}
	return c, nil
}

// Tags lists the languages of the catalog, Default first.
func (c *Catalog) Tags() []language.Tag { return slices.Clone(c.tags) }

// IDs lists the message ids of one language, sorted.
func (c *Catalog) IDs(t language.Tag) []string { return slices.Clone(c.ids[t]) }

// Supports reports whether tag (BCP 47) matches a language of the catalog.
func (c *Catalog) Supports(tag string) bool {
	t, err := language.Parse(tag)
	if err != nil {
		return false
	}
	_, _, conf := c.matcher.Match(t)
	return conf != language.No
}

// String lists the catalog's languages ("en, de, es, fr").
func (c *Catalog) String() string {
	s := make([]string, len(c.tags))
	for i, t := range c.tags {
		s[i] = t.String()
	}
	return strings.Join(s, ", ")
}

// Plural reports whether message id has plural forms: it is given a Count.
func (c *Catalog) Plural(id string) bool { return c.plural[id] }

// Language returns the catalog's language t, or nil.
func (c *Catalog) Language(t language.Tag) *Language { return c.langs[t] }

// Choose picks the language of a page from the preferences in order of
// precedence: uiLocales (the OpenID Connect ui_locales parameter, space
// separated BCP 47 tags in order of preference), then acceptLanguage (the
// browser's header), then fallback (the client's default tag). The first
// source that matches a language of the catalog decides; when none does,
// the Default language is used. Malformed input is ignored.
func (c *Catalog) Choose(uiLocales, acceptLanguage, fallback string) *Language {
	var sources [][]language.Tag
	sources = append(sources, parseList(uiLocales))
	if al, _, err := language.ParseAcceptLanguage(acceptLanguage); err == nil {
		sources = append(sources, al)
	}
	sources = append(sources, parseList(fallback))
	for _, tags := range sources {
		if len(tags) == 0 {
			continue
		}
		if _, i, conf := c.matcher.Match(tags...); conf != language.No {
			return c.langs[c.tags[i]]
		}
	}
	return c.langs[Default]
}

// maxTags bounds how many tags of one source are considered.
const maxTags = 16

// parseList parses space separated BCP 47 tags, skipping malformed ones.
func parseList(s string) []language.Tag {
	var out []language.Tag
	for _, f := range strings.Fields(s) {
		if len(out) == maxTags {
			break
		}
		if t, err := language.Parse(f); err == nil {
			out = append(out, t)
		}
	}
	return out
}
