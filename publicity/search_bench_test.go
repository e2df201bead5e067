package publicity_test

import (
	"context"
	"testing"
	"time"

	"chengxin/internal/testdb"
	"chengxin/publicity"
	"chengxin/registry"
	"chengxin/registry/synth"
)

// BenchmarkSearch times the queries citizens type over a synthetic city of
// 20,000 vendors: two characters (公司 is in nearly every name), a spaced
// Chinese query, full pinyin, initials, a category, and browsing everyone
// by name.
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	db, err := registry.Open(ctx, testdb.DSN(b, "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 11, 20, 0, 0, 0, 0, registry.Shanghai)
	if _, err := synth.Generate(ctx, db, registry.CLIActor, synth.Options{Vendors: 20000, Events: 20000, Seed: 1, Now: now}); err != nil {
		b.Fatal(err)
	}
	c := publicity.NewCatalog(db)
	if _, err := c.Search(ctx, publicity.SearchQuery{}); err != nil {
		b.Fatal(err)
	}
	for _, q := range []publicity.SearchQuery{
		{Q: "家政"}, {Q: "公司"}, {Q: "天津 家政"}, {Q: "和平安心"}, {Q: "baojie"}, {Q: "tianjin jiazheng"}, {Q: "anxin"},
		{Q: "tjjz"}, {Category: "cleaning"}, {Sort: publicity.SortName},
	} {
		b.Run(q.Q+q.Category+q.Sort, func(b *testing.B) {
			for b.Loop() {
				if _, err := c.Search(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
