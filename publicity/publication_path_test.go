package publicity_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"chengxin/publicity"
	"chengxin/registry"
	"chengxin/scoring"
)

// Tests of the one publication path: runs, matured pending downgrades,
// decisions on objections, overrides and out-of-cycle blacklistings all
// publish through the registry's one writer, as the rules in scoring
// decide, and each leaves one entry in the vendor's publication history.

func (w *walk) history() []registry.PublicationEntry {
	w.t.Helper()
	h, err := w.db.PublicationHistory(context.Background(), w.id, 100)
	if err != nil {
		w.t.Fatal(err)
	}
	return h
}

func (w *walk) headline() publicity.Headline {
	w.t.Helper()
	f, err := w.db.GradeFactsOf(context.Background(), []int64{w.id}, w.db.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	return publicity.HeadlineOf(f[w.id])
}

func (w *walk) audited(action string) []registry.AuditEntry {
	w.t.Helper()
	es, err := w.db.FindAudit(context.Background(), registry.AuditFilter{Action: action, Limit: 100})
	if err != nil {
		w.t.Fatal(err)
	}
	return es
}

func (w *walk) at(s string) { w.db.Now = func() time.Time { return day(s) } }

// A run that finds the grade unchanged confirms it: the publication date
// moves to the run, the grade's "since" stays, and each run is one history
// entry with its score.
func TestRunConfirmsGrade(t *testing.T) {
	w := newWalk(t)
	w.publish("2026-01-01 02:00")
	w.publish("2026-02-01 02:00")
	h := w.history()
	if len(h) != 2 || h[0].Cause != registry.CauseRun || h[0].Action != string(scoring.ActionUnchanged) ||
		h[1].Action != string(scoring.ActionFirst) || h[0].Grade != "A" || h[0].Score == nil {
		t.Fatalf("history = %+v", h)
	}
	hl := w.headline()
	if hl.Grade != "A" || !hl.PublishedAt.Equal(day("2026-02-01 02:00")) || !hl.GradeSince.Equal(day("2026-01-01 02:00")) ||
		*hl.Score != *h[0].Score || hl.Provisional || hl.Note != "" {
		t.Errorf("headline = %+v", hl)
	}
}

// A pending downgrade published by the scheduler is in the history with
// the score it was evaluated at, and audited.
func TestMaturedPendingInHistory(t *testing.T) {
	w := newWalk(t)
	w.publish("2026-01-01 02:00")
	w.complaints(8, day("2026-01-20 09:00"))
	w.publish("2026-02-01 02:00")
	states, _ := w.db.PublicationStates(context.Background())
	pendingScore := states[w.id].Pending.Score
	w.at("2026-02-15 02:00")
	if n, err := w.db.PublishMaturedPending(context.Background(), registry.SystemActor); err != nil || n != 1 {
		t.Fatalf("PublishMaturedPending = %d, %v", n, err)
	}
	h := w.history()
	if h[0].Cause != registry.CauseMatured || h[0].Grade != "C" || *h[0].Score != pendingScore || !h[0].At.Equal(day("2026-02-15 02:00")) {
		t.Errorf("history[0] = %+v", h[0])
	}
	if hl := w.headline(); hl.Grade != "C" || *hl.Score != pendingScore || hl.Pending != nil || !hl.GradeSince.Equal(h[0].At) {
		t.Errorf("headline = %+v", hl)
	}
	if len(w.audited("publication.pending_published")) != 1 {
		t.Error("not audited")
	}
}

// A regulator's amended decision on an objection publishes the amended
// grade with the pending evaluation's score and says so in the note.
func TestObjectionDecisionInHistory(t *testing.T) {
	w := newWalk(t)
	ctx := context.Background()
	w.publish("2026-01-01 02:00")
	w.complaints(8, day("2026-01-20 09:00"))
	w.publish("2026-02-01 02:00")
	w.at("2026-02-10 10:00")
	c, err := w.db.ObjectToPendingGrade(ctx, vendorUser, w.id, "两件投诉是同一订单的重复投诉", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.DecideCase(ctx, regulator, c.ID, registry.DecisionAmend, "经核查为重复投诉", "B"); err != nil {
		t.Fatal(err)
	}
	h := w.history()
	if h[0].Cause != registry.CauseReview || h[0].Grade != "B" || h[0].Action != string(scoring.ActionObjectionAmended) ||
		h[0].Note != scoring.NoteReview {
		t.Errorf("history[0] = %+v", h[0])
	}
	if hl := w.headline(); hl.Grade != "B" || hl.Note != scoring.NoteReview || hl.Pending != nil {
		t.Errorf("headline = %+v", hl)
	}
}

// An override is in the history with its reason; the published grade
// underneath stays and is in force again when the override ends.
func TestOverrideInHistory(t *testing.T) {
	w := newWalk(t)
	w.publish("2026-01-01 02:00")
	w.at("2026-01-10 10:00")
	if err := w.db.SetOverride(context.Background(), regulator, w.id, "C", "涉嫌虚假宣传，调查期间", "2026-02-10"); err != nil {
		t.Fatal(err)
	}
	h := w.history()
	if h[0].Cause != registry.CauseOverride || h[0].Grade != "C" || h[0].Reason != "涉嫌虚假宣传，调查期间" || h[0].Score == nil {
		t.Errorf("history[0] = %+v", h[0])
	}
	hl := w.headline()
	if hl.Grade != "C" || hl.Note != scoring.NoteOverride || hl.Override == nil || !hl.GradeSince.Equal(day("2026-01-10 10:00")) ||
		!hl.PublishedAt.Equal(day("2026-01-01 02:00")) {
		t.Errorf("headline under the override = %+v", hl)
	}
	if p, _ := w.state(); p != "A" {
		t.Errorf("published grade under the override = %s", p)
	}
	w.at("2026-02-11 10:00")
	if hl := w.headline(); hl.Grade != "A" || hl.Override != nil || hl.Note != "" {
		t.Errorf("headline after the override = %+v", hl)
	}
}

// docs/SCORING.md "Out of cycle": a blacklist entry publishes the worse grade at
// once — no run, no background evaluator — in the history with the entry as
// its cause, audited; the pending downgrade is withdrawn and the objection
// to it closed. Another entry or a warning publishes nothing more; lifting
// the entry changes nothing until the next run, where the upgrade rule
// applies.
func TestBlacklistPublishedAtOnce(t *testing.T) {
	w := newWalk(t)
	ctx := context.Background()
	w.publish("2026-01-01 02:00")
	w.complaints(8, day("2026-01-20 09:00"))
	w.publish("2026-02-01 02:00")
	w.expect("pending", "A", "C")
	w.at("2026-02-03 10:00")
	objection, err := w.db.ObjectToPendingGrade(ctx, vendorUser, w.id, "我们有证据", "")
	if err != nil {
		t.Fatal(err)
	}
	before := len(w.history())

	w.at("2026-02-05 10:00")
	if _, err := w.db.CreateSanction(ctx, regulator, registry.SanctionInput{VendorUSCC: w.uscc, Kind: "blacklist",
		IssuedAt: "2026-02-05", Reference: "津市监信〔2026〕7号", Summary: "无证经营且拒不整改"}); err != nil {
		t.Fatal(err)
	}
	ss, err := w.db.SanctionsOfVendor(ctx, w.id)
	if err != nil || len(ss) != 1 {
		t.Fatalf("sanctions: %v %v", ss, err)
	}
	s := ss[0]
	w.expect("blacklisted", "D", "")
	h := w.history()
	if len(h) != before+1 || h[0].Cause != registry.CauseBlacklist || h[0].Reference != "津市监信〔2026〕7号" || h[0].Grade != "D" ||
		h[0].Note != scoring.NoteCapD || !h[0].At.Equal(day("2026-02-05 10:00")) {
		t.Fatalf("history = %+v", h)
	}
	hl := w.headline()
	if hl.Grade != "D" || hl.Pending != nil || hl.Note != scoring.NoteCapD || !hl.PublishedAt.Equal(day("2026-02-05 10:00")) ||
		!hl.GradeSince.Equal(*hl.PublishedAt) || hl.Score == nil || *hl.Score != *h[0].Score {
		t.Errorf("headline = %+v", hl)
	}
	// The evaluation at that instant is stored, so pages showing it agree.
	if se, err := w.db.LatestEvaluation(ctx, w.id); err != nil || se.Grade != "D" || !se.AsOf.Equal(day("2026-02-05 10:00")) {
		t.Errorf("latest evaluation: %v %v", se.Evaluation.Grade, err)
	}
	es := w.audited("publication.out_of_cycle")
	if len(es) != 1 || es[0].Subject != w.uscc || !strings.Contains(es[0].Detail, `"sanction":`+strconv.FormatInt(s.ID, 10)) ||
		!strings.Contains(es[0].Detail, `"pending_was":"C"`) || !strings.Contains(es[0].Detail, `"before":"A"`) {
		t.Errorf("audit = %+v", es)
	}
	cases, _ := w.db.FindCases(ctx, registry.CaseFilter{VendorID: w.id})
	for _, c := range cases {
		if c.ID == objection.ID && c.Status != "withdrawn" {
			t.Errorf("the objection to the withdrawn downgrade is %s", c.Status)
		}
	}
	inbox, _ := w.db.Inbox(ctx, registry.RoleVendor, w.id, 10)
	var texts []string
	for _, n := range inbox {
		texts = append(texts, n.Text.In("en"))
	}
	if all := strings.Join(texts, " | "); !strings.Contains(all, "津市监信〔2026〕7号, your public grade is now D") || !strings.Contains(all, "withdrawn") {
		t.Errorf("vendor inbox: %s", all)
	}

	// Already D: another entry, then a warning, publish nothing.
	if _, err := w.db.CreateSanction(ctx, regulator, registry.SanctionInput{VendorUSCC: w.uscc, Kind: "blacklist",
		IssuedAt: "2026-02-05", Reference: "津市监信〔2026〕8号", Summary: "再次列入"}); err != nil {
		t.Fatal(err)
	}
	insertSanction(t, w, "warning", day("2026-02-05 09:00"))
	if n := len(w.history()); n != before+1 {
		t.Errorf("history grew to %d entries", n)
	}

	// Lifting both entries: nothing changes until the next run.
	w.at("2026-02-20 10:00")
	for _, x := range []int64{s.ID, s.ID + 1} {
		if err := w.db.EndSanction(ctx, regulator, x, "lifted", "复议撤销"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.db.ProcessMarks(ctx, 10, w.db.Now()); err != nil {
		t.Fatal(err)
	}
	w.expect("lifted, before the next run", "D", "")
	if n := len(w.history()); n != before+1 {
		t.Errorf("lifting published: %d history entries", n)
	}
	w.at("2026-12-31 23:00")
	res := w.publish("2026-03-01 02:00")
	if res.Actions[scoring.ActionUpgrade]+res.Actions[scoring.ActionUpgradeHeld] != 1 {
		t.Errorf("the next run after the lifting: %v, want the upgrade rule", res.Actions)
	}
}

// A blacklist entry imported from a CSV file (as `chengxin import` does,
// from another process too) publishes the same way; a preview stores
// nothing.
func TestBlacklistImportPublishes(t *testing.T) {
	w := newWalk(t)
	ctx := context.Background()
	w.publish("2026-01-01 02:00")
	w.at("2026-01-10 10:00")
	csv := "vendor_uscc,kind,issued_at,reference,summary\n" + w.uscc + ",blacklist,2026-01-09,津市监信〔2026〕2号,拒不履行生效判决\n"
	rep, err := w.db.ImportSanctions(ctx, strings.NewReader(csv), registry.ImportOptions{Actor: registry.CLIActor, DryRun: true})
	if err != nil || rep.Created != 1 {
		t.Fatalf("preview: %+v %v", rep, err)
	}
	w.expect("after a preview", "A", "")
	rep, err = w.db.ImportSanctions(ctx, strings.NewReader(csv), registry.ImportOptions{Actor: registry.CLIActor})
	if err != nil || rep.Created != 1 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	w.expect("imported", "D", "")
	if h := w.history(); h[0].Cause != registry.CauseBlacklist || h[0].Reference != "津市监信〔2026〕2号" {
		t.Errorf("history[0] = %+v", h[0])
	}
}

// Before any run nothing is published out of cycle (the first publication
// is an explicit run); an entry no longer on display publishes nothing.
func TestBlacklistWithoutPublication(t *testing.T) {
	w := newWalk(t)
	ctx := context.Background()
	w.at("2026-01-10 10:00")
	insertSanction(t, w, "blacklist", day("2026-01-09 10:00"))
	if p, _ := w.state(); p != "" || len(w.history()) != 0 {
		t.Errorf("published before any run: %q", p)
	}
	if hl := w.headline(); hl.Grade != "D" || !hl.Provisional {
		t.Errorf("headline before any run = %+v", hl)
	}

	w2 := newWalk(t)
	w2.publish("2026-01-01 02:00")
	w2.at("2026-01-10 10:00")
	if _, err := w2.db.CreateSanction(ctx, regulator, registry.SanctionInput{VendorUSCC: w2.uscc, Kind: "blacklist",
		IssuedAt: "2025-01-01", DisplayUntil: "2025-06-30", Reference: "津市监信〔2025〕3号", Summary: "历史记录迁移"}); err != nil {
		t.Fatal(err)
	}
	w2.expect("an entry off display", "A", "")
}

// A run evaluates everyone first and writes at the end; a blacklisting
// published out of cycle in between is decided on, never overwritten.
func TestRunKeepsOutOfCycleBlacklisting(t *testing.T) {
	w := newWalk(t)
	ctx := context.Background()
	w.publish("2026-01-01 02:00")
	w.at("2026-02-01 03:00")
	run, _, err := w.db.StartRun(ctx, registry.CLIActor, day("2026-02-01 02:00"))
	if err != nil {
		t.Fatal(err)
	}
	defer run.Release()
	rules, _ := w.db.CurrentRules(ctx)
	var evals []registry.RunEvaluation
	if _, err := w.db.Rescore(ctx, registry.RescoreOptions{AsOf: run.AsOf, Collect: func(id int64, ev scoring.Evaluation) {
		evals = append(evals, registry.RunEvaluationOf(id, ev))
	}}); err != nil {
		t.Fatal(err)
	}
	insertSanction(t, w, "blacklist", day("2026-02-01 01:00"))
	w.expect("blacklisted during the run", "D", "")
	actions, err := w.db.FinishRun(ctx, registry.CLIActor, run, rules, evals)
	if err != nil {
		t.Fatal(err)
	}
	w.expect("after the run", "D", "")
	if actions[scoring.ActionSuperseded] != 1 {
		t.Errorf("run actions = %v, want the blacklisting to stand", actions)
	}
}
