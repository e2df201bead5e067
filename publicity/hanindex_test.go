package publicity

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"chengxin/internal/testdb"
	"chengxin/registry"
	"chengxin/registry/synth"
)

// TestChineseQueriesFromTheCatalog: a query of Chinese characters answered
// from the catalog's character index finds exactly what asking the name
// search finds — same vendors, same order, same totals — for words taken
// from real names (one to four characters, at the start, middle and end),
// characters out of order, spaced words, category words with other words,
// filters, sort orders and pages, and after names change.
func TestChineseQueriesFromTheCatalog(t *testing.T) {
	ctx := context.Background()
	db, err := registry.Open(ctx, testdb.DSN(t, "han.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 11, 20, 0, 0, 0, 0, registry.Shanghai)
	if _, err := synth.Generate(ctx, db, registry.CLIActor, synth.Options{Vendors: 1500, Events: 1500, Seed: 3, Now: now}); err != nil {
		t.Fatal(err)
	}
	indexed, asked := NewCatalog(db), NewCatalog(db)
	asked.noHanIndex = true

	queries := func() []string {
		var names []string
		if err := db.EachCatalogVendor(ctx, nil, now, func(v registry.CatalogVendor) error {
			names = append(names, v.Name)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(5, 5))
		qs := []string{"家政", "天津 家政", "保洁", "河西 保洁", "家政 保洁", "政家", "津天", "天", "家", "公司", "有限公司",
			"和平 家政 公司", "保洁 搬家", "月嫂", "不存在的名字", "鑫"}
		for range 150 {
			rs := []rune(names[rng.IntN(len(names))])
			n := 1 + rng.IntN(4)
			if len(rs) < n {
				continue
			}
			i := rng.IntN(len(rs) - n + 1)
			w := rs[i : i+n]
			if !hanOnly(string(w)) {
				continue
			}
			qs = append(qs, string(w))
			if n >= 2 && rng.IntN(3) == 0 {
				rev := slices.Clone(w)
				slices.Reverse(rev)
				qs = append(qs, string(rev))
			}
			if n >= 3 && rng.IntN(3) == 0 {
				qs = append(qs, string(w[:1])+" "+string(w[1:]))
			}
		}
		return qs
	}
	compare := func(when string) {
		t.Helper()
		checked := 0
		for i, text := range queries() {
			q := SearchQuery{Q: text, Page: 1 + i%3, PerPage: 7, Sort: SortOrders[i%len(SortOrders)]}
			if i%5 == 0 {
				q.Category = "housekeeping"
			}
			if i%7 == 0 {
				q.Grade = Grades[i%len(Grades)]
			}
			a, err := indexed.SearchIDs(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			b, err := asked.SearchIDs(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if a.Total != b.Total || !slices.Equal(a.IDs, b.IDs) || !slices.Equal(a.Categories, b.Categories) {
				t.Errorf("%s: %+v: from the catalog %d %v %v, from the name search %d %v %v", when, q,
					a.Total, a.IDs, a.Categories, b.Total, b.IDs, b.Categories)
			}
			if a.Total > 0 {
				checked++
			}
		}
		if checked < 50 {
			t.Errorf("%s: only %d queries matched anything: the comparison proves little", when, checked)
		}
	}
	compare("at first")

	// Renamed vendors: both catalogs catch up.
	var ids []int64
	if err := db.EachCatalogVendor(ctx, nil, now, func(v registry.CatalogVendor) error {
		if len(ids) < 10 {
			ids = append(ids, v.ID)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		v, err := db.FindVendorByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		in := registry.VendorInput{USCC: v.USCC, Name: fmt.Sprintf("天津鑫%s家政服务有限公司", string([]rune("甲乙丙丁戊己庚辛壬癸")[i])),
			LegalRep: v.LegalRep, Phone: v.Phone, Address: v.Address, Districts: v.Districts, Categories: v.Categories}
		if _, _, err := db.UpdateVendor(ctx, registry.CLIActor, in); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []*Catalog{indexed, asked} {
		if err := c.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	compare("after renames")
}

// TestPairSetsAreSubstringTests: a pair of characters in many names gets a
// bit set that holds exactly the live entries whose names contain the pair
// side by side (not split by another character, not a dead entry's); a
// pair in few names gets none.
func TestPairSetsAreSubstringTests(t *testing.T) {
	names := []string{"天津公司", "公司天津", "公-司", "公 司", "司公", "天津有限公司", "公公司", "一二三四五"}
	var entries []entry
	for range 40 {
		for _, n := range names {
			entries = append(entries, entry{name: n})
		}
	}
	entries = append(entries, entry{name: "公司", dead: true}, entry{name: "稀有的字"})
	idx := buildHanIndex(entries)
	for _, word := range []string{"公司", "天津", "司公", "公公", "有限"} {
		set := idx.pairSet(word)
		if set == nil {
			t.Fatalf("%s (in many names) has no pair set", word)
		}
		for i, e := range entries {
			want := !e.dead && strings.Contains(e.name, word)
			if got := set[i>>6]&(1<<(i&63)) != 0; got != want {
				t.Errorf("%s in entry %d %q (dead %v): set says %v", word, i, e.name, e.dead, got)
			}
		}
	}
	for _, word := range []string{"稀有", "公", "公司天"} { // one name; not a pair; three characters
		if idx.pairSet(word) != nil {
			t.Errorf("%s has a pair set", word)
		}
	}
}
