package web_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"chengxin/registry"
	"chengxin/scoring"
)

// evKeys are the component keys in the order the console shows them.
var evKeys = []string{scoring.KeySatisfaction, scoring.KeyComplaints, scoring.KeyQualification, scoring.KeyRegulatory, scoring.KeyBonus}

// evSpaces collapses whitespace as the page text helper does.
func evSpaces(s string) string { return strings.Join(strings.Fields(s), " ") }

// evComplaints ingests complaints for a vendor: one substantiated and
// closed, one still open within its deadline.
func evComplaints(t *testing.T, e *env, uscc, prefix string) []string {
	t.Helper()
	wos := []string{prefix + "-0001", prefix + "-0002"}
	recs := []registry.ComplaintInput{
		{WorkOrderNo: wos[0], VendorUSCC: uscc, ReceivedAt: rlAt(-rlDays(20)), Channel: "phone", Category: "cleaning",
			Severity: "general", Status: "closed", Outcome: "substantiated", DeadlineAt: rlAt(-rlDays(15)), ClosedAt: rlAt(-rlDays(17))},
		{WorkOrderNo: wos[1], VendorUSCC: uscc, ReceivedAt: rlAt(-rlDays(1)), Channel: "wechat", Category: "cleaning",
			Severity: "serious", Status: "open", DeadlineAt: rlAt(rlDays(2))},
	}
	sum, err := e.db.IngestComplaints(context.Background(), registry.CLIActor, recs, nil)
	if err != nil || sum.Rejected != 0 {
		t.Fatalf("IngestComplaints: %v %+v", err, sum)
	}
	return wos
}

// evWantComponents checks the five component rows against an evaluation.
func evWantComponents(t *testing.T, what string, r *resp, rules scoring.Rules, ev scoring.Evaluation, en bool) {
	t.Helper()
	rows := r.TableRows("eval-components")
	if len(rows) != 5 {
		t.Fatalf("%s: %d component rows, want 5\n%s", what, len(rows), r)
	}
	c := ev.Components
	points := []float64{c.Satisfaction, c.Complaints, c.Qualification, c.Regulatory, c.Bonus}
	maxes := []float64{rules.Satisfaction.MaxPoints, rules.Complaints.MaxPoints,
		rules.Qualification.LicencePoints + rules.Qualification.InsurancePoints, rules.Regulatory.MaxPoints, rules.Bonus.MaxPoints}
	for i, key := range evKeys {
		if len(rows[i]) != 3 {
			t.Errorf("%s: row %d = %q", what, i, rows[i])
			continue
		}
		if want := fmt.Sprintf("%g / %g", points[i], maxes[i]); rows[i][1] != want {
			t.Errorf("%s: %s points %q, want %q", what, key, rows[i][1], want)
		}
		s := ev.Sentences[key].ZH
		if en {
			s = ev.Sentences[key].EN
		}
		if rows[i][2] != evSpaces(s) || s == "" {
			t.Errorf("%s: %s sentence %q, want %q", what, key, rows[i][2], evSpaces(s))
		}
	}
}

