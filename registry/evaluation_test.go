package registry_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"chengxin/registry"
	"chengxin/scoring"
)

// evCallbacks returns the callbacks counted in each vendor's current evaluation.
func evCallbacks(db *registry.DB, ids []int64) []int {
	out := make([]int, len(ids))
	for i, id := range ids {
		se, err := db.LatestEvaluation(context.Background(), id)
		if err != nil {
			out[i] = -1
			continue
		}
		out[i] = se.Evidence.CallbacksCounted
	}
	return out
}

func evCallback(wo, uscc string) registry.CallbackInput {
	return registry.CallbackInput{WorkOrderNo: wo, VendorUSCC: uscc, CalledAt: ingRFC(-time.Hour), Result: "satisfied"}
}

// Ingest marks vendors; ProcessMarks evaluates them and takes their marks.
func TestEvaluatorFollowsIngest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	vs := ingVendors(t, db, 3)
	ids := []int64{vs[0].ID, vs[1].ID, vs[2].ID}
	for _, id := range ids {
		if _, err := db.EvaluateVendor(ctx, id, t0); err != nil {
			t.Fatal(err)
		}
	}
	ingTakeAll(t, db)

	// ProcessMarks directly.
	if _, err := db.IngestCallbacks(ctx, ingActor, []registry.CallbackInput{evCallback("CB-1", vs[0].USCC)}, nil); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountMarks(ctx); n != 1 {
		t.Fatalf("CountMarks after one callback = %d, want 1", n)
	}
	n, err := db.ProcessMarks(ctx, 10, t0)
	if err != nil || n != 1 {
		t.Fatalf("ProcessMarks = %d, %v; want 1", n, err)
	}
	if got := evCallbacks(db, ids); got[0] != 1 || got[1] != 0 || got[2] != 0 {
		t.Errorf("callbacks counted %v, want [1 0 0]", got)
	}
	if n, _ := db.CountMarks(ctx); n != 0 {
		t.Errorf("CountMarks after ProcessMarks = %d, want 0", n)
	}
	if n, err := db.ProcessMarks(ctx, 10, t0); err != nil || n != 0 {
		t.Errorf("ProcessMarks with no marks = %d, %v; want 0", n, err)
	}
	// The loop that calls ProcessMarks in a serving process is
	// cmd/chengxin's runEvaluator (evaluator_test.go there).
}

