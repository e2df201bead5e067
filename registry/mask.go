package registry

import (
	"strings"
	"unicode/utf8"
)

// Placeholders that replace personal numbers in stored free text. They hold
// no digits, so masking is stable: masking masked text changes nothing.
const (
	MaskedMobile   = "[手机号已隐去]"
	MaskedLandline = "[座机号已隐去]"
	MaskedIDCard   = "[身份证号已隐去]"
)

// MaskPersonalNumbers replaces mainland mobile numbers, landline numbers and
// identity-card numbers in free text with placeholders (docs/CONTRACT.md
// "Ingest"). It recognises them in the spellings people type:
//
//   - digit groups split by spaces, hyphens, dots or parentheses
//     ("138 1234 5678", "138.1234.5678", "(022) 2345 6789",
//     "120101 19900101 123X"), in ASCII or full-width characters;
//   - a country prefix "+86", "86" or "0086" ("+86 138 1234 5678",
//     "+86 22 2345 6789" for a landline without its trunk 0);
//   - a word glued to the number: Chinese ("电话13812345678") or a Latin
//     keyword such as "tel", "phone" or "ID" ("tel13812345678"); after a
//     phone word a bare 7–8-digit local number is a landline too.
//
// A landline has an area code (010, 02x, or 0 and three digits) and a
// local number of 7–8 digits starting 2–9; an identity number has a real
// province code and birth date (18 characters, the last a digit or X, or the
// old 15 digits). Numbers glued to other Latin letters ("ORD13812345678")
// are identifiers and kept, as are amounts, dates, times, work-order and
// service-order numbers and USCCs, which never have these shapes.
func MaskPersonalNumbers(s string) string {
	var b strings.Builder
	copied := 0 // s[:copied] is written to b
	for i := 0; i < len(s); {
		if d, _ := digitAt(s, i); d == 0 {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			continue
		}
		c := scanCandidate(s, i)
		for _, m := range c.matches() {
			if b.Cap() == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[copied:m.start])
			b.WriteString(m.placeholder)
			copied = m.end
		}
		i = c.end
	}
	if copied == 0 {
		return s
	}
	b.WriteString(s[copied:])
	return b.String()
}

// numberGroup is a run of digits (ASCII or full-width) inside a candidate;
// digits are ASCII and may end in 'X' (an identity number's check character).
type numberGroup struct {
	start, end int
	digits     string
	close      bool // the separator before this group holds ')' or '）'
}

// candidate is a run of digit groups joined by short separators.
type candidate struct {
	groups []numberGroup
	end    int
	// lead is where the first group's prefix ('+', '(') begins; hasParen
	// says the prefix holds an opening parenthesis, plus a '+'.
	lead              int
	hasParen, hasPlus bool
	// glued: the first group follows Latin letters that are no keyword
	// (an identifier such as ORD13812345678); gluedRight: the last group is
	// followed by a Latin letter or digit.
	glued, gluedRight bool
	keyword           keywordKind // the word before the first group
}

// maxSeparatorRunes bounds the separators between two groups (") - ").
const maxSeparatorRunes = 4

func isSeparator(r rune) bool {
	switch r {
	case ' ', '\u00a0', '\u2009', '\u3000', '\t',
		'-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\uff0d',
		'.', '\uff0e', '\u00b7',
		'(', ')', '\uff08', '\uff09':
		return true
	}
	return false
}

// scanCandidate reads the digit groups starting at i (a digit) and the
// context around them.
func scanCandidate(s string, i int) candidate {
	c := candidate{lead: i}
	closeBefore := false
	for pos := i; ; {
		g := numberGroup{start: pos, close: closeBefore}
		var digits []byte
		for {
			d, size := digitAt(s, pos)
			if d == 0 {
				break
			}
			digits = append(digits, d)
			pos += size
		}
		if r, size := utf8.DecodeRuneInString(s[pos:]); pos < len(s) && isX(r) {
			if next, _ := utf8.DecodeRuneInString(s[pos+size:]); pos+size >= len(s) || !isASCIIAlnum(next) {
				digits = append(digits, 'X')
				pos += size
			}
		}
		g.end, g.digits = pos, string(digits)
		c.groups = append(c.groups, g)
		c.end = pos
		if digits[len(digits)-1] == 'X' {
			break // an identity number's last character ends the run
		}
		// A short separator run, then another group?
		sep, runes := pos, 0
		closeBefore = false
		for runes < maxSeparatorRunes && sep < len(s) {
			r, size := utf8.DecodeRuneInString(s[sep:])
			if !isSeparator(r) {
				break
			}
			closeBefore = closeBefore || r == ')' || r == '）'
			sep += size
			runes++
		}
		if runes == 0 {
			break
		}
		if d, _ := digitAt(s, sep); d == 0 {
			// An identity number's X written apart ("… 123 X")?
			if r, size := utf8.DecodeRuneInString(s[sep:]); sep < len(s) && isX(r) {
				if next, _ := utf8.DecodeRuneInString(s[sep+size:]); sep+size >= len(s) || !isASCIIAlnum(next) {
					c.groups = append(c.groups, numberGroup{start: sep, end: sep + size, digits: "X", close: closeBefore})
					c.end = sep + size
				}
			}
			break
		}
		pos = sep
	}
	if c.end < len(s) {
		next, _ := utf8.DecodeRuneInString(s[c.end:])
		c.gluedRight = isASCIIAlnum(next)
	}
	c.readLead(s, i)
	return c
}

