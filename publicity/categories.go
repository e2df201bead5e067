package publicity

import (
	"strings"
	"unicode/utf8"

	"chengxin/registry"
)

// categoriesFor returns the codes of the service categories a search term
// names: its code, Chinese or English name, or one of the synonyms citizens
// type (小时工 → cleaning, 保姆 → housekeeping). A term matches a category
// when it equals a name or synonym, contains one ("找保姆"), or, being at
// least two characters, is part of one ("护理" → maternity and elder care);
// an English term of three letters or more matches the start of a word of
// the English name ("clean").
func categoriesFor(term string) []string {
	t := strings.ToLower(strings.TrimSpace(term))
	if t == "" {
		return nil
	}
	n := utf8.RuneCountInString(t)
	var out []string
	for _, c := range registry.Categories() {
		if categoryMatches(c, t, n) {
			out = append(out, c.Code)
		}
	}
	return out
}

func categoryMatches(c registry.Category, t string, n int) bool {
	if t == c.Code || t == strings.ToLower(c.NameEN) {
		return true
	}
	names := append([]string{c.NameZH}, c.Synonyms...)
	for _, s := range names {
		if s == "" {
			continue
		}
		if t == s || (utf8.RuneCountInString(s) >= 2 && strings.Contains(t, s)) || (n >= 2 && strings.Contains(s, t)) {
			return true
		}
	}
	if n >= 3 && isASCIILetters(t) {
		for _, w := range strings.Fields(strings.ToLower(c.NameEN)) {
			if strings.HasPrefix(w, t) {
				return true
			}
		}
	}
	return false
}

func isASCIILetters(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
