package registry_test

import (
	"context"
	"slices"
	"testing"
)

// Two reads with a subquery in FROM (PostgreSQL before 16 wants it named):
// the built-in rules' "in force since" and search results' summaries, whose
// district and category codes come in code order.
func TestRulesInForceAndVendorSummaries(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t)
	a, err := db.RulesInForce(ctx)
	if err != nil || !a.Builtin || a.Since.IsZero() {
		t.Fatalf("RulesInForce = %+v, %v; want the built-in rules since the first migration", a, err)
	}
	in := vendorIn(usccN(1))
	in.Districts, in.Categories = []string{"120104", "120101"}, []string{"moving", "cleaning"}
	v, err := db.CreateVendor(ctx, regulator, in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.VendorSummaries(ctx, []int64{v.ID}, t0)
	if err != nil {
		t.Fatal(err)
	}
	s := got[v.ID]
	if s.USCC != v.USCC || !slices.Equal(s.Districts, []string{"120101", "120104"}) || !slices.Equal(s.Categories, []string{"cleaning", "moving"}) {
		t.Errorf("VendorSummaries = %+v", s)
	}
}
