package scoring

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// at is an instant in Asia/Shanghai.
func at(y int, m time.Month, d, hour int) time.Time {
	return time.Date(y, m, d, hour, 0, 0, 0, shanghai)
}

func ptr(t time.Time) *time.Time { return &t }

// endOfDay is how a bare …_valid_until date is stored: valid through the end of that day.
func endOfDay(y int, m time.Month, d int) *time.Time {
	return ptr(time.Date(y, m, d, 23, 59, 59, 0, shanghai))
}

var exampleAsOf = at(2026, 11, 1, 0)

// baseVendor has the licence and insurance of the worked examples and nothing else.
func baseVendor(registered time.Time) Inputs {
	return Inputs{
		RegisteredAt:        registered,
		Status:              StatusActive,
		LicenceValidUntil:   endOfDay(2027, 12, 31),
		InsuranceValidUntil: endOfDay(2027, 6, 30),
	}
}

func example1() Inputs {
	in := baseVendor(at(2026, 9, 1, 0))
	in.Callbacks = []Callback{
		{WorkOrderNo: "CB-1", CalledAt: at(2026, 9, 22, 10), Result: ResultSatisfied},
		{WorkOrderNo: "CB-2", CalledAt: at(2026, 10, 22, 10), Result: ResultSatisfied},
	}
	return in
}

func example2() Inputs {
	in := baseVendor(at(2023, 1, 1, 0))
	for i := range 12 {
		month := at(2025, 11, 10, 10).AddDate(0, i, 0)
		result := ResultSatisfied
		if i == 3 || i == 7 {
			result = ResultBasicallySatisfied
		}
		in.Callbacks = append(in.Callbacks, Callback{
			WorkOrderNo: fmt.Sprintf("CB-%02d", i+1), CalledAt: month, Result: result})
		in.Volumes = append(in.Volumes, Volume{Month: month.Format("2006-01"), Orders: 300, Source: "platform"})
	}
	in.Complaints = []Complaint{
		{WorkOrderNo: "WO-1", ReceivedAt: at(2026, 3, 5, 9), Severity: SeverityGeneral,
			Status: ComplaintClosed, Outcome: OutcomeSubstantiated,
			DeadlineAt: ptr(at(2026, 3, 12, 9)), ClosedAt: ptr(at(2026, 3, 9, 9))},
		{WorkOrderNo: "WO-2", ReceivedAt: at(2026, 6, 1, 9), Severity: SeverityGeneral,
			Status: ComplaintClosed, Outcome: OutcomeUnsubstantiated,
			DeadlineAt: ptr(at(2026, 6, 8, 9)), ClosedAt: ptr(at(2026, 6, 5, 9))},
	}
	return in
}

func example3() Inputs {
	in := example2()
	in.Sanctions = []Sanction{{ID: 1, Kind: KindBlacklist, IssuedAt: at(2026, 10, 1, 0)}}
	return in
}

// near reports whether got printed to the given number of decimals equals want.
func near(got, want float64, decimals int) bool {
	p := math.Pow(10, float64(decimals))
	return math.Round(got*p) == math.Round(want*p)
}

