package conformance

import (
	"bytes"
	"html"
	"mime/multipart"
	"net/url"
	"regexp"
	"strings"
)

// A small reader for the server-rendered pages the runner drives: it finds
// elements by id and reads forms the way a browser would submit them. It
// understands the quoted attributes html/template writes, not every HTML.

var (
	formRE   = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	selectRE = regexp.MustCompile(`(?is)<select\b([^>]*)>(.*?)</select>`)
	optionRE = regexp.MustCompile(`(?is)<option\b([^>]*)>`)
	fieldRE  = regexp.MustCompile(`(?is)<(input|button|textarea)\b([^>]*)>`)
	tagRE    = regexp.MustCompile(`(?is)<([a-z][a-z0-9]*)\b([^>]*)>`)
	attrRE   = regexp.MustCompile(`(?s)([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>` + "`" + `]+)))?`)
)

// attrs are the attributes of one tag; a present attribute without a
// value maps to "".
type attrs map[string]string

func parseAttrs(s string) attrs {
	a := attrs{}
	for _, m := range attrRE.FindAllStringSubmatch(s, -1) {
		name := strings.ToLower(m[1])
		if _, dup := a[name]; dup {
			continue
		}
		a[name] = html.UnescapeString(m[2] + m[3] + m[4])
	}
	return a
}

func (a attrs) has(name string) bool { _, ok := a[name]; return ok }

// elementByID returns the tag name and attributes of the element with id.
func elementByID(body, id string) (string, attrs, bool) {
	for _, m := range tagRE.FindAllStringSubmatch(body, -1) {
		a := parseAttrs(m[2])
		if a.has("id") && a["id"] == id {
			return strings.ToLower(m[1]), a, true
		}
	}
	return "", nil, false
}

// button is a submit button of a form.
type button struct {
	id, name, value string
}

// htmlForm is a form as a browser would submit it.
type htmlForm struct {
	id, action, method, enctype string
	// fields are the successful controls without any button: hidden and
	// text inputs, checked boxes and radios, each select's chosen option.
	fields url.Values
	// boxes are unchecked checkboxes, by id: name and value.
	boxes   map[string][2]string
	buttons []button
}

// parseForms reads every form of a page.
func parseForms(body string) []htmlForm {
	var out []htmlForm
	for _, m := range formRE.FindAllStringSubmatch(body, -1) {
		a := parseAttrs(m[1])
		f := htmlForm{
			id: a["id"], action: a["action"], method: strings.ToUpper(a["method"]), enctype: strings.ToLower(a["enctype"]),
			fields: url.Values{}, boxes: map[string][2]string{},
		}
		if f.method == "" {
			f.method = "GET"
		}
		inner := m[2]
		for _, s := range selectRE.FindAllStringSubmatch(inner, -1) {
			sa := parseAttrs(s[1])
			chosen, first := "", ""
			for i, o := range optionRE.FindAllStringSubmatch(s[2], -1) {
				oa := parseAttrs(o[1])
				if i == 0 {
					first = oa["value"]
				}
				if oa.has("selected") && chosen == "" {
					chosen = oa["value"]
				}
			}
			if chosen == "" {
				chosen = first
			}
			if sa["name"] != "" {
				f.fields.Add(sa["name"], chosen)
			}
		}
		inner = selectRE.ReplaceAllString(inner, "")
		for _, fm := range fieldRE.FindAllStringSubmatch(inner, -1) {
			fa := parseAttrs(fm[2])
			name := fa["name"]
			switch kind := strings.ToLower(fm[1]); {
			case kind == "button" || (kind == "input" && strings.EqualFold(fa["type"], "submit")):
				f.buttons = append(f.buttons, button{id: fa["id"], name: name, value: fa["value"]})
			case name == "":
			case kind == "input":
				switch strings.ToLower(fa["type"]) {
				case "checkbox", "radio":
					val := fa["value"]
					if !fa.has("value") {
						val = "on"
					}
					if fa.has("checked") {
						f.fields.Add(name, val)
					} else if fa["id"] != "" {
						f.boxes[fa["id"]] = [2]string{name, val}
					}
				case "file", "image", "reset":
				default:
					f.fields.Add(name, fa["value"])
				}
			}
		}
		out = append(out, f)
	}
	return out
}

// formWithButton finds the form holding the button with id.
func formWithButton(body, id string) (htmlForm, button, bool) {
	for _, f := range parseForms(body) {
		for _, b := range f.buttons {
			if b.id == id {
				return f, b, true
			}
		}
	}
	return htmlForm{}, button{}, false
}

// submission is what pressing b sends, after ticking the unchecked boxes
// or radios named by id in tick.
func (f htmlForm) submission(b button, tick ...string) url.Values {
	v := url.Values{}
	for k, vs := range f.fields {
		v[k] = append([]string(nil), vs...)
	}
	for _, id := range tick {
		if nv, ok := f.boxes[id]; ok {
			v.Set(nv[0], nv[1])
		}
	}
	if b.name != "" {
		v.Set(b.name, b.value)
	}
	return v
}

// encode returns the body and content type for the form's enctype.
func (f htmlForm) encode(v url.Values) ([]byte, string) {
	if f.enctype != "multipart/form-data" {
		return []byte(v.Encode()), "application/x-www-form-urlencoded"
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range v {
		for _, s := range vs {
			_ = w.WriteField(k, s)
		}
	}
	_ = w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// pageText is the visible text of an element by id, for error details.
func pageText(body, id string) string {
	tag, _, ok := elementByID(body, id)
	if !ok {
		return ""
	}
	re := regexp.MustCompile(`(?is)<` + tag + `\b[^>]*\bid="` + regexp.QuoteMeta(id) + `"[^>]*>(.*?)</` + tag + `>`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(m[1], "")))
}
