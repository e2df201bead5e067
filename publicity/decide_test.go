package publicity

import (
	"testing"
	"time"

	"chengxin/scoring"
)

var rules = scoring.DefaultRules()

func ev(grade string, score float64) scoring.Evaluation {
	return scoring.Evaluation{Grade: grade, Score: score}
}

func fp(x float64) *float64 { return &x }

func TestDecide(t *testing.T) {
	run := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	after := run.Add(14 * 24 * time.Hour)
	tests := []struct {
		name        string
		st          State
		ev          scoring.Evaluation
		blacklisted bool
		action      Action
		published   string
		pending     string // grade pending after the run, "" none
	}{
		{"first publication", State{}, ev("B", 80), false, ActionFirst, "B", ""},
		{"first publication of N", State{}, ev("N", 83), false, ActionFirst, "N", ""},
		{"from N to a letter", State{Published: "N"}, ev("C", 65), false, ActionFirst, "C", ""},
		{"from a letter to N", State{Published: "B"}, ev("N", 80), false, ActionFirst, "N", ""},
		{"unchanged", State{Published: "B"}, ev("B", 80), false, ActionUnchanged, "B", ""},
		{"unchanged withdraws a pending downgrade", State{Published: "B", Pending: &Pending{Grade: "C", PublicAfter: after}}, ev("B", 80), false, ActionUnchanged, "B", ""},
		{"downgrade becomes pending", State{Published: "B"}, ev("C", 70), false, ActionDowngradePending, "B", "C"},
		{"same worse grade keeps its pending", State{Published: "B", Pending: &Pending{Grade: "C", PublicAfter: after}}, ev("C", 68), false, ActionDowngradeKept, "B", "C"},
		{"a different worse grade replaces it", State{Published: "B", Pending: &Pending{Grade: "C", PublicAfter: after}}, ev("D", 50), false, ActionDowngradePending, "B", "D"},
		{"blacklisted: downgrade at once", State{Published: "A"}, ev("D", 87), true, ActionDowngradeNow, "D", ""},
		{"upgrade needs a previous run", State{Published: "B"}, ev("A", 95), false, ActionUpgradeHeld, "B", ""},
		{"upgrade needs both scores ≥ threshold + 2", State{Published: "B", PreviousScore: fp(91.9)}, ev("A", 95), false, ActionUpgradeHeld, "B", ""},
		{"upgrade earned twice", State{Published: "B", PreviousScore: fp(92.0)}, ev("A", 92.0), false, ActionUpgrade, "A", ""},
		{"upgrade held withdraws a pending downgrade", State{Published: "B", PreviousScore: fp(80), Pending: &Pending{Grade: "C", PublicAfter: after}}, ev("A", 91), false, ActionUpgradeHeld, "B", ""},
		{"an objected pending is left to the regulator", State{Published: "B", Pending: &Pending{Grade: "C", PublicAfter: run.Add(-time.Hour), Objected: true}}, ev("D", 40), false, ActionDowngradeKept, "B", "C"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide(rules, tc.st, tc.ev, tc.blacklisted, run, 7)
			pending := ""
			if d.Pending != nil {
				pending = d.Pending.Grade
			}
			if d.Action != tc.action || d.Published != tc.published || pending != tc.pending {
				t.Errorf("got %s, published %s, pending %q; want %s, %s, %q", d.Action, d.Published, pending, tc.action, tc.published, tc.pending)
			}
			if d.PublishedChanged != (d.Published != tc.st.Published) {
				t.Errorf("PublishedChanged = %v", d.PublishedChanged)
			}
		})
	}
}

// A pending downgrade's period: it is published at the first run at or after
// run instant + 14 × 24 h, before that run compares grades.
func TestPendingPublishedAfterObjectionPeriod(t *testing.T) {
	nov := time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC)
	d := Decide(rules, State{Published: "B"}, ev("C", 70), false, nov, 1)
	if d.Pending == nil || !d.Pending.PublicAfter.Equal(nov.Add(14*24*time.Hour)) || d.Published != "B" {
		t.Fatalf("downgrade: %+v", d)
	}
	early := nov.Add(14*24*time.Hour - time.Second)
	if d2 := Decide(rules, State{Published: "B", Pending: d.Pending}, ev("C", 70), false, early, 2); d2.Published != "B" || d2.Pending == nil {
		t.Fatalf("one second early: %+v", d2)
	}
	dec := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	d3 := Decide(rules, State{Published: "B", Pending: d.Pending}, ev("C", 70), false, dec, 2)
	if d3.Published != "C" || d3.Pending != nil || d3.Action != ActionPendingPublished {
		t.Fatalf("next month: %+v", d3)
	}
	// Published first, then compared: an evaluated B after the pending C
	// became public is an upgrade, which needs two good runs.
	d4 := Decide(rules, State{Published: "B", Pending: d.Pending}, ev("B", 80), false, dec, 2)
	if d4.Published != "C" || d4.Action != ActionUpgradeHeld {
		t.Fatalf("recovered grade: %+v", d4)
	}
	// An objection stops the automatic publication.
	obj := *d.Pending
	obj.Objected = true
	if d5 := Decide(rules, State{Published: "B", Pending: &obj}, ev("C", 70), false, dec, 2); d5.Published != "B" || d5.Pending == nil {
		t.Fatalf("objected: %+v", d5)
	}
}
