package scoring

import (
	"fmt"
	"testing"
	"time"
)

// dur converts days to a duration.
func dur(days float64) time.Duration { return time.Duration(days * float64(24*time.Hour)) }

// goodVendor scores ≥ 90 at exampleAsOf and meets every A requirement.
func goodVendor() Inputs {
	in := baseVendor(at(2020, 1, 1, 0))
	for i := range 40 {
		in.Callbacks = append(in.Callbacks, Callback{WorkOrderNo: fmt.Sprintf("G-%03d", i),
			CalledAt: exampleAsOf.Add(-dur(float64(i)*2 + 1)), Result: ResultSatisfied})
	}
	for m := range 12 {
		in.Volumes = append(in.Volumes, Volume{Month: at(2025, 11, 1, 0).AddDate(0, m, 0).Format("2006-01"),
			Orders: 5000, Source: "platform"})
	}
	return in
}

func TestWindowEdges(t *testing.T) {
	asOf := exampleAsOf
	edge := asOf.Add(-dur(1095))
	cases := []struct {
		name string
		t    time.Time
		in   bool
	}{
		{"at asOf", asOf, true},
		{"1 s after asOf", asOf.Add(time.Second), false},
		{"exactly 1095 days", edge, true},
		{"1095 days + 1 s", edge.Add(-time.Second), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := Inputs{RegisteredAt: at(2020, 1, 1, 0),
				Callbacks:  []Callback{{WorkOrderNo: "C", CalledAt: tc.t, Result: ResultSatisfied}},
				Complaints: []Complaint{{WorkOrderNo: "W", ReceivedAt: tc.t, Status: ComplaintOpen}},
				Sanctions:  []Sanction{{ID: 1, Kind: KindWarning, IssuedAt: tc.t}},
			}
			e := Evaluate(DefaultRules(), in, asOf).Evidence
			want := 0
			if tc.in {
				want = 1
			}
			if e.CallbacksCounted != want || e.ComplaintsReceived != want {
				t.Errorf("callbacks %d complaints %d, want %d", e.CallbacksCounted, e.ComplaintsReceived, want)
			}
			// Sanctions are not cut by the window: only a future one is left out.
			if wantW := min(1, want+boolInt(tc.t.Before(asOf))); e.Warnings != wantW {
				t.Errorf("warnings %d, want %d", e.Warnings, wantW)
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestVolumeMonths(t *testing.T) {
	// 2023-11-01T00:00+08:00 is exactly 1095 days before 2026-10-31T00:00+08:00.
	asOf := at(2026, 10, 31, 0)
	exposureOf := func(asOf time.Time, vols []Volume, cbs []Callback) Evidence {
		return Evaluate(DefaultRules(), Inputs{Volumes: vols, Callbacks: cbs}, asOf).Evidence
	}
	w := func(monthStart, asOf time.Time) float64 { return decay(ageDays(asOf, monthStart), 365) }
	cases := []struct {
		name   string
		asOf   time.Time
		vols   []Volume
		cbs    []Callback
		want   float64
		orders int
	}{
		{"month starting exactly 1095 days ago counts", asOf, []Volume{{Month: "2023-11", Orders: 1000}}, nil,
			w(at(2023, 11, 1, 0), asOf), 1000},
		{"one second later it does not", asOf.Add(time.Second), []Volume{{Month: "2023-11", Orders: 1000}}, nil, 0, 0},
		{"a month after asOf does not", asOf, []Volume{{Month: "2026-11", Orders: 1000}}, nil, 0, 0},
		{"the current month counts in full", asOf, []Volume{{Month: "2026-10", Orders: 1000}}, nil,
			w(at(2026, 10, 1, 0), asOf), 1000},
		{"two sources: the largest counts", asOf, []Volume{{Month: "2026-09", Orders: 300, Source: "a"},
			{Month: "2026-09", Orders: 500, Source: "b"}, {Month: "2026-09", Orders: 100, Source: "c"}}, nil,
			w(at(2026, 9, 1, 0), asOf) * 500 / 1000, 500},
		{"callbacks without reported volume", asOf, nil, []Callback{
			{WorkOrderNo: "1", CalledAt: at(2026, 9, 3, 10), Result: ResultUnreachable},
			{WorkOrderNo: "2", CalledAt: at(2026, 9, 30, 23), Result: ResultDissatisfied},
			// 2026-09-30T16:30Z is 2026-10-01T00:30+08:00: an October callback.
			{WorkOrderNo: "3", CalledAt: time.Date(2026, 9, 30, 16, 30, 0, 0, time.UTC), Result: ResultSatisfied}},
			(w(at(2026, 9, 1, 0), asOf)*2 + w(at(2026, 10, 1, 0), asOf)) / 1000, 3},
		{"callbacks exceed reported volume", asOf, []Volume{{Month: "2026-09", Orders: 1}}, []Callback{
			{WorkOrderNo: "1", CalledAt: at(2026, 9, 3, 10), Result: ResultSatisfied},
			{WorkOrderNo: "2", CalledAt: at(2026, 9, 4, 10), Result: ResultSatisfied}},
			w(at(2026, 9, 1, 0), asOf) * 2 / 1000, 2},
		{"reported volume exceeds callbacks", asOf, []Volume{{Month: "2026-09", Orders: 40}}, []Callback{
			{WorkOrderNo: "1", CalledAt: at(2026, 9, 3, 10), Result: ResultSatisfied}},
			w(at(2026, 9, 1, 0), asOf) * 40 / 1000, 40},
		{"malformed months are ignored", asOf, []Volume{{Month: "2026-13", Orders: 9}, {Month: "2026/09", Orders: 9},
			{Month: "26-09", Orders: 9}}, nil, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := exposureOf(tc.asOf, tc.vols, tc.cbs)
			if !near(e.Exposure, tc.want, 12) || e.Orders != tc.orders {
				t.Errorf("E = %.12f orders %d, want %.12f %d", e.Exposure, e.Orders, tc.want, tc.orders)
			}
		})
	}
}

func TestComplaintPoints(t *testing.T) {
	asOf := exampleAsOf
	received := asOf.Add(-dur(30))
	deadline := received.Add(dur(7))
	c := func(mod func(c *Complaint)) Complaint {
		x := Complaint{WorkOrderNo: "W1", ReceivedAt: received, Severity: SeveritySerious,
			Status: ComplaintClosed, Outcome: OutcomeSubstantiated, DeadlineAt: ptr(deadline), ClosedAt: ptr(received.Add(dur(2)))}
		mod(&x)
		return x
	}
	open := func(c *Complaint) { c.Status, c.Outcome, c.ClosedAt = ComplaintOpen, "", nil }
	cases := []struct {
		name string
		c    Complaint
		asOf time.Time
		d    float64
	}{
		{"closed in time", c(func(*Complaint) {}), asOf, 2},
		{"closed exactly at deadline is in time", c(func(c *Complaint) { c.ClosedAt = ptr(deadline) }), asOf, 2},
		{"closed late", c(func(c *Complaint) { c.ClosedAt = ptr(deadline.Add(time.Second)) }), asOf, 3},
		{"closed late, excused", c(func(c *Complaint) { c.ClosedAt = ptr(deadline.Add(dur(1))); c.LateExcused = true }), asOf, 2},
		{"partially substantiated, major, late", c(func(c *Complaint) {
			c.Outcome, c.Severity, c.ClosedAt = OutcomePartiallySubstantiated, SeverityMajor, ptr(deadline.Add(dur(1)))
		}), asOf, 3},
		{"mediated general", c(func(c *Complaint) { c.Outcome, c.Severity = OutcomeMediated, SeverityGeneral }), asOf, 0.25},
		{"unsubstantiated, late", c(func(c *Complaint) { c.Outcome, c.ClosedAt = OutcomeUnsubstantiated, ptr(deadline.Add(dur(1))) }), asOf, 0},
		{"withdrawn", c(func(c *Complaint) { c.Outcome = OutcomeWithdrawn }), asOf, 0},
		{"not vendor responsibility", c(func(c *Complaint) { c.Outcome = OutcomeNotVendorResponsibility }), asOf, 0},
		{"open within deadline", c(open), deadline.Add(-time.Second), 0},
		{"open exactly at deadline", c(open), deadline, 0},
		{"open past deadline", c(open), deadline.Add(time.Second), 3},
		{"open past deadline, excuse ignored", c(func(c *Complaint) { open(c); c.LateExcused = true }), asOf, 3},
		{"open without deadline", c(func(c *Complaint) { open(c); c.DeadlineAt = nil }), asOf, 0},
		{"closed after asOf is open at asOf", c(func(c *Complaint) { c.ClosedAt = ptr(asOf.Add(time.Hour)) }), asOf, 3},
		{"closed after asOf, before deadline", c(func(c *Complaint) { c.ClosedAt = ptr(deadline) }), deadline.Add(-time.Hour), 0},
		{"status closed without closed_at is open", c(func(c *Complaint) { c.ClosedAt = nil }), asOf, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev := Evaluate(DefaultRules(), Inputs{Complaints: []Complaint{tc.c}}, tc.asOf)
			it := ev.Items[0]
			if it.Points != tc.d {
				t.Fatalf("d = %v, want %v (item %+v)", it.Points, tc.d, it)
			}
			if want := decay(ageDays(tc.asOf, received), 365) * tc.d; ev.Evidence.ComplaintPoints != want || it.Contribution != want {
				t.Errorf("D = %v, contribution %v, want %v", ev.Evidence.ComplaintPoints, it.Contribution, want)
			}
			if counted := boolInt(tc.d > 0); ev.Evidence.ComplaintsCounted != counted {
				t.Errorf("counted %d, want %d", ev.Evidence.ComplaintsCounted, counted)
			}
		})
	}
}

func TestServiceOrderMerging(t *testing.T) {
	asOf := exampleAsOf
	mk := func(wo, so string, daysAgo float64, outcome string) Complaint {
		r := asOf.Add(-dur(daysAgo))
		return Complaint{WorkOrderNo: wo, ServiceOrderNo: so, ReceivedAt: r, Severity: SeverityGeneral,
			Status: ComplaintClosed, Outcome: outcome, ClosedAt: ptr(r.Add(time.Hour))}
	}
	cases := []struct {
		name   string
		cs     []Complaint
		merged []bool // per item, in ascending received order
		d      float64
	}{
		{"larger w·d kept (the later, less decayed)", []Complaint{mk("A", "S", 100, OutcomeSubstantiated), mk("B", "S", 10, OutcomeSubstantiated)},
			[]bool{true, false}, decay(10, 365)},
		{"larger w·d kept (the earlier, heavier)", []Complaint{mk("A", "S", 100, OutcomeSubstantiated), mk("B", "S", 10, OutcomeMediated)},
			[]bool{false, true}, decay(100, 365)},
		{"tie keeps the earlier", []Complaint{mk("B", "S", 10, OutcomeSubstantiated), mk("A", "S", 10, OutcomeSubstantiated)},
			[]bool{false, true}, decay(10, 365)},
		{"different service orders both count", []Complaint{mk("A", "S1", 10, OutcomeSubstantiated), mk("B", "S2", 10, OutcomeSubstantiated)},
			[]bool{false, false}, 2 * decay(10, 365)},
		{"empty service orders never merge", []Complaint{mk("A", "", 10, OutcomeSubstantiated), mk("B", "", 10, OutcomeSubstantiated)},
			[]bool{false, false}, 2 * decay(10, 365)},
		{"zero-point complaint merged under a counted one", []Complaint{mk("A", "S", 10, OutcomeWithdrawn), mk("B", "S", 20, OutcomeSubstantiated)},
			[]bool{false, true}, decay(20, 365)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev := Evaluate(DefaultRules(), Inputs{Complaints: tc.cs}, asOf)
			for i, it := range ev.Items {
				if it.MergedAway != tc.merged[i] {
					t.Errorf("item %d (%s) merged %v, want %v", i, it.WorkOrderNo, it.MergedAway, tc.merged[i])
				}
			}
			if !near(ev.Evidence.ComplaintPoints, tc.d, 12) {
				t.Errorf("D = %v, want %v", ev.Evidence.ComplaintPoints, tc.d)
			}
		})
	}
}

func TestSupersededMask(t *testing.T) {
	wo := func(s *string) string { return *s }
	many := make([]string, 5000)
	for i := range many {
		many[i] = fmt.Sprintf("WO-%d", i)
	}
	if supersededMask(many, wo) != nil {
		t.Error("unique work orders reported as repeated")
	}
	many = append(many, "", "", "WO-17")
	mask := supersededMask(many, wo)
	for i, m := range mask {
		if m != (i == 17) {
			t.Errorf("mask[%d] = %v", i, m)
		}
	}
	// A complaint upserted later in the slice replaces the earlier version entirely.
	r := exampleAsOf.Add(-dur(10))
	in := Inputs{Complaints: []Complaint{
		{WorkOrderNo: "W", ReceivedAt: r, Status: ComplaintClosed, Outcome: OutcomeSubstantiated, ClosedAt: ptr(r.Add(dur(1)))},
		{WorkOrderNo: "W", ReceivedAt: r, Status: ComplaintClosed, Outcome: OutcomeWithdrawn, ClosedAt: ptr(r.Add(dur(2)))},
	}}
	ev := Evaluate(DefaultRules(), in, exampleAsOf)
	if len(ev.Items) != 1 || ev.Items[0].Outcome != OutcomeWithdrawn || ev.Evidence.ComplaintPoints != 0 {
		t.Errorf("items %+v", ev.Items)
	}
}
