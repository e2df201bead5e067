package publicity

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/mozillazg/go-pinyin"
)

// Full pinyin: citizens without a Chinese keyboard type names as they
// sound, "baojie" for 保洁, "tianjin jiazheng" for 天津…家政. A query of
// Latin letters is split into pinyin syllables (every way it can be:
// "xian" is xian or xi'an; the last syllable may be unfinished, "baoj"),
// and the syllables are matched against the readings of a name's
// characters, polyphonic characters with all their readings, in the same
// runs and pieces as initials.

var (
	syllablesOnce sync.Once
	syllables     map[string]uint64 // every pinyin syllable, tone-less ASCII ("lv" for lü), with its bloom bit
	syllablePre   map[string]bool   // every proper prefix of one
	readingsArgs  = pinyin.Args{Style: pinyin.Normal, Heteronym: true}
	readingsCache sync.Map // rune → []string
)

func loadSyllables() {
	syllablesOnce.Do(func() {
		set := map[string]bool{}
		for r := range pinyin.PinyinDict {
			for _, p := range pinyin.SinglePinyin(rune(r), readingsArgs) {
				if p != "" && strings.Trim(p, "abcdefghijklmnopqrstuvwxyz") == "" && !interjections[p] {
					set[p] = true
				}
			}
		}
		list := slices.Sorted(maps.Keys(set))
		syllables, syllablePre = make(map[string]uint64, len(list)), map[string]bool{}
		for i, s := range list {
			syllables[s] = 1 << (i % 64)
			for j := 1; j < len(s); j++ {
				syllablePre[s[:j]] = true
			}
		}
	})
}

// interjections are readings of a few exclamations (嗯 n, 呣 m, 哼 hng)
// that are not read as syllables of a name: "tianjin" is tian'jin, never
// tian'ji'n.
var interjections = map[string]bool{"n": true, "m": true, "ng": true, "hm": true, "hng": true}

// sylBloom is a character's summary of its readings: the OR of their
// syllables' bits (a quick "cannot be read so" test).
func sylBloom(r rune) uint64 {
	loadSyllables()
	var b uint64
	for _, p := range readings(r) {
		b |= syllables[p]
	}
	return b
}

// readings are the tone-less readings of a Han character in ASCII letters.
func readings(r rune) []string {
	if v, ok := readingsCache.Load(r); ok {
		return v.([]string)
	}
	var out []string
	if unicode.Is(unicode.Han, r) {
		for _, p := range pinyin.SinglePinyin(r, readingsArgs) {
			if p != "" && strings.Trim(p, "abcdefghijklmnopqrstuvwxyz") == "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	readingsCache.Store(r, out)
	return out
}

// syllableSplit is one reading of typed letters as syllables.
type syllableSplit struct {
	syl     []string
	partial bool   // the last syllable is unfinished (a prefix)
	init    uint32 // the syllables' initial letters
	bloom   uint64 // the finished syllables' bits
}

// maxSplits bounds how many readings of one query are tried.
const maxSplits = 8

// splitSyllables lists the ways letters split into pinyin syllables, the
// fewest syllables first; when none splits completely, the ways whose last
// syllable is unfinished. Nil when the letters are not pinyin at all.
func splitSyllables(letters string) []syllableSplit {
	loadSyllables()
	var complete, partial []syllableSplit
	var cur []string
	var walk func(rest string)
	walk = func(rest string) {
		if len(complete) >= maxSplits {
			return
		}
		if rest == "" {
			complete = append(complete, syllableSplit{syl: slices.Clone(cur)})
			return
		}
		if syllablePre[rest] && len(partial) < maxSplits {
			partial = append(partial, syllableSplit{syl: append(slices.Clone(cur), rest), partial: true})
		}
		for n := min(6, len(rest)); n >= 1; n-- {
			if syllables[rest[:n]] != 0 {
				cur = append(cur, rest[:n])
				walk(rest[n:])
				cur = cur[:len(cur)-1]
			}
		}
	}
	walk(letters)
	out := complete
	if len(out) == 0 {
		out = partial
	}
	slices.SortStableFunc(out, func(a, b syllableSplit) int { return len(a.syl) - len(b.syl) })
	for i := range out {
		s := &out[i]
		for j, syl := range s.syl {
			s.init |= 1 << (syl[0] - 'a')
			if !(s.partial && j == len(s.syl)-1) {
				s.bloom |= syllables[syl]
			}
		}
	}
	return out
}

// matchFullPinyin reports whether one of the splits matches a name (its
// initials masks and characters, as nameUnits returns them, and the OR of
// their initials and of their sylBloom).
func matchFullPinyin(splits []syllableSplit, masks []uint32, chars []rune, allInit uint32, bloom uint64) bool {
	for _, s := range splits {
		if allInit&s.init != s.init || bloom&s.bloom != s.bloom {
			continue
		}
		last := len(s.syl) - 1
		ok := matchUnits(len(s.syl), len(chars), func(i, p int) bool {
			syl := s.syl[i]
			if masks[p]&(1<<(syl[0]-'a')) == 0 {
				return false
			}
			for _, r := range readings(chars[p]) {
				if r == syl || (i == last && s.partial && strings.HasPrefix(r, syl)) {
					return true
				}
			}
			return false
		})
		if ok {
			return true
		}
	}
	return false
}

// pinyinOfWord reports whether letters are the whole word read in pinyin,
// every character in one of its readings ("yuesao" is 月嫂).
func pinyinOfWord(letters, word string) bool {
	chars := []rune(word)
	var from func(i int, rest string) bool
	from = func(i int, rest string) bool {
		if i == len(chars) {
			return rest == ""
		}
		for _, r := range readings(chars[i]) {
			if strings.HasPrefix(rest, r) && from(i+1, rest[len(r):]) {
				return true
			}
		}
		return false
	}
	return letters != "" && from(0, letters)
}
