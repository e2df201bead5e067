package publicity

import (
	"slices"
	"strings"
)

// A query of Chinese characters only is answered from the catalog alone:
// a name can match its words (contain them, or hold each of their
// characters) only if it holds every character of the query, so the
// catalog keeps, per character, the entries whose names hold it, and
// such a query looks at the intersection of those lists instead of every
// vendor. The name search's index (registry.NameSearch) is not asked: for
// Chinese characters "the name contains the word" is a substring test,
// which FTS5's case folding does not change.

// hanIndex maps a Chinese character to the positions of the live entries
// whose names hold it, ascending.
type hanIndex map[rune][]int32

// buildHanIndex indexes the names of entries.
func buildHanIndex(entries []entry) hanIndex {
	idx := hanIndex{}
	var seen []rune // of the name at hand
	for i := range entries {
		e := &entries[i]
		if e.dead {
			continue
		}
		seen = seen[:0]
		for _, r := range e.name {
			if !isHan(r) || slices.Contains(seen, r) {
				continue
			}
			seen = append(seen, r)
			idx[r] = append(idx[r], int32(i))
		}
	}
	return idx
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
func (idx hanIndex) holding(words []string) []int32 {
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
	slices.SortFunc(chars, func(a, b rune) int { return len(idx[a]) - len(idx[b]) })
	out := append([]int32{}, idx[chars[0]]...) // never nil: nil means "any entry"
	for _, r := range chars[1:] {
		if len(out) == 0 {
			break
		}
		out = intersectSorted(out, idx[r])
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
// Chinese characters).
func (c *Catalog) namedWithAll(positions []int32, words []string) []int32 {
	out := make([]int32, 0, len(positions)) // most candidates of a common word hold it
next:
	for _, p := range positions {
		for _, w := range words {
			if !strings.Contains(c.entries[p].name, w) {
				continue next
			}
		}
		out = append(out, p)
	}
	return out
}

// hanIndexNow returns the index of the catalog's names, building it when
// names changed since. The caller holds c.mu.RLock.
func (c *Catalog) hanIndexNow() hanIndex {
	c.ordersMu.Lock()
	defer c.ordersMu.Unlock()
	if c.han == nil {
		c.han = buildHanIndex(c.entries)
	}
	return c.han
}
