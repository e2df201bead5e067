package scoring

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestRegulatoryAndBonus(t *testing.T) {
	asOf := exampleAsOf
	ago := func(days float64) time.Time { return asOf.Add(-dur(days)) }
	s := func(kind string, days float64) Sanction { return Sanction{ID: 1, Kind: kind, IssuedAt: ago(days)} }
	with := func(x Sanction, mod func(*Sanction)) Sanction { mod(&x); return x }
	cases := []struct {
		name       string
		ss         []Sanction
		reg, bonus float64
		display    int
	}{
		{"none", nil, 15, 0, 0},
		{"fresh warning", []Sanction{s(KindWarning, 0)}, 13, 0, 1},
		{"warning a year old costs half", []Sanction{s(KindWarning, 365)}, 14, 0, 1},
		{"fine", []Sanction{s(KindFine, 0)}, 10, 0, 1},
		{"serious penalty", []Sanction{s(KindSeriousPenalty, 0)}, 5, 0, 1},
		{"costs floor at 0", []Sanction{s(KindSeriousPenalty, 0), with(s(KindSeriousPenalty, 0), func(x *Sanction) { x.ID = 2 })}, 0, 0, 2},
		{"five-year-old fine still on display (no window)", []Sanction{s(KindFine, 5*365)}, 14.84, 0, 1},
		{"blacklist costs no points", []Sanction{s(KindBlacklist, 10)}, 15, 0, 1},
		{"repaired warning", []Sanction{with(s(KindWarning, 10), func(x *Sanction) { x.Repaired = true })}, 15, 0, 0},
		{"display ended before asOf", []Sanction{with(s(KindFine, 400), func(x *Sanction) { x.DisplayUntil = ptr(ago(35)) })}, 15, 0, 0},
		{"display ends exactly at asOf", []Sanction{with(s(KindFine, 0), func(x *Sanction) { x.DisplayUntil = ptr(asOf) })}, 15, 0, 0},
		{"display ends 1 s after asOf", []Sanction{with(s(KindFine, 0), func(x *Sanction) { x.DisplayUntil = ptr(asOf.Add(time.Second)) })}, 10, 0, 1},
		{"issued after asOf", []Sanction{s(KindSeriousPenalty, -1)}, 15, 0, 0},
		{"unknown kind ignored", []Sanction{s("reprimand", 0)}, 15, 0, 0},
		{"one commendation", []Sanction{s(KindCommendation, 10)}, 15, 2, 0},
		{"two commendations capped at 3", []Sanction{s(KindCommendation, 10), s(KindCommendation, 20)}, 15, 3, 0},
		{"commendation exactly 730 days old", []Sanction{s(KindCommendation, 730)}, 15, 2, 0},
		{"commendation 730 days + 1 s old", []Sanction{{Kind: KindCommendation, IssuedAt: ago(730).Add(-time.Second)}}, 15, 0, 0},
		{"future commendation", []Sanction{s(KindCommendation, -1)}, 15, 0, 0},
		{"repaired and expired commendation still counts", []Sanction{with(s(KindCommendation, 10), func(x *Sanction) {
			x.Repaired, x.DisplayUntil = true, ptr(ago(1))
		})}, 15, 2, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev := Evaluate(DefaultRules(), Inputs{Sanctions: tc.ss}, asOf)
			c := ev.Components
			if c.Regulatory != tc.reg || c.Bonus != tc.bonus || ev.Evidence.SanctionsOnDisplay != tc.display {
				t.Errorf("reg %v bonus %v on display %d, want %v %v %d",
					c.Regulatory, c.Bonus, ev.Evidence.SanctionsOnDisplay, tc.reg, tc.bonus, tc.display)
			}
		})
	}
}

