package scoring

import (
	"testing"
	"time"
)

func pev(grade string, score float64, reasons ...string) Evaluation {
	if reasons == nil {
		reasons = []string{}
	}
	return Evaluation{Grade: grade, Score: score, Reasons: reasons}
}

func blacklistedEv(score float64) Evaluation {
	ev := pev(GradeD, score, ReasonCapD)
	ev.Evidence.Blacklisted = true
	return ev
}

func fp(x float64) *float64 { return &x }

func TestDecideRun(t *testing.T) {
	rules := DefaultRules()
	run := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	after := run.Add(14 * 24 * time.Hour)
	type S = PublicationState
	type P = PendingGrade
	tests := []struct {
		name      string
		st        S
		ev        Evaluation
		action    PublicationAction
		publish   bool // the run sets or confirms the published grade
		published string
		note      string
		pending   string // grade pending after the run, "" none
	}{
		{"first publication", S{}, pev("B", 80), ActionFirst, true, "B", "", ""},
		{"first publication of N", S{}, pev("N", 83, ReasonInsufficientEvidence), ActionFirst, true, "N", "", ""},
		{"first publication capped", S{}, pev("C", 80, ReasonCapC), ActionFirst, true, "C", NoteCapC, ""},
		{"from N to a letter", S{Published: "N"}, pev("C", 65), ActionFirst, true, "C", "", ""},
		{"from a letter to N", S{Published: "B"}, pev("N", 80), ActionFirst, true, "N", "", ""},
		{"unchanged is confirmed", S{Published: "B"}, pev("B", 80), ActionUnchanged, true, "B", "", ""},
		{"unchanged A needs its track record", S{Published: "B"}, pev("B", 93, ReasonARequirements), ActionUnchanged, true, "B", NoteARequirements, ""},
		{"unchanged withdraws a pending downgrade", S{Published: "B", Pending: &P{Grade: "C", PublicAfter: after}}, pev("B", 80), ActionUnchanged, true, "B", "", ""},
		{"downgrade becomes pending", S{Published: "B"}, pev("C", 70), ActionDowngradePending, false, "B", "", "C"},
		{"same worse grade keeps its pending", S{Published: "B", Pending: &P{Grade: "C", PublicAfter: after}}, pev("C", 68), ActionDowngradeKept, false, "B", "", "C"},
		{"a different worse grade replaces it", S{Published: "B", Pending: &P{Grade: "C", PublicAfter: after}}, pev("D", 50), ActionDowngradePending, false, "B", "", "D"},
		{"blacklisted: downgrade at once", S{Published: "A"}, blacklistedEv(87), ActionDowngradeNow, true, "D", NoteCapD, ""},
		{"upgrade needs a previous run", S{Published: "B"}, pev("A", 95), ActionUpgradeHeld, true, "B", NoteHeld, ""},
		{"upgrade needs both scores ≥ threshold + 2", S{Published: "B", PreviousScore: fp(91.9)}, pev("A", 95), ActionUpgradeHeld, true, "B", NoteHeld, ""},
		{"upgrade earned twice", S{Published: "B", PreviousScore: fp(92.0)}, pev("A", 92.0), ActionUpgrade, true, "A", "", ""},
		{"upgrade held withdraws a pending downgrade", S{Published: "B", PreviousScore: fp(80), Pending: &P{Grade: "C", PublicAfter: after}}, pev("A", 91), ActionUpgradeHeld, true, "B", NoteHeld, ""},
		{"an objected pending is left to the regulator", S{Published: "B", Pending: &P{Grade: "C", PublicAfter: run.Add(-time.Hour), Objected: true}}, pev("D", 40), ActionDowngradeKept, false, "B", "", "C"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := DecideRun(rules, tc.st, tc.ev, run, 7)
			pending := ""
			if d.Pending != nil {
				pending = d.Pending.Grade
			}
			if d.Action != tc.action || d.Published != tc.published || pending != tc.pending || d.Publish != tc.publish {
				t.Errorf("got %s, publish %v %s, pending %q; want %s, %v %s, %q", d.Action, d.Publish, d.Published, pending,
					tc.action, tc.publish, tc.published, tc.pending)
			}
			if d.Publish && (d.Score != tc.ev.Score || d.Note != tc.note) {
				t.Errorf("published score %v note %q; want %v %q", d.Score, d.Note, tc.ev.Score, tc.note)
			}
			if d.Changed(tc.st) != (d.Published != tc.st.Published) {
				t.Errorf("Changed = %v", d.Changed(tc.st))
			}
			if (tc.st.Pending != nil) != (d.Pending != nil) && !d.PendingChanged {
				t.Error("the pending downgrade changed without PendingChanged")
			}
		})
	}
}

