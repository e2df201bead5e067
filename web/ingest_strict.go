package web

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"chengxin/i18n"
)

// recordProblems scans one record's members as written, before any
// decoding that would hide them (encoding/json keeps the last of two equal
// keys and turns bad bytes into U+FFFD): a key given more than once, and a
// name or value that is not valid UTF-8 (raw bytes, or a \u escape of half a
// surrogate pair). Each problem is named by its field. A record that is not
// an object has no members to check.
func recordProblems(raw []byte) map[string]i18n.Text {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var problems map[string]i18n.Text
	add := func(field string, t i18n.Text) {
		if problems == nil {
			problems = map[string]i18n.Text{}
		}
		if _, ok := problems[field]; !ok {
			problems[field] = t
		}
	}
	seen := map[string]bool{}
	for dec.More() {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return problems // the caller rejects malformed JSON itself
		}
		name, _ := tok.(string)
		nameRaw := raw[before:dec.InputOffset()]
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return problems
		}
		switch {
		case !validJSONText(nameRaw):
			add(name, i18n.T("record.name_not_utf8"))
		case seen[name]:
			add(name, i18n.T("record.duplicate_key"))
		case !validJSONText(value):
			add(name, i18n.T("record.not_utf8"))
		}
		seen[name] = true
	}
	return problems
}

// validJSONText reports whether a piece of JSON text is valid UTF-8 and
// every \u escape in it stands for a character: a high surrogate must be
// followed by a low one, and a low one never stands alone.
func validJSONText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			continue
		}
		if b[i+1] != 'u' {
			i++ // an escaped character: \\ must not start another escape
			continue
		}
		r, ok := hexRune(b, i+2)
		if !ok {
			return false
		}
		switch {
		case r >= 0xD800 && r <= 0xDBFF:
			if i+7 >= len(b) || b[i+6] != '\\' || b[i+7] != 'u' {
				return false
			}
			low, ok := hexRune(b, i+8)
			if !ok || low < 0xDC00 || low > 0xDFFF {
				return false
			}
			i += 11
		case r >= 0xDC00 && r <= 0xDFFF:
			return false
		default:
			i += 5
		}
	}
	return true
}

// hexRune reads four hex digits at b[i:].
func hexRune(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
