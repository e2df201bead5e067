package publicity

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"chengxin/registry"
)

// NormalizeQuery is how search reads typed text: runs of white space
// (full-width too) become one space, and a space between two Chinese
// characters is dropped, so "天津 家政" is "天津家政" (Chinese is written
// without spaces; phone keyboards and habit put them in).
func NormalizeQuery(q string) string {
	fields := strings.Fields(q)
	if len(fields) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(fields[0])
	for i := 1; i < len(fields); i++ {
		prev, _ := utf8.DecodeLastRuneInString(fields[i-1])
		next, _ := utf8.DecodeRuneInString(fields[i])
		if !isHan(prev) || !isHan(next) {
			b.WriteByte(' ')
		}
		b.WriteString(fields[i])
	}
	return b.String()
}

func isHan(r rune) bool { return r >= 0x2E80 && unicode.Is(unicode.Han, r) }

// Interpretation is how a typed query was read: the service category it
// names, which search selects as a filter (shown selected, removable),
// and the words left to look for in names.
type Interpretation struct {
	Q        string // the normalised query without the words that named the category
	Category string // the category's code; "" when the query names none, or several
	Words    string // the words that named it, as typed (normalised)
}

// Interpret reads a query for a service category. A query, or one of its
// words, names a category when it is the category's code, Chinese or
// English name, one of the synonyms citizens type (小时工, 保姆), a word of
// the English name that no other category has ("plumbing"), or the full
// pinyin of the Chinese name or a synonym ("baojie", "yue sao"). A Chinese
// word containing such a name names it too, the rest staying a word
// ("天津保洁" is 天津 in cleaning; "找保姆" is housekeeping: a single
// character or a filler such as 服务 left over is dropped), and so does part
// of a synonym that belongs to one category only ("母婴"). Words naming two
// different categories select none: search then matches them as text.
func Interpret(q string) Interpretation {
	text := NormalizeQuery(q)
	in := Interpretation{Q: text}
	if text == "" {
		return in
	}
	if code := namedCategory(text); code != "" {
		return Interpretation{Category: code, Words: text}
	}
	var found string
	var rest, words []string
	for _, t := range strings.Fields(text) {
		code, word, left := namedCategory(t), t, ""
		if code == "" {
			code, word, left = containedCategory(t)
		}
		if code == "" {
			rest = append(rest, t)
			continue
		}
		if found != "" && found != code {
			return in
		}
		found, words = code, append(words, word)
		if left != "" {
			rest = append(rest, left)
		}
	}
	if found == "" {
		return in
	}
	return Interpretation{Q: strings.Join(rest, " "), Category: found, Words: strings.Join(words, " ")}
}

// categoryWords are a category's Chinese name, its parts in brackets
// ("月嫂（母婴护理）": 月嫂, 母婴护理) and its synonyms.
func categoryWords(c registry.Category) []string {
	words := []string{c.NameZH}
	if i := strings.Index(c.NameZH, "（"); i > 0 {
		words = append(words, c.NameZH[:i], strings.TrimSuffix(c.NameZH[i+len("（"):], "）"))
	}
	return append(words, c.Synonyms...)
}

// namedCategory is the one category t names exactly, or "".
func namedCategory(t string) string {
	low := strings.ToLower(t)
	letters, _, isLetters := lettersOf(low)
	var found []string
	add := func(code string) {
		if len(found) == 0 || found[len(found)-1] != code {
			found = append(found, code)
		}
	}
	for _, c := range registry.Categories() {
		switch {
		case low == c.Code || low == strings.ToLower(c.NameEN):
			add(c.Code)
			continue
		}
		for _, w := range categoryWords(c) {
			if t == w || (isLetters && len(letters) >= 4 && utf8.RuneCountInString(w) >= 2 && pinyinOfWord(string(letters), w)) {
				add(c.Code)
				break
			}
		}
	}
	if len(found) == 0 && isLetters && !strings.Contains(low, " ") && len(low) >= 4 {
		// A word of one English name only: "plumbing", "locksmith".
		for _, c := range registry.Categories() {
			for _, w := range strings.Fields(strings.ToLower(c.NameEN)) {
				if w == low {
					add(c.Code)
				}
			}
		}
	}
	if len(found) != 1 {
		return ""
	}
	return found[0]
}

// fillers are what is left of a Chinese query word once the category in
// it is taken out and that says nothing about a name.
var fillers = map[string]bool{"服务": true, "公司": true, "上门": true, "师傅": true, "阿姨": true, "家庭": true}

// containedCategory finds the category a Chinese word contains (the
// longest name or synonym in it, of one category) or is part of (of one
// category only); left is the rest of the word.
func containedCategory(t string) (code, word, left string) {
	if !isHan([]rune(t)[0]) || utf8.RuneCountInString(t) < 2 {
		return "", "", ""
	}
	best, bestLen, ambiguous := "", 0, false
	for _, c := range registry.Categories() {
		for _, w := range categoryWords(c) {
			n := utf8.RuneCountInString(w)
			if n < 2 || !strings.Contains(t, w) || n < bestLen {
				continue
			}
			if n > bestLen {
				best, word, bestLen, ambiguous = c.Code, w, n, false
			} else if best != c.Code {
				ambiguous = true
			}
		}
	}
	if best != "" && !ambiguous {
		left = strings.Replace(t, word, "", 1)
		if utf8.RuneCountInString(left) <= 1 || fillers[left] {
			left = ""
		}
		return best, word, left
	}
	if best != "" {
		return "", "", ""
	}
	// Part of a name or synonym of one category only ("母婴").
	for _, c := range registry.Categories() {
		for _, w := range categoryWords(c) {
			if strings.Contains(w, t) {
				if code != "" && code != c.Code {
					return "", "", ""
				}
				code = c.Code
			}
		}
	}
	if code == "" {
		return "", "", ""
	}
	return code, t, ""
}