func TestQualification(t *testing.T) {
	asOf := exampleAsOf
	cases := []struct {
		name string
		mod  func(in *Inputs)
		want float64
	}{
		{"valid licence and insurance", func(*Inputs) {}, 15},
		{"no licence expiry", func(in *Inputs) { in.LicenceValidUntil = nil }, 15},
		{"status empty means active", func(in *Inputs) { in.Status = "" }, 15},
		{"licence valid through asOf itself", func(in *Inputs) { in.LicenceValidUntil = ptr(asOf) }, 15},
		{"licence expired 1 s before asOf", func(in *Inputs) { in.LicenceValidUntil = ptr(asOf.Add(-time.Second)) }, 7},
		{"suspended loses the licence points", func(in *Inputs) { in.Status = StatusSuspended }, 7},
		{"deregistered loses the licence points", func(in *Inputs) { in.Status = StatusDeregistered }, 7},
		{"no insurance", func(in *Inputs) { in.InsuranceValidUntil = nil }, 8},
		{"insurance expired", func(in *Inputs) { in.InsuranceValidUntil = ptr(asOf.Add(-time.Second)) }, 8},
		{"suspended without insurance", func(in *Inputs) { in.Status, in.InsuranceValidUntil = StatusSuspended, nil }, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := baseVendor(at(2020, 1, 1, 0))
			tc.mod(&in)
			if got := Evaluate(DefaultRules(), in, asOf).Components.Qualification; got != tc.want {
				t.Errorf("Qual = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestStatusCapsEndToEnd(t *testing.T) {
	cases := []struct {
		name    string
		mod     func(in *Inputs)
		grade   string
		reasons []string
	}{
		{"suspended", func(in *Inputs) { in.Status = StatusSuspended }, GradeC, []string{ReasonCapC}},
		{"serious penalty on display", func(in *Inputs) {
			in.Sanctions = []Sanction{{ID: 7, Kind: KindSeriousPenalty, IssuedAt: exampleAsOf.Add(-dur(400))}}
		}, GradeC, []string{ReasonCapC}},
		{"blacklisted and suspended", func(in *Inputs) {
			in.Status = StatusSuspended
			in.Sanctions = []Sanction{{ID: 7, Kind: KindBlacklist, IssuedAt: exampleAsOf.Add(-dur(10))}}
		}, GradeD, []string{ReasonCapD}},
		{"repaired blacklist entry", func(in *Inputs) {
			in.Sanctions = []Sanction{{ID: 7, Kind: KindBlacklist, IssuedAt: exampleAsOf.Add(-dur(10)), Repaired: true}}
		}, GradeA, []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := goodVendor()
			tc.mod(&in)
			ev := Evaluate(DefaultRules(), in, exampleAsOf)
			if ev.Grade != tc.grade || !slices.Equal(ev.Reasons, tc.reasons) {
				t.Errorf("score %v grade %s %v, want %s %v", ev.Score, ev.Grade, ev.Reasons, tc.grade, tc.reasons)
			}
		})
	}
}

func TestNEndToEnd(t *testing.T) {
	in := example1()
	if ev := Evaluate(DefaultRules(), in, exampleAsOf); ev.Grade != GradeN {
		t.Fatalf("example 1 grade %s", ev.Grade)
	}
	// One substantiated complaint is negative evidence: a letter grade despite N < 5.
	r := at(2026, 10, 1, 9)
	in.Complaints = []Complaint{{WorkOrderNo: "W", ReceivedAt: r, Severity: SeverityGeneral,
		Status: ComplaintClosed, Outcome: OutcomeSubstantiated, ClosedAt: ptr(r.Add(dur(1)))}}
	if ev := Evaluate(DefaultRules(), in, exampleAsOf); ev.Grade == GradeN || len(ev.Reasons) != 0 {
		t.Errorf("with a substantiated complaint: %s %v", ev.Grade, ev.Reasons)
	}
	// An unsubstantiated one is not.
	in.Complaints[0].Outcome = OutcomeUnsubstantiated
	if ev := Evaluate(DefaultRules(), in, exampleAsOf); ev.Grade != GradeN {
		t.Errorf("with an unsubstantiated complaint: %s", ev.Grade)
	}
}

func TestRepeatedWorkOrderLastWins(t *testing.T) {
	in := Inputs{Callbacks: []Callback{
		{WorkOrderNo: "W1", CalledAt: exampleAsOf.Add(-dur(3)), Result: ResultDissatisfied},
		{WorkOrderNo: "W2", CalledAt: exampleAsOf.Add(-dur(2)), Result: ResultSatisfied},
		{WorkOrderNo: "W1", CalledAt: exampleAsOf.Add(-dur(1)), Result: ResultSatisfied},
		{WorkOrderNo: "", CalledAt: exampleAsOf.Add(-dur(1)), Result: ResultUnreachable},
		{WorkOrderNo: "", CalledAt: exampleAsOf.Add(-dur(1)), Result: ResultUnreachable},
	}}
	e := Evaluate(DefaultRules(), in, exampleAsOf).Evidence
	if e.CallbacksCounted != 4 || e.CallbacksSatisfied != 2 || e.CallbacksDissatisfied != 0 || e.CallbacksUnreachable != 2 {
		t.Errorf("evidence %+v", e)
	}
}

func TestInputsNotModified(t *testing.T) {
	in := example3()
	slices.Reverse(in.Callbacks)
	slices.Reverse(in.Complaints)
	in.Sanctions = append(in.Sanctions, Sanction{ID: 0, Kind: KindWarning, IssuedAt: at(2026, 1, 1, 0)})
	clone := Inputs{Callbacks: slices.Clone(in.Callbacks), Complaints: slices.Clone(in.Complaints),
		Volumes: slices.Clone(in.Volumes), Sanctions: slices.Clone(in.Sanctions)}
	Evaluate(DefaultRules(), in, exampleAsOf)
	if !reflect.DeepEqual(clone.Callbacks, in.Callbacks) || !reflect.DeepEqual(clone.Complaints, in.Complaints) ||
		!reflect.DeepEqual(clone.Volumes, in.Volumes) || !reflect.DeepEqual(clone.Sanctions, in.Sanctions) {
		t.Error("Evaluate modified its inputs")
	}
}