func isX(r rune) bool { return r == 'X' || r == 'x' || r == 'Ｘ' || r == 'ｘ' }

// match is a personal number found in s: bytes start–end become placeholder.
type match struct {
	start, end  int
	placeholder string
}

// maxMatchDigits bounds a match: an identity number; "0086" and a
// 12-digit landline make 16.
const maxMatchDigits = 18

// matches finds the personal numbers among the candidate's groups: from each
// group that may start one, the longest run of whole groups that forms one.
// Runs are bounded by maxMatchDigits, so a long candidate costs linear time.
func (c candidate) matches() []match {
	var out []match
	for k := 0; k < len(c.groups); {
		if k == 0 && c.glued {
			k++
			continue
		}
		last, n := k, 0
		for last < len(c.groups) && n+len(c.groups[last].digits) <= maxMatchDigits {
			n += len(c.groups[last].digits)
			last++
		}
		found := false
		for j := last - 1; j >= k; j-- {
			if j == len(c.groups)-1 && c.gluedRight {
				continue
			}
			var digits strings.Builder
			for _, g := range c.groups[k : j+1] {
				digits.WriteString(g.digits)
			}
			kw, plus := noKeyword, false
			if k == 0 {
				kw, plus = c.keyword, c.hasPlus
			}
			placeholder := classify(digits.String(), j-k+1, kw, plus)
			if placeholder == "" {
				continue
			}
			m := match{start: c.groups[k].start, end: c.groups[j].end, placeholder: placeholder}
			if k == 0 && (c.hasPlus || c.hasParen && c.closedWithin(j)) {
				m.start = c.lead
			}
			out = append(out, m)
			k, found = j+1, true
			break
		}
		if !found {
			k++
		}
	}
	return out
}

// closedWithin reports whether a ')' separates two of the groups 0..j.
func (c candidate) closedWithin(j int) bool {
	for _, g := range c.groups[1 : j+1] {
		if g.close {
			return true
		}
	}
	return false
}

// classify says which placeholder replaces digits (whole groups, n of them),
// or "" when they are no personal number. kw is the word before them; plus
// says a '+' precedes them.
func classify(d string, groups int, kw keywordKind, plus bool) string {
	if strings.HasSuffix(d, "X") {
		if isIDCard18(d, kw == idKeyword) {
			return MaskedIDCard
		}
		return ""
	}
	switch {
	case isMobile(d):
		return MaskedMobile
	case isLandline(d):
		return MaskedLandline
	case isIDCard18(d, kw == idKeyword), isIDCard15(d, kw == idKeyword):
		return MaskedIDCard
	}
	// A country prefix: 0086 or 86 before a mobile or a landline with its
	// trunk 0; a landline without it after "0086" or "+86".
	rest, ok := strings.CutPrefix(d, "0086")
	if !ok {
		rest, ok = strings.CutPrefix(d, "86")
		plus = plus && ok
	} else {
		plus = true
	}
	if ok {
		switch {
		case isMobile(rest):
			return MaskedMobile
		case isLandline(rest), plus && isLandline("0"+rest):
			return MaskedLandline
		}
	}
	// After a phone word, a bare local number (one or two groups).
	if kw == phoneKeyword && groups <= 2 && (len(d) == 7 || len(d) == 8) && d[0] >= '2' && d[0] <= '9' {
		return MaskedLandline
	}
	return ""
}

// digitAt returns the ASCII digit at s[i] (also full-width ０–９) and its size.
func digitAt(s string, i int) (byte, int) {
	if i >= len(s) {
		return 0, 0
	}
	if c := s[i]; c >= '0' && c <= '9' {
		return c, 1
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if r >= '０' && r <= '９' {
		return byte('0' + (r - '０')), size
	}
	return 0, 0
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isASCIIAlnum(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}
