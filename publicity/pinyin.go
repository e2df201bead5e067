package publicity

import (
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
)

// nameUnits turns a name into what pinyin search compares, one unit per
// Han character or Latin letter (digits, punctuation and spaces are
// skipped): the character itself and a mask with bit (c − 'a') set when
// its pinyin may start with letter c. A polyphonic character sets the
// initials of all its readings (行: x and h, 重: z and c), which is cheap
// and finds the name whichever reading a citizen has in mind.
func nameUnits(name string) (masks []uint32, chars []rune) {
	n := utf8.RuneCountInString(name)
	masks, chars = make([]uint32, 0, n), make([]rune, 0, n)
	for _, r := range name {
		if m := runeInitials(r); m != 0 {
			masks, chars = append(masks, m), append(chars, r)
		}
	}
	return masks, chars
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

// lettersOf reads a query term as Latin letters: lower-cased, spaces
// ignored; ok is false when it holds anything else or is longer than 40.
func lettersOf(s string) (q []byte, mask uint32, ok bool) {
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
	return q, mask, len(q) > 0 && len(q) <= 40
}

// initialsQuery turns typed letters into the lower-case query and its
// letter mask; ok is false unless s is 2–16 Latin letters (spaces ignored).
func initialsQuery(s string) (q []byte, mask uint32, ok bool) {
	q, mask, ok = lettersOf(s)
	return q, mask, ok && len(q) >= 2 && len(q) <= 16
}

// matchInitials reports whether q (lower-case letters) matches a name's
// initials: as one contiguous run (tjhx → 天津河西…), or split into pieces
// of at least two letters that match contiguous runs in order (tjjz →
// 天津…家政…: citizens type the initials of the words they remember, and
// most Chinese words have two characters).
func matchInitials(q []byte, masks []uint32) bool {
	if len(q) < 2 {
		return false
	}
	return matchUnits(len(q), len(masks), func(i, p int) bool { return masks[p]&(1<<(q[i]-'a')) != 0 })
}

// matchUnits reports whether n query units (letters, syllables) match a
// name of m units in order: all of them as one contiguous run, or in
// pieces of at least two units, each a contiguous run, the pieces in
// order. unit(i, p) says whether query unit i matches name unit p.
func matchUnits(n, m int, unit func(i, p int) bool) bool {
	if n == 0 || m < n {
		return false
	}
	budget := 10000 // bounds the backtracking on pathological names
	for p := 0; p+n <= m; p++ {
		if runAt(0, n, p, unit) {
			return true
		}
	}
	return n >= 4 && matchPieces(0, n, 0, m, unit, &budget)
}

func runAt(from, to, p int, unit func(i, p int) bool) bool {
	for i := from; i < to; i++ {
		if !unit(i, p+i-from) {
			return false
		}
	}
	return true
}

// matchPieces matches units [i, n) from name position from on, in pieces
// of at least two units.
func matchPieces(i, n, from, m int, unit func(i, p int) bool, budget *int) bool {
	if i == n {
		return true
	}
	for k := n - i; k >= 2; k-- {
		if n-i-k == 1 {
			continue // a piece of one unit would match almost anything
		}
		for p := from; p+k <= m; p++ {
			if *budget--; *budget < 0 {
				return false
			}
			if runAt(i, i+k, p, unit) && matchPieces(i+k, n, p+k, m, unit, budget) {
				return true
			}
		}
	}
	return false
}