// A pending downgrade's period: it is published at the first run at or after
// run instant + 14 × 24 h, before that run compares grades, with the score
// and note it was evaluated at.
func TestPendingPublishedAfterObjectionPeriod(t *testing.T) {
	rules := DefaultRules()
	nov := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	d := DecideRun(rules, PublicationState{Published: "B"}, pev("C", 80, ReasonCapC), nov, 1)
	if d.Pending == nil || !d.Pending.PublicAfter.Equal(nov.Add(14*24*time.Hour)) || d.Published != "B" || d.Pending.Note != NoteCapC {
		t.Fatalf("downgrade: %+v", d)
	}
	early := nov.Add(14*24*time.Hour - time.Second)
	if d2 := DecideRun(rules, PublicationState{Published: "B", Pending: d.Pending}, pev("C", 70), early, 2); d2.Published != "B" || d2.Pending == nil {
		t.Fatalf("one second early: %+v", d2)
	}
	if m := DecideMatured(PublicationState{Published: "B", Pending: d.Pending}, early); m.Publish || m.Action != ActionNone {
		t.Fatalf("matured one second early: %+v", m)
	}
	m := DecideMatured(PublicationState{Published: "B", Pending: d.Pending}, nov.Add(14*24*time.Hour))
	if !m.Publish || m.Published != "C" || m.Score != 80 || m.Note != NoteCapC || m.Pending != nil || !m.PendingChanged || m.Action != ActionPendingPublished {
		t.Fatalf("matured on the day: %+v", m)
	}
	dec := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	d3 := DecideRun(rules, PublicationState{Published: "B", Pending: d.Pending}, pev("C", 70), dec, 2)
	if d3.Published != "C" || d3.Pending != nil || d3.Action != ActionPendingPublished || d3.Score != 70 {
		t.Fatalf("next month: %+v", d3)
	}
	// Published first, then compared: an evaluated B after the pending C
	// became public is an upgrade, which needs two good runs.
	d4 := DecideRun(rules, PublicationState{Published: "B", Pending: d.Pending}, pev("B", 80), dec, 2)
	if d4.Published != "C" || d4.Action != ActionUpgradeHeld || d4.Note != NoteHeld {
		t.Fatalf("recovered grade: %+v", d4)
	}
	// An objection stops the automatic publication.
	obj := *d.Pending
	obj.Objected = true
	if d5 := DecideRun(rules, PublicationState{Published: "B", Pending: &obj}, pev("C", 70), dec, 2); d5.Published != "B" || d5.Pending == nil || d5.Publish {
		t.Fatalf("objected: %+v", d5)
	}
	if m := DecideMatured(PublicationState{Published: "B", Pending: &obj}, dec); m.Publish {
		t.Fatalf("objected pending matured: %+v", m)
	}
}

func TestDecideObjection(t *testing.T) {
	rules := DefaultRules()
	pending := &PendingGrade{Grade: "C", Score: 70, RunID: 3}
	st := PublicationState{Published: "B", Pending: pending}
	if d, ok := DecideObjection(rules, st, true, ""); !ok || !d.Publish || d.Published != "C" || d.Score != 70 || d.Note != "" ||
		d.Pending != nil || d.Action != ActionObjectionUpheld {
		t.Errorf("upheld: %+v", d)
	}
	if d, ok := DecideObjection(rules, st, false, "B"); !ok || d.Published != "B" || d.Score != 70 || d.Note != NoteReview || d.Action != ActionObjectionAmended {
		t.Errorf("amended to a better grade than the score gives: %+v", d)
	}
	if d, _ := DecideObjection(rules, st, false, "N"); d.Published != "N" || d.Note != "" {
		t.Errorf("amended to N: %+v", d)
	}
	if d, ok := DecideObjection(rules, PublicationState{Published: "B"}, true, ""); ok || d.Publish {
		t.Errorf("no pending downgrade: %+v", d)
	}
}

