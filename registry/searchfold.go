package registry

import (
	"sort"
	"strings"
)

// Name search folds letter case exactly as SQLite's FTS5 trigram tokenizer
// does (its default, case_sensitive 0 and remove_diacritics 0): one code
// point to one code point, by FTS5's own Unicode table, which is neither Go's
// unicode.ToLower nor a locale's lower(): FTS5 leaves İ, Cherokee, Georgian
// Mtavruli and other letters added to Unicode after its table as they are,
// folds µ to μ, ς to σ, ſ to s, and beyond the Basic Multilingual Plane
// folds only Deseret. searchFoldRanges is that table (read from FTS5 code
// point by code point; TestSearchFoldIsFTS5s checks it against FTS5);
// SearchFold applies it to a query word on either engine, and on PostgreSQL
// the name_fold() function of migrations/postgres/0016_search_fold.sql
// applies it to names (TestNameFoldIsSearchFold checks the two agree).

// foldRange folds lo, lo+stride, … hi by adding delta.
type foldRange struct {
	lo, hi rune
	delta  rune
	stride rune
}

// searchFoldRanges is FTS5's case folding, sorted by lo.
var searchFoldRanges = []foldRange{
	{0x0041, 0x005A, 32, 1},     // A…Z → a
	{0x00B5, 0x00B5, 775, 1},    // µ → μ
	{0x00C0, 0x00D6, 32, 1},     // À…Ö → à
	{0x00D8, 0x00DE, 32, 1},     // Ø…Þ → ø
	{0x0100, 0x012E, 1, 2},      // Ā…Į → ā
	{0x0132, 0x0136, 1, 2},      // Ĳ…Ķ → ĳ
	{0x0139, 0x0147, 1, 2},      // Ĺ…Ň → ĺ
	{0x014A, 0x0176, 1, 2},      // Ŋ…Ŷ → ŋ
	{0x0178, 0x0178, -121, 1},   // Ÿ → ÿ
	{0x0179, 0x017D, 1, 2},      // Ź…Ž → ź
	{0x017F, 0x017F, -268, 1},   // ſ → s
	{0x0181, 0x0181, 210, 1},    // Ɓ → ɓ
	{0x0182, 0x0184, 1, 2},      // Ƃ…Ƅ → ƃ
	{0x0186, 0x0186, 206, 1},    // Ɔ → ɔ
	{0x0187, 0x0187, 1, 1},      // Ƈ → ƈ
	{0x0189, 0x018A, 205, 1},    // Ɖ…Ɗ → ɖ
	{0x018B, 0x018B, 1, 1},      // Ƌ → ƌ
	{0x018E, 0x018E, 79, 1},     // Ǝ → ǝ
	{0x018F, 0x018F, 202, 1},    // Ə → ə
	{0x0190, 0x0190, 203, 1},    // Ɛ → ɛ
	{0x0191, 0x0191, 1, 1},      // Ƒ → ƒ
	{0x0193, 0x0193, 205, 1},    // Ɠ → ɠ
	{0x0194, 0x0194, 207, 1},    // Ɣ → ɣ
	{0x0196, 0x0196, 211, 1},    // Ɩ → ɩ
	{0x0197, 0x0197, 209, 1},    // Ɨ → ɨ
	{0x0198, 0x0198, 1, 1},      // Ƙ → ƙ
	{0x019C, 0x019C, 211, 1},    // Ɯ → ɯ
	{0x019D, 0x019D, 213, 1},    // Ɲ → ɲ
	{0x019F, 0x019F, 214, 1},    // Ɵ → ɵ
	{0x01A0, 0x01A4, 1, 2},      // Ơ…Ƥ → ơ
	{0x01A6, 0x01A6, 218, 1},    // Ʀ → ʀ
	{0x01A7, 0x01A7, 1, 1},      // Ƨ → ƨ
	{0x01A9, 0x01A9, 218, 1},    // Ʃ → ʃ
	{0x01AC, 0x01AC, 1, 1},      // Ƭ → ƭ
	{0x01AE, 0x01AE, 218, 1},    // Ʈ → ʈ
	{0x01AF, 0x01AF, 1, 1},      // Ư → ư
	{0x01B1, 0x01B2, 217, 1},    // Ʊ…Ʋ → ʊ
	{0x01B3, 0x01B5, 1, 2},      // Ƴ…Ƶ → ƴ
	{0x01B7, 0x01B7, 219, 1},    // Ʒ → ʒ
	{0x01B8, 0x01B8, 1, 1},      // Ƹ → ƹ
	{0x01BC, 0x01BC, 1, 1},      // Ƽ → ƽ
	{0x01C4, 0x01C4, 2, 1},      // Ǆ → ǆ
	{0x01C5, 0x01C5, 1, 1},      // ǅ → ǆ
	{0x01C7, 0x01C7, 2, 1},      // Ǉ → ǉ
	{0x01C8, 0x01C8, 1, 1},      // ǈ → ǉ
	{0x01CA, 0x01CA, 2, 1},      // Ǌ → ǌ
	{0x01CB, 0x01DB, 1, 2},      // ǋ…Ǜ → ǌ
	{0x01DE, 0x01EE, 1, 2},      // Ǟ…Ǯ → ǟ
	{0x01F1, 0x01F1, 2, 1},      // Ǳ → ǳ
	{0x01F2, 0x01F4, 1, 2},      // ǲ…Ǵ → ǳ
	{0x01F6, 0x01F6, -97, 1},    // Ƕ → ƕ
	{0x01F7, 0x01F7, -56, 1},    // Ƿ → ƿ
	{0x01F8, 0x021E, 1, 2},      // Ǹ…Ȟ → ǹ
	{0x0220, 0x0220, -130, 1},   // Ƞ → ƞ
	{0x0222, 0x0232, 1, 2},      // Ȣ…Ȳ → ȣ
	{0x023A, 0x023A, 10795, 1},  // Ⱥ → ⱥ
	{0x023B, 0x023B, 1, 1},      // Ȼ → ȼ
	{0x023D, 0x023D, -163, 1},   // Ƚ → ƚ
	{0x023E, 0x023E, 10792, 1},  // Ⱦ → ⱦ
	{0x0241, 0x0241, 1, 1},      // Ɂ → ɂ
	{0x0243, 0x0243, -195, 1},   // Ƀ → ƀ
	{0x0244, 0x0244, 69, 1},     // Ʉ → ʉ
	{0x0245, 0x0245, 71, 1},     // Ʌ → ʌ
	{0x0246, 0x024E, 1, 2},      // Ɇ…Ɏ → ɇ
	{0x0345, 0x0345, 116, 1},    // U+0345 (combining) → ι
	{0x0370, 0x0372, 1, 2},      // Ͱ…Ͳ → ͱ
	{0x0376, 0x0376, 1, 1},      // Ͷ → ͷ
	{0x0386, 0x0386, 38, 1},     // Ά → ά
	{0x0388, 0x038A, 37, 1},     // Έ…Ί → έ
	{0x038C, 0x038C, 64, 1},     // Ό → ό
	{0x038E, 0x038F, 63, 1},     // Ύ…Ώ → ύ
	{0x0391, 0x03A1, 32, 1},     // Α…Ρ → α
	{0x03A3, 0x03AB, 32, 1},     // Σ…Ϋ → σ
	{0x03C2, 0x03C2, 1, 1},      // ς → σ
	{0x03CF, 0x03CF, 8, 1},      // Ϗ → ϗ
	{0x03D0, 0x03D0, -30, 1},    // ϐ → β
	{0x03D1, 0x03D1, -25, 1},    // ϑ → θ
	{0x03D5, 0x03D5, -15, 1},    // ϕ → φ
	{0x03D6, 0x03D6, -22, 1},    // ϖ → π
	{0x03D8, 0x03EE, 1, 2},      // Ϙ…Ϯ → ϙ
	{0x03F0, 0x03F0, -54, 1},    // ϰ → κ
	{0x03F1, 0x03F1, -48, 1},    // ϱ → ρ
	{0x03F4, 0x03F4, -60, 1},    // ϴ → θ
	{0x03F5, 0x03F5, -64, 1},    // ϵ → ε
	{0x03F7, 0x03F7, 1, 1},      // Ϸ → ϸ
	{0x03F9, 0x03F9, -7, 1},     // Ϲ → ϲ
	{0x03FA, 0x03FA, 1, 1},      // Ϻ → ϻ
	{0x03FD, 0x03FF, -130, 1},   // Ͻ…Ͽ → ͻ
	{0x0400, 0x040F, 80, 1},     // Ѐ…Џ → ѐ
	{0x0410, 0x042F, 32, 1},     // А…Я → а
	{0x0460, 0x0480, 1, 2},      // Ѡ…Ҁ → ѡ
	{0x048A, 0x04BE, 1, 2},      // Ҋ…Ҿ → ҋ
	{0x04C0, 0x04C0, 15, 1},     // Ӏ → ӏ
	{0x04C1, 0x04CD, 1, 2},      // Ӂ…Ӎ → ӂ
	{0x04D0, 0x0526, 1, 2},      // Ӑ…Ԧ → ӑ
	{0x0531, 0x0556, 48, 1},     // Ա…Ֆ → ա
	{0x10A0, 0x10C5, 7264, 1},   // Ⴀ…Ⴥ → ⴀ
	{0x10C7, 0x10C7, 7264, 1},   // Ⴧ → ⴧ
	{0x10CD, 0x10CD, 7264, 1},   // Ⴭ → ⴭ
	{0x1E00, 0x1E94, 1, 2},      // Ḁ…Ẕ → ḁ
	{0x1E9B, 0x1E9B, -58, 1},    // ẛ → ṡ
	{0x1E9E, 0x1E9E, -7615, 1},  // ẞ → ß
	{0x1EA0, 0x1EFE, 1, 2},      // Ạ…Ỿ → ạ
	{0x1F08, 0x1F0F, -8, 1},     // Ἀ…Ἇ → ἀ
	{0x1F18, 0x1F1D, -8, 1},     // Ἐ…Ἕ → ἐ
	{0x1F28, 0x1F2F, -8, 1},     // Ἠ…Ἧ → ἠ
	{0x1F38, 0x1F3F, -8, 1},     // Ἰ…Ἷ → ἰ
	{0x1F48, 0x1F4D, -8, 1},     // Ὀ…Ὅ → ὀ
	{0x1F59, 0x1F5F, -8, 2},     // Ὑ…Ὗ → ὑ
	{0x1F68, 0x1F6F, -8, 1},     // Ὠ…Ὧ → ὠ
	{0x1F88, 0x1F8F, -8, 1},     // ᾈ…ᾏ → ᾀ
	{0x1F98, 0x1F9F, -8, 1},     // ᾘ…ᾟ → ᾐ
	{0x1FA8, 0x1FAF, -8, 1},     // ᾨ…ᾯ → ᾠ
	{0x1FB8, 0x1FB9, -8, 1},     // Ᾰ…Ᾱ → ᾰ
	{0x1FBA, 0x1FBB, -74, 1},    // Ὰ…Ά → ὰ
	{0x1FBC, 0x1FBC, -9, 1},     // ᾼ → ᾳ
	{0x1FBE, 0x1FBE, -7173, 1},  // ι → ι
	{0x1FC8, 0x1FCB, -86, 1},    // Ὲ…Ή → ὲ
	{0x1FCC, 0x1FCC, -9, 1},     // ῌ → ῃ
	{0x1FD8, 0x1FD9, -8, 1},     // Ῐ…Ῑ → ῐ
	{0x1FDA, 0x1FDB, -100, 1},   // Ὶ…Ί → ὶ
	{0x1FE8, 0x1FE9, -8, 1},     // Ῠ…Ῡ → ῠ
	{0x1FEA, 0x1FEB, -112, 1},   // Ὺ…Ύ → ὺ
	{0x1FEC, 0x1FEC, -7, 1},     // Ῥ → ῥ
	{0x1FF8, 0x1FF9, -128, 1},   // Ὸ…Ό → ὸ
	{0x1FFA, 0x1FFB, -126, 1},   // Ὼ…Ώ → ὼ
	{0x1FFC, 0x1FFC, -9, 1},     // ῼ → ῳ
	{0x2126, 0x2126, -7517, 1},  // Ω → ω
	{0x212A, 0x212A, -8383, 1},  // K → k
	{0x212B, 0x212B, -8262, 1},  // Å → å
	{0x2132, 0x2132, 28, 1},     // Ⅎ → ⅎ
	{0x2160, 0x216F, 16, 1},     // Ⅰ…Ⅿ → ⅰ
	{0x2183, 0x2183, 1, 1},      // Ↄ → ↄ
	{0x24B6, 0x24CF, 26, 1},     // Ⓐ…Ⓩ → ⓐ
	{0x2C00, 0x2C2E, 48, 1},     // Ⰰ…Ⱞ → ⰰ
	{0x2C60, 0x2C60, 1, 1},      // Ⱡ → ⱡ
	{0x2C62, 0x2C62, -10743, 1}, // Ɫ → ɫ
	{0x2C63, 0x2C63, -3814, 1},  // Ᵽ → ᵽ
	{0x2C64, 0x2C64, -10727, 1}, // Ɽ → ɽ
	{0x2C67, 0x2C6B, 1, 2},      // Ⱨ…Ⱬ → ⱨ
	{0x2C6D, 0x2C6D, -10780, 1}, // Ɑ → ɑ
	{0x2C6E, 0x2C6E, -10749, 1}, // Ɱ → ɱ
	{0x2C6F, 0x2C6F, -10783, 1}, // Ɐ → ɐ
	{0x2C70, 0x2C70, -10782, 1}, // Ɒ → ɒ
	{0x2C72, 0x2C72, 1, 1},      // Ⱳ → ⱳ
	{0x2C75, 0x2C75, 1, 1},      // Ⱶ → ⱶ
	{0x2C7E, 0x2C7F, -10815, 1}, // Ȿ…Ɀ → ȿ
	{0x2C80, 0x2CE2, 1, 2},      // Ⲁ…Ⳣ → ⲁ
	{0x2CEB, 0x2CED, 1, 2},      // Ⳬ…Ⳮ → ⳬ
	{0x2CF2, 0x2CF2, 1, 1},      // Ⳳ → ⳳ
	{0xA640, 0xA66C, 1, 2},      // Ꙁ…Ꙭ → ꙁ
	{0xA680, 0xA696, 1, 2},      // Ꚁ…Ꚗ → ꚁ
	{0xA722, 0xA72E, 1, 2},      // Ꜣ…Ꜯ → ꜣ
	{0xA732, 0xA76E, 1, 2},      // Ꜳ…Ꝯ → ꜳ
	{0xA779, 0xA77B, 1, 2},      // Ꝺ…Ꝼ → ꝺ
	{0xA77D, 0xA77D, -35332, 1}, // Ᵹ → ᵹ
	{0xA77E, 0xA786, 1, 2},      // Ꝿ…Ꞇ → ꝿ
	{0xA78B, 0xA78B, 1, 1},      // Ꞌ → ꞌ
	{0xA78D, 0xA78D, -42280, 1}, // Ɥ → ɥ
	{0xA790, 0xA792, 1, 2},      // Ꞑ…Ꞓ → ꞑ
	{0xA7A0, 0xA7A8, 1, 2},      // Ꞡ…Ꞩ → ꞡ
	{0xA7AA, 0xA7AA, -42308, 1}, // Ɦ → ɦ
	{0xFF21, 0xFF3A, 32, 1},     // Ａ…Ｚ → ａ
	{0xFFFE, 0xFFFE, -1, 1},     // ￾ → �
	{0xFFFF, 0xFFFF, -2, 1},     // ￿ → �
	{0x10400, 0x10427, 40, 1},   // 𐐀…𐐧 → 𐐨
}

// searchFoldRune is FTS5's folding of one code point.
func searchFoldRune(r rune) rune {
	if r < 0x80 {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	i := sort.Search(len(searchFoldRanges), func(i int) bool { return searchFoldRanges[i].hi >= r })
	if i < len(searchFoldRanges) {
		f := searchFoldRanges[i]
		if f.lo <= r && (r-f.lo)%f.stride == 0 {
			return r + f.delta
		}
	}
	return r
}

// SearchFold folds the letter case of s as the vendor name search does on
// both engines (FTS5's folding, code point by code point).
func SearchFold(s string) string {
	return strings.Map(searchFoldRune, s)
}
