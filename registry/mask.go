package registry

import (
	"strings"
	"unicode/utf8"
)

// MaskPersonalNumbers replaces mainland mobile numbers (11 digits starting
// 13–19) and identity-card numbers (18 characters, the last a digit or X; or
// the old 15 digits) in free text with placeholders. Digits may be full-width
// or split by single spaces or hyphens ("138 1234 5678"); other numbers
// (order numbers, amounts, landlines) are kept.
func MaskPersonalNumbers(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	i := 0
	for i < len(s) {
		start := i
		digits, end, split := scanDigitRun(s, i)
		if len(digits) == 0 {
			r, size := utf8.DecodeRuneInString(s[i:])
			b.WriteRune(r)
			i += size
			continue
		}
		switch {
		case isMobile(digits):
			b.WriteString("[手机号已隐去]")
		case isIDCard(digits) && !split: // identity numbers are written unbroken
			b.WriteString("[身份证号已隐去]")
		default:
			b.WriteString(s[start:end])
		}
		i = end
	}
	return b.String()
}

// scanDigitRun reads a run of digits (ASCII or full-width) starting at i,
// allowing single spaces or hyphens between digits and a final X, and
// returns the ASCII digits, the end offset and whether separators split it.
// A run that does not start with a digit, or that is glued to a preceding
// letter or digit, is empty.
func scanDigitRun(s string, i int) (string, int, bool) {
	if d, _ := digitAt(s, i); d == 0 {
		return "", i, false
	}
	if i > 0 {
		prev, _ := utf8.DecodeLastRuneInString(s[:i])
		if isASCIIAlnum(prev) {
			return "", i, false
		}
	}
	var digits []byte
	end, split := i, false
	for end < len(s) {
		if d, size := digitAt(s, end); d != 0 {
			digits = append(digits, d)
			end += size
			continue
		}
		r, size := utf8.DecodeRuneInString(s[end:])
		if r == 'X' || r == 'x' || r == 'Ｘ' || r == 'ｘ' {
			if len(digits) == 17 {
				digits = append(digits, 'X')
				end += size
			}
			break
		}
		if r == ' ' || r == '-' {
			if d, _ := digitAt(s, end+size); d != 0 {
				end += size
				split = true
				continue
			}
		}
		break
	}
	if end < len(s) {
		if next, _ := utf8.DecodeRuneInString(s[end:]); isASCIIAlnum(next) {
			return "", end, false // glued to a following letter: an identifier, not a number
		}
	}
	return string(digits), end, split
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

func isASCIIAlnum(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

func isMobile(d string) bool { return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' }

func isIDCard(d string) bool {
	if len(d) == 15 {
		return !strings.Contains(d, "X")
	}
	return len(d) == 18
}
