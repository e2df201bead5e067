package scoring

import (
	"math"
	"slices"
	"testing"
)

func TestTotalScoreRounding(t *testing.T) {
	cases := []struct {
		name string
		c    Components
		want float64
	}{
		{"89.95 rounds up to 90.0", Components{30.10, 29.85, 15, 15, 0}, 90.0},
		{"89.94 rounds down to 89.9", Components{30.10, 29.84, 15, 15, 0}, 89.9},
		{"74.95 rounds up to 75.0", Components{25.12, 19.83, 15, 15, 0}, 75.0},
		{"64.45 (64.44999… in float64) rounds up to 64.5", Components{0.01, 34.44, 15, 15, 0}, 64.5},
		{"capped at 100", Components{35, 35, 15, 15, 3}, 100},
		{"zero", Components{}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := totalScore(tc.c); got != tc.want {
				t.Errorf("totalScore(%+v) = %v, want %v", tc.c, got, tc.want)
			}
		})
	}
	// Every sum of hundredths must round half up exactly, as decimal arithmetic would.
	for cents := int64(0); cents <= 10000; cents++ {
		a := float64(cents/3) / 100
		b := float64(cents-cents/3) / 100
		got := totalScore(Components{Satisfaction: a, Complaints: b})
		if want := float64((cents+5)/10) / 10; got != want {
			t.Fatalf("%v + %v: got %v, want %v", a, b, got, want)
		}
	}
}

func TestGradeForScoreThresholds(t *testing.T) {
	g := DefaultRules().Grades
	for _, tc := range []struct {
		score float64
		want  string
	}{
		{100, GradeA}, {90.0, GradeA}, {89.9, GradeB}, {75.0, GradeB}, {74.9, GradeC},
		{60.0, GradeC}, {59.9, GradeD}, {0, GradeD},
	} {
		t.Run(num(tc.score), func(t *testing.T) {
			if got := GradeForScore(g, tc.score); got != tc.want {
				t.Errorf("GradeForScore(%v) = %s, want %s", tc.score, got, tc.want)
			}
		})
	}
}

// strong is evidence that meets every A requirement and has enough of it for a letter.
func strong() Evidence {
	return Evidence{CallbacksWeight: 20, RegisteredDays: 365, Active: true}
}

func TestGradeRules(t *testing.T) {
	g := DefaultRules().Grades
	cases := []struct {
		name       string
		scoreGrade string
		mod        func(e *Evidence)
		want       string
		reasons    []string
	}{
		{"A requirements met", GradeA, func(*Evidence) {}, GradeA, nil},
		{"A needs N ≥ 20", GradeA, func(e *Evidence) { e.CallbacksWeight = 19.999 }, GradeB, []string{ReasonARequirements}},
		{"A needs 365 registered days", GradeA, func(e *Evidence) { e.RegisteredDays = 364.99 }, GradeB, []string{ReasonARequirements}},
		{"A needs no recent serious complaint", GradeA, func(e *Evidence) { e.SeriousComplaintsRecent = 1; e.ComplaintPoints = 2 },
			GradeB, []string{ReasonARequirements}},
		{"B unaffected by A requirements", GradeB, func(e *Evidence) { e.CallbacksWeight = 10 }, GradeB, nil},
		{"suspended caps at C", GradeB, func(e *Evidence) { e.Active = false }, GradeC, []string{ReasonCapC}},
		{"serious penalty caps at C", GradeA, func(e *Evidence) { e.SeriousPenalties = 1 }, GradeC, []string{ReasonCapC}},
		{"cap C not reported when already C", GradeC, func(e *Evidence) { e.Active = false }, GradeC, nil},
		{"cap C not reported for D", GradeD, func(e *Evidence) { e.SeriousPenalties = 1 }, GradeD, nil},
		{"blacklist caps at D", GradeA, func(e *Evidence) { e.Blacklisted = true }, GradeD, []string{ReasonCapD}},
		{"blacklist and suspended: cap_D only", GradeB, func(e *Evidence) { e.Blacklisted = true; e.Active = false },
			GradeD, []string{ReasonCapD}},
		{"blacklist with score D: no code", GradeD, func(e *Evidence) { e.Blacklisted = true }, GradeD, nil},
		{"A requirements then cap", GradeA, func(e *Evidence) { e.CallbacksWeight = 10; e.Active = false },
			GradeC, []string{ReasonARequirements, ReasonCapC}},
		{"N: weight below 5", GradeB, func(e *Evidence) { e.CallbacksWeight = 4.999 }, GradeN, []string{ReasonInsufficientEvidence}},
		{"letter: weight exactly 5", GradeB, func(e *Evidence) { e.CallbacksWeight = 5 }, GradeB, nil},
		{"N: registered 89.99 days", GradeB, func(e *Evidence) { e.RegisteredDays = 89.99 }, GradeN, []string{ReasonInsufficientEvidence}},
		{"letter: registered 90 days", GradeC, func(e *Evidence) { e.RegisteredDays = 90; e.CallbacksWeight = 5 }, GradeC, nil},
		{"N even with score D", GradeD, func(e *Evidence) { e.CallbacksWeight = 0 }, GradeN, []string{ReasonInsufficientEvidence}},
		{"N after A requirements", GradeA, func(e *Evidence) { e.CallbacksWeight = 1 },
			GradeN, []string{ReasonARequirements, ReasonInsufficientEvidence}},
		{"complaint points give a letter", GradeB, func(e *Evidence) { e.CallbacksWeight = 1; e.ComplaintPoints = 0.001 }, GradeB, nil},
		{"warning gives a letter", GradeB, func(e *Evidence) { e.CallbacksWeight = 1; e.Warnings = 1 }, GradeB, nil},
		{"fine gives a letter", GradeB, func(e *Evidence) { e.RegisteredDays = 10; e.Fines = 1 }, GradeB, nil},
		{"serious penalty gives a letter", GradeB, func(e *Evidence) { e.CallbacksWeight = 1; e.SeriousPenalties = 1 },
			GradeC, []string{ReasonCapC}},
		{"blacklist gives a letter", GradeB, func(e *Evidence) { e.CallbacksWeight = 0; e.Blacklisted = true },
			GradeD, []string{ReasonCapD}},
		{"not active gives a letter", GradeB, func(e *Evidence) { e.CallbacksWeight = 0; e.Active = false },
			GradeC, []string{ReasonCapC}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := strong()
			tc.mod(&e)
			got, reasons := grade(g, tc.scoreGrade, &e)
			if reasons == nil {
				t.Fatal("reasons must never be nil")
			}
			if got != tc.want || !slices.Equal(reasons, tc.reasons) {
				t.Errorf("grade = %s %v, want %s %v", got, reasons, tc.want, tc.reasons)
			}
		})
	}
}