// Out of cycle: a blacklist entry publishes the worse grade at once and
// withdraws a pending downgrade; nothing when the grade is already D, when
// the entry is not on display, or before publication started.
func TestDecideBlacklisted(t *testing.T) {
	rules := DefaultRules()
	pending := &PendingGrade{Grade: "B", Score: 88, RunID: 2, Objected: true}
	tests := []struct {
		name      string
		st        PublicationState
		ev        Evaluation
		started   bool
		publish   bool
		action    PublicationAction
		published string
	}{
		{"A to D at once", PublicationState{Published: "A", Pending: pending}, blacklistedEv(96.5), true, true, ActionDowngradeNow, "D"},
		{"N to D at once", PublicationState{Published: "N"}, blacklistedEv(80), true, true, ActionDowngradeNow, "D"},
		{"already D", PublicationState{Published: "D"}, blacklistedEv(50), true, false, ActionNone, "D"},
		{"never published, publication started", PublicationState{}, blacklistedEv(80), true, true, ActionFirst, "D"},
		{"never published, no run yet", PublicationState{}, blacklistedEv(80), false, false, ActionNone, ""},
		{"entry not on display", PublicationState{Published: "A"}, pev("A", 95), true, false, ActionNone, "A"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := DecideBlacklisted(rules, tc.st, tc.ev, tc.started)
			if d.Publish != tc.publish || d.Action != tc.action || d.Published != tc.published {
				t.Fatalf("got %+v", d)
			}
			if d.Publish {
				if d.Pending != nil || (tc.st.Pending != nil && !d.PendingChanged) {
					t.Errorf("the pending downgrade is not withdrawn: %+v", d)
				}
				if d.Score != tc.ev.Score || d.Note != NoteCapD {
					t.Errorf("score %v note %q", d.Score, d.Note)
				}
			}
		})
	}
}

func TestGradeNote(t *testing.T) {
	rules := DefaultRules()
	for _, tc := range []struct {
		ev   Evaluation
		want string
	}{
		{pev("A", 95), ""},
		{pev("B", 95, ReasonARequirements), NoteARequirements},
		{pev("C", 95, ReasonARequirements, ReasonCapC), NoteCapC},
		{pev("D", 87, ReasonCapD), NoteCapD},
		{pev("C", 65), ""},
		{pev("N", 84, ReasonInsufficientEvidence), ""},
	} {
		if got := GradeNote(rules, tc.ev); got != tc.want {
			t.Errorf("GradeNote(%s %.1f %v) = %q, want %q", tc.ev.Grade, tc.ev.Score, tc.ev.Reasons, got, tc.want)
		}
	}
}

// One rate and one percentage format for every public figure: the page
// shows exactly the JSON's ratio.
func TestRateAndPercent(t *testing.T) {
	for _, tc := range []struct {
		n, total int
		rate     float64
		text     string
	}{
		{1, 3, 0.333, "33.3%"}, {2, 3, 0.667, "66.7%"}, {17, 18, 0.944, "94.4%"}, {1, 1, 1, "100.0%"}, {0, 5, 0, "0.0%"},
		{1887, 2000, 0.944, "94.4%"}, // 0.9435 rounds half up
	} {
		r := Rate(tc.n, tc.total)
		if r == nil || *r != tc.rate || Percent(*r) != tc.text || Percent(float64(tc.n)/float64(tc.total)) != tc.text {
			t.Errorf("Rate(%d, %d) = %v, Percent %q; want %v %q", tc.n, tc.total, r, Percent(*r), tc.rate, tc.text)
		}
	}
	if Rate(3, 0) != nil {
		t.Error("a rate of nothing")
	}
}
