package publicity

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// A query of Chinese characters only is answered from the catalog alone:
// a name can match its words (contain them, or hold each of their
// characters) only if it holds every character of the query, so the
// catalog keeps, per character, the entries whose names hold it, and
// such a query looks at the intersection of those lists instead of every
// vendor. The name search's index (registry.NameSearch) is not asked: for
// Chinese characters "the name contains the word" is a substring test,
// which FTS5's case folding does not change.

// hanIndex is the character index of the catalog's names.
type hanIndex struct {
	// chars maps a Chinese character to the positions of the live entries
	// whose names hold it, ascending.
	chars map[rune][]int32
	// pairs holds, for each pair of Chinese characters side by side in
	// many names (pairSetShare of the live entries or more), the live
	// entries whose names hold the pair as a bit set of positions: whether
	// a name contains a two-character word found in most names (公司, 有限,
	// 天津) is then a bit test instead of a substring search, which was
	// most of such a search's time. A rarer pair is searched for among the
	// few names that hold both its characters.
	pairs map[[2]rune][]uint64
}

// pairSetShare: a pair of characters in one live name in this many or
// more has a bit set (a set of N positions costs N/8 bytes, the same as
// a list of N/32 of them).
const pairSetShare = 32

// buildHanIndex indexes the names of entries.
func buildHanIndex(entries []entry) *hanIndex {
	idx := &hanIndex{chars: map[rune][]int32{}, pairs: map[[2]rune][]uint64{}}
	var seen []rune // of the name at hand
	pairCount := map[[2]rune]int32{}
	var pairs [][2]rune // of the name at hand
	live := 0
	for i := range entries {
		e := &entries[i]
		if e.dead {
			continue
		}
		live++
		seen, pairs = seen[:0], pairs[:0]
		prev := rune(-1)
		for _, r := range e.name {
			if !isHan(r) {
				prev = -1
				continue
			}
			if prev >= 0 && !slices.Contains(pairs, [2]rune{prev, r}) {
				pairs = append(pairs, [2]rune{prev, r})
				pairCount[[2]rune{prev, r}]++
			}
			prev = r
			if slices.Contains(seen, r) {
				continue
			}
			seen = append(seen, r)
			idx.chars[r] = append(idx.chars[r], int32(i))
		}
	}
	for pair, n := range pairCount {
		if int(n)*pairSetShare >= live && n > 1 {
			idx.pairs[pair] = make([]uint64, (len(entries)+63)/64)
		}
	}
	if len(idx.pairs) == 0 {
		return idx
	}
	for i := range entries {
		e := &entries[i]
		if e.dead {
			continue
		}
		prev := rune(-1)
		for _, r := range e.name {
			if !isHan(r) {
				prev = -1
				continue
			}
			if prev >= 0 {
				if set := idx.pairs[[2]rune{prev, r}]; set != nil {
					set[i>>6] |= 1 << (i & 63)
				}
			}
			prev = r
		}
	}
	return idx
}

// pairSet returns the bit set of the live entries whose names contain
// word, when word is a pair of characters with one (see hanIndex.pairs).
func (idx *hanIndex) pairSet(word string) []uint64 {
	if idx == nil || len(idx.pairs) == 0 {
		return nil
	}
	r0, n0 := utf8.DecodeRuneInString(word)
	r1, n1 := utf8.DecodeRuneInString(word[n0:])
	if n0 == 0 || n1 == 0 || n0+n1 != len(word) {
		return nil
	}
	return idx.pairs[[2]rune{r0, r1}]
}

// hanOnly reports whether text (a normalised query) is words of Chinese
// characters only.
func hanOnly(text string) bool {
	if text == "" {
		return false
	}
	for _, r := range text {
		if r != ' ' && !isHan(r) {
			return false
		}
	}
	return true
}

// holding returns the positions of entries whose names hold every
// character of words, ascending: the shortest list first, then each
// other one intersected with it.
func (idx *hanIndex) holding(words []string) []int32 {
	var chars []rune
	for _, w := range words {
		for _, r := range w {
			if !slices.Contains(chars, r) {
				chars = append(chars, r)
			}
		}
	}
	if len(chars) == 0 {
		return nil
	}
	slices.SortFunc(chars, func(a, b rune) int { return len(idx.chars[a]) - len(idx.chars[b]) })
	out := append([]int32{}, idx.chars[chars[0]]...) // never nil: nil means "any entry"
	for _, r := range chars[1:] {
		if len(out) == 0 {
			break
		}
		out = intersectSorted(out, idx.chars[r])
	}
	return out
}

// intersectSorted keeps the elements of a (reused) also in b; both ascending.
func intersectSorted(a, b []int32) []int32 {
	out := a[:0]
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j == len(b) {
			break
		}
		if b[j] == x {
			out = append(out, x)
		}
	}
	return out
}

// namedWithAll returns, of positions, those whose names contain every one
// of words (as registry.NameSearch.VendorsNamedWithAll, for words of
// Chinese characters), looking a word up in han's pair sets where it has
// one.
func (c *Catalog) namedWithAll(han *hanIndex, positions []int32, words []string) []int32 {
	sets := make([][]uint64, len(words))
	for i, w := range words {
		sets[i] = han.pairSet(w)
	}
	out := make([]int32, 0, len(positions)) // most candidates of a common word hold it
next:
	for _, p := range positions {
		for i, w := range words {
			if set := sets[i]; set != nil {
				if set[p>>6]&(1<<(p&63)) == 0 {
					continue next
				}
			} else if !strings.Contains(c.entries[p].name, w) {
				continue next
			}
		}
		out = append(out, p)
	}
	return out
}

// hanIndexNow returns the index of the catalog's names, building it when
// names changed since. The caller holds c.mu.RLock.
func (c *Catalog) hanIndexNow() *hanIndex {
	c.ordersMu.Lock()
	defer c.ordersMu.Unlock()
	if c.han == nil {
		c.han = buildHanIndex(c.entries)
	}
	return c.han
}
