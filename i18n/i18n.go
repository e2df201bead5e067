// Package i18n is Chengxin's one message catalog: every user-facing string is
// looked up here by key, in Simplified Chinese (the default) or English.
package i18n

import (
	"fmt"
	"strings"
)

// Supported languages.
const (
	ZH = "zh" // Simplified Chinese, the default
	EN = "en"
)

// Text is a message key with its arguments, rendered late in the reader's language.
type Text struct {
	Key  string
	Args []any
}

// T makes a Text.
func T(key string, args ...any) Text { return Text{Key: key, Args: args} }

// In renders the text in lang, falling back to Chinese, then to the key itself
// (a missing key is a bug that the catalog test catches).
func (t Text) In(lang string) string {
	args := make([]any, len(t.Args))
	for i, a := range t.Args {
		if nested, ok := a.(Text); ok { // a message inside a message
			a = nested.In(lang)
		}
		args[i] = a
	}
	return Get(lang, t.Key, args...)
}

// Get renders the message key in lang with fmt-style arguments.
func Get(lang, key string, args ...any) string {
	pair, ok := catalog[key]
	if !ok {
		return key
	}
	format := pair[0]
	if lang == EN && pair[1] != "" {
		format = pair[1]
	}
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// Has reports whether key is in the catalog.
func Has(key string) bool { _, ok := catalog[key]; return ok }

// Keys returns every catalog key (for tests).
func Keys() []string {
	keys := make([]string, 0, len(catalog))
	for k := range catalog {
		keys = append(keys, k)
	}
	return keys
}

// Lookup returns the raw Chinese and English formats of key.
func Lookup(key string) (zh, en string, ok bool) {
	pair, ok := catalog[key]
	return pair[0], pair[1], ok
}

// Normalize maps a language tag ("en-GB", "zh-CN", "EN") to a supported
// language, or "" when it names none.
func Normalize(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	switch {
	case tag == "en" || strings.HasPrefix(tag, "en-"):
		return EN
	case tag == "zh" || strings.HasPrefix(tag, "zh-"):
		return ZH
	}
	return ""
}

// Negotiate picks the language from, in order: an explicit choice (the
// ?lang= parameter), the remembered cookie, then Accept-Language by q order.
// Chinese is the default.
func Negotiate(explicit, cookie, acceptLanguage string) string {
	if l := Normalize(explicit); l != "" {
		return l
	}
	if l := Normalize(cookie); l != "" {
		return l
	}
	best, bestQ := "", -1.0
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if _, err := fmt.Sscanf(v, "%g", &q); err != nil {
				continue
			}
		}
		if l := Normalize(tag); l != "" && q > bestQ {
			best, bestQ = l, q
		}
	}
	if best != "" {
		return best
	}
	return ZH
}
