package registry

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// maskDoc is a generated text with the answer masking must give.
type maskDoc struct {
	text, want string
	personal   []string // the personal numbers as spelled, for messages
	ordinary   []string // the ordinary numbers as spelled
}

// fillerRunes make up the Chinese text around numbers. They include no
// keyword character (电话, 手机, 身份证, …), digit, Latin letter or separator.
var fillerRunes = []rune("客户反映服务人员未按约定时间上门家政保洁维修师傅态度较差要求退款已协调处理完毕满意回访情况良好天津市河西区南开和平月嫂育儿嫂搬家开锁，。、；！？")

func genFiller(r *rand.Rand, min int) string {
	n := min + r.IntN(12)
	var b strings.Builder
	for range n {
		b.WriteRune(fillerRunes[r.IntN(len(fillerRunes))])
	}
	return b.String()
}

func digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

var (
	genProvinces = []string{"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
		"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"}
	genAreaCodes = []string{"010", "022", "021", "020", "023", "024", "027", "029", "0311", "0571", "0755", "0898", "0431", "0351"}
	genDistricts = []string{"120101", "120102", "120103", "120104", "120105", "120106", "120110", "120111",
		"120112", "120113", "120114", "120115", "120116", "120117", "120118", "120119"}
)

func genBirth(r *rand.Rand, from, to int) string {
	y := from + r.IntN(to-from+1)
	m := 1 + r.IntN(12)
	d := 1 + r.IntN(28)
	return fmt.Sprintf("%04d%02d%02d", y, m, d)
}

// genPersonal returns a personal number's digits, its placeholder and
// whether a local landline (no area code) was chosen.
func genPersonal(r *rand.Rand) (kind, number string) {
	switch r.IntN(5) {
	case 0, 1:
		return "mobile", "1" + string(byte('3'+r.IntN(7))) + digits(r, 9)
	case 2:
		area := genAreaCodes[r.IntN(len(genAreaCodes))]
		local := 8
		if len(area) == 4 && r.IntN(2) == 0 {
			local = 7
		}
		return "landline", area + string(byte('2'+r.IntN(8))) + digits(r, local-1)
	case 3:
		first17 := genProvinces[r.IntN(len(genProvinces))] + digits(r, 4) + genBirth(r, 1940, 2010) + digits(r, 3)
		return "id", first17 + string(idCheckChar(first17))
	default:
		return "id", genProvinces[r.IntN(len(genProvinces))] + digits(r, 4) + genBirth(r, 1940, 1999)[2:] + digits(r, 3)
	}
}

// split cuts s into groups at random, or in the usual places.
func split(r *rand.Rand, s string, usual ...int) []string {
	switch r.IntN(3) {
	case 0:
		return []string{s}
	case 1:
		var out []string
		for _, n := range usual {
			if n >= len(s) {
				break
			}
			out = append(out, s[:n])
			s = s[n:]
		}
		return append(out, s)
	}
	var out []string
	for len(s) > 0 {
		n := 1 + r.IntN(min(6, len(s)))
		if len(s)-n == 1 && s[len(s)-1] == 'X' { // X stays glued to the digits before it
			n = len(s)
		}
		out = append(out, s[:n])
		s = s[n:]
	}
	return out
}

var genSeparators = []string{" ", "-", ".", "\u3000", " - ", "－", "．", "·", "  ", "\u00a0", "–"}

func join(r *rand.Rand, groups []string) string {
	mixed := r.IntN(4) == 0
	sep := genSeparators[r.IntN(len(genSeparators))]
	var b strings.Builder
	for i, g := range groups {
		if i > 0 {
			if mixed {
				sep = genSeparators[r.IntN(len(genSeparators))]
			}
			b.WriteString(sep)
		}
		b.WriteString(g)
	}
	return b.String()
}

// fullWidth turns digits (and X) into full-width forms: all, some or none.
func fullWidth(r *rand.Rand, s string) string {
	mode := r.IntN(6)
	if mode > 1 {
		return s
	}
	var b strings.Builder
	for _, c := range s {
		if (c >= '0' && c <= '9' || c == 'X' || c == '+') && (mode == 0 || r.IntN(2) == 0) {
			c += '０' - '0'
		}
		b.WriteRune(c)
	}
	return b.String()
}

