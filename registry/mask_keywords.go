package registry

import (
	"strings"
	"unicode/utf8"
)

// The words before a number that say what it is, for MaskPersonalNumbers.

type keywordKind int

const (
	noKeyword keywordKind = iota
	phoneKeyword
	idKeyword
)

// readLead reads what precedes the first group at i: a '+' or '(' prefix
// (taken into the mask), then glued Latin letters or a keyword.
func (c *candidate) readLead(s string, i int) {
	lead := i
	for lead > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:lead])
		if r == '+' || r == '＋' {
			c.hasPlus = true
		} else if r == '(' || r == '（' {
			c.hasParen = true
		} else {
			break
		}
		lead -= size
		if lead < i-8 { // at most "(+" in either width
			break
		}
	}
	c.lead = lead
	letters := lead
	for letters > 0 && isASCIILetter(s[letters-1]) {
		letters--
	}
	if letters < lead {
		word := strings.ToLower(s[letters:lead])
		if kind := latinKeyword(word); kind != noKeyword {
			c.keyword = kind
		} else {
			c.glued = true
		}
		return
	}
	c.keyword = keywordBefore(s[:lead])
}

// latinKeywords are Latin words that may be glued to a number: phone words
// and identity words (pinyin initials too: dh 电话, sj 手机, sfz 身份证).
var latinKeywords = map[string]keywordKind{
	"tel": phoneKeyword, "phone": phoneKeyword, "telephone": phoneKeyword, "mobile": phoneKeyword,
	"mob": phoneKeyword, "cell": phoneKeyword, "cellphone": phoneKeyword, "fax": phoneKeyword,
	"call": phoneKeyword, "ph": phoneKeyword, "dh": phoneKeyword, "sj": phoneKeyword, "lxdh": phoneKeyword,
	"id": idKeyword, "idno": idKeyword, "idcard": idKeyword, "sfz": idKeyword,
}

// latinKeyword classifies a run of Latin letters before a number: a keyword
// itself, or a longer run ending in a keyword of at least three letters
// ("hometel", "Telephone").
func latinKeyword(word string) keywordKind {
	if k, ok := latinKeywords[word]; ok {
		return k
	}
	for kw, k := range latinKeywords {
		if len(kw) >= 3 && strings.HasSuffix(word, kw) {
			return k
		}
	}
	return noKeyword
}

// chineseKeywords are words that, right before a number (perhaps with a
// colon or spaces between), say what it is.
var chineseKeywords = []struct {
	word string
	kind keywordKind
}{
	{"电话", phoneKeyword}, {"手机", phoneKeyword}, {"座机", phoneKeyword}, {"固话", phoneKeyword},
	{"传真", phoneKeyword}, {"联系方式", phoneKeyword}, {"手机号", phoneKeyword}, {"电话号码", phoneKeyword},
	{"身份证", idKeyword}, {"身份证号", idKeyword}, {"证件号", idKeyword}, {"公民身份号码", idKeyword},
	{"身份证号码", idKeyword},
}

// keywordBefore finds a keyword at the end of text, skipping up to three
// spaces, colons or dots ("电话：", "Tel: ", "Tel. ").
func keywordBefore(text string) keywordKind {
	for skipped := 0; skipped < 3 && text != ""; skipped++ {
		r, size := utf8.DecodeLastRuneInString(text)
		if r != ' ' && r != '\u3000' && r != ':' && r != '：' && r != '.' && r != '．' {
			break
		}
		text = text[:len(text)-size]
	}
	for _, k := range chineseKeywords {
		if strings.HasSuffix(text, k.word) {
			return k.kind
		}
	}
	letters := len(text)
	for letters > 0 && isASCIILetter(text[letters-1]) {
		letters--
	}
	if letters < len(text) {
		return latinKeyword(strings.ToLower(text[letters:]))
	}
	return noKeyword
}
