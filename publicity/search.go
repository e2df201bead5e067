package publicity

import (
	"context"
	mathbits "math/bits"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"chengxin/registry"
)

// Search orders.
const (
	SortRelevance = "relevance" // the default: best kind of match, then USCC
	SortGrade     = "grade"     // A first, not-yet-rated last, then score
	SortScore     = "score"     // highest score first
	SortName      = "name"      // the name in pinyin order (registry.NamePinyinKey)
)

// SortOrders lists the accepted sort values.
var SortOrders = []string{SortRelevance, SortGrade, SortScore, SortName}

// Grades lists the grades in order, best first; N is "not yet rated".
var Grades = []string{"A", "B", "C", "D", "N"}

// Paging limits of search.
const (
	DefaultPerPage = 20
	MaxPerPage     = 100
	// MaxQueryRunes: no name is longer, so a longer query matches nothing.
	MaxQueryRunes = 200
)

// SearchQuery is a public search. Empty fields match everything.
type SearchQuery struct {
	Q        string
	Category string // service category code
	District string // GB/T 2260 district code
	Grade    string // current evaluated grade
	Sort     string // one of SortOrders; "" = relevance
	Page     int    // 1-based
	PerPage  int
}

// Problems returns a message key per invalid field (nil when valid): the
// API answers 400 with them, pages ignore the bad filter and say so.
func (q SearchQuery) Problems() map[string]string {
	p := map[string]string{}
	if q.Category != "" {
		if _, ok := registry.CategoryByCode(q.Category); !ok {
			p["category"] = "pub.bad_category"
		}
	}
	if q.District != "" {
		if _, ok := registry.DistrictByCode(q.District); !ok {
			p["district"] = "pub.bad_district"
		}
	}
	if q.Grade != "" && !slices.Contains(Grades, q.Grade) {
		p["grade"] = "pub.bad_grade"
	}
	if q.Sort != "" && !slices.Contains(SortOrders, q.Sort) {
		p["sort"] = "pub.bad_sort"
	}
	if q.Page < 1 {
		p["page"] = "pub.bad_page"
	}
	if q.PerPage < 1 || q.PerPage > MaxPerPage {
		p["per_page"] = "pub.bad_per_page"
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

// Hit is one search result with the figures a result list shows.
type Hit struct {
	ID                 int64
	USCC, Name, Status string
	Districts          []string
	Categories         []string
	Headline
	CallbacksCounted   int // callbacks in the three-year window (latest evaluation)
	Satisfied          int // satisfied or basically satisfied among them
	Rated              int // callbacks with a rating (not unreachable)
	ComplaintsReceived int
	ComplaintsMerged   int // duplicates about the same service order among them
	ComplaintsCounted  int
}

// SearchResult is one page of hits and the number of all matches.
type SearchResult struct {
	Hits  []Hit
	IDs   []int64 // the vendors of Hits (SearchIDs: without them)
	Total int
	// Categories are the categories the query named (shown as "includes
	// vendors in category …").
	Categories []string
}

// Search finds vendors. q is read by NormalizeQuery (a space between
// Chinese characters is dropped) and matches, best first: a whole USCC or
// name; a name containing every word of q (registry.NameSearch, a trigram
// index that finds one- and two-character words too);
// a partial USCC (four characters or more, with a digit); a category named
// by a word of q (its name or a synonym; with other words, those must be
// in the name); names where every word is found, some by their full pinyin
// ("baojie" 保洁, "tianjin jiazheng"); names holding every character of
// a Chinese word, in any order, or every piece of it as typed between
// spaces; the pinyin initials of the name ("tjjz"). SQL and search-index
// syntax in q is plain text. Filters, sorting and paging run over the in-memory
// catalog. Callers that select the category a query names as a filter
// (Interpret) pass the rest of the query here.
func (c *Catalog) Search(ctx context.Context, q SearchQuery) (SearchResult, error) {
	return c.search(ctx, q, true)
}

// SearchIDs is Search without the rows: the page's vendor ids (IDs) and
// the total, for callers that read other parts of the vendors' documents.
func (c *Catalog) SearchIDs(ctx context.Context, q SearchQuery) (SearchResult, error) {
	return c.search(ctx, q, false)
}

func (c *Catalog) search(ctx context.Context, q SearchQuery, rows bool) (SearchResult, error) {
	var res SearchResult
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage < 1 || q.PerPage > MaxPerPage {
		q.PerPage = DefaultPerPage
	}
	text := NormalizeQuery(q.Q)
	if utf8.RuneCountInString(text) > MaxQueryRunes {
		return res, nil // longer than any name: nothing can match
	}
	if err := c.ensureLoaded(ctx); err != nil {
		return res, err
	}
	var m *matcher
	var err error
	if !hanOnly(text) || c.noHanIndex {
		if m, err = c.matcher(ctx, q.Q, text, nil); err != nil { // asks the name search: outside the lock
			return res, err
		}
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if m == nil {
		if m, err = c.matcher(ctx, q.Q, text, c.hanIndexNow()); err != nil {
			return res, err
		}
	}
	res.Categories = m.categories
	var marks *tierMarks // the entries the query matches; nil: no query, every entry
	if text != "" {
		marks = m.tiers(c)
		defer marks.release()
	}
	var dist, cat uint32
	if q.District != "" {
		if dist = districtBit[q.District]; dist == 0 {
			return res, nil
		}
	}
	if q.Category != "" {
		if cat = categoryBit[q.Category]; cat == 0 {
			return res, nil
		}
	}
	filtered := dist != 0 || cat != 0 || q.Grade != ""
	passes := func(p int32) bool {
		e := &c.entries[p]
		return (dist == 0 || e.districts&dist != 0) && (cat == 0 || e.categories&cat != 0) && (q.Grade == "" || e.grade == q.Grade)
	}
	offset := registry.PageOffset(q.Page, q.PerPage) // a page too far out to count to is past the end, not page 1
	var page []int32
	sortKey := q.Sort
	if sortKey == "" {
		sortKey = SortRelevance
	}
	order := c.order(sortKey)
	switch {
	case marks != nil:
		// Only the matches are looked at, never every vendor: grouped by
		// tier for relevance (best first, each in code order), else one
		// group, then put in the order's sequence (pageOf).
		groupOf := func(p int32) int { // -1: left out
			t := marks.tier[p]
			switch {
			case t == 0 || order.rank[p] < 0 || (filtered && !passes(p)):
				return -1
			case sortKey == SortRelevance:
				return int(t - 1)
			}
			return 0
		}
		// Counted first, then placed: one slice for every group (a common
		// word's group grew through a dozen copies).
		var sizes [numTiers]int
		for _, p := range marks.touched {
			if g := groupOf(p); g >= 0 {
				sizes[g]++
			}
		}
		var groups [numTiers][]int32
		all, at := make([]int32, 0, len(marks.touched)), 0
		for g, n := range sizes {
			groups[g] = all[at : at : at+n]
			at += n
		}
		for _, p := range marks.touched {
			if g := groupOf(p); g >= 0 {
				groups[g] = append(groups[g], p)
			}
		}
		page, res.Total = pageOf(order, groups[:], offset, q.PerPage)
	case !filtered:
		res.Total = len(order.pos)
		if offset < len(order.pos) {
			page = order.pos[offset:min(len(order.pos), offset+q.PerPage)]
		}
	default:
		for _, p := range order.pos {
			if passes(p) {
				if res.Total >= offset && len(page) < q.PerPage {
					page = append(page, p)
				}
				res.Total++
			}
		}
	}
	res.IDs = make([]int64, len(page))
	for i, p := range page {
		res.IDs[i] = c.entries[p].id
	}
	if rows {
		res.Hits, err = c.docs.Hits(ctx, res.IDs, c.db.Now())
	}
	return res, err
}

// pageOf returns how many positions groups hold (each a set of live
// entries, the groups disjoint) and the page of them at offset: the groups
// one after another, each in the sequence of order. A group is put in
// sequence by sorting it when it is small, else through a bit set over
// the order's ranks (one pass over len(order.pos)/64 words, whatever the
// group's size).
func pageOf(order sortOrder, groups [][]int32, offset, perPage int) (page []int32, total int) {
	var bits []uint64
	for _, g := range groups {
		if len(g) == 0 {
			continue
		}
		if total+len(g) <= offset || len(page) == perPage {
			total += len(g) // wholly before or after the page
			continue
		}
		from := offset - total // the group's first on the page, when positive
		if len(g) < len(order.pos)/1024 {
			slices.SortFunc(g, func(a, b int32) int { return int(order.rank[a] - order.rank[b]) })
			for i, p := range g {
				if i >= from && len(page) < perPage {
					page = append(page, p)
				}
			}
			total += len(g)
			continue
		}
		if bits == nil {
			bits = make([]uint64, (len(order.pos)+63)/64)
		} else {
			clear(bits)
		}
		for _, p := range g {
			r := order.rank[p]
			bits[r>>6] |= 1 << (r & 63)
		}
		seen := 0
	scan:
		for w, word := range bits {
			for word != 0 {
				if seen >= from && len(page) < perPage {
					page = append(page, order.pos[w*64+mathbits.TrailingZeros64(word)])
				} else if len(page) == perPage {
					break scan
				}
				word &= word - 1
				seen++
			}
		}
		total += len(g)
	}
	return page, total
}

// Match tiers, best first.
const (
	tierExact     = iota // the whole USCC or name
	tierName             // the name contains every word
	tierCode             // a partial USCC
	tierCategory         // a category the query names
	tierPinyin           // every word found, some by full pinyin
	tierScattered        // every character of a Chinese word, or every piece typed
	tierInitials         // pinyin initials
	numTiers
)

// matcher holds what a query matches, worked out before the catalog is
// read, or for a query of Chinese characters from the catalog itself
// (hanindex.go).
type matcher struct {
	text       string
	names      []int64 // vendors whose name contains every word (NameSearch; nil with namePos)
	namePos    []int32 // the same as catalog positions (a query the character index answers)
	candidates []int32 // a Chinese query: the only entries its words can match; nil: any
	code       string  // normalised query when it looks like a (partial) USCC
	catMask    uint32  // categories named by a one-word query
	catParts   []catPart
	words      []*wordMatch // each word of the query
	letters    *wordMatch   // all the query's words as one run of letters ("tian jin")
	categories []string
}

// catPart: vendors in one of cats whose name contains the query's other words.
type catPart struct {
	cats  uint32
	names map[int64]bool
}

// wordMatch is what one word of a query matches besides name substrings.
type wordMatch struct {
	ids    map[int64]bool // names containing the word (NameSearch)
	inName []uint64       // the same as a bit set of catalog positions (a Chinese query), instead of ids
	han    []rune         // its characters, when it is two Chinese characters or more
	bloom  uint64         // of han
	// held: every entry it is tested against holds all of han (a query the
	// character index answers tests only its candidates), so the
	// scattered test need not look.
	held     bool
	pieces   []string        // the pieces typed between spaces, lower case, when there were several
	splits   []syllableSplit // its full pinyin readings (a word of letters)
	initials []byte          // a word of 2–16 letters read as initials
	initMask uint32
}

// matcher works out what the query matches. With han (a query of Chinese
// characters, the caller holding c.mu.RLock) names are matched in the
// catalog; otherwise the name search is asked.
func (c *Catalog) matcher(ctx context.Context, typed, text string, han *hanIndex) (*matcher, error) {
	m := &matcher{text: text}
	if text == "" {
		return m, nil
	}
	terms := strings.Fields(text)
	// namedWithAll: the vendors whose names contain every one of words,
	// as ids from the name search, or as catalog positions from the
	// character index (no ids then: a common word is in most names, and
	// looking each one up again cost more than the rest of the search).
	namedWithAll := func(words []string) ([]int64, []int32, error) {
		if han == nil {
			ids, err := c.names.VendorsNamedWithAll(ctx, words)
			return ids, nil, err
		}
		return nil, c.namedWithAll(han, m.candidates, words), nil
	}
	var err error
	if han != nil {
		m.candidates = han.holding(terms)
	}
	if m.names, m.namePos, err = namedWithAll(terms); err != nil {
		return nil, err
	}
	if code := strings.ReplaceAll(registry.NormalizeUSCC(text), " ", ""); isCodeFragment(code) && len(code) >= 4 {
		m.code = code
	}
	for i, t := range terms {
		cats := categoriesFor(t)
		if len(cats) == 0 {
			continue
		}
		m.categories = append(m.categories, cats...)
		var mask uint32
		for _, code := range cats {
			mask |= categoryBit[code]
		}
		if len(terms) == 1 {
			m.catMask = mask
			continue
		}
		others := slices.Delete(slices.Clone(terms), i, i+1)
		var ids []int64
		if han != nil {
			// Not only among m.candidates: this word need not be in the name.
			pos := c.namedWithAll(han, han.holding(others), others)
			for _, p := range pos {
				ids = append(ids, c.entries[p].id)
			}
		} else if ids, err = c.names.VendorsNamedWithAll(ctx, others); err != nil {
			return nil, err
		}
		part := catPart{cats: mask, names: make(map[int64]bool, len(ids))}
		for _, id := range ids {
			part.names[id] = true
		}
		m.catParts = append(m.catParts, part)
	}
	m.categories = uniq(m.categories)
	pieces := typedPieces(typed, terms)
	for i, t := range terms {
		w := &wordMatch{}
		if han != nil {
			inName := m.namePos // one word: the names that contain it
			if len(terms) > 1 {
				inName = c.namedWithAll(han, m.candidates, terms[i:i+1])
			}
			w.inName = make([]uint64, (len(c.entries)+63)/64)
			for _, p := range inName {
				w.inName[p>>6] |= 1 << (p & 63)
			}
		} else {
			ids := m.names
			if len(terms) > 1 {
				if ids, err = c.names.VendorsNamedWithAll(ctx, terms[i:i+1]); err != nil {
					return nil, err
				}
			}
			w.ids = make(map[int64]bool, len(ids))
			for _, id := range ids {
				w.ids[id] = true
			}
		}
		w.setHan(t)
		w.held = han != nil && w.han != nil
		if len(pieces[i]) > 1 {
			w.pieces = pieces[i]
		}
		w.setLetters(t)
		m.words = append(m.words, w)
	}
	if len(terms) > 1 {
		if letters, _, ok := lettersOf(text); ok {
			m.letters = &wordMatch{}
			m.letters.setLetters(string(letters))
		}
	}
	return m, nil
}

// typedPieces maps each normalised term to the pieces it was typed in
// (lower case): "天津 家政" was typed as 天津 and 家政.
func typedPieces(typed string, terms []string) [][]string {
	fields := strings.Fields(typed)
	out := make([][]string, len(terms))
	j := 0
	for i, t := range terms {
		var acc string
		for j < len(fields) && acc != t {
			acc += fields[j]
			out[i] = append(out[i], strings.ToLower(fields[j]))
			j++
		}
	}
	return out
}

func (w *wordMatch) setHan(t string) {
	for _, r := range t {
		if !isHan(r) {
			w.han = nil
			return
		}
		w.han = append(w.han, r)
		w.bloom |= runeBloom(r)
	}
	if len(w.han) < 2 {
		w.han = nil
	}
}

func (w *wordMatch) setLetters(t string) {
	letters, _, ok := lettersOf(t)
	if !ok {
		return
	}
	if len(letters) >= 2 {
		w.splits = splitSyllables(string(letters))
	}
	w.initials, w.initMask, ok = initialsQuery(string(letters))
	if !ok {
		w.initials = nil
	}
}

// runeBloom is a character's bit in a name's 64-bit summary of its
// Chinese characters (a quick "cannot contain" test).
func runeBloom(r rune) uint64 { return 1 << ((uint32(r) * 2654435761) >> 26) }

// inNameOf: e (at position p) has the word in its name.
func (w *wordMatch) inNameOf(e *entry, p int32) bool {
	if w.inName != nil {
		return w.inName[p>>6]&(1<<(p&63)) != 0
	}
	return w.ids[e.id]
}

// tier is the best tier at which the word matches e (at position p), or -1.
func (w *wordMatch) tier(e *entry, p int32) int8 {
	switch {
	case w.inNameOf(e, p):
		return tierName
	case w.splits != nil && matchFullPinyin(w.splits, e.initials, e.chars, e.allInit, e.sylBloom):
		return tierPinyin
	case w.han != nil && (w.held || e.bloom&w.bloom == w.bloom && containsAll(e.name, w.han)):
		return tierScattered
	case w.pieces != nil && containsPieces(e.lower, w.pieces):
		return tierScattered
	case w.initials != nil && e.allInit&w.initMask == w.initMask && matchInitials(w.initials, e.initials):
		return tierInitials
	}
	return -1
}

func containsAll(name string, han []rune) bool {
	for _, r := range han {
		if !strings.ContainsRune(name, r) {
			return false
		}
	}
	return true
}

// containsPieces: the name (in lower case) contains every piece.
func containsPieces(lower string, pieces []string) bool {
	for _, p := range pieces {
		if !strings.Contains(lower, p) {
			return false
		}
	}
	return true
}

// tierMarks are the entries a query matches: tier[p] is the best tier +
// 1 at which the entry at position p matches (0: none), touched the
// positions marked. The slice is as long as the catalog and reused from
// one query to the next (release clears what was marked), so a query costs
// what it matches, not what the catalog holds.
type tierMarks struct {
	tier    []int8
	touched []int32
}

var tierMarksPool sync.Pool

// newTierMarks returns empty marks for a catalog of n entries.
func newTierMarks(n int) *tierMarks {
	if t, ok := tierMarksPool.Get().(*tierMarks); ok && len(t.tier) == n {
		return t
	}
	return &tierMarks{tier: make([]int8, n)}
}

// mark records that the entry at p matches at tier, unless it matches at
// a better one.
func (t *tierMarks) mark(p int32, tier int8) {
	switch old := t.tier[p]; {
	case old == 0:
		t.touched = append(t.touched, p)
		t.tier[p] = tier + 1
	case old > tier+1:
		t.tier[p] = tier + 1
	}
}

// release clears the marks and returns them for reuse.
func (t *tierMarks) release() {
	for _, p := range t.touched {
		t.tier[p] = 0
	}
	if cap(t.touched) > 1<<16 {
		t.touched = nil // a query that matched most of a large catalog
	} else {
		t.touched = t.touched[:0]
	}
	tierMarksPool.Put(t)
}

// tiers marks every catalog entry the query matches with its best tier.
// The caller holds c.mu.RLock.
func (m *matcher) tiers(c *Catalog) *tierMarks {
	t := newTierMarks(len(c.entries))
	t.touched = slices.Grow(t.touched, len(m.names)+len(m.namePos))
	mark := t.mark
	exactOrName := func(p int32) {
		if c.entries[p].name == m.text {
			mark(p, tierExact)
		} else {
			mark(p, tierName)
		}
	}
	for _, id := range m.names {
		if p, ok := c.pos[id]; ok {
			exactOrName(p)
		}
	}
	for _, p := range m.namePos {
		exactOrName(p)
	}
	// A partial code and the categories the query names: every entry.
	if m.code != "" || m.catMask != 0 || len(m.catParts) > 0 {
		for i := range c.entries {
			e, p := &c.entries[i], int32(i)
			if e.dead || t.tier[p] == tierExact+1 {
				continue
			}
			if m.code != "" {
				if e.uscc == m.code {
					mark(p, tierExact)
				} else if strings.Contains(e.uscc, m.code) {
					mark(p, tierCode)
				}
			}
			if e.categories&m.catMask != 0 {
				mark(p, tierCategory)
			}
			for _, part := range m.catParts {
				if e.categories&part.cats != 0 && part.names[e.id] {
					mark(p, tierCategory)
				}
			}
		}
	}
	// The words: every entry, or only the candidates of a Chinese query.
	words := func(p int32) {
		e := &c.entries[p]
		if e.dead || (t.tier[p] != 0 && t.tier[p] <= tierPinyin) {
			return // nothing below can do better
		}
		if worst := m.wordsTier(e, p); worst >= 0 {
			mark(p, worst)
		}
		if m.letters != nil {
			if w := m.letters.tier(e, p); w > tierName {
				mark(p, w)
			}
		}
	}
	if m.candidates != nil {
		for _, p := range m.candidates {
			words(p)
		}
	} else {
		for i := range c.entries {
			words(int32(i))
		}
	}
	return t
}

// mayMatch is a quick test: false when the word cannot match e (at position p).
func (w *wordMatch) mayMatch(e *entry, p int32) bool {
	if w.inNameOf(e, p) || w.pieces != nil {
		return true
	}
	if w.han != nil && e.bloom&w.bloom == w.bloom {
		return true
	}
	if w.initials != nil && e.allInit&w.initMask == w.initMask {
		return true
	}
	for _, s := range w.splits {
		if e.allInit&s.init == s.init && e.sylBloom&s.bloom == s.bloom {
			return true
		}
	}
	return false
}

// wordsTier is the tier at which every word of the query matches e (at
// position p; the worst of their best), or -1 when one does not.
func (m *matcher) wordsTier(e *entry, p int32) int8 {
	for _, w := range m.words {
		if !w.mayMatch(e, p) {
			return -1
		}
	}
	var worst int8 = -1
	for _, w := range m.words {
		tier := w.tier(e, p)
		if tier < 0 {
			return -1
		}
		worst = max(worst, tier)
	}
	return worst
}

// isCodeFragment: upper-case letters and digits with at least one digit
// (a partial USCC; "TJJZ" is more likely pinyin initials).
func isCodeFragment(s string) bool {
	digit := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'A' && c <= 'Z':
		default:
			return false
		}
	}
	return digit
}

func uniq(s []string) []string {
	var out []string
	for _, x := range s {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
