package publicity_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"chengxin/internal/testdb"
	"chengxin/publicity"
	"chengxin/registry"
)

// searchFixture is a small catalog whose names carry what queries trip
// over: mixed case, full-width letters, quotes, %, _, brackets, spaces.
var searchFixture = []struct {
	prefix, name string
	districts    []string
	categories   []string
}{
	{"91120101MA0QRC001", "和平区示范家政服务有限公司", []string{"120101"}, []string{"cleaning", "housekeeping"}},
	{"91120103MA0QRC002", "天津河西保洁服务中心", []string{"120103"}, []string{"cleaning"}},
	{"91120104MA0QRC003", "ABC Home Services 天津", []string{"120104", "120116"}, []string{"appliance_repair"}},
	{"91120104MA0QRC004", "老王开锁（南开店）", []string{"120104"}, []string{"locksmith"}},
	{"91120102MA0QRC005", "津门月嫂·母婴护理", []string{"120102"}, []string{"maternity", "nanny"}},
	{"91120101MA0QRC006", "100% 好家政 _test_", []string{"120101"}, []string{"housekeeping"}},
	{"91120105MA0QRC007", `"引号"家政 O'Brien`, []string{"120105"}, []string{"eldercare"}},
	{"91120106MA0QRC008", "ＦＵＬＬ全角家政服务", []string{"120106"}, []string{"cleaning"}},
	{"91120116MA0QRC009", "滨海新区搬家公司", []string{"120116"}, []string{"moving"}},
	{"91120110MA0QRC010", "天津", []string{"120110"}, []string{"plumbing"}},
	{"91120111MA0QRC011", "NEAR OR AND 家政", []string{"120111"}, []string{"laundry"}},
	{"91120112MA0QRC012", "天津市津南区海河家政服务有限公司", []string{"120112", "120101"}, []string{"cleaning", "eldercare", "pest_control"}},
}

