package registry_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"chengxin/registry"
)

// pubWorld is two publication runs written row by row, as FinishRun would
// leave them: vendors A, B, C and D published in January; in February A
// keeps its grade, B's downgrade to C waits for its objection period, C is
// upgraded, D leaves N and E (registered since) is published first; F's
// downgrade from B to C was published between the runs, so February finds
// it unchanged at C.
type pubWorld struct {
	db         *registry.DB
	clk        *testClock
	ids        map[string]int64
	run1, run2 int64
	as2        time.Time
	between    time.Time // when F's downgrade and A's override were published, between the runs
}

func newPubWorld(t *testing.T) *pubWorld {
	t.Helper()
	db, clk := openDB(t)
	ctx := context.Background()
	w := &pubWorld{db: db, clk: clk, ids: map[string]int64{}}
	for i, name := range []string{"A", "B", "C", "D", "E", "F"} {
		in := vendorIn(usccN(20 + i))
		in.Name = "甲乙丙丁戊己"[i*3:i*3+3] + "家政" + name
		v, err := db.CreateVendor(ctx, cli, in)
		if err != nil {
			t.Fatal(err)
		}
		w.ids[name] = v.ID
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ReadPoolForTest().Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	run := func(period string, asOf time.Time) int64 {
		at := asOf.UTC().Format(time.RFC3339)
		exec(`INSERT INTO publication_runs(period, as_of, status, started_at, finished_at, actor, rules_version, vendors)
			VALUES (?,?,'done',?,?,'system','HSCS-1.0',0)`, period, at, at, at)
		var id int64
		db.ReadPoolForTest().QueryRow(`SELECT id FROM publication_runs WHERE period = ?`, period).Scan(&id)
		return id
	}
	pub := func(runID int64, v, evaluated string, score float64, published, action string) {
		exec(`INSERT INTO publications(run_id, vendor_id, evaluated_grade, evaluated_score, published_grade, action) VALUES (?,?,?,?,?,?)`,
			runID, w.ids[v], evaluated, score, published, action)
	}
	grade := func(runID int64, v, g string, score float64, at time.Time) {
		ts := at.UTC().Format(time.RFC3339)
		exec(`INSERT INTO grade_publications(vendor_id, at, grade, score, rules_version, action, cause, run_id, actor)
			VALUES (?,?,?,?,'HSCS-1.0','first','run',?,'system')`, w.ids[v], ts, g, score, runID)
		exec(`INSERT INTO published_grades(vendor_id, grade, score, published_at, grade_since, rules_version, publication_id)
			VALUES (?,?,?,?,?,'HSCS-1.0',(SELECT max(id) FROM grade_publications))
			ON CONFLICT(vendor_id) DO UPDATE SET grade = excluded.grade, score = excluded.score, published_at = excluded.published_at,
			grade_since = excluded.grade_since, publication_id = excluded.publication_id`, w.ids[v], g, score, ts, ts)
	}
	as1 := time.Date(2025, 1, 1, 2, 0, 0, 0, registry.Shanghai)
	w.run1 = run("2025-01", as1)
	pub(w.run1, "A", "A", 95, "A", "first")
	pub(w.run1, "B", "B", 85, "B", "first")
	pub(w.run1, "C", "B", 93, "B", "first")
	pub(w.run1, "D", "N", 80, "N", "first")
	pub(w.run1, "F", "B", 80, "B", "first")
	for _, g := range [][2]string{{"A", "A"}, {"B", "B"}, {"C", "B"}, {"D", "N"}, {"F", "B"}} {
		grade(w.run1, g[0], g[1], 90, as1)
	}
	// Between the runs F's pending downgrade to C is published (its period
	// ended) and a regulator overrides A's grade.
	w.between = as1.Add(20 * 24 * time.Hour)
	exec(`INSERT INTO grade_publications(vendor_id, at, grade, score, rules_version, action, cause, actor)
		VALUES (?,?,'C',72,'HSCS-1.0','pending_published','matured','system:scheduler')`, w.ids["F"], w.between.UTC().Format(time.RFC3339))
	exec(`UPDATE published_grades SET grade = 'C', publication_id = (SELECT max(id) FROM grade_publications) WHERE vendor_id = ?`, w.ids["F"])
	exec(`INSERT INTO grade_publications(vendor_id, at, grade, score, action, cause, reason, actor)
		VALUES (?,?,'B',NULL,'override','override','调查期间','user:reg1')`, w.ids["A"], w.between.Add(time.Hour).UTC().Format(time.RFC3339))
	w.as2 = time.Date(2025, 3, 1, 2, 0, 0, 0, registry.Shanghai)
	w.run2 = run("2025-03", w.as2)
	pub(w.run2, "A", "A", 96, "A", "unchanged")
	pub(w.run2, "B", "C", 70, "B", "downgrade_pending")
	pub(w.run2, "C", "A", 94, "A", "upgrade")
	pub(w.run2, "D", "B", 82, "B", "first")
	pub(w.run2, "E", "C", 65, "C", "first")
	pub(w.run2, "F", "C", 70, "C", "unchanged")
	grade(w.run2, "C", "A", 94, w.as2)
	grade(w.run2, "D", "B", 82, w.as2)
	grade(w.run2, "E", "C", 65, w.as2)
	exec(`INSERT INTO pending_downgrades(vendor_id, grade, score, run_id, public_after) VALUES (?,?,?,?,?)`,
		w.ids["B"], "C", 70.0, w.run2, w.as2.Add(14*24*time.Hour).UTC().Format(time.RFC3339))
	return w
}

func TestPublicationRunReads(t *testing.T) {
	w := newPubWorld(t)
	db, ctx := w.db, context.Background()
	deadline := w.as2.Add(14 * 24 * time.Hour)

	// B objects within its period.
	w.clk.now = w.as2.Add(3 * 24 * time.Hour)
	objection, err := db.ObjectToPendingGrade(ctx, registry.Actor{Kind: "user", Name: "venB", Role: registry.RoleVendor}, w.ids["B"], "投诉系同一订单重复投诉", "")
	if err != nil {
		t.Fatal(err)
	}

	runs, err := db.PublicationRuns(ctx, 0)
	if err != nil || len(runs) != 2 || runs[0].ID != w.run2 || runs[1].ID != w.run1 {
		t.Fatalf("PublicationRuns: %+v %v", runs, err)
	}
	if want := map[string]int{"unchanged": 2, "downgrade_pending": 1, "upgrade": 1, "first": 2}; !reflect.DeepEqual(runs[0].Actions, want) {
		t.Errorf("run 2 actions = %v, want %v", runs[0].Actions, want)
	}
	if runs[0].Changed() != 3 || runs[0].NewPending() != 1 || runs[1].Changed() != 5 {
		t.Errorf("changed %d, %d; new pending %d", runs[0].Changed(), runs[1].Changed(), runs[0].NewPending())
	}
	if runs[0].Objections != 1 || runs[1].Objections != 0 || runs[0].Period != "2025-03" || !runs[0].AsOf.Equal(w.as2) {
		t.Errorf("runs = %+v", runs)
	}

	tr, err := db.RunTransitions(ctx, w.run2)
	if err != nil {
		t.Fatal(err)
	}
	// F changed between the runs: on the diagonal at C, not B → C.
	want := []registry.Transition{{From: "", To: "C", Vendors: 1}, {From: "A", To: "A", Vendors: 1}, {From: "B", To: "A", Vendors: 1},
		{From: "B", To: "B", Vendors: 1}, {From: "C", To: "C", Vendors: 1}, {From: "N", To: "B", Vendors: 1}}
	if !reflect.DeepEqual(tr, want) {
		t.Errorf("transitions of run 2 = %+v, want %+v", tr, want)
	}
	if tr, _ := db.RunTransitions(ctx, w.run1); len(tr) != 3 || tr[0].From != "" || tr[1].Vendors != 3 {
		t.Errorf("transitions of the first run (from unpublished) = %+v", tr)
	}

	changes, total, err := db.RunChanges(ctx, w.run2, 1, 2)
	if err != nil || total != 3 || len(changes) != 2 {
		t.Fatalf("RunChanges page 1: %d of %d, %v", len(changes), total, err)
	}
	// By name in code point order: 丁 (D) before 丙 (C).
	if c := changes[0]; c.VendorName != "丁家政D" || c.From != "N" || c.To != "B" || c.Action != "first" {
		t.Errorf("first change = %+v", c)
	}
	if c := changes[1]; c.VendorName != "丙家政C" || c.From != "B" || c.To != "A" || c.Action != "upgrade" || c.EvaluatedScore != 94 {
		t.Errorf("second change = %+v", c)
	}
	rest, _, _ := db.RunChanges(ctx, w.run2, 2, 2)
	if len(rest) != 1 || rest[0].VendorName != "戊家政E" || rest[0].From != "" || rest[0].To != "C" {
		t.Errorf("RunChanges page 2 = %+v", rest)
	}

	run2, err := db.FindRun(ctx, w.run2)
	if err != nil || run2.Objections != 1 || run2.Actions["first"] != 2 {
		t.Fatalf("FindRun: %+v %v", run2, err)
	}
	pend, err := db.RunPending(ctx, run2.PublicationRun, 14)
	if err != nil || len(pend) != 1 {
		t.Fatalf("RunPending: %+v %v", pend, err)
	}
	if p := pend[0]; p.VendorName != "乙家政B" || p.Published != "B" || p.Grade != "C" || !p.StillPending || p.ObjectedAt == nil ||
		p.CaseID != objection.ID || p.CaseStatus != "open" || !p.PublicAfter.Equal(deadline) {
		t.Errorf("pending of run 2 = %+v", p)
	}
	objs, err := db.RunObjections(ctx, w.run2)
	if err != nil || len(objs) != 1 || objs[0].Pending != "C" || objs[0].VendorUSCC != usccN(21) || objs[0].Status != "open" {
		t.Fatalf("RunObjections: %+v %v", objs, err)
	}

	all, n, err := db.PendingDowngrades(ctx, registry.PendingFilter{Page: 1, PerPage: 50})
	if err != nil || n != 1 || len(all) != 1 || all[0].RunPeriod != "2025-03" || all[0].CaseStatus != "open" || all[0].Published != "B" {
		t.Fatalf("PendingDowngrades: %+v (%d) %v", all, n, err)
	}
	no, yes := false, true
	if _, n, _ := db.PendingDowngrades(ctx, registry.PendingFilter{Objected: &no, Page: 1, PerPage: 50}); n != 0 {
		t.Errorf("not objected: %d, want 0", n)
	}
	if _, n, _ := db.PendingDowngrades(ctx, registry.PendingFilter{Objected: &yes, Page: 1, PerPage: 50}); n != 1 {
		t.Errorf("objected: %d, want 1", n)
	}

	// A regulator upholds the downgrade: it is no longer pending, the run's
	// list says so with the grade public now and the decision.
	w.clk.now = w.as2.Add(5 * 24 * time.Hour)
	if err := db.DecideCase(ctx, regulator, objection.ID, registry.DecisionUphold, "投诉均属实，维持降级", ""); err != nil {
		t.Fatal(err)
	}
	pend, _ = db.RunPending(ctx, run2.PublicationRun, 14)
	if p := pend[0]; p.StillPending || p.GradeNow != "C" || p.CaseStatus != "upheld" || p.CaseOpenedAt == nil || !p.PublicAfter.Equal(deadline) {
		t.Errorf("resolved pending = %+v", p)
	}
	if _, n, _ := db.PendingDowngrades(ctx, registry.PendingFilter{Page: 1, PerPage: 50}); n != 0 {
		t.Errorf("pending downgrades after the decision: %d", n)
	}
	_, err = db.FindRun(ctx, 999)
	mustNotFound(t, err)

	// Outside the runs: between run 1 and run 2, F's matured downgrade and A's override.
	run1, _ := db.FindRun(ctx, w.run1)
	next, err := db.NextRun(ctx, run1.PublicationRun)
	if err != nil || next.ID != w.run2 {
		t.Fatalf("NextRun: %+v %v", next, err)
	}
	if _, err := db.NextRun(ctx, run2.PublicationRun); err == nil {
		t.Error("a run after the latest")
	}
	outside, n, err := db.PublicationsOutsideRuns(ctx, run1.AsOf, next.AsOf, 50)
	if err != nil || n != 2 || len(outside) != 2 {
		t.Fatalf("PublicationsOutsideRuns: %+v (%d) %v", outside, n, err)
	}
	if o := outside[0]; o.VendorName != "己家政F" || o.From != "B" || o.To != "C" || o.Cause != registry.CauseMatured || !o.At.Equal(w.between) {
		t.Errorf("matured = %+v", o)
	}
	if o := outside[1]; o.VendorName != "甲家政A" || o.From != "A" || o.To != "B" || o.Cause != registry.CauseOverride || o.Reason != "调查期间" {
		t.Errorf("override = %+v", o)
	}
	// Since the latest run: the decision upholding B's downgrade.
	if o, n, _ := db.PublicationsOutsideRuns(ctx, next.AsOf, time.Time{}, 50); n != 1 || o[0].Cause != registry.CauseReview ||
		o[0].VendorName != "乙家政B" || o[0].From != "B" || o[0].To != "C" {
		t.Errorf("since the latest run: %+v", o)
	}
}

// A vendor's complaints come newest first, a page at a time, with their
// masked private summary.
func TestComplaintsOfVendor(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	v, _ := db.CreateVendor(ctx, cli, vendorIn(usccN(30)))
	other, _ := db.CreateVendor(ctx, cli, vendorIn(usccN(31)))
	var recs []registry.ComplaintInput
	for i, uscc := range []string{v.USCC, v.USCC, other.USCC, v.USCC} {
		at := t0.Add(-time.Duration(10-i) * 24 * time.Hour)
		recs = append(recs, registry.ComplaintInput{WorkOrderNo: fmt.Sprintf("8890-CV-%d", i), VendorUSCC: uscc, ReceivedAt: at.Format(time.RFC3339),
			Channel: "wechat", Category: "cleaning", Severity: "serious", Status: "closed", Outcome: "mediated",
			DeadlineAt: at.Add(72 * time.Hour).Format(time.RFC3339), ClosedAt: at.Add(24 * time.Hour).Format(time.RFC3339),
			Summary: fmt.Sprintf("客户电话 13812345678，第 %d 次", i)})
	}
	if _, err := db.IngestComplaints(ctx, registry.Actor{Kind: "token", Name: "hotline"}, recs, nil); err != nil {
		t.Fatal(err)
	}
	page, total, err := db.ComplaintsOfVendor(ctx, v.ID, 1, 2)
	if err != nil || total != 3 || len(page) != 2 {
		t.Fatalf("page 1: %d of %d, %v", len(page), total, err)
	}
	if page[0].WorkOrderNo != "8890-CV-3" || page[1].WorkOrderNo != "8890-CV-1" || page[0].Channel != "wechat" || page[0].ClosedAt == nil {
		t.Errorf("page 1 = %+v", page)
	}
	if strings.Contains(page[0].Summary, "13812345678") || !strings.Contains(page[0].Summary, "第 3 次") {
		t.Errorf("summary = %q", page[0].Summary)
	}
	if page, _, _ := db.ComplaintsOfVendor(ctx, v.ID, 2, 2); len(page) != 1 || page[0].WorkOrderNo != "8890-CV-0" {
		t.Errorf("page 2 = %+v", page)
	}
	if page, total, _ := db.ComplaintsOfVendor(ctx, v.ID, 9, 2); len(page) != 0 || total != 3 {
		t.Errorf("past the end: %d rows, total %d", len(page), total)
	}
}
