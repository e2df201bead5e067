package registry_test

import (
	"context"
	"math"
	"testing"

	"chengxin/registry"
)

// A page number so large that its offset overflows is past the end, not
// the first page again under that number (a wrapped offset is negative,
// which SQLite reads as 0).
func TestFindVendorsPageOverflow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	for i := 1; i <= 3; i++ {
		if _, err := db.CreateVendor(ctx, cli, vendorIn(usccN(900+i))); err != nil {
			t.Fatal(err)
		}
	}
	for _, page := range []int{math.MaxInt, math.MaxInt/2 + 1, math.MaxInt/25 + 2, 3} {
		vs, total, err := db.FindVendors(ctx, registry.VendorFilter{Page: page, PerPage: 2})
		if err != nil {
			t.Fatal(err)
		}
		if total != 3 || len(vs) != 0 {
			t.Errorf("page %d of 2: %d vendors of %d, want none of 3", page, len(vs), total)
		}
	}
	if vs, _, _ := db.FindVendors(ctx, registry.VendorFilter{Page: 2, PerPage: 2}); len(vs) != 1 {
		t.Errorf("page 2 of 2: %d vendors, want 1", len(vs))
	}
	// Why pages are clamped: SQLite reads a negative OFFSET as none (a
	// wrapped page number would show page 1); PostgreSQL refuses it.
	var n int
	err := db.ReadPoolForTest().QueryRow(`SELECT count(*) FROM (SELECT 1 FROM vendors LIMIT 2 OFFSET -4) AS page`).Scan(&n)
	if db.Engine() == "postgres" {
		if err == nil {
			t.Errorf("PostgreSQL took a negative OFFSET: the reason for this test changed")
		}
	} else if err != nil || n != 2 {
		t.Errorf("a negative OFFSET gives %d rows (%v): the reason for this test changed", n, err)
	}
}

func TestPageOffset(t *testing.T) {
	for _, c := range []struct{ page, per, want int }{
		{1, 20, 0}, {3, 20, 40}, {0, 20, 0}, {-7, 20, 0}, {2, 0, 0},
		{math.MaxInt, 1, math.MaxInt - 1}, {math.MaxInt, 2, math.MaxInt}, {math.MaxInt/20 + 1, 20, math.MaxInt / 20 * 20},
		{math.MaxInt/20 + 2, 20, math.MaxInt},
	} {
		if got := registry.PageOffset(c.page, c.per); got != c.want {
			t.Errorf("PageOffset(%d, %d) = %d, want %d", c.page, c.per, got, c.want)
		}
	}
}
