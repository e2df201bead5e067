package publicity

import (
	"context"
	"slices"
	"strings"
	"sync"

	"chengxin/registry"
)

// Catalog is the in-memory read model behind public search: one small
// entry per vendor (code, name, status, district and category bits, current
// evaluated grade and score, pinyin initials) that filters, sorts and pages
// 100,000 vendors in a few milliseconds, next to the store's name search
// (registry.NameSearch) that finds name substrings.
//
// It follows the store's log of public changes (registry.ChangeFeed), which
// names the vendor of every change to what public pages show: Refresh reads
// the changes past the last seq it has seen (usually none: one indexed
// read) and reloads only those vendors. The caller decides how often to call it (the web
// layer: at most every 100 ms, and whenever a request asks for fresh data);
// reads use the state of the last Refresh, loading everything on first use.
// Version is that seq: cached pages carry it.
type Catalog struct {
	db      *registry.DB
	changes *registry.ChangeFeed
	names   *registry.NameSearch
	docs    *Documents // the rows of results

	refreshMu sync.Mutex // one refresher at a time

	mu      sync.RWMutex // guards what follows; writers are refreshes
	loaded  bool
	seq     int64
	pos     map[int64]int32
	byUSCC  map[string]int32
	entries []entry

	ordersMu sync.Mutex // guards orders and han (built lazily under mu.RLock)
	orders   map[string]sortOrder
	han      *hanIndex // nil: to build (hanIndexNow)

	noHanIndex bool // tests: ask the name search for Chinese queries too
}

// entry is one vendor in the catalog.
type entry struct {
	id         int64
	uscc, name string
	lower      string // the name in lower case (the same string when it has no upper case)
	status     string
	districts  uint32   // bit i: registry.Districts()[i]
	categories uint32   // bit i: registry.Categories()[i]
	grade      string   // the headline's grade, "" when not evaluated
	score      float64  // the headline's score; -1 without one (N, an override with no publication)
	published  bool     // grade is published or set by an override in force (not only evaluated)
	dead       bool     // deleted from the register
	sortKey    string   // the name's pinyin sort key (vendors.name_pinyin)
	initials   []uint32 // see nameUnits
	chars      []rune   // see nameUnits
	allInit    uint32   // OR of initials
	bloom      uint64   // OR of runeBloom over the name's Chinese characters
	sylBloom   uint64   // OR of sylBloom over them
}

// NewCatalog returns an empty catalog over db; it loads on first use.
func NewCatalog(db *registry.DB) *Catalog {
	return &Catalog{db: db, changes: db.NewChangeFeed(), names: db.NewNameSearch(), docs: NewDocuments(db),
		pos: map[int64]int32{}, byUSCC: map[string]int32{}, orders: map[string]sortOrder{}}
}

// Documents are the stored documents the catalog reads its rows from.
func (c *Catalog) Documents() *Documents { return c.docs }

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

// refresh reloads the vendors changed since the last refresh.
func (c *Catalog) refresh(ctx context.Context) error {
	c.mu.RLock()
	loaded, seq := c.loaded, c.seq
	c.mu.RUnlock()
	if loaded {
		latest, err := c.changes.Latest(ctx)
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

	latest, err := c.changes.Latest(ctx)
	if err != nil {
		return err
	}
	if loaded && latest == seq {
		return nil
	}
	var ids []int64
	full := !loaded || latest-seq > fullReloadAbove
	if !full {
		oldest, err := c.changes.Oldest(ctx)
		if err != nil {
			return err
		}
		full = oldest > seq+1 // pruned past what this catalog has seen
	}
	if !full {
		ch, err := c.changes.Since(ctx, seq, latest)
		if err != nil {
			return err
		}
		for _, v := range ch.Vendors {
			ids = append(ids, v.VendorID)
		}
	}
	var fresh []entry
	if full {
		// Allocated once at its size: the full load is the catalog's
		// memory peak (100,000 vendors: 20 MB of entries; growing a
		// slice would hold up to three times that at once).
		n, err := c.db.CountVendors(ctx)
		if err != nil {
			return err
		}
		fresh = make([]entry, 0, n+n/64+16) // room for vendors added meanwhile
		if fresh, err = c.load(ctx, nil, fresh); err != nil {
			return err
		}
	} else if len(ids) > 0 {
		for start := 0; start < len(ids); start += 500 {
			part, err := c.load(ctx, ids[start:min(len(ids), start+500)], nil)
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
	// Which sort orders the changes invalidate.
	members, names, codes, grades := full, full, full, full
	if full {
		// The loaded slice becomes the catalog: no second copy.
		c.entries, c.pos, c.byUSCC = fresh, make(map[int64]int32, len(fresh)), make(map[string]int32, len(fresh))
		for i := range c.entries {
			c.pos[c.entries[i].id], c.byUSCC[c.entries[i].uscc] = int32(i), int32(i)
		}
		fresh = nil
	}
	found := make(map[int64]bool, len(fresh))
	for _, e := range fresh {
		found[e.id] = true
		if i, ok := c.pos[e.id]; ok {
			old := &c.entries[i]
			if old.name == e.name {
				e.lower, e.initials, e.chars, e.allInit, e.bloom, e.sylBloom = old.lower, old.initials, old.chars, old.allInit, old.bloom, old.sylBloom
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
			e.lower = strings.ToLower(e.name)
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
		c.names.NamesChanged()
	}
	c.ordersMu.Lock()
	if names || members {
		c.han = nil
	}
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

// load appends the catalog entries of ids (all vendors when ids is nil) to out.
func (c *Catalog) load(ctx context.Context, ids []int64, out []entry) ([]entry, error) {
	// The grade shown publicly is the headline's (HeadlineOf).
	err := c.db.EachCatalogVendor(ctx, ids, c.db.Now(), func(v registry.CatalogVendor) error {
		e := entry{id: v.ID, uscc: v.USCC, name: v.Name, sortKey: v.SortKey, status: v.Status,
			districts: districtBits(v.Districts), categories: categoryBits(v.Categories)}
		h := HeadlineOf(v.Facts)
		e.grade, e.score, e.published = h.Grade, h.ScoreSortKey(), h.Published()
		out = append(out, e)
		return nil
	})
	return out, err
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

func districtBits(list []string) uint32 {
	var m uint32
	for _, c := range list {
		m |= districtBit[c]
	}
	return m
}

func categoryBits(list []string) uint32 {
	var m uint32
	for _, c := range list {
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

// sortOrder is the live entries in one sort order: pos lists their
// positions in that order, rank maps a position to its index in pos (-1:
// dead).
type sortOrder struct {
	pos  []int32
	rank []int32
}

// order returns the live entries in the given sort order. The caller holds
// c.mu.RLock.
func (c *Catalog) order(key string) sortOrder {
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
	rank := make([]int32, len(c.entries))
	for i := range rank {
		rank[i] = -1
	}
	for r, p := range o {
		rank[p] = int32(r)
	}
	so := sortOrder{pos: o, rank: rank}
	c.orders[key] = so
	return so
}
