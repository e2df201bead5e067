package registry_test

import (
	"context"
	"slices"
	"testing"
)

// The name search's contract, whatever the engine: a vendor is found when
// its name contains every word, letters in any case, words of one and two
// characters included (a trigram index alone finds none of those), and
// query syntax is plain text.
func TestVendorsNamedWithAll(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	names := []string{
		"海河示例家政服务有限公司",
		"天津安心保洁有限公司",
		"ABC Cleaning 家政 Co",
		`"Quote" AND Star* 服务部`,
	}
	ids := make([]int64, len(names))
	for i, name := range names {
		in := vendorIn(usccN(7100 + i))
		in.Name = name
		v, err := db.CreateVendor(ctx, cli, in)
		if err != nil {
			t.Fatalf("CreateVendor %q: %v", name, err)
		}
		ids[i] = v.ID
	}
	s := db.NewNameSearch()
	find := func(words ...string) []int64 {
		t.Helper()
		got, err := s.VendorsNamedWithAll(ctx, words)
		if err != nil {
			t.Fatalf("VendorsNamedWithAll(%q): %v", words, err)
		}
		slices.Sort(got)
		return got
	}
	for _, c := range []struct {
		words []string
		want  []int64
	}{
		{[]string{"家政"}, []int64{ids[0], ids[2]}},
		{[]string{"家"}, []int64{ids[0], ids[2]}},
		{[]string{"保洁"}, []int64{ids[1]}},
		{[]string{"天津", "保洁"}, []int64{ids[1]}},
		{[]string{"家政", "保洁"}, nil},
		{[]string{"示例家政服务"}, []int64{ids[0]}},
		{[]string{"cleaning"}, []int64{ids[2]}},
		{[]string{"CLEAN"}, []int64{ids[2]}},
		{[]string{"ab"}, []int64{ids[2]}},
		{[]string{"c"}, []int64{ids[2]}},
		{[]string{`"quote"`}, []int64{ids[3]}},
		{[]string{"star*"}, []int64{ids[3]}},
		{[]string{"AND", "服务"}, []int64{ids[3]}},
		{[]string{"服务"}, []int64{ids[0], ids[3]}},
		{[]string{"不存在"}, nil},
		{[]string{"无"}, nil},
		{nil, nil},
	} {
		if got := find(c.words...); !slices.Equal(got, c.want) {
			t.Errorf("VendorsNamedWithAll(%q) = %v, want %v", c.words, got, c.want)
		}
	}

	// A renamed vendor is found by its new name once the search is told.
	if got := find("月嫂"); got != nil {
		t.Fatalf("月嫂 before the rename: %v", got)
	}
	in := vendorIn(usccN(7101))
	in.Name = "天津安心月嫂有限公司"
	if _, _, err := db.UpdateVendor(ctx, cli, in); err != nil {
		t.Fatal(err)
	}
	s.NamesChanged()
	if got := find("月嫂"); !slices.Equal(got, []int64{ids[1]}) {
		t.Errorf("月嫂 after the rename: %v, want [%d]", got, ids[1])
	}
	if got := find("保洁"); got != nil {
		t.Errorf("保洁 after the rename: %v, want none", got)
	}
}

// The public change log names each changed vendor with the seq of its
// latest change, and changes to what every page shows apart.
func TestChangeFeed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	f := db.NewChangeFeed()
	start, err := f.Latest(ctx)
	if err != nil || start < 1 {
		t.Fatalf("Latest on a new database = %d, %v; want the migration's first change", start, err)
	}
	if oldest, err := f.Oldest(ctx); err != nil || oldest < 1 || oldest > start {
		t.Fatalf("Oldest = %d, %v; want 1…%d", oldest, err, start)
	}
	a, err := db.CreateVendor(ctx, cli, vendorIn(usccN(7201)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := db.CreateVendor(ctx, cli, vendorIn(usccN(7202)))
	if err != nil {
		t.Fatal(err)
	}
	afterVendors, err := f.Latest(ctx)
	if err != nil || afterVendors <= start {
		t.Fatalf("Latest after two vendors = %d, %v; want more than %d", afterVendors, err, start)
	}
	ch, err := f.Since(ctx, start, afterVendors)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Global != 0 || len(ch.Vendors) != 2 || ch.Vendors[0].VendorID != a.ID || ch.Vendors[1].VendorID != b.ID ||
		ch.Vendors[1].Seq != afterVendors || ch.Vendors[0].Seq <= start || ch.Vendors[0].Seq >= ch.Vendors[1].Seq {
		t.Errorf("Since(%d, %d) = %+v; want vendors %d and %d, no global change", start, afterVendors, ch, a.ID, b.ID)
	}
	if _, err := db.CreateOrg(ctx, cli, orgIn(orgUSCC(72))); err != nil {
		t.Fatal(err)
	}
	latest, err := f.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ch, err = f.Since(ctx, afterVendors, latest)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Pages != latest || ch.Global != 0 || len(ch.Vendors) != 0 {
		t.Errorf("Since after an organisation = %+v; want a change %d to pages about no one vendor, no vendor's", ch, latest)
	}
	if ch, err := f.Since(ctx, latest, latest); err != nil || ch.Global != 0 || len(ch.Vendors) != 0 {
		t.Errorf("Since an empty range = %+v, %v", ch, err)
	}
}