// CityPriors and GradeCounts sum the current evaluations.
func TestCityPriorsAndGradeCounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _, ids := rsCity(t)

	empty, err := db.CityPriors(ctx)
	if err != nil || empty != (registry.CityPriors{}) {
		t.Errorf("CityPriors before any evaluation = %+v, %v; want zeros", empty, err)
	}
	if gc, err := db.GradeCounts(ctx); err != nil || len(gc) != 0 {
		t.Errorf("GradeCounts before any evaluation = %v, %v; want none", gc, err)
	}

	rsRescore(t, db, registry.RescoreOptions{AsOf: t0})
	// The current evaluation of one vendor comes from a later instant: the
	// sums are over current evaluations, whatever their instant.
	if _, err := db.EvaluateVendor(ctx, ids[0], t0.Add(90*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	var n, u, d, e float64 // from stored evidence (4 decimals)
	var fn, fu, fd, fe float64
	grades := map[string]int{}
	for _, id := range ids {
		se := rsLatest(t, db, id)
		grades[se.Grade]++
		n += se.Evidence.CallbacksWeight
		u += se.Evidence.SatisfactionValue
		d += se.Evidence.ComplaintPoints
		e += se.Evidence.Exposure
		fresh := rsFresh(t, db, scoring.DefaultRules(), id, se.AsOf)
		fn += fresh.Evidence.CallbacksWeight
		fu += fresh.Evidence.SatisfactionValue
		fd += fresh.Evidence.ComplaintPoints
		fe += fresh.Evidence.Exposure
	}
	p, err := db.CityPriors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.Vendors != rsVendors {
		t.Errorf("CityPriors.Vendors = %d, want %d", p.Vendors, rsVendors)
	}
	// Each stored evidence figure is rounded to 4 decimals.
	tol := float64(rsVendors) * 0.5e-4
	near := func(what string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol {
			t.Errorf("%s = %v, want %v (±%g)", what, got, want, tol)
		}
	}
	near("CallbacksWeight", p.CallbacksWeight, n, tol)
	near("Exposure", p.Exposure, e, tol)
	near("CallbacksWeight (full precision)", p.CallbacksWeight, fn, 1e-9*fn)
	near("Exposure (full precision)", p.Exposure, fe, 1e-9*fe)
	near("SatisfactionMean", p.SatisfactionMean, u/n, 1e-4)
	near("ComplaintRate", p.ComplaintRate, d/e, 1e-4)
	near("SatisfactionMean (full precision)", p.SatisfactionMean, fu/fn, 1e-12)
	near("ComplaintRate (full precision)", p.ComplaintRate, fd/fe, 1e-12)
	if p.SatisfactionMean <= 0.5 || p.SatisfactionMean >= 1 || p.ComplaintRate <= 0 {
		t.Errorf("implausible priors %+v", p)
	}

	gc, err := db.GradeCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(gc) != fmt.Sprint(grades) {
		t.Errorf("GradeCounts = %v, want %v", gc, grades)
	}
	total := 0
	for _, k := range gc {
		total += k
	}
	if total != rsVendors {
		t.Errorf("GradeCounts sum to %d, want %d", total, rsVendors)
	}
}

// LatestEvaluation rebuilds the sentences a row does not keep.
func TestLatestEvaluationSentences(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _, ids := rsCity(t)
	keys := []string{scoring.KeySatisfaction, scoring.KeyComplaints, scoring.KeyQualification, scoring.KeyRegulatory,
		scoring.KeyBonus, scoring.SentenceGrade}

	// Never evaluated: ErrNotFound, for a known and an unknown vendor.
	_, err := db.LatestEvaluation(ctx, ids[0])
	mustNotFound(t, err)
	_, err = db.LatestEvaluation(ctx, 999999)
	mustNotFound(t, err)

	rsRescore(t, db, registry.RescoreOptions{AsOf: t0})
	for _, id := range ids {
		se := rsLatest(t, db, id)
		if se.VendorID != id || se.ID == 0 {
			t.Errorf("vendor #%d: evaluation #%d of vendor #%d", id, se.ID, se.VendorID)
		}
		if se.Reasons == nil {
			t.Errorf("vendor #%d: nil reasons", id)
		}
		if len(se.Sentences) != len(keys) {
			t.Errorf("vendor #%d: %d sentences, want %d", id, len(se.Sentences), len(keys))
		}
		for _, k := range keys {
			s := se.Sentences[k]
			if s.ZH == "" || s.EN == "" || s.ZH == s.EN {
				t.Errorf("vendor #%d: sentence %s = %+v, want Chinese and English", id, k, s)
			}
		}
		if se.Items != nil {
			t.Errorf("vendor #%d: a stored evaluation keeps no complaint items, got %d", id, len(se.Items))
		}
	}

	// A vendor with plain figures: the rebuilt sentences are the evaluation's.
	v, err := db.CreateVendor(ctx, cli, vendorIn(usccN(4242)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.LatestEvaluation(ctx, v.ID)
	mustNotFound(t, err)
	if _, err := db.IngestCallbacks(ctx, ingActor, []registry.CallbackInput{evCallback("CB-S-1", v.USCC)}, nil); err != nil {
		t.Fatal(err)
	}
	unsubstantiated := ingClosedIn("CP-S-1", v.USCC)
	unsubstantiated.Outcome = "unsubstantiated" // no negative evidence
	if _, err := db.IngestComplaints(ctx, ingActor, []registry.ComplaintInput{unsubstantiated}, nil); err != nil {
		t.Fatal(err)
	}
	ev, err := db.EvaluateVendor(ctx, v.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	se := rsLatest(t, db, v.ID)
	for _, k := range keys {
		if se.Sentences[k] != ev.Sentences[k] {
			t.Errorf("sentence %s rebuilt as %+v, want %+v", k, se.Sentences[k], ev.Sentences[k])
		}
	}
	if se.Grade != scoring.GradeN || !slices.Equal(se.Reasons, []string{scoring.ReasonInsufficientEvidence}) {
		t.Errorf("new vendor: grade %s reasons %v, want N (%s)", se.Grade, se.Reasons, scoring.ReasonInsufficientEvidence)
	}
}

// A status change alters the qualification points and the caps, so the
// vendor waits for re-evaluation like after an ingest.
func TestStatusChangeMarksVendor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	v := ingVendors(t, db, 1)[0]
	if _, err := db.EvaluateVendor(ctx, v.ID, t0); err != nil {
		t.Fatal(err)
	}
	ingTakeAll(t, db)
	if _, err := db.SetVendorStatus(ctx, regulator, v.USCC, registry.VendorSuspended, "停业整顿"); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountMarks(ctx); n != 1 {
		t.Fatalf("regression: SetVendorStatus does not mark the vendor for re-evaluation (%d marks); its current evaluation keeps Active=true until the next full rescore", n)
	}
	if n, err := db.ProcessMarks(ctx, 10, t0); err != nil || n != 1 {
		t.Fatalf("ProcessMarks = %d, %v", n, err)
	}
	if se := rsLatest(t, db, v.ID); se.Evidence.Active || se.Components.Qualification != 0 {
		t.Errorf("after suspension: active %v, qualification %v; want false and 0", se.Evidence.Active, se.Components.Qualification)
	}
}

// A stored evaluation's sentences describe the vendor as it was evaluated,
// not its status today.
func TestLatestEvaluationSentencesKeepEvaluatedStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	v := ingVendors(t, db, 1)[0]
	if _, err := db.SetVendorStatus(ctx, regulator, v.USCC, registry.VendorSuspended, "停业整顿"); err != nil {
		t.Fatal(err)
	}
	ev, err := db.EvaluateVendor(ctx, v.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Evidence.Active {
		t.Fatal("a suspended vendor evaluated as active")
	}
	if se := rsLatest(t, db, v.ID); se.Sentences[scoring.KeyQualification] != ev.Sentences[scoring.KeyQualification] {
		t.Fatalf("rebuilt qualification sentence %+v, want %+v", se.Sentences[scoring.KeyQualification], ev.Sentences[scoring.KeyQualification])
	}
	if _, err := db.SetVendorStatus(ctx, regulator, v.USCC, registry.VendorActive, "整改完成"); err != nil {
		t.Fatal(err)
	}
	se := rsLatest(t, db, v.ID)
	if got, want := se.Sentences[scoring.KeyQualification], ev.Sentences[scoring.KeyQualification]; got != want {
		t.Fatalf("regression: LatestEvaluation rebuilds sentences from the vendor's current status: stored evaluation (inactive) now reads %q, was %q", got.EN, want.EN)
	}
}

// When the evaluator is stopped in the middle of a pass (its context
// cancelled), the vendors it took but did not evaluate keep their marks.
func TestProcessMarksKeepsMarksWhenCancelled(t *testing.T) {
	t.Parallel()
	db, clk := openDB(t)
	vs := ingVendors(t, db, 3)
	ingTakeAll(t, db)
	var cbs []registry.CallbackInput
	for i, v := range vs {
		cbs = append(cbs, evCallback(fmt.Sprintf("CB-X-%d", i), v.USCC))
	}
	if _, err := db.IngestCallbacks(context.Background(), ingActor, cbs, nil); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountMarks(context.Background()); n != 3 {
		t.Fatalf("%d marks, want 3", n)
	}
	// The context ends while the first evaluation is being stored (the
	// store reads the clock for created_at).
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db.Now = func() time.Time { cancel(); return clk.Now() }
	n, err := db.ProcessMarks(ctx, 10, t0)
	db.Now = clk.Now
	if err == nil {
		t.Fatalf("ProcessMarks with a cancelled context = %d, nil", n)
	}
	if n != 0 {
		t.Errorf("ProcessMarks evaluated %d vendors, want 0", n)
	}
	left, _ := db.CountMarks(context.Background())
	if left != 3 {
		t.Fatalf("regression: ProcessMarks puts the untaken marks back with the cancelled context, so they are lost: %d of 3 marks left (err %v)", left, err)
	}
}
