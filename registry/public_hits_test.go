package registry_test

import (
	"context"
	"testing"

	"chengxin/registry"
)

// TestSearchRowsFollowTheirDocuments: a document's search row (public_hits)
// and profile (public_profiles) are written with it, under the same rule
// (an older build never replaces a newer one), read through
// CurrentPartByID and DocumentsByID, and removed with it when its vendor
// is gone.
func TestSearchRowsFollowTheirDocuments(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t)
	v, err := db.CreateVendor(ctx, registry.CLIActor, vendorIn(usccN(1)))
	if err != nil {
		t.Fatal(err)
	}
	const ghost = 990001 // no such vendor
	doc := func(id, seq int64, hit string) registry.PublicDocument {
		return registry.PublicDocument{VendorID: id, USCC: usccN(int(id)), Seq: seq, ETag: `"e"`, BuiltAt: db.Now(),
			Detail: []byte(`{}`), Item: []byte(`{}`), Profile: []byte("profile " + hit), Hit: []byte(hit)}
	}
	latest, err := db.DocumentsCheckedThrough(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var seq int64
	if err := db.ReadPoolForTest().QueryRow(`SELECT coalesce(max(seq), 0) FROM public_changes`).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	seq = max(seq, latest)
	if err := db.PutDocuments(ctx, []registry.PublicDocument{doc(v.ID, seq, `{"n":2}`), doc(ghost, seq, `{"n":"ghost"}`)}, nil); err != nil {
		t.Fatal(err)
	}
	// An older build of the same vendor arrives late: neither part changes.
	if err := db.PutDocuments(ctx, []registry.PublicDocument{doc(v.ID, seq-1, `{"n":1}`)}, nil); err != nil {
		t.Fatal(err)
	}
	hits, err := db.CurrentPartByID(ctx, []int64{v.ID}, registry.PartHit, db.Now())
	if err != nil || string(hits[v.ID]) != `{"n":2}` {
		t.Fatalf("current hit = %q, %v; want the newer build's", hits[v.ID], err)
	}
	read, err := db.DocumentsByID(ctx, []int64{v.ID}, registry.PartHit|registry.PartProfile, db.Now())
	if err != nil || string(read[v.ID].Hit) != `{"n":2}` || string(read[v.ID].Profile) != `profile {"n":2}` {
		t.Fatalf("DocumentsByID hit %q, profile %q, %v; want the newer build's", read[v.ID].Hit, read[v.ID].Profile, err)
	}
	if n := count(t, db, "public_hits"); n != 2 {
		t.Fatalf("%d search rows, want 2", n)
	}
	if n := count(t, db, "public_profiles"); n != 2 {
		t.Fatalf("%d profiles, want 2", n)
	}
	if err := db.DeleteDocuments(ctx, []int64{v.ID, ghost}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "public_hits"); n != 1 {
		t.Errorf("%d search rows after the ghost's removal, want the live vendor's only", n)
	}
	if n := count(t, db, "public_profiles"); n != 1 {
		t.Errorf("%d profiles after the ghost's removal, want the live vendor's only", n)
	}
	if n := count(t, db, "public_documents"); n != 1 {
		t.Errorf("%d documents after the ghost's removal, want 1", n)
	}
}