var (
	phoneWords = []string{"", "", "", "电话", "手机", "联系电话：", "电话 ", "tel", "Tel:", "TEL ", "Tel. ", "phone", "Mobile:", "座机", "手机号"}
	idWords    = []string{"", "", "", "身份证", "身份证号：", "身份证号码 ", "ID", "ID: ", "sfz", "证件号"}
)

// genSpelling spells a personal number the way people type it and returns
// the text and what masking must leave of it.
func genSpelling(r *rand.Rand, kind, number string) (text, want string) {
	var word, body, placeholder string
	switch kind {
	case "mobile":
		word, placeholder = phoneWords[r.IntN(len(phoneWords))], MaskedMobile
		body = join(r, split(r, number, 3, 4))
		switch r.IntN(8) {
		case 0:
			body = "+86 " + body
		case 1:
			body = "+86" + body
		case 2:
			body = "86-" + body
		case 3:
			body = "0086 " + body
		case 4:
			body = "(+86) " + body
		}
	case "landline":
		word, placeholder = phoneWords[r.IntN(len(phoneWords))], MaskedLandline
		area, local := number[:3], number[3:]
		if number[1] >= '3' {
			area, local = number[:4], number[4:]
		}
		localSpelled := local
		if r.IntN(2) == 0 {
			localSpelled = local[:len(local)-4] + genSeparators[r.IntN(len(genSeparators))] + local[len(local)-4:]
		}
		sep := genSeparators[r.IntN(len(genSeparators))]
		switch r.IntN(7) {
		case 0:
			body = "(" + area + ")" + sep + localSpelled
		case 1:
			body = "+86" + sep + area[1:] + sep + localSpelled
		case 2:
			body = "0086" + sep + area[1:] + sep + localSpelled
		case 3:
			body = number
		case 4:
			if word != "" && !strings.HasPrefix(word, "手机") && word != "Mobile:" {
				body = localSpelled // after a phone word the area code may be left out
				break
			}
			fallthrough
		default:
			body = area + sep + localSpelled
		}
	default:
		word, placeholder = idWords[r.IntN(len(idWords))], MaskedIDCard
		if r.IntN(4) == 0 && strings.HasSuffix(number, "X") {
			number = number[:17] + "x"
		}
		body = join(r, split(r, number, 6, 8))
	}
	body = fullWidth(r, body)
	return word + body, word + placeholder
}

// ordinaryNumbers are numbers that must survive masking, as spelled.
func genOrdinary(r *rand.Rand) string {
	date := genBirth(r, 2015, 2026)
	y, m, d := date[:4], date[4:6], date[6:]
	switch r.IntN(14) {
	case 0:
		return fmt.Sprintf("%d元", 1+r.IntN(99999))
	case 1:
		return fmt.Sprintf("¥%d,%03d.%02d", 1+r.IntN(999), r.IntN(1000), r.IntN(100))
	case 2:
		return y + "-" + m + "-" + d
	case 3:
		return fmt.Sprintf("%s年%d月%d日", y, atoi(m), atoi(d))
	case 4:
		return fmt.Sprintf("%02d:%02d", r.IntN(24), r.IntN(60))
	case 5:
		return "8890-" + date + "-" + digits(r, 6)
	case 6:
		return "SO" + date + digits(r, 4+r.IntN(6))
	case 7:
		return MustUSCC("91" + genDistricts[r.IntN(len(genDistricts))] + "MA" + strings.ToUpper(digits(r, 7)))
	case 8:
		for {
			code := "91" + genDistricts[r.IntN(len(genDistricts))] + digits(r, 9)
			if c := USCCCheckChar(code); c >= '0' && c <= '9' {
				return code + string(c)
			}
		}
	case 9:
		return fmt.Sprintf("%d.%d%%", r.IntN(100), r.IntN(10))
	case 10:
		return y + "/" + m + "/" + d + " " + fmt.Sprintf("%02d:%02d:%02d", r.IntN(24), r.IntN(60), r.IntN(60))
	case 11:
		return fmt.Sprintf("%d 小时", r.IntN(100))
	case 12:
		return "400-" + digits(r, 3) + "-" + digits(r, 4)
	}
	return date + digits(r, 6) // a digit-only order number of 14 digits
}