// TestGradeAEndToEnd builds a vendor scoring ≥ 90 and checks the A requirements on real
// records: a recent serious complaint, and the same complaint merged away or too old.
func TestGradeAEndToEnd(t *testing.T) {
	base := goodVendor()
	ev := Evaluate(DefaultRules(), base, exampleAsOf)
	if ev.Grade != GradeA || ev.Score < 90 {
		t.Fatalf("good vendor: %v %s %v", ev.Score, ev.Grade, ev.Reasons)
	}
	serious := func(daysAgo float64, outcome string) Complaint {
		received := exampleAsOf.Add(-dur(daysAgo))
		return Complaint{WorkOrderNo: "WO-S", ServiceOrderNo: "SO-1", ReceivedAt: received, Severity: SeveritySerious,
			Status: ComplaintClosed, Outcome: outcome, ClosedAt: ptr(received.Add(dur(1)))}
	}
	general := Complaint{WorkOrderNo: "WO-G", ServiceOrderNo: "SO-1", ReceivedAt: exampleAsOf.Add(-dur(20)),
		Severity: SeverityGeneral, Status: ComplaintClosed, Outcome: OutcomeSubstantiated,
		DeadlineAt: ptr(exampleAsOf.Add(-dur(15))), ClosedAt: ptr(exampleAsOf.Add(-dur(10)))}
	cases := []struct {
		name       string
		complaints []Complaint
		want       string
	}{
		{"serious substantiated 365 days ago blocks A", []Complaint{serious(365, OutcomeSubstantiated)}, GradeB},
		{"serious substantiated 365 days + 1 min ago does not", []Complaint{serious(365.001, OutcomeSubstantiated)}, GradeA},
		{"serious unsubstantiated does not", []Complaint{serious(30, OutcomeUnsubstantiated)}, GradeA},
		{"serious merged away by a heavier complaint does not", []Complaint{serious(30, OutcomePartiallySubstantiated), general}, GradeA},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := goodVendor()
			in.Complaints = tc.complaints
			ev := Evaluate(DefaultRules(), in, exampleAsOf)
			if ev.ScoreGrade != GradeA || ev.Grade != tc.want {
				t.Errorf("score %v (%s) grade %s reasons %v, want %s", ev.Score, ev.ScoreGrade, ev.Grade, ev.Reasons, tc.want)
			}
		})
	}
}

func TestRoundingHelpers(t *testing.T) {
	if round2(0.125) != 0.13 || round2(-0.125) != -0.12 || round2(2.675) != math.Floor(2.675*100+0.5)/100 {
		t.Error("round2 must be floor(x·100 + 0.5)/100")
	}
}