func TestWorkedExamples(t *testing.T) {
	type want struct {
		n, d, e           float64 // 4 decimals; d and e checked when ≥ 0
		sat, cmp, qual    float64
		reg, bonus, score float64
		grade             string
		reasons           []string
	}
	cases := []struct {
		name string
		in   Inputs
		want want
	}{
		{"1 new vendor", example1(), want{n: 1.8224, d: 0, e: 0.0018, sat: 29.08, cmp: 24.76, qual: 15,
			reg: 15, score: 83.8, grade: GradeN, reasons: []string{ReasonInsufficientEvidence}}},
		{"2 steady vendor", example2(), want{n: -1, d: 0.6332, e: 2.5194, sat: 30.10, cmp: 27.24, qual: 15,
			reg: 15, score: 87.3, grade: GradeB, reasons: []string{}}},
		{"3 blacklisted", example3(), want{n: -1, d: 0.6332, e: 2.5194, sat: 30.10, cmp: 27.24, qual: 15,
			reg: 15, score: 87.3, grade: GradeD, reasons: []string{ReasonCapD}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev := Evaluate(DefaultRules(), tc.in, exampleAsOf)
			w, e, c := tc.want, ev.Evidence, ev.Components
			if w.n >= 0 && !near(e.CallbacksWeight, w.n, 4) {
				t.Errorf("N = %.6f, want %.4f", e.CallbacksWeight, w.n)
			}
			if !near(e.ComplaintPoints, w.d, 4) {
				t.Errorf("D = %.6f, want %.4f", e.ComplaintPoints, w.d)
			}
			if !near(e.Exposure, w.e, 4) {
				t.Errorf("E = %.6f, want %.4f", e.Exposure, w.e)
			}
			got := Components{c.Satisfaction, c.Complaints, c.Qualification, c.Regulatory, c.Bonus}
			if exp := (Components{w.sat, w.cmp, w.qual, w.reg, w.bonus}); got != exp {
				t.Errorf("components = %+v, want %+v", got, exp)
			}
			if ev.Score != w.score || ev.Grade != w.grade || !slices.Equal(ev.Reasons, w.reasons) {
				t.Errorf("score %v grade %s reasons %v, want %v %s %v", ev.Score, ev.Grade, ev.Reasons, w.score, w.grade, w.reasons)
			}
			if ev.RulesVersion != "HSCS-1.0" || !strings.HasPrefix(ev.RulesHash, "sha256:") {
				t.Errorf("rules %s %s", ev.RulesVersion, ev.RulesHash)
			}
		})
	}
}

// TestExplainJSON checks the field names and rounding of docs/CONTRACT.md's explain example.
func TestExplainJSON(t *testing.T) {
	ev := Evaluate(DefaultRules(), example2(), exampleAsOf)
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, frag := range []string{
		`"rules_version":"HSCS-1.0"`, `"score":87.3`, `"grade":"B"`,
		`"components":{"satisfaction":30.1,"complaints":27.24,"qualification":15,"regulatory":15,"bonus":0}`,
		`"reasons":[]`, `"callbacks_weight":6.2814`, `"complaint_points":0.6332`, `"exposure":2.5194`,
		`"complaints_counted":1`, `"sanctions_on_display":0`,
	} {
		if !strings.Contains(s, frag) {
			t.Errorf("JSON lacks %s\n%s", frag, s)
		}
	}
	ev3 := Evaluate(DefaultRules(), example3(), exampleAsOf)
	if ev3.Evidence.SanctionsOnDisplay != 1 || !ev3.Evidence.Blacklisted {
		t.Errorf("example 3 evidence %+v", ev3.Evidence)
	}
}

func TestExampleSentences(t *testing.T) {
	ev := Evaluate(DefaultRules(), example2(), exampleAsOf)
	for _, key := range []string{KeySatisfaction, KeyComplaints, KeyQualification, KeyRegulatory, KeyBonus, SentenceGrade} {
		s, ok := ev.Sentences[key]
		if !ok || s.ZH == "" || s.EN == "" {
			t.Errorf("sentence %q missing: %+v", key, s)
		}
	}
	for key, want := range map[string][]string{
		KeySatisfaction: {"12 callbacks", "10 satisfied", "2 basically satisfied", "100.0% satisfied or basically satisfied", "30.1 of 35"},
		KeyComplaints:   {"2 complaints", "1 verified", "3,600 orders", "27.24 of 35"},
		SentenceGrade:   {"Score 87.3", "Grade: B (good)"},
	} {
		for _, w := range want {
			if !strings.Contains(ev.Sentences[key].EN, w) {
				t.Errorf("%s sentence %q lacks %q", key, ev.Sentences[key].EN, w)
			}
		}
	}
	if zh := ev.Sentences[KeySatisfaction].ZH; !strings.Contains(zh, "回访 12 次") {
		t.Errorf("zh satisfaction sentence %q", zh)
	}
	n := Evaluate(DefaultRules(), example1(), exampleAsOf).Sentences[SentenceGrade]
	if !strings.Contains(n.EN, "not yet rated") || !strings.Contains(n.ZH, "暂不评级") {
		t.Errorf("N sentence %+v", n)
	}
}