func TestConsoleEvaluation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	rules := scoring.DefaultRules()
	other := e.createVendor(registry.MustUSCC("91120101MA0EW0001"), "河西区另一家政服务有限公司")
	mine := evComplaints(t, e, e.vendor.USCC, "8890-EVMINE")
	theirs := evComplaints(t, e, other.USCC, "8890-EVOTHER")
	if _, err := e.db.IngestCallbacks(ctx, registry.CLIActor, []registry.CallbackInput{{WorkOrderNo: "8890-EVCB-1",
		VendorUSCC: e.vendor.USCC, CalledAt: rlAt(-time.Hour), Result: "dissatisfied"}}, nil); err != nil {
		t.Fatal(err)
	}

	reg := e.as(registry.RoleRegulator)
	// Not evaluated yet: the section says so.
	r := reg.get("/console/vendors/" + e.vendor.USCC)
	wantStatus(t, r, http.StatusOK)
	if !r.Has("evaluation") || r.Has("eval-grade") || r.Has("eval-components") {
		t.Errorf("unevaluated vendor: evaluation section %v, grade %v", r.Has("evaluation"), r.Has("eval-grade"))
	}

	ev, err := e.db.EvaluateVendor(ctx, e.vendor.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Grade == scoring.GradeN || ev.Evidence.ComplaintsReceived != 2 {
		t.Fatalf("evaluation: grade %s, %d complaints; want a letter grade and 2", ev.Grade, ev.Evidence.ComplaintsReceived)
	}
	// Records arriving after the evaluation do not change the stored one the regulator sees.
	if _, err := e.db.IngestCallbacks(ctx, registry.CLIActor, []registry.CallbackInput{{WorkOrderNo: "8890-EVCB-2",
		VendorUSCC: e.vendor.USCC, CalledAt: rlAt(-time.Minute), Result: "satisfied"}}, nil); err != nil {
		t.Fatal(err)
	}

	r = reg.get("/console/vendors/" + e.vendor.USCC)
	wantStatus(t, r, http.StatusOK)
	if !r.Has("evaluation") {
		t.Fatalf("no evaluation section\n%s", r)
	}
	if g := r.TestID("eval-grade"); g != ev.Grade {
		t.Errorf("eval-grade %q, want %q", g, ev.Grade)
	}
	evWantComponents(t, "regulator", r, rules, ev, false)
	wantContains(t, "evaluation", r.TestID("evaluation"), fmt.Sprintf("得分 %.1f", ev.Score))
	wantContains(t, "evaluation", r.TestID("evaluation"), "HSCS-1.0")
	if r.Has("eval-items") {
		t.Errorf("the regulator's vendor page lists complaint items")
	}

	// The vendor's own page: a fresh evaluation with every complaint.
	ven := e.as(registry.RoleVendor)
	r = ven.get("/console/me")
	wantStatus(t, r, http.StatusOK)
	in, err := e.db.LoadInputs(ctx, e.vendor.ID)
	if err != nil {
		t.Fatal(err)
	}
	fresh := scoring.Evaluate(rules, in, e.clk.Now())
	if fresh.Evidence.CallbacksCounted != 2 {
		t.Fatalf("fresh evaluation counts %d callbacks, want 2", fresh.Evidence.CallbacksCounted)
	}
	if g := r.TestID("eval-grade"); g != fresh.Grade {
		t.Errorf("vendor eval-grade %q, want %q", g, fresh.Grade)
	}
	evWantComponents(t, "vendor", r, rules, fresh, false)
	items := r.TableRows("eval-items")
	if got := column(items, 0); !slices.Equal(got, mine) {
		t.Errorf("eval-items work orders %q, want %q", got, mine)
	}
	if len(items) == 2 && len(items[0]) == 5 {
		it := fresh.Items[0]
		if want := fmt.Sprintf("%g × %g = %g", it.Points, float64(int64(it.Weight*1e4+0.5))/1e4,
			float64(int64(it.Contribution*1e4+0.5))/1e4); items[0][4] != want {
			t.Errorf("first item's contribution %q, want %q", items[0][4], want)
		}
		if items[0][1] != t0.Add(-rlDays(20)).Format("2006-01-02") {
			t.Errorf("first item received %q", items[0][1])
		}
	}
	for _, wo := range theirs {
		if strings.Contains(r.Body, wo) {
			t.Errorf("the vendor's page shows another vendor's work order %s", wo)
		}
	}

	// In English.
	r = ven.get("/console/me?lang=en")
	wantStatus(t, r, http.StatusOK)
	if r.HTMLLang() != "en" {
		t.Errorf("lang %q, want en", r.HTMLLang())
	}
	evWantComponents(t, "vendor (en)", r, rules, fresh, true)
	wantContains(t, "evaluation (en)", r.TestID("evaluation"), evSpaces(fresh.Sentences[scoring.SentenceGrade].EN))
	wantContains(t, "evaluation (en)", r.TestID("evaluation"), "Credit evaluation")
	if got := column(r.TableRows("eval-items"), 0); !slices.Equal(got, mine) {
		t.Errorf("eval-items (en) %q, want %q", got, mine)
	}
	for _, wo := range theirs {
		if strings.Contains(r.Body, wo) {
			t.Errorf("the English page shows another vendor's work order %s", wo)
		}
	}
	// The regulator's page in English has the stored evaluation's English sentences.
	se, err := e.db.LatestEvaluation(ctx, e.vendor.ID)
	if err != nil {
		t.Fatal(err)
	}
	r = reg.get("/console/vendors/" + e.vendor.USCC + "?lang=en")
	wantStatus(t, r, http.StatusOK)
	evWantComponents(t, "regulator (en)", r, rules, se.Evaluation, true)
}
