package publicity_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"chengxin/publicity"
	"chengxin/registry"
	"chengxin/scoring"
)

// docWalk follows one vendor's stored public document through every kind
// of change that affects what the public sees of it.
type docWalk struct {
	*walk
	docs *publicity.Documents
}

// stored reads the vendor's stored document, every part, at the store's clock.
func (w *docWalk) stored() (registry.DocumentRead, bool) {
	w.t.Helper()
	got, err := w.db.DocumentsByID(context.Background(), []int64{w.id}, registry.PartDetail|registry.PartItem|registry.PartProfile|registry.PartHit, w.db.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	d, ok := got[w.id]
	return d, ok
}

// fresh builds the vendor's document from the records at the store's clock.
func (w *docWalk) fresh() registry.PublicDocument {
	w.t.Helper()
	docs, err := w.docs.Build(context.Background(), []int64{w.id}, w.db.Now())
	if err != nil || len(docs) != 1 {
		w.t.Fatalf("build: %v (%d documents)", err, len(docs))
	}
	return docs[0]
}

// sameDocument fails unless a equals b in everything a reader sees.
func sameDocument(t *testing.T, step string, a, b registry.PublicDocument) {
	t.Helper()
	if !bytes.Equal(a.Detail, b.Detail) {
		t.Errorf("%s: vendor JSON differs from a build from scratch:\nstored %s\nfresh  %s", step, a.Detail, b.Detail)
	}
	if !bytes.Equal(a.Item, b.Item) {
		t.Errorf("%s: list item differs:\nstored %s\nfresh  %s", step, a.Item, b.Item)
	}
	if a.Hit != nil && !bytes.Equal(a.Hit, b.Hit) { // read with PartHit
		t.Errorf("%s: search row differs:\nstored %s\nfresh  %s", step, a.Hit, b.Hit)
	}
	if !bytes.Equal(a.Profile, b.Profile) {
		t.Errorf("%s: profile differs:\nstored %s\nfresh  %s", step, a.Profile, b.Profile)
	}
	if a.ETag != b.ETag || a.USCC != b.USCC || (a.ValidUntil == nil) != (b.ValidUntil == nil) ||
		(a.ValidUntil != nil && !a.ValidUntil.Equal(*b.ValidUntil)) {
		t.Errorf("%s: stored %s %s until %v, fresh %s %s until %v", step, a.USCC, a.ETag, a.ValidUntil, b.USCC, b.ETag, b.ValidUntil)
	}
}

// changed runs after a change: the stored document is no longer current
// (the change was noticed), the builder's catch-up makes it current again
// and equal to a build from scratch.
func (w *docWalk) changed(step string) registry.PublicDocument {
	w.t.Helper()
	before, ok := w.stored()
	if !ok {
		w.t.Fatalf("%s: no stored document", step)
	}
	if before.Current {
		w.t.Errorf("%s: the stored document still counts as current", step)
	}
	w.searchRowsCurrent(step, nil) // the search rows' read sees it too
	if _, err := w.docs.CatchUp(context.Background(), false); err != nil {
		w.t.Fatalf("%s: catch up: %v", step, err)
	}
	after, ok := w.stored()
	if !ok || !after.Current {
		w.t.Fatalf("%s: after catch-up: stored %v, current %v", step, ok, after.Current)
	}
	w.searchRowsCurrent(step, &after.PublicDocument)
	fresh := w.fresh()
	sameDocument(w.t, step, after.PublicDocument, fresh)
	if bytes.Equal(before.Detail, after.Detail) && bytes.Equal(before.Profile, after.Profile) {
		w.t.Errorf("%s: the document did not change", step)
	}
	return after.PublicDocument
}

// searchRowsCurrent checks what lists and search read of the vendor's
// document (CurrentPartByID: the hit and the list item, current only):
// nothing when want is nil (not current), else want's.
func (w *docWalk) searchRowsCurrent(step string, want *registry.PublicDocument) {
	w.t.Helper()
	for _, part := range []registry.DocumentParts{registry.PartHit, registry.PartItem} {
		got, err := w.db.CurrentPartByID(context.Background(), []int64{w.id}, part, w.db.Now())
		if err != nil {
			w.t.Fatalf("%s: %v", step, err)
		}
		b, ok := got[w.id]
		switch {
		case want == nil && ok:
			w.t.Errorf("%s: part %d of a document not current was read as current", step, part)
		case want == nil:
		case !ok:
			w.t.Errorf("%s: part %d of the current document was not read", step, part)
		case part == registry.PartHit && !bytes.Equal(b, want.Hit):
			w.t.Errorf("%s: hit read %s, stored %s", step, b, want.Hit)
		case part == registry.PartItem && !bytes.Equal(b, want.Item):
			w.t.Errorf("%s: item read %s, stored %s", step, b, want.Item)
		}
	}
}

// vendor decodes the stored document's vendor.
func (w *docWalk) vendor() publicity.Vendor {
	w.t.Helper()
	d, _ := w.stored()
	v, err := publicity.DecodeVendor(d.PublicDocument)
	if err != nil {
		w.t.Fatal(err)
	}
	return v
}

// TestEveryChangeUpdatesTheStoredDocument: each kind of change to what the
// public sees of a vendor — registration, evaluation, publication, a
// pending downgrade and its maturing, sanctions and their ending, an
// override and its expiry, a reply, memberships, an organisation's
// rename, a vendor edit, a predecessor, new rules — leaves its stored
// document not current until rebuilt, and once rebuilt (by the builder,
// or by a reader) equal to a build from scratch.
func TestEveryChangeUpdatesTheStoredDocument(t *testing.T) {
	w := &docWalk{walk: newWalk(t)}
	w.docs = publicity.NewDocuments(w.db)
	ctx := context.Background()

	if n, err := w.docs.CatchUp(ctx, true); err != nil || n != 1 {
		t.Fatalf("first catch-up: built %d, %v; want the one vendor", n, err)
	}
	first, _ := w.stored()
	sameDocument(t, "registered", first.PublicDocument, w.fresh())
	if first.ValidUntil == nil {
		t.Error("an unevaluated vendor's document does not end with the day (its statistics window ends today)")
	}

	w.at("2026-01-01 01:00")
	if _, err := w.db.EvaluateVendor(ctx, w.id, w.db.Now()); err != nil {
		t.Fatal(err)
	}
	w.changed("evaluated")
	if v := w.vendor(); v.Evaluation == nil || v.Grade != nil {
		t.Errorf("evaluated, before publication: evaluation %v, grade %v", v.Evaluation, v.Grade)
	}

	w.at("2026-01-01 02:00")
	w.publish("2026-01-01 02:00")
	w.changed("published")
	if v := w.vendor(); v.Grade == nil || *v.Grade != "A" || len(v.History) != 1 {
		t.Fatalf("after the first run: grade %v, history %v", v.Grade, v.History)
	}

	w.at("2026-12-31 23:00") // the hotline's records arrive later than they happened
	w.complaints(8, day("2026-01-20 09:00"))
	w.at("2026-02-01 02:00")
	w.publish("2026-02-01 02:00")
	doc := w.changed("downgrade pending")
	if v := w.vendor(); v.Pending == nil || doc.ValidUntil == nil {
		t.Fatalf("pending downgrade: %+v, document valid until %v", v.Pending, doc.ValidUntil)
	}

	w.at("2026-02-10 10:00")
	if _, err := w.db.SubmitReply(ctx, vendorUser, w.id, "我们已全面整改"); err != nil {
		t.Fatal(err)
	}
	cases, err := w.db.FindCases(ctx, registry.CaseFilter{VendorID: w.id})
	if err != nil || len(cases) == 0 {
		t.Fatalf("cases: %v %v", cases, err)
	}
	if err := w.db.DecideCase(ctx, regulator, cases[0].ID, registry.DecisionApprove, "内容属实", ""); err != nil {
		t.Fatal(err)
	}
	w.changed("reply approved")

	// The objection period ends: the scheduler publishes the downgrade.
	w.at("2026-02-16 10:00")
	if n, err := w.db.PublishMaturedPending(ctx, registry.SystemActor); err != nil || n != 1 {
		t.Fatalf("matured: %d %v", n, err)
	}
	w.changed("downgrade published")
	if v := w.vendor(); v.Grade == nil || *v.Grade != "C" || v.Pending != nil {
		t.Fatalf("after maturing: grade %v, pending %+v", v.Grade, v.Pending)
	}
	w.at("2026-03-01 02:00")
	w.publish("2026-03-01 02:00")
	w.changed("run confirmed the grade")

	w.at("2026-03-05 10:00")
	insertSanction(t, w.walk, "fine", day("2026-03-05 09:00"))
	w.changed("sanction")
	if v := w.vendor(); len(v.Sanctions) != 1 {
		t.Fatalf("sanctions shown: %+v", v.Sanctions)
	}

	if err := w.db.SetOverride(ctx, regulator, w.id, "D", "涉嫌虚假宣传，调查期间", "2026-04-01"); err != nil {
		t.Fatal(err)
	}
	doc = w.changed("override")
	if v := w.vendor(); v.Override == nil || doc.ValidUntil == nil {
		t.Fatalf("override: %+v, valid until %v", v.Override, doc.ValidUntil)
	}
	w.at("2026-04-02 10:00")
	w.changed("override expired")
	if v := w.vendor(); v.Override != nil {
		t.Fatalf("expired override still shown: %+v", v.Override)
	}

	org, err := w.db.CreateOrg(ctx, registry.CLIActor, registry.OrgInput{USCC: registry.MustUSCC("51120103MA0XH0001"), Name: "天津示例家政服务业协会",
		Kind: "association", District: "120103", ContactPhone: "022-8888 0000"})
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := w.stored(); !d.Current {
		t.Error("a new organisation made a non-member's document not current")
	}
	assoc := registry.Actor{Kind: "user", Name: "assoc", Role: registry.RoleAssociation}
	vendor, err := w.db.FindVendorByID(ctx, w.id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.OnboardMember(ctx, assoc, org.ID, registry.VendorInput{USCC: vendor.USCC, Name: vendor.Name, LegalRep: vendor.LegalRep,
		Phone: vendor.Phone, Address: vendor.Address, Districts: vendor.Districts, Categories: vendor.Categories}); err != nil {
		t.Fatal(err)
	}
	if err := w.db.RespondToMembership(ctx, vendorUser, w.id, org.USCC, registry.MemberAccept); err != nil {
		t.Fatal(err)
	}
	w.changed("membership")
	if v := w.vendor(); len(v.Memberships) != 1 {
		t.Fatalf("memberships: %+v", v.Memberships)
	}
	rename := "uscc,name,kind,district,contact_phone\n" + org.USCC + ",天津市家政服务业协会,association,120103,022-8888 0000\n"
	if rep, err := w.db.ImportOrgs(ctx, strings.NewReader(rename), registry.ImportOptions{Actor: registry.CLIActor}); err != nil || rep.Rejected > 0 {
		t.Fatalf("rename: %+v %v", rep, err)
	}
	w.changed("organisation renamed")
	if v := w.vendor(); v.Memberships[0].OrgName != "天津市家政服务业协会" {
		t.Fatalf("member's document shows %q", v.Memberships[0].OrgName)
	}

	edit := registry.VendorInput{USCC: vendor.USCC, Name: "天津测试家政服务有限公司", LegalRep: vendor.LegalRep, Phone: vendor.Phone,
		Address: vendor.Address, Districts: []string{"120101", "120102"}, Categories: vendor.Categories,
		RegisteredAt: "2023-01-01", InsuranceValidUntil: "2030-01-01"}
	if _, _, err := w.db.UpdateVendor(ctx, registry.CLIActor, edit); err != nil {
		t.Fatal(err)
	}
	w.changed("vendor edited")

	old, err := w.db.CreateVendor(ctx, registry.CLIActor, registry.VendorInput{USCC: registry.MustUSCC("91120101MA0JW0001"), Name: "天津旧家政有限公司",
		LegalRep: "王", Phone: "022-2", Address: "天津", Districts: []string{"120101"}, Categories: []string{"cleaning"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.LinkPredecessor(ctx, regulator, w.id, old.USCC, "同一经营者注销后重新登记"); err != nil {
		t.Fatal(err)
	}
	w.changed("predecessor linked")

	r := scoring.DefaultRules()
	r.Version, r.Grades.A = "HSCS-TEST", 95
	if err := w.db.AdoptRules(ctx, regulator, r); err != nil {
		t.Fatal(err)
	}
	if d, _ := w.stored(); d.Current {
		t.Error("new rules left the document current")
	}
	if _, err := w.db.EvaluateVendor(ctx, w.id, w.db.Now()); err != nil {
		t.Fatal(err)
	}
	w.changed("rules adopted, evaluated again")

	if _, err := w.db.SetVendorStatus(ctx, regulator, vendor.USCC, registry.VendorSuspended, "停业整顿"); err != nil {
		t.Fatal(err)
	}
	w.changed("suspended")

	// A reader finds a document not current and builds it itself.
	if _, err := w.db.SetVendorStatus(ctx, regulator, vendor.USCC, registry.VendorActive, "整顿完毕"); err != nil {
		t.Fatal(err)
	}
	read, err := w.docs.ByUSCC(ctx, vendor.USCC, registry.PartDetail|registry.PartItem|registry.PartProfile, w.db.Now())
	if err != nil {
		t.Fatal(err)
	}
	sameDocument(t, "read after reinstatement", read, w.fresh())
	if d, _ := w.stored(); !d.Current {
		t.Error("the document a reader built was not stored")
	}
}

// TestDocumentsFollowEveryVendor: a catch-up builds the documents of every
// vendor a change names and of vendors with none, and removes nothing of
// live vendors; list items come back in the order asked.
func TestDocumentsFollowEveryVendor(t *testing.T) {
	w := newWalk(t)
	ctx := context.Background()
	docs := publicity.NewDocuments(w.db)
	var ids []int64
	for i := 2; i <= 6; i++ {
		v, err := w.db.CreateVendor(ctx, registry.CLIActor, registry.VendorInput{USCC: registry.MustUSCC("91120101MA0PUB00" + string(rune('0'+i))),
			Name: "天津家政" + string(rune('甲'+i)) + "有限公司", LegalRep: "王", Phone: "022-1", Address: "天津", Districts: []string{"120101"},
			Categories: []string{"cleaning"}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, v.ID)
	}
	if n, err := docs.CatchUp(ctx, true); err != nil || n != 6 {
		t.Fatalf("catch-up built %d, %v; want 6", n, err)
	}
	if n, err := docs.CatchUp(ctx, true); err != nil || n != 0 {
		t.Fatalf("second catch-up built %d, %v; want none", n, err)
	}
	order := []int64{ids[3], w.id, ids[0]}
	items, err := docs.Items(ctx, order, w.db.Now())
	if err != nil || len(items) != 3 {
		t.Fatalf("items: %d, %v", len(items), err)
	}
	for i, id := range order {
		v, _ := w.db.FindVendorByID(ctx, id)
		if !bytes.Contains(items[i], []byte(v.USCC)) {
			t.Errorf("item %d is not vendor %s: %s", i, v.USCC, items[i])
		}
	}
	if _, err := docs.ByUSCC(ctx, registry.MustUSCC("91120101MA0NUL001"), registry.PartDetail, w.db.Now()); !publicity.IsNotFound(err) {
		t.Errorf("unknown code: %v, want not found", err)
	}
	// The log of changes is never pruned past what the builder has done.
	through, err := w.db.DocumentsCheckedThrough(ctx)
	if err != nil || through == 0 {
		t.Fatalf("checked through %d, %v", through, err)
	}
}

// TestReaderServesWhatItBuiltWhileTheWriterIsHeld: a reader that finds its
// vendor's document not current while another process holds the database
// for writing (a publication run writes every vendor in one transaction)
// serves the document it built, current, within a moment — no error, no
// wait for the lock — and says the store failed; the builder stores it
// once the lock is free.
func TestReaderServesWhatItBuiltWhileTheWriterIsHeld(t *testing.T) {
	w := &docWalk{walk: newWalk(t)}
	w.docs = publicity.NewDocuments(w.db)
	ctx := context.Background()
	if _, err := w.docs.CatchUp(ctx, true); err != nil {
		t.Fatal(err)
	}
	w.at("2026-01-01 01:00")
	if _, err := w.db.EvaluateVendor(ctx, w.id, w.db.Now()); err != nil {
		t.Fatal(err)
	}
	var reported []error
	w.docs.SetStoreErrorReport(func(err error) { reported = append(reported, err) })

	// Another process takes the write lock and keeps it.
	other, err := registry.OpenSQLForTools(w.db.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	holder, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	lock := []string{"BEGIN IMMEDIATE"}
	if registry.IsPostgresDSN(w.db.DSN()) {
		lock = []string{"BEGIN", "LOCK TABLE public_documents IN EXCLUSIVE MODE"}
	}
	for _, stmt := range lock {
		if _, err := holder.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	start := time.Now()
	got, err := w.docs.ByUSCC(ctx, w.uscc, registry.PartDetail|registry.PartItem|registry.PartProfile, w.db.Now())
	took := time.Since(start)
	if err != nil {
		t.Fatalf("read while the writer is held: %v", err)
	}
	fresh := w.fresh()
	sameDocument(t, "read while the writer is held", got, fresh)
	if took > 3*time.Second {
		t.Errorf("the read took %v: it waited for the lock", took)
	}
	if len(reported) != 1 {
		t.Errorf("%d store failures reported, want 1", len(reported))
	}
	// The next reader does not wait again: readers leave storing alone for
	// a while (had it tried, it would have failed and said so).
	if _, err := w.docs.ByUSCC(ctx, w.uscc, registry.PartDetail, w.db.Now()); err != nil {
		t.Fatal(err)
	}
	if len(reported) != 1 {
		t.Errorf("a second read while the writer is held reported %d store failures in all: it tried to store again", len(reported))
	}
	if d, _ := w.stored(); d.Current {
		t.Error("the document counts as stored and current while the writer was held")
	}
	if _, err := holder.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.docs.CatchUp(ctx, false); err != nil {
		t.Fatal(err)
	}
	after, _ := w.stored()
	if !after.Current {
		t.Fatal("after the lock was released the builder did not store the document")
	}
	sameDocument(t, "stored by the builder afterwards", after.PublicDocument, fresh)
}