// genMaskDoc builds a text of Chinese filler with personal and ordinary
// numbers between, and the text masking must turn it into.
func genMaskDoc(r *rand.Rand) maskDoc {
	var doc maskDoc
	var text, want strings.Builder
	n := 1 + r.IntN(6)
	if r.IntN(3) > 0 {
		f := genFiller(r, 0)
		text.WriteString(f)
		want.WriteString(f)
	}
	for i := range n {
		if i > 0 {
			f := genFiller(r, 1)
			text.WriteString(f)
			want.WriteString(f)
		}
		if r.IntN(2) == 0 {
			s := genOrdinary(r)
			doc.ordinary = append(doc.ordinary, s)
			text.WriteString(s)
			want.WriteString(s)
			continue
		}
		kind, number := genPersonal(r)
		s, w := genSpelling(r, kind, number)
		doc.personal = append(doc.personal, s)
		text.WriteString(s)
		want.WriteString(w)
	}
	if r.IntN(2) == 0 {
		f := genFiller(r, 1)
		text.WriteString(f)
		want.WriteString(f)
	}
	doc.text, doc.want = text.String(), want.String()
	return doc
}

// checkMaskDoc masks a generated text and compares it with the answer.
func checkMaskDoc(t *testing.T, doc maskDoc) {
	t.Helper()
	got := MaskPersonalNumbers(doc.text)
	if got == doc.want {
		return
	}
	t.Fatalf("masking a generated text\n  in: %q\n got: %q\nwant: %q\npersonal numbers: %q\nordinary numbers: %q",
		doc.text, got, doc.want, doc.personal, doc.ordinary)
}

// maskPropertyIterations is how many generated texts the property test masks.
const maskPropertyIterations = 50_000

// Every phone, landline and identity number in a random spelling inside
// random Chinese text is masked, and every ordinary number beside it
// survives as written: the output is exactly the text with each personal
// number (and its +86 or parenthesis) replaced by its placeholder.
func TestMaskPropertyRandomSpellings(t *testing.T) {
	r := rand.New(rand.NewPCG(20260314, 8890))
	counts := map[string]int{}
	for range maskPropertyIterations {
		doc := genMaskDoc(r)
		counts["personal"] += len(doc.personal)
		counts["ordinary"] += len(doc.ordinary)
		checkMaskDoc(t, doc)
	}
	t.Logf("%d texts, %d personal numbers masked, %d ordinary numbers kept", maskPropertyIterations, counts["personal"], counts["ordinary"])
}

// standaloneMobile finds an 11-digit mobile number written unbroken (ASCII
// or full-width) and not glued to a Latin letter or digit: masking must
// never leave one, whatever the input.
func standaloneMobile(s string) (string, bool) {
	var run []byte
	start := 0
	flush := func(end int) (string, bool) {
		defer func() { run = run[:0] }()
		if !isMobile(string(run)) {
			return "", false
		}
		before, _ := utf8.DecodeLastRuneInString(s[:start])
		after, _ := utf8.DecodeRuneInString(s[end:])
		if start > 0 && isASCIIAlnum(before) && latinKeyword(strings.ToLower(lettersBefore(s[:start]))) == noKeyword || end < len(s) && isASCIIAlnum(after) {
			return "", false
		}
		return s[start:end], true
	}
	for i := 0; i < len(s); {
		if d, size := digitAt(s, i); d != 0 {
			if len(run) == 0 {
				start = i
			}
			run = append(run, d)
			i += size
			continue
		}
		if len(run) > 0 {
			if m, ok := flush(i); ok {
				return m, true
			}
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	if len(run) > 0 {
		return flush(len(s))
	}
	return "", false
}

func lettersBefore(s string) string {
	i := len(s)
	for i > 0 && isASCIILetter(s[i-1]) {
		i--
	}
	return s[i:]
}
