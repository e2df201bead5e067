package publicity

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"

	"chengxin/registry"
)

// Catalog is the in-memory read model behind public search: one small
// entry per vendor (code, name, status, district and category bits, current
// evaluated grade and score, pinyin initials) that filters, sorts and pages
// 100,000 vendors in a few milliseconds, next to the FTS5 index that finds
// name substrings.
//
// It follows the table public_changes, to which triggers append the vendor
// of every change to what public pages show: Refresh reads the rows past
// the last seq it has seen (usually none: one indexed read) and reloads
// only those vendors. The caller decides how often to call it (the web
// layer: at most every 100 ms, and whenever a request asks for fresh data);
// reads use the state of the last Refresh, loading everything on first use.
// Version is that seq: cached pages carry it.
type Catalog struct {
	db *registry.DB

	refreshMu sync.Mutex // one refresher at a time

	latestOnce sync.Once
	latest     *sql.Stmt // SELECT max(seq): prepared, it runs on every request
	latestErr  error

	mu      sync.RWMutex // guards what follows; writers are refreshes
	loaded  bool
	seq     int64
	global  int64 // seq of the latest change to organisations or rules
	pos     map[int64]int32
	byUSCC  map[string]int32
	entries []entry
	terms   map[string][]string // short term → FTS trigrams that begin with it

	ordersMu sync.Mutex // guards orders (built lazily under mu.RLock)
	orders   map[string][]int32
}

// entry is one vendor in the catalog.
type entry struct {
	id         int64
	uscc, name string
	status     string
	districts  uint32   // bit i: registry.Districts()[i]
	categories uint32   // bit i: registry.Categories()[i]
	grade      string   // the headline's grade, "" when not evaluated
	score      float64  // the headline's score; -1 without one (N, an override with no publication)
	published  bool     // grade is published or set by an override in force (not only evaluated)
	dead       bool     // deleted from the register
	seq        int64    // latest public change to this vendor
	sortKey    string   // the name's pinyin sort key (vendors.name_pinyin)
	initials   []uint32 // see nameUnits
	chars      []rune   // see nameUnits
	allInit    uint32   // OR of initials
	bloom      uint64   // OR of runeBloom over the name's Chinese characters
	sylBloom   uint64   // OR of sylBloom over them
}

// NewCatalog returns an empty catalog over db; it loads on first use.
func NewCatalog(db *registry.DB) *Catalog {
	return &Catalog{db: db, pos: map[int64]int32{}, byUSCC: map[string]int32{}, terms: map[string][]string{}, orders: map[string][]int32{}}
}

// fullReloadAbove: past this many changed vendors one full scan is cheaper.
const fullReloadAbove = 20000

