package scoring

import (
	"math"
	"time"
)

const (
	day         = float64(24 * time.Hour) // nanoseconds in a day: ages are real days
	daysPerYear = 365                     // "last year" figures in the evidence and sentences
)

// ageDays is age(t) = (asOf − t) in days, a real number; negative when t is after asOf.
func ageDays(asOf, t time.Time) float64 { return float64(asOf.Sub(t)) / day }

// decay is w(age, h) = 0.5^(age/h).
func decay(age, halfLife float64) float64 { return math.Exp2(-age / halfLife) }

// inWindow reports 0 ≤ age ≤ window.
func inWindow(age, window float64) bool { return age >= 0 && age <= window }

// round2(x) = floor(x·100 + 0.5)/100.
func round2(x float64) float64 { return math.Floor(x*100+0.5) / 100 }

// Evaluate scores one vendor at asOf under rules, which must be valid (Rules.Validate).
// It is a pure function: the same arguments always give the same Evaluation, whatever the
// order of the input slices (except for repeated work order numbers, see Inputs), and the
// inputs are left untouched.
func Evaluate(rules Rules, in Inputs, asOf time.Time) Evaluation {
	ev := Evaluation{
		AsOf:         asOf,
		RulesVersion: rules.Version,
		RulesHash:    rules.Hash(),
		Reasons:      []string{},
	}
	e := &ev.Evidence
	e.RegisteredDays = ageDays(asOf, in.RegisteredAt)
	e.Active = in.Status == "" || in.Status == StatusActive

	cbRefs := callbacksAt(in.Callbacks, asOf, rules.WindowDays)
	ev.Components.Satisfaction = satisfaction(rules, in.Callbacks, cbRefs, e)

	cRefs := complaintsAt(in.Complaints, asOf, rules.WindowDays)
	ev.Items = complaintPoints(rules, in.Complaints, cRefs, asOf, e)
	e.Exposure = exposure(rules, in.Volumes, in.Callbacks, cbRefs, asOf, e)
	ev.Components.Complaints = complaintsComponent(rules.Complaints, e)

	ev.Components.Qualification = qualification(rules.Qualification, in, asOf, e)
	ev.Components.Regulatory, ev.Components.Bonus = sanctions(rules, sortedSanctions(in.Sanctions), asOf, e)

	ev.Score = totalScore(ev.Components)
	ev.ScoreGrade = GradeForScore(rules.Grades, ev.Score)
	ev.Grade, ev.Reasons = grade(rules.Grades, ev.ScoreGrade, e)
	ev.Sentences = sentences(rules, &ev, in)
	return ev
}

// totalScore is S = round1(min(100, Sat + Cmp + Qual + Reg + Bonus)). The components are
// round2'd, so the sum is taken in exact integer hundredths, as decimal arithmetic would:
// in float64, 0.01 + 34.44 + 15 + 15 is 64.44999… and would round to 64.4 instead of 64.5.
func totalScore(c Components) float64 {
	cents := int64(0)
	for _, x := range []float64{c.Satisfaction, c.Complaints, c.Qualification, c.Regulatory, c.Bonus} {
		cents += int64(math.Round(x * 100))
	}
	cents = min(cents, 100*100)
	tenths := cents + 5
	if tenths >= 0 {
		tenths /= 10
	} else { // floor division; unreachable with valid rules (components are ≥ 0)
		tenths = -((-tenths + 9) / 10)
	}
	return float64(tenths) / 10
}
