package registry_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"chengxin/registry"
	"chengxin/registry/synth"
	"chengxin/scoring"
)

// rsVendors and rsEvents size the synthetic city of the rescore tests.
const (
	rsVendors = 60
	rsEvents  = 6000
)

// rsCity builds a synthetic city of rsVendors vendors whose present is t0
// and returns its vendor ids in ascending order.
func rsCity(t *testing.T) (*registry.DB, *testClock, []int64) {
	t.Helper()
	db, clk := openDB(t)
	_, err := synth.Generate(context.Background(), db, registry.Actor{Kind: "system"},
		synth.Options{Vendors: rsVendors, Events: rsEvents, Seed: 5, Now: t0})
	if err != nil {
		t.Fatalf("synth.Generate: %v", err)
	}
	ids := rsVendorIDs(t, db)
	if len(ids) != rsVendors {
		t.Fatalf("synth made %d vendors, want %d", len(ids), rsVendors)
	}
	return db, clk, ids
}

func rsVendorIDs(t *testing.T, db *registry.DB) []int64 {
	t.Helper()
	rows, err := db.ReadPoolForTest().Query(`SELECT id FROM vendors ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// rsFresh evaluates one vendor through the per-vendor path.
func rsFresh(t *testing.T, db *registry.DB, rules scoring.Rules, id int64, asOf time.Time) scoring.Evaluation {
	t.Helper()
	in, err := db.LoadInputs(context.Background(), id)
	if err != nil {
		t.Fatalf("LoadInputs #%d: %v", id, err)
	}
	return scoring.Evaluate(rules, in, asOf)
}

func rsLatest(t *testing.T, db *registry.DB, id int64) registry.StoredEvaluation {
	t.Helper()
	se, err := db.LatestEvaluation(context.Background(), id)
	if err != nil {
		t.Fatalf("LatestEvaluation #%d: %v", id, err)
	}
	return se
}

func rsJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rsSameStored fails unless the stored evaluation is want in everything a
// row keeps: instant, rules, score, grades, components, reasons and the
// evidence (stored rounded to 4 decimals, as its JSON encoding).
func rsSameStored(t *testing.T, what string, want scoring.Evaluation, got registry.StoredEvaluation) {
	t.Helper()
	if !got.AsOf.Equal(want.AsOf) {
		t.Errorf("%s: as_of %v, want %v", what, got.AsOf, want.AsOf)
	}
	if got.RulesVersion != want.RulesVersion || got.RulesHash != want.RulesHash {
		t.Errorf("%s: rules %s %s, want %s %s", what, got.RulesVersion, got.RulesHash, want.RulesVersion, want.RulesHash)
	}
	if got.Score != want.Score || got.Grade != want.Grade || got.ScoreGrade != want.ScoreGrade {
		t.Errorf("%s: score %v grade %s (score grade %s), want %v %s (%s)", what, got.Score, got.Grade, got.ScoreGrade,
			want.Score, want.Grade, want.ScoreGrade)
	}
	if got.Components != want.Components {
		t.Errorf("%s: components %+v, want %+v", what, got.Components, want.Components)
	}
	if !slices.Equal(got.Reasons, want.Reasons) {
		t.Errorf("%s: reasons %v, want %v", what, got.Reasons, want.Reasons)
	}
	if g, w := rsJSON(t, got.Evidence), rsJSON(t, want.Evidence); g != w {
		t.Errorf("%s: evidence\n got %s\nwant %s", what, g, w)
	}
}

// rsMaterial is what makes a new history row: score, grade, reasons,
// components, record counts, status facts and the rules.
func rsMaterial(ev scoring.Evaluation) string {
	e := ev.Evidence
	type material struct {
		Hash, Grade                                  string
		Score                                        float64
		Reasons                                      []string
		C                                            scoring.Components
		Cb, CbYear, Recv, Counted, Late, Open, Sanct int
		Active, Licence, Insurance                   bool
		Commendations, Orders                        int
	}
	b, _ := json.Marshal(material{ev.RulesHash, ev.Grade, ev.Score, ev.Reasons, ev.Components,
		e.CallbacksCounted, e.CallbacksLastYear, e.ComplaintsReceived, e.ComplaintsCounted, e.ComplaintsLate,
		e.ComplaintsOpenPastDeadline, e.SanctionsOnDisplay, e.Active, e.LicenceValid, e.InsuranceValid, e.Commendations, e.Orders})
	return string(b)
}

// rsScoreRow is a vendor_scores row.
type rsScoreRow struct {
	evaluationID      int64
	asOf, evaluatedAt string
	grade             string
	score             float64
}

func rsScores(t *testing.T, db *registry.DB) map[int64]rsScoreRow {
	t.Helper()
	rows, err := db.ReadPoolForTest().Query(`SELECT vendor_id, evaluation_id, as_of, evaluated_at, grade, score FROM vendor_scores`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]rsScoreRow{}
	for rows.Next() {
		var id int64
		var r rsScoreRow
		if err := rows.Scan(&id, &r.evaluationID, &r.asOf, &r.evaluatedAt, &r.grade, &r.score); err != nil {
			t.Fatal(err)
		}
		out[id] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// rsStored is the storage form of an instant (UTC, no fractions).
func rsStored(at time.Time) string { return at.UTC().Format(time.RFC3339) }

func rsRescore(t *testing.T, db *registry.DB, opt registry.RescoreOptions) registry.RescoreStats {
	t.Helper()
	st, err := db.Rescore(context.Background(), opt)
	if err != nil {
		t.Fatalf("Rescore(%+v): %v", opt, err)
	}
	return st
}

// rsSanction inserts a sanction row directly.
func rsSanction(t *testing.T, db *registry.DB, vendorID int64, kind string, issued time.Time, until, repaired, lifted *time.Time, ref string) {
	t.Helper()
	opt := func(p *time.Time) any {
		if p == nil {
			return nil
		}
		return rsStored(*p)
	}
	_, err := db.ReadPoolForTest().Exec(`INSERT INTO sanctions(vendor_id, kind, issued_at, display_until, reference, summary, repaired_at, lifted_at, created_by, created_at)
		VALUES (?,?,?,?,?,?,?,?,?,?)`, vendorID, kind, rsStored(issued), opt(until), ref, "测试处罚 "+ref, opt(repaired), opt(lifted), "cli", rsStored(t0))
	if err != nil {
		t.Fatalf("insert sanction %s: %v", ref, err)
	}
}

func rsDays(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

func rsAt(d time.Duration) *time.Time { at := t0.Add(d); return &at }

// The streaming rescore (packed records in vendor order, several workers)
// and the per-vendor path (LoadInputs + Evaluate) give the same evaluation
// for every vendor of a synthetic city, sanctions included.
func TestRescoreMatchesPerVendorEvaluation(t *testing.T) {
	t.Parallel()
	db, _, ids := rsCity(t)
	rules := scoring.DefaultRules()

	// Sanctions: the blacklisted vendor is the first whose score alone
	// earns better than D, so the cap is what makes it D.
	var black int64
	for _, id := range ids[5:] {
		if rsFresh(t, db, rules, id, t0).ScoreGrade != scoring.GradeD {
			black = id
			break
		}
	}
	if black == 0 {
		t.Fatal("no vendor scores better than D")
	}
	warned, fined, penalised, commended := ids[0], ids[1], ids[2], ids[3]
	rsSanction(t, db, warned, scoring.KindWarning, t0.Add(-rsDays(30)), rsAt(rsDays(335)), nil, nil, "W-1")
	rsSanction(t, db, warned, scoring.KindWarning, t0.Add(-rsDays(400)), rsAt(-rsDays(35)), nil, nil, "W-0") // display ended
	rsSanction(t, db, black, scoring.KindBlacklist, t0.Add(-rsDays(10)), nil, nil, nil, "B-1")
	rsSanction(t, db, fined, scoring.KindFine, t0.Add(-rsDays(60)), rsAt(rsDays(300)), rsAt(-rsDays(5)), nil, "F-1")
	rsSanction(t, db, penalised, scoring.KindSeriousPenalty, t0.Add(-rsDays(100)), rsAt(rsDays(900)), nil, rsAt(-rsDays(20)), "S-1")
	rsSanction(t, db, commended, scoring.KindCommendation, t0.Add(-rsDays(100)), nil, nil, nil, "C-1")

	// Columns synth leaves alone: excused late complaints, a suspended vendor,
	// an expired licence, a vendor without callbacks in the middle of the
	// streams and a vendor without any record at the end.
	for _, q := range []string{
		`UPDATE complaints SET late_excused = 1 WHERE closed_at > deadline_at AND id % 2 = 0`,
		`UPDATE vendors SET status = 'suspended' WHERE id = ` + strconv.FormatInt(ids[20], 10),
		`UPDATE vendors SET licence_valid_until = '2025-01-31T15:59:59Z' WHERE id = ` + strconv.FormatInt(ids[21], 10),
		`DELETE FROM callbacks WHERE vendor_id = ` + strconv.FormatInt(ids[30], 10),
	} {
		res, err := db.ReadPoolForTest().Exec(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			t.Fatalf("%s: no row", q)
		}
	}
	if _, err := db.CreateVendor(context.Background(), cli, vendorIn(usccN(6060))); err != nil {
		t.Fatal(err)
	}
	ids = rsVendorIDs(t, db)
	vendors := len(ids)

	var mu sync.Mutex
	collected := map[int64]scoring.Evaluation{}
	st := rsRescore(t, db, registry.RescoreOptions{AsOf: t0, Workers: 4, Collect: func(id int64, ev scoring.Evaluation) {
		mu.Lock()
		defer mu.Unlock()
		if _, dup := collected[id]; dup {
			t.Errorf("vendor #%d collected twice", id)
		}
		collected[id] = ev
	}})
	if st.Vendors != vendors || st.Stored != vendors {
		t.Errorf("stats: %d vendors, %d stored; want %d and %d", st.Vendors, st.Stored, vendors, vendors)
	}
	records := count(t, db, "callbacks") + count(t, db, "complaints") + count(t, db, "volumes") + count(t, db, "sanctions")
	if st.Records != records {
		t.Errorf("stats: %d records, want %d", st.Records, records)
	}
	if n := count(t, db, "evaluations"); n != vendors {
		t.Errorf("%d evaluations rows, want %d", n, vendors)
	}
	if n := count(t, db, "vendor_scores"); n != vendors {
		t.Errorf("%d vendor_scores rows, want %d", n, vendors)
	}
	if len(st.Transitions) == 0 {
		t.Error("no transitions")
	}
	total := 0
	for _, tr := range st.Transitions {
		if tr.From != "" {
			t.Errorf("transition %+v: first evaluations come from \"\"", tr)
		}
		total += tr.Vendors
	}
	if total != vendors {
		t.Errorf("transitions sum to %d vendors, want %d", total, vendors)
	}

	grades := map[string]int{}
	for _, id := range ids {
		want := rsFresh(t, db, rules, id, t0)
		grades[want.Grade]++
		// The streamed evaluation is the per-vendor one at full precision,
		// complaint items and sentences included.
		if got, ok := collected[id]; !ok {
			t.Errorf("vendor #%d: not collected", id)
		} else if !reflect.DeepEqual(got, want) {
			t.Errorf("vendor #%d: streamed evaluation differs\n got %s\nwant %s", id, rsJSON(t, got), rsJSON(t, want))
		}
		rsSameStored(t, "vendor #"+strconv.FormatInt(id, 10), want, rsLatest(t, db, id))
	}
	t.Logf("grades %v, %d records", grades, records)
	if len(grades) < 3 {
		t.Errorf("grades %v: want a city with at least three grades", grades)
	}

	// The sanctions as the model saw them.
	bl := rsLatest(t, db, black)
	if bl.Grade != scoring.GradeD || !slices.Contains(bl.Reasons, scoring.ReasonCapD) || !bl.Evidence.Blacklisted {
		t.Errorf("blacklisted vendor: grade %s reasons %v blacklisted %v, want D with %s", bl.Grade, bl.Reasons, bl.Evidence.Blacklisted, scoring.ReasonCapD)
	}
	if bl.ScoreGrade == scoring.GradeD {
		t.Errorf("blacklisted vendor: score grade D, the cap should be what lowers it")
	}
	w := rsLatest(t, db, warned)
	wantReg := math.Floor((15-2*math.Exp2(-30.0/365))*100+0.5) / 100
	if w.Evidence.Warnings != 1 || w.Evidence.SanctionsOnDisplay != 1 || w.Components.Regulatory != wantReg {
		t.Errorf("warned vendor: %d warnings, %d on display, regulatory %v; want 1, 1, %v", w.Evidence.Warnings,
			w.Evidence.SanctionsOnDisplay, w.Components.Regulatory, wantReg)
	}
	for _, id := range []int64{fined, penalised} {
		e := rsLatest(t, db, id)
		if e.Evidence.SanctionsOnDisplay != 0 || e.Components.Regulatory != 15 {
			t.Errorf("vendor #%d (repaired or lifted sanction): %d on display, regulatory %v; want 0 and 15", id,
				e.Evidence.SanctionsOnDisplay, e.Components.Regulatory)
		}
	}
	if c := rsLatest(t, db, commended); c.Evidence.Commendations != 1 || c.Components.Bonus != 2 {
		t.Errorf("commended vendor: %d commendations, bonus %v; want 1 and 2", c.Evidence.Commendations, c.Components.Bonus)
	}

	// One worker reads the same streams in the same order: same results.
	again := map[int64]scoring.Evaluation{}
	rsRescore(t, db, registry.RescoreOptions{AsOf: t0, Workers: 1, DryRun: true, Collect: func(id int64, ev scoring.Evaluation) { again[id] = ev }})
	for _, id := range ids {
		if !reflect.DeepEqual(again[id], collected[id]) {
			t.Errorf("vendor #%d: one worker gives another evaluation", id)
		}
	}
}

// History rows are added only when something material changed; otherwise
// only evaluated_at moves on, and a past as-of never replaces the current one.
func TestRescoreHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _, ids := rsCity(t)
	rules := scoring.DefaultRules()

	first := rsRescore(t, db, registry.RescoreOptions{AsOf: t0})
	if first.Stored != rsVendors {
		t.Fatalf("first rescore stored %d, want %d", first.Stored, rsVendors)
	}
	base := rsScores(t, db)
	for id, r := range base {
		if r.asOf != rsStored(t0) || r.evaluatedAt != rsStored(t0) {
			t.Errorf("vendor #%d: as_of %s evaluated_at %s, want both %s", id, r.asOf, r.evaluatedAt, rsStored(t0))
		}
	}

	// The same as-of again: nothing new at all.
	same := rsRescore(t, db, registry.RescoreOptions{AsOf: t0})
	if same.Stored != 0 {
		t.Errorf("rescore at the same as-of stored %d, want 0", same.Stored)
	}
	if n := count(t, db, "evaluations"); n != rsVendors {
		t.Errorf("%d evaluations after a repeated rescore, want %d", n, rsVendors)
	}
	if got := rsScores(t, db); !reflect.DeepEqual(got, base) {
		t.Errorf("vendor_scores changed by a repeated rescore")
	}
	for _, tr := range same.Transitions {
		if tr.From != tr.To {
			t.Errorf("repeated rescore: transition %+v", tr)
		}
	}

	// An hour later: decay moves the weights a little; only vendors with a
	// material change get a row, the others only a new evaluated_at.
	t1 := t0.Add(time.Hour)
	wantChanged := map[int64]bool{}
	for _, id := range ids {
		prev := rsLatest(t, db, id)
		prev.Evaluation.RulesHash = rules.Hash()
		if rsMaterial(rsFresh(t, db, rules, id, t1)) != rsMaterial(prev.Evaluation) {
			wantChanged[id] = true
		}
	}
	t.Logf("%d of %d vendors change materially within an hour", len(wantChanged), rsVendors)
	later := rsRescore(t, db, registry.RescoreOptions{AsOf: t1})
	if later.Stored != len(wantChanged) {
		t.Errorf("rescore an hour later stored %d, want %d (vendors with a material change)", later.Stored, len(wantChanged))
	}
	if len(wantChanged) == rsVendors {
		t.Errorf("every vendor changed materially within an hour; the test needs unchanged ones")
	}
	if n := count(t, db, "evaluations"); n != rsVendors+len(wantChanged) {
		t.Errorf("%d evaluations, want %d", n, rsVendors+len(wantChanged))
	}
	atT1 := rsScores(t, db)
	for _, id := range ids {
		b, a := base[id], atT1[id]
		if a.evaluatedAt != rsStored(t1) {
			t.Errorf("vendor #%d: evaluated_at %s, want %s", id, a.evaluatedAt, rsStored(t1))
		}
		if wantChanged[id] {
			if a.evaluationID == b.evaluationID || a.asOf != rsStored(t1) {
				t.Errorf("vendor #%d (changed): evaluation %d→%d, as_of %s; want a new row at %s", id, b.evaluationID, a.evaluationID, a.asOf, rsStored(t1))
			}
			rsSameStored(t, "changed vendor", rsFresh(t, db, rules, id, t1), rsLatest(t, db, id))
		} else if a.evaluationID != b.evaluationID || a.asOf != b.asOf || a.score != b.score || a.grade != b.grade {
			t.Errorf("vendor #%d (unchanged): row %+v became %+v; only evaluated_at may move", id, b, a)
		}
	}

	// A substantiated complaint for one vendor: exactly one new row, its own.
	target := ids[7]
	var uscc string
	if err := db.ReadPoolForTest().QueryRow(`SELECT uscc FROM vendors WHERE id = ?`, target).Scan(&uscc); err != nil {
		t.Fatal(err)
	}
	before := rsLatest(t, db, target)
	c := registry.ComplaintInput{WorkOrderNo: "8890-RS-0001", VendorUSCC: uscc, ReceivedAt: ingRFC(-2 * 24 * time.Hour),
		Channel: "phone", Category: "cleaning", Severity: "general", Status: "closed", Outcome: "substantiated",
		DeadlineAt: ingRFC(3 * 24 * time.Hour), ClosedAt: ingRFC(-24 * time.Hour)}
	sum, err := db.IngestComplaints(ctx, ingActor, []registry.ComplaintInput{c}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantIngest(t, sum, registry.ResultCreated)
	maxID := rsMaxEvaluationID(t, db)
	withComplaint := rsRescore(t, db, registry.RescoreOptions{AsOf: t1})
	if withComplaint.Stored != 1 {
		t.Errorf("rescore after one complaint stored %d, want 1", withComplaint.Stored)
	}
	var newRows []int64
	rows, err := db.ReadPoolForTest().Query(`SELECT vendor_id FROM evaluations WHERE id > ?`, maxID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v int64
		rows.Scan(&v)
		newRows = append(newRows, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(newRows, []int64{target}) {
		t.Errorf("new history rows for vendors %v, want [%d]", newRows, target)
	}
	after := rsLatest(t, db, target)
	if after.Evidence.ComplaintsReceived != before.Evidence.ComplaintsReceived+1 ||
		after.Evidence.ComplaintsCounted != before.Evidence.ComplaintsCounted+1 {
		t.Errorf("complaints received %d→%d, counted %d→%d; want one more of each", before.Evidence.ComplaintsReceived,
			after.Evidence.ComplaintsReceived, before.Evidence.ComplaintsCounted, after.Evidence.ComplaintsCounted)
	}
	if after.Components.Complaints >= before.Components.Complaints {
		t.Errorf("complaints component %v→%v, want it lower", before.Components.Complaints, after.Components.Complaints)
	}

	// A past as-of adds history but leaves every current evaluation alone.
	current := rsScores(t, db)
	nEval := count(t, db, "evaluations")
	maxID = rsMaxEvaluationID(t, db)
	tp := t0.Add(-rsDays(30))
	past := rsRescore(t, db, registry.RescoreOptions{AsOf: tp})
	if past.Stored == 0 {
		t.Errorf("rescore 30 days back stored nothing")
	}
	if n := count(t, db, "evaluations"); n != nEval+past.Stored {
		t.Errorf("%d evaluations after the past rescore, want %d", n, nEval+past.Stored)
	}
	var wrongAsOf int
	if err := db.ReadPoolForTest().QueryRow(`SELECT count(*) FROM evaluations WHERE id > ? AND as_of <> ?`, maxID, rsStored(tp)).Scan(&wrongAsOf); err != nil {
		t.Fatal(err)
	}
	if wrongAsOf != 0 {
		t.Errorf("%d new rows with an as_of other than %s", wrongAsOf, rsStored(tp))
	}
	if got := rsScores(t, db); !reflect.DeepEqual(got, current) {
		for id := range current {
			if got[id] != current[id] {
				t.Errorf("vendor #%d: vendor_scores %+v became %+v after a past rescore", id, current[id], got[id])
			}
		}
	}
	if e := rsLatest(t, db, target); !e.AsOf.Equal(t1) {
		t.Errorf("latest evaluation as of %v after a past rescore, want %v", e.AsOf, t1)
	}
}

func rsMaxEvaluationID(t *testing.T, db *registry.DB) int64 {
	t.Helper()
	var id int64
	if err := db.ReadPoolForTest().QueryRow(`SELECT coalesce(max(id), 0) FROM evaluations`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// A dry run under candidate rules reports transitions and movers and stores nothing.
func TestRescoreDryRun(t *testing.T) {
	t.Parallel()
	db, _, ids := rsCity(t)
	rsRescore(t, db, registry.RescoreOptions{AsOf: t0})
	nEval, scores := count(t, db, "evaluations"), rsScores(t, db)
	current := scoring.DefaultRules()
	t1 := t0.Add(24 * time.Hour)

	candidate := scoring.DefaultRules()
	candidate.Version = "HSCS-test"
	candidate.Grades.A = 99
	st := rsRescore(t, db, registry.RescoreOptions{Rules: &candidate, DryRun: true, AsOf: t1})
	if st.Vendors != rsVendors || st.Stored != 0 {
		t.Errorf("dry run: %d vendors, %d stored; want %d and 0", st.Vendors, st.Stored, rsVendors)
	}
	if n := count(t, db, "evaluations"); n != nEval {
		t.Errorf("dry run wrote evaluations: %d rows, want %d", n, nEval)
	}
	if got := rsScores(t, db); !reflect.DeepEqual(got, scores) {
		t.Errorf("dry run changed vendor_scores")
	}
	got := map[[2]string]int{}
	total := 0
	for _, tr := range st.Transitions {
		got[[2]string{tr.From, tr.To}] += tr.Vendors
		total += tr.Vendors
	}
	if total != rsVendors {
		t.Errorf("transitions sum to %d, want %d", total, rsVendors)
	}
	want := map[[2]string]int{}
	formerA := 0
	for _, id := range ids {
		from := rsFresh(t, db, current, id, t1)
		to := rsFresh(t, db, candidate, id, t1)
		want[[2]string{from.Grade, to.Grade}]++
		if from.Grade == scoring.GradeA {
			formerA++
			if to.Grade != scoring.GradeB {
				t.Errorf("vendor #%d: former A (score %v) becomes %s under A ≥ 99, want B", id, from.Score, to.Grade)
			}
		} else if to.Grade != from.Grade {
			t.Errorf("vendor #%d: %s becomes %s, only A should move", id, from.Grade, to.Grade)
		}
	}
	if formerA == 0 {
		t.Fatal("the city has no grade A vendor; the dry run test needs some")
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("transitions %v, want %v", got, want)
	}
	if got[[2]string{"A", "B"}] != formerA || got[[2]string{"A", "A"}] != 0 {
		t.Errorf("A→B %d, A→A %d; want %d and 0", got[[2]string{"A", "B"}], got[[2]string{"A", "A"}], formerA)
	}
	for i := 1; i < len(st.Transitions); i++ {
		a, b := st.Transitions[i-1], st.Transitions[i]
		if a.From > b.From || (a.From == b.From && a.To >= b.To) {
			t.Errorf("transitions not sorted by (from, to): %+v before %+v", a, b)
		}
	}
	if len(st.Movers) != 0 {
		t.Errorf("thresholds alone move no score, got movers %+v", st.Movers)
	}

	// Scores move under another prior mean: the biggest movers, at most 20.
	moved := scoring.DefaultRules()
	moved.Version = "HSCS-test-2"
	moved.Satisfaction.PriorMean = 0.6
	type delta struct {
		id       int64
		from, to scoring.Evaluation
	}
	var deltas []delta
	for _, id := range ids {
		from, to := rsFresh(t, db, current, id, t1), rsFresh(t, db, moved, id, t1)
		if to.Score != from.Score {
			deltas = append(deltas, delta{id, from, to})
		}
	}
	// Changes compare in tenths (scores are round1'd), ties to the lower id.
	abs := func(d delta) int64 { return int64(math.Round(math.Abs(d.to.Score-d.from.Score) * 10)) }
	sort.SliceStable(deltas, func(i, j int) bool { return abs(deltas[i]) > abs(deltas[j]) }) // ids ascending on ties
	t.Logf("%d former A; %d vendors move under prior mean 0.6", formerA, len(deltas))
	if len(deltas) <= 20 {
		t.Fatalf("only %d vendors move; the test needs more than 20", len(deltas))
	}
	vendors := map[int64]registry.Vendor{}
	for _, id := range ids {
		v, err := db.FindVendorByID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		vendors[id] = v
	}

	one := rsRescore(t, db, registry.RescoreOptions{Rules: &moved, DryRun: true, AsOf: t1, Workers: 1})
	if len(one.Movers) != 20 {
		t.Fatalf("%d movers, want 20", len(one.Movers))
	}
	for i, m := range one.Movers {
		d := deltas[i]
		v := vendors[d.id]
		wantM := registry.Mover{VendorID: d.id, USCC: v.USCC, Name: v.Name, FromScore: d.from.Score, ToScore: d.to.Score,
			FromGrade: d.from.Grade, ToGrade: d.to.Grade}
		if m != wantM {
			t.Errorf("mover %d = %+v, want %+v", i, m, wantM)
		}
	}

	many := rsRescore(t, db, registry.RescoreOptions{Rules: &moved, DryRun: true, AsOf: t1, Workers: 8})
	if len(many.Movers) != 20 {
		t.Fatalf("%d movers with 8 workers, want 20", len(many.Movers))
	}
	if !slices.Equal(many.Movers, one.Movers) {
		t.Errorf("movers depend on the number of workers:\n%+v\n%+v", many.Movers, one.Movers)
	}
	if n := count(t, db, "evaluations"); n != nEval {
		t.Errorf("dry runs wrote evaluations: %d rows, want %d", n, nEval)
	}
}

// Adopting rules is audited, marks every vendor and survives a restart; a
// version name stands for one set of values.
func TestAdoptRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clk := openDB(t)
	vs := ingVendors(t, db, 3)
	ingTakeAll(t, db)

	r := scoring.DefaultRules()
	r.Version = "HSCS-2.0"
	r.Grades.A = 92
	clk.Advance(time.Minute)
	if err := db.AdoptRules(ctx, regulator, r); err != nil {
		t.Fatalf("AdoptRules: %v", err)
	}
	es := auditFor(t, db, "rules.adopt", "rules:HSCS-2.0")
	if len(es) != 1 {
		t.Fatalf("%d rules.adopt entries, want 1", len(es))
	}
	if es[0].Actor != regulator.String() || !strings.Contains(es[0].Detail, r.Hash()) {
		t.Errorf("audit entry %+v: want actor %s and the hash %s", es[0], regulator.String(), r.Hash())
	}
	cur, err := db.CurrentRules(ctx)
	if err != nil || cur.Version != "HSCS-2.0" || cur.Hash() != r.Hash() {
		t.Fatalf("CurrentRules = %s %s, %v; want HSCS-2.0 %s", cur.Version, cur.Hash(), err, r.Hash())
	}
	if n, err := db.CountMarks(ctx); err != nil || n != len(vs) {
		t.Errorf("CountMarks = %d, %v; want every vendor (%d)", n, err, len(vs))
	}

	// Evaluations use the adopted rules.
	ev, err := db.EvaluateVendor(ctx, vs[0].ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	if ev.RulesVersion != "HSCS-2.0" || ev.RulesHash != r.Hash() {
		t.Errorf("evaluation under %s %s, want HSCS-2.0 %s", ev.RulesVersion, ev.RulesHash, r.Hash())
	}

	// Another body under the same name is refused and changes nothing.
	other := r
	other.Grades.A = 94
	err = db.AdoptRules(ctx, regulator, other)
	if !errors.Is(err, registry.ErrConflict) {
		t.Errorf("adopting other values as HSCS-2.0: %v, want ErrConflict", err)
	}
	if got, _ := db.RulesByVersion(ctx, "HSCS-2.0"); got.Grades.A != 92 {
		t.Errorf("HSCS-2.0 has A = %v after a refused adoption, want 92", got.Grades.A)
	}
	if n := len(auditFor(t, db, "rules.adopt", "")); n != 1 {
		t.Errorf("%d rules.adopt entries after a refused adoption, want 1", n)
	}
	// Invalid rules are refused.
	bad := scoring.DefaultRules()
	bad.Version = "HSCS-bad"
	bad.Satisfaction.PriorMean = 2
	if err := db.AdoptRules(ctx, regulator, bad); err == nil {
		t.Errorf("adopting invalid rules succeeded")
	}
	if _, err := db.RulesByVersion(ctx, "HSCS-bad"); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("RulesByVersion of refused rules: %v, want ErrNotFound", err)
	}

	// After a restart the version is read from the database.
	path := db.DSN()
	db.Close()
	db2, err := registry.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db2.Close() })
	db2.Now = clk.Now
	got, err := db2.RulesByVersion(ctx, "HSCS-2.0")
	if err != nil || !reflect.DeepEqual(got, r) {
		t.Errorf("RulesByVersion after reopening = %+v, %v; want %+v", got, err, r)
	}
	if cur, err := db2.CurrentRules(ctx); err != nil || cur.Hash() != r.Hash() {
		t.Errorf("CurrentRules after reopening = %s, %v", cur.Version, err)
	}
	se, err := db2.LatestEvaluation(ctx, vs[0].ID)
	if err != nil || se.RulesVersion != "HSCS-2.0" || se.Sentences[scoring.SentenceGrade].EN == "" {
		t.Errorf("LatestEvaluation after reopening: %s, %v", se.RulesVersion, err)
	}

	// Going back to HSCS-1.0 is an adoption like any other.
	if err := db2.AdoptRules(ctx, regulator, scoring.DefaultRules()); err != nil {
		t.Fatalf("adopting HSCS-1.0 again: %v", err)
	}
	if cur, _ := db2.CurrentRules(ctx); cur.Version != "HSCS-1.0" {
		t.Errorf("CurrentRules = %s, want HSCS-1.0", cur.Version)
	}
}

// The name HSCS-1.0 is the built-in defaults: other values under it would
// be evaluated and stored as HSCS-1.0 while RulesByVersion keeps returning
// the defaults.
func TestAdoptRulesRefusesChangedDefaultVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	changed := scoring.DefaultRules()
	changed.Grades.A = 95
	err := db.AdoptRules(ctx, regulator, changed)
	if errors.Is(err, registry.ErrConflict) {
		return
	}
	cur, _ := db.CurrentRules(ctx)
	byName, _ := db.RulesByVersion(ctx, "HSCS-1.0")
	t.Fatalf("regression: AdoptRules accepts other values under the built-in name HSCS-1.0 (err %v); CurrentRules A = %v, RulesByVersion(HSCS-1.0) A = %v",
		err, cur.Grades.A, byName.Grades.A)
}