// FuzzSearch: any query, filters and paging; Search never fails, returns
// catalog vendors that pass the filters, pages the same list whatever the
// page asked for, counts the same matches in every sort order, and finds
// every vendor whose name contains each word of the query.
func FuzzSearch(f *testing.F) {
	ctx := context.Background()
	db, err := registry.Open(ctx, testdb.DSN(f, "search.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	now := time.Date(2025, 3, 15, 10, 0, 0, 0, registry.Shanghai)
	db.Now = func() time.Time { return now }
	byID := map[int64]registry.Vendor{}
	for i, v := range searchFixture {
		got, err := db.CreateVendor(ctx, registry.CLIActor, registry.VendorInput{USCC: registry.MustUSCC(v.prefix), Name: v.name,
			LegalRep: "张明", Phone: "022-1", Address: "天津", Districts: v.districts, Categories: v.categories})
		if err != nil {
			f.Fatalf("%s: %v", v.name, err)
		}
		if i%3 == 0 { // some evaluated (grade N without records), some not
			if _, err := db.EvaluateVendor(ctx, got.ID, now); err != nil {
				f.Fatal(err)
			}
		}
		byID[got.ID] = got
	}
	catalog := publicity.NewCatalog(db)

	for _, s := range []struct {
		q, cat, dist, grade, sort string
		page, per                 int
	}{
		{"家政", "", "", "", "", 1, 20}, {"保姆", "", "", "", "", 1, 20}, {"小时工 和平", "", "", "", "grade", 1, 5},
		{"tjjz", "", "", "", "", 1, 20}, {"9112010", "", "120101", "", "name", 1, 2}, {"91120101MA0QRC001", "", "", "", "", 1, 1},
		{"abc home", "", "", "", "score", 2, 1}, {"ＦＵＬＬ", "cleaning", "", "", "", 1, 20}, {"", "", "", "N", "grade", 1, 3},
		{`' OR 1=1 --`, "", "", "", "", 1, 20}, {`"; DROP TABLE vendors; --`, "' OR 1=1 --", "120101 OR 1=1", "A' --", "name; --", 1, 20},
		{"*", "", "", "", "", 1, 20}, {"NEAR(a b)", "", "", "", "", 1, 20}, {`"unterminated`, "", "", "", "", 1, 20},
		{"a OR b", "", "", "", "", 1, 20}, {"^", "", "", "", "", 1, 20}, {"\x00", "", "", "", "", 1, 20},
		{strings.Repeat("家", 10000), "", "", "", "", 1, 20}, {"%", "", "", "", "", 1, 20}, {"_", "", "", "", "", 1, 20},
		{"\xff\xfe\xc0", "\xff", "\xfe", "\xc0", "\x80", 1, 20}, {"ｔｊｊｚ 家政", "", "", "", "", 1, 20}, {`家政"`, "", "", "", "", 1, 20},
		{"家政", "", "", "", "", 1 << 62, 20}, {"家政", "", "", "", "", 9223372036854775807, 2}, {"", "", "", "", "", -5, -1},
		{"", "", "", "", "", 2, 100}, {"天津 ", "", "", "", "", 1, 101},
	} {
		f.Add(s.q, s.cat, s.dist, s.grade, s.sort, s.page, s.per)
	}

	f.Fuzz(func(t *testing.T, q, cat, dist, grade, sortKey string, page, per int) {
		query := publicity.SearchQuery{Q: q, Category: cat, District: dist, Grade: grade, Sort: sortKey, Page: page, PerPage: per}
		res, err := catalog.Search(ctx, query)
		if err != nil {
			t.Fatalf("Search(%+v): %v", query, err)
		}
		pg, pp := page, per
		if pg < 1 {
			pg = 1
		}
		if pp < 1 || pp > publicity.MaxPerPage {
			pp = publicity.DefaultPerPage
		}
		if len(res.Hits) > pp || res.Total < 0 || res.Total > len(searchFixture) {
			t.Fatalf("%d hits, total %d, per page %d", len(res.Hits), res.Total, pp)
		}
		seen := map[int64]bool{}
		for _, h := range res.Hits {
			v, ok := byID[h.ID]
			if !ok || v.USCC != h.USCC || v.Name != h.Name {
				t.Fatalf("hit %+v is not in the catalog", h)
			}
			if seen[h.ID] {
				t.Fatalf("%s twice on one page", h.USCC)
			}
			seen[h.ID] = true
			if cat != "" && !slices.Contains(h.Categories, cat) {
				t.Fatalf("%s (%v) passed the category filter %q", h.USCC, h.Categories, cat)
			}
			if dist != "" && !slices.Contains(h.Districts, dist) {
				t.Fatalf("%s (%v) passed the district filter %q", h.USCC, h.Districts, dist)
			}
		}

		// Every match, in this order: the page is its slice.
		all := query
		all.Page, all.PerPage = 1, publicity.MaxPerPage
		full, err := catalog.Search(ctx, all)
		if err != nil {
			t.Fatal(err)
		}
		if full.Total != res.Total || len(full.Hits) != full.Total {
			t.Fatalf("total %d on the page, %d (%d hits) on one page of all", res.Total, full.Total, len(full.Hits))
		}
		var want []publicity.Hit
		if pg-1 < (full.Total+pp-1)/pp { // the page exists (no overflowing offset)
			want = full.Hits[(pg-1)*pp : min(pg*pp, full.Total)]
		}
		if len(res.Hits) != len(want) {
			t.Fatalf("page %d of %d per page: %d hits, want %d of %d", pg, pp, len(res.Hits), len(want), full.Total)
		}
		for i := range want {
			if res.Hits[i].ID != want[i].ID {
				t.Fatalf("page %d of %d per page: hit %d is %s, want %s", pg, pp, i, res.Hits[i].USCC, want[i].USCC)
			}
		}

		// The same matches whatever the order.
		ids := func(hs []publicity.Hit) []int64 {
			out := make([]int64, len(hs))
			for i, h := range hs {
				out[i] = h.ID
			}
			slices.Sort(out)
			return out
		}
		for _, o := range publicity.SortOrders {
			other := all
			other.Sort = o
			r, err := catalog.Search(ctx, other)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(r.Hits), ids(full.Hits)) {
				t.Fatalf("sorted by %s: %d matches, by %q: %d", o, r.Total, sortKey, full.Total)
			}
		}

		// A name containing every word of the query is found (for words
		// whose letters fold the same in Go and in SQLite: ASCII and
		// characters without case).
		words := strings.Fields(q)
		if len(words) == 0 || utf8.RuneCountInString(strings.Join(words, " ")) > publicity.MaxQueryRunes || query.Problems()["category"] != "" ||
			query.Problems()["district"] != "" || query.Problems()["grade"] != "" || cat != "" || dist != "" || grade != "" {
			return
		}
		for _, w := range words {
			for _, r := range w {
				if !(r < utf8.RuneSelf && unicode.IsPrint(r)) && !(r >= utf8.RuneSelf && unicode.IsPrint(r) &&
					unicode.ToLower(r) == r && unicode.ToUpper(r) == r && unicode.SimpleFold(r) == r) {
					return
				}
			}
		}
		found := map[int64]bool{}
		for _, h := range full.Hits {
			found[h.ID] = true
		}
		for id, v := range byID {
			name := strings.ToLower(v.Name)
			contains := true
			for _, w := range words {
				contains = contains && strings.Contains(name, strings.ToLower(w))
			}
			if contains && !found[id] {
				t.Fatalf("%q: %q contains every word but was not found", q, v.Name)
			}
		}
	})
}
