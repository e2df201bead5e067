package registry

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"chengxin/i18n"
)

// usccCharset is the 31-character alphabet of GB 32100-2015 (no I, O, S, V, Z).
// A character's index in it is its value in the check-character computation.
const usccCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are the GB 32100-2015 position weights 3^(i) mod 31 for the first 17 characters.
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// USCCLength is the length of a unified social credit code.
const USCCLength = 18

// USCCError explains why a code is not an acceptable USCC. Expected is set only
// for a wrong check character, naming the character the standard computes.
type USCCError struct {
	Code     string // "length", "charset", "structure" or "check"
	Expected byte
	Text     i18n.Text
}

func (e *USCCError) Error() string { return e.Text.In(i18n.EN) }

// ErrUSCCCheck is matched (errors.Is) by a USCCError whose only fault is the check character.
var ErrUSCCCheck = errors.New("registry: wrong USCC check character")

// Is lets errors.Is(err, ErrUSCCCheck) single out check-character failures.
func (e *USCCError) Is(target error) bool { return target == ErrUSCCCheck && e.Code == "check" }

// NormalizeUSCC trims spaces, folds full-width characters to half-width and
// upper-cases, as docs/CONTRACT.md requires before any check.
func NormalizeUSCC(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\u3000' || r == '\ufeff' })
	s = width.Narrow.String(s)
	return strings.ToUpper(s)
}

// CheckUSCC validates an already normalised code: length, alphabet, the
// administrative-division digits and the GB 32100-2015 check character.
func CheckUSCC(code string) error {
	if n := utf8.RuneCountInString(code); n != USCCLength {
		return &USCCError{Code: "length", Text: i18n.T("uscc.length", n)}
	}
	for i, r := range []rune(code) { // by rune: a non-ASCII character is named whole
		if r >= utf8.RuneSelf || strings.IndexByte(usccCharset, byte(r)) < 0 {
			return &USCCError{Code: "charset", Text: i18n.T("uscc.charset", i+1, string(r))}
		}
	}
	for i := 2; i < 8; i++ {
		if code[i] < '0' || code[i] > '9' {
			return &USCCError{Code: "structure", Text: i18n.T("uscc.structure", i+1)}
		}
	}
	want := USCCCheckChar(code[:17])
	if code[17] != want {
		return &USCCError{Code: "check", Expected: want, Text: i18n.T("uscc.check", string(code[17]), string(want))}
	}
	return nil
}

// USCCCheckChar computes the check character for the first 17 characters of a
// code, which must already be in the GB 32100 alphabet.
func USCCCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(usccCharset, first17[i]) * usccWeights[i]
	}
	return usccCharset[(31-sum%31)%31]
}

// ParseUSCC normalises and checks s, returning the normalised code.
func ParseUSCC(s string) (string, error) {
	code := NormalizeUSCC(s)
	if err := CheckUSCC(code); err != nil {
		return code, err
	}
	return code, nil
}

// MustUSCC completes a 17-character prefix with its check character; it panics
// on a prefix outside the alphabet. Used by the demo and data generators.
func MustUSCC(first17 string) string {
	if len(first17) != 17 {
		panic(fmt.Sprintf("registry: USCC prefix %q is not 17 characters", first17))
	}
	for i := 0; i < 17; i++ {
		if strings.IndexByte(usccCharset, first17[i]) < 0 {
			panic(fmt.Sprintf("registry: USCC prefix %q has %q outside the alphabet", first17, first17[i]))
		}
	}
	return first17 + string(USCCCheckChar(first17))
}
