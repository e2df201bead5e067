package publicity

import (
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
)

// initialsOf turns a name into one mask per Han character or Latin letter:
// bit (c − 'a') is set when the character's pinyin may start with letter c.
// A polyphonic character sets the initials of all its readings (行: x and h,
// 重: z and c), which is cheap and finds the name whichever reading a
// citizen has in mind. Digits, punctuation and spaces are skipped.
func initialsOf(name string) []uint32 {
	out := make([]uint32, 0, utf8.RuneCountInString(name))
	for _, r := range name {
		if m := runeInitials(r); m != 0 {
			out = append(out, m)
		}
	}
	return out
}

// initialsCache maps a Han rune to its initials mask; go-pinyin is consulted
// once per distinct character.
var initialsCache sync.Map

var pinyinArgs = pinyin.Args{Style: pinyin.FirstLetter, Heteronym: true}

func runeInitials(r rune) uint32 {
	switch {
	case r >= 'a' && r <= 'z':
		return 1 << (r - 'a')
	case r >= 'A' && r <= 'Z':
		return 1 << (r - 'A')
	case r >= 'ａ' && r <= 'ｚ': // full-width Latin
		return 1 << (r - 'ａ')
	case r >= 'Ａ' && r <= 'Ｚ':
		return 1 << (r - 'Ａ')
	case r < utf8.RuneSelf || !unicode.Is(unicode.Han, r):
		return 0
	}
	if m, ok := initialsCache.Load(r); ok {
		return m.(uint32)
	}
	var m uint32
	for _, p := range pinyin.SinglePinyin(r, pinyinArgs) {
		if p != "" && p[0] >= 'a' && p[0] <= 'z' {
			m |= 1 << (p[0] - 'a')
		}
	}
	initialsCache.Store(r, m)
	return m
}

// initialsQuery turns typed letters into the lower-case query and its
// letter mask; ok is false unless s is 2–16 Latin letters (spaces ignored).
func initialsQuery(s string) (q []byte, mask uint32, ok bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c < 'a' || c > 'z':
			return nil, 0, false
		}
		q = append(q, c)
		mask |= 1 << (c - 'a')
	}
	return q, mask, len(q) >= 2 && len(q) <= 16
}

// matchInitials reports whether q (lower-case letters) matches a name's
// initials: as one contiguous run (tjhx → 天津河西…), or split into pieces
// of at least two letters that match contiguous runs in order (tjjz →
// 天津…家政…: citizens type the initials of the words they remember, and
// most Chinese words have two characters).
func matchInitials(q []byte, masks []uint32) bool {
	if len(q) < 2 || len(masks) < len(q) {
		return false
	}
	budget := 10000 // bounds the backtracking on pathological names
	return matchPieces(q, masks, 0, &budget)
}

func matchPieces(q []byte, masks []uint32, from int, budget *int) bool {
	if len(q) == 0 {
		return true
	}
	for n := len(q); n >= 2; n-- {
		if len(q)-n == 1 {
			continue // a piece of one letter would match almost anything
		}
		for p := from; p+n <= len(masks); p++ {
			if *budget--; *budget < 0 {
				return false
			}
			if runMatches(q[:n], masks[p:p+n]) && matchPieces(q[n:], masks, p+n, budget) {
				return true
			}
		}
	}
	return false
}

func runMatches(q []byte, masks []uint32) bool {
	for i, c := range q {
		if masks[i]&(1<<(c-'a')) == 0 {
			return false
		}
	}
	return true
}