// Version returns the seq of the latest public change the catalog has
// seen. Pages cached at a version are valid while it holds.
func (c *Catalog) Version(ctx context.Context) (int64, error) {
	if err := c.ensureLoaded(ctx); err != nil {
		return 0, err
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.seq, nil
}

// Refresh brings the catalog up to the latest public change.
func (c *Catalog) Refresh(ctx context.Context) error { return c.refresh(ctx) }

// ensureLoaded loads the catalog when it never was.
func (c *Catalog) ensureLoaded(ctx context.Context) error {
	c.mu.RLock()
	loaded := c.loaded
	c.mu.RUnlock()
	if loaded {
		return nil
	}
	return c.refresh(ctx)
}

// latestSeq reads the seq of the latest public change.
func (c *Catalog) latestSeq(ctx context.Context) (int64, error) {
	c.latestOnce.Do(func() {
		c.latest, c.latestErr = c.db.Reader().PrepareContext(context.WithoutCancel(ctx), `SELECT coalesce(max(seq), 0) FROM public_changes`)
	})
	if c.latestErr != nil {
		return 0, fmt.Errorf("publicity: public changes: %w", c.latestErr)
	}
	var latest int64
	if err := c.latest.QueryRowContext(ctx).Scan(&latest); err != nil {
		return 0, fmt.Errorf("publicity: public changes: %w", err)
	}
	return latest, nil
}

// refresh reloads the vendors changed since the last refresh.
func (c *Catalog) refresh(ctx context.Context) error {
	c.mu.RLock()
	loaded, seq := c.loaded, c.seq
	c.mu.RUnlock()
	if loaded {
		latest, err := c.latestSeq(ctx)
		if err != nil {
			return err
		}
		if latest == seq {
			return nil
		}
	}
	c.refreshMu.Lock()
	defer c.refreshMu.Unlock()
	c.mu.RLock()
	loaded, seq = c.loaded, c.seq
	c.mu.RUnlock()

	latest, err := c.latestSeq(ctx)
	if err != nil {
		return err
	}
	if loaded && latest == seq {
		return nil
	}
	var ids []int64
	changed := map[int64]int64{} // vendor → its latest seq
	full := !loaded || latest-seq > fullReloadAbove
	if !full {
		var oldest int64
		if err := c.db.Reader().QueryRowContext(ctx, `SELECT coalesce(min(seq), 0) FROM public_changes`).Scan(&oldest); err != nil {
			return fmt.Errorf("publicity: public changes: %w", err)
		}
		full = oldest > seq+1 // pruned past what this catalog has seen
	}
	if !full {
		rows, err := c.db.Reader().QueryContext(ctx, `SELECT vendor_id, max(seq) FROM public_changes WHERE seq > ? AND seq <= ? GROUP BY vendor_id`, seq, latest)
		if err != nil {
			return fmt.Errorf("publicity: public changes: %w", err)
		}
		for rows.Next() {
			var id, s int64
			if err := rows.Scan(&id, &s); err != nil {
				rows.Close()
				return err
			}
			changed[id] = s
			if id != 0 {
				ids = append(ids, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	var fresh []entry
	if full {
		fresh, err = c.load(ctx, nil)
	} else if len(ids) > 0 {
		for start := 0; start < len(ids); start += 500 {
			part, err := c.load(ctx, ids[start:min(len(ids), start+500)])
			if err != nil {
				return err
			}
			fresh = append(fresh, part...)
		}
	}
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if full {
		c.entries, c.pos, c.byUSCC = c.entries[:0], make(map[int64]int32, len(fresh)), make(map[string]int32, len(fresh))
		c.global = latest
	} else if s, ok := changed[0]; ok {
		c.global = s
	}
	found := make(map[int64]bool, len(fresh))
	// Which sort orders the changes invalidate.
	members, names, codes, grades := full, full, full, full
	for _, e := range fresh {
		found[e.id] = true
		e.seq = latest
		if s, ok := changed[e.id]; ok {
			e.seq = s
		}
		if i, ok := c.pos[e.id]; ok {
			old := &c.entries[i]
			if old.name == e.name {
				e.initials, e.chars, e.allInit, e.bloom, e.sylBloom = old.initials, old.chars, old.allInit, old.bloom, old.sylBloom
			} else {
				names = true
			}
			if old.uscc != e.uscc {
				codes = true
				delete(c.byUSCC, old.uscc)
				c.byUSCC[e.uscc] = i
			}
			grades = grades || old.grade != e.grade || old.score != e.score
			members = members || old.dead
			*old = e
			continue
		}
		members = true
		c.pos[e.id] = int32(len(c.entries))
		c.byUSCC[e.uscc] = int32(len(c.entries))
		c.entries = append(c.entries, e)
	}
	for _, id := range ids { // changed but gone: deleted
		if i, ok := c.pos[id]; ok && !found[id] && !c.entries[i].dead {
			c.entries[i].dead, members = true, true
		}
	}
	for i := range c.entries {
		if e := &c.entries[i]; e.initials == nil && !e.dead {
			e.initials, e.chars = nameUnits(e.name)
			for j, m := range e.initials {
				e.allInit |= m
				if isHan(e.chars[j]) {
					e.bloom |= runeBloom(e.chars[j])
					e.sylBloom |= sylBloom(e.chars[j])
				}
			}
		}
	}
	if names || members {
		clear(c.terms)
	}
	c.ordersMu.Lock()
	if members {
		clear(c.orders)
	}
	if names {
		delete(c.orders, SortName)
	}
	if codes {
		clear(c.orders) // every order ends with the code
	}
	if grades {
		delete(c.orders, SortGrade)
		delete(c.orders, SortScore)
	}
	c.ordersMu.Unlock()
	c.loaded, c.seq = true, latest
	return nil
}

// load reads the catalog entries of ids (all vendors when ids is nil).
func (c *Catalog) load(ctx context.Context, ids []int64) ([]entry, error) {
	where, args := "", []any{}
	if ids != nil {
		where = ` WHERE v.id IN (` + strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",") + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	// The grade shown publicly is the headline's (HeadlineOf).
	args = append([]any{registry.FormatStorage(c.db.Now())}, args...)
	rows, err := c.db.Reader().QueryContext(ctx, `SELECT v.id, v.uscc, v.name, v.name_pinyin, v.status,
		coalesce((SELECT group_concat(district, ';') FROM vendor_districts WHERE vendor_id = v.id), ''),
		coalesce((SELECT group_concat(category, ';') FROM vendor_categories WHERE vendor_id = v.id), ''),
		`+registry.GradeFactsColumns+`
		FROM vendors v`+registry.GradeFactsJoins+where, args...)
	if err != nil {
		return nil, fmt.Errorf("publicity: load catalog: %w", err)
	}
	defer rows.Close()
	var out []entry
	var g registry.GradeFactsScanner
	for rows.Next() {
		var e entry
		var dists, cats string
		if err := rows.Scan(append([]any{&e.id, &e.uscc, &e.name, &e.sortKey, &e.status, &dists, &cats}, g.Dest()...)...); err != nil {
			return nil, err
		}
		if e.sortKey == "" { // written by a path that does not set it yet
			e.sortKey = registry.NamePinyinKey(e.name)
		}
		h := HeadlineOf(g.Facts())
		e.grade, e.score, e.published = h.Grade, h.ScoreSortKey(), h.Published()
		e.districts, e.categories = districtBits(dists), categoryBits(cats)
		out = append(out, e)
	}
	return out, rows.Err()
}

var (
	districtBit = map[string]uint32{}
	categoryBit = map[string]uint32{}
)

func init() {
	for i, d := range registry.Districts() {
		districtBit[d.Code] = 1 << i
	}
	for i, c := range registry.Categories() {
		categoryBit[c.Code] = 1 << i
	}
}

func districtBits(list string) uint32 {
	var m uint32
	for _, c := range strings.Split(list, ";") {
		m |= districtBit[c]
	}
	return m
}

func categoryBits(list string) uint32 {
	var m uint32
	for _, c := range strings.Split(list, ";") {
		m |= categoryBit[c]
	}
	return m
}

// gradeRank orders grades for sorting: A first, N after D, unevaluated last.
func gradeRank(g string) int {
	if i := slices.Index(Grades, g); i >= 0 {
		return i
	}
	return len(Grades)
}

// order returns the positions of live entries in the given sort order. The
// caller holds c.mu.RLock.
func (c *Catalog) order(key string) []int32 {
	c.ordersMu.Lock()
	defer c.ordersMu.Unlock()
	if o, ok := c.orders[key]; ok {
		return o
	}
	o := make([]int32, 0, len(c.entries))
	for i := range c.entries {
		if !c.entries[i].dead {
			o = append(o, int32(i))
		}
	}
	es := c.entries
	byUSCC := func(a, b int32) int { return strings.Compare(es[a].uscc, es[b].uscc) }
	var cmp func(a, b int32) int
	switch key {
	case SortName: // pinyin order, as Chinese readers expect names
		cmp = func(a, b int32) int {
			if r := strings.Compare(es[a].sortKey, es[b].sortKey); r != 0 {
				return r
			}
			return byUSCC(a, b)
		}
	case SortScore:
		cmp = func(a, b int32) int {
			ea, eb := &es[a], &es[b]
			if (ea.grade == "") != (eb.grade == "") {
				if ea.grade == "" {
					return 1
				}
				return -1
			}
			if ea.score != eb.score {
				if ea.score > eb.score {
					return -1
				}
				return 1
			}
			return byUSCC(a, b)
		}
	case SortGrade:
		cmp = func(a, b int32) int {
			ea, eb := &es[a], &es[b]
			if ra, rb := gradeRank(ea.grade), gradeRank(eb.grade); ra != rb {
				return ra - rb
			}
			if ea.score != eb.score {
				if ea.score > eb.score {
					return -1
				}
				return 1
			}
			return byUSCC(a, b)
		}
	default:
		cmp = byUSCC
	}
	slices.SortFunc(o, cmp)
	c.orders[key] = o
	return o
}

// shortTermTrigrams returns the trigrams of the FTS index that begin with
// term (one or two characters, lower-cased as the index folds case), cached
// until a name changes.
func (c *Catalog) shortTermTrigrams(ctx context.Context, term string) ([]string, error) {
	c.mu.RLock()
	t, ok := c.terms[term]
	c.mu.RUnlock()
	if ok {
		return t, nil
	}
	// Terms sort by their UTF-8 bytes; U+10FFFF sorts after any continuation.
	rows, err := c.db.Reader().QueryContext(ctx, `SELECT term FROM vendor_search_terms WHERE term >= ? AND term < ?`,
		term, term+"\U0010FFFF")
	if err != nil {
		return nil, fmt.Errorf("publicity: search terms: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		if strings.HasPrefix(s, term) {
			out = append(out, s)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.terms) >= 2000 {
		clear(c.terms)
	}
	c.terms[term] = out
	c.mu.Unlock()
	return out, nil
}
