package scoring

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

const propertyCases = 500

// gen builds random but valid inputs around asOf. Work order numbers are unique, so the
// evaluation must not depend on the order of any slice.
type gen struct {
	r    *rand.Rand
	asOf time.Time
	seq  int
}

func newGen(seed uint64) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, 0x5c0e1)), asOf: exampleAsOf}
}

func (g *gen) pick(s ...string) string { return s[g.r.IntN(len(s))] }

// instant is a random time between from and to days before asOf (negative: after asOf).
func (g *gen) instant(from, to float64) time.Time {
	return g.asOf.Add(-dur(to + g.r.Float64()*(from-to)))
}

func (g *gen) wo(prefix string) string { g.seq++; return fmt.Sprintf("%s-%05d", prefix, g.seq) }

func (g *gen) callback(from, to float64) Callback {
	return Callback{WorkOrderNo: g.wo("CB"), CalledAt: g.instant(from, to),
		Result: g.pick(ResultSatisfied, ResultSatisfied, ResultBasicallySatisfied, ResultDissatisfied, ResultUnreachable)}
}

// complaint is random; closedOnly makes it closed no later than maxClosed days before asOf.
func (g *gen) complaint(from, to float64, closedOnly bool) Complaint {
	received := g.instant(from, to)
	c := Complaint{WorkOrderNo: g.wo("WO"), ReceivedAt: received,
		Severity: g.pick(SeverityGeneral, SeverityGeneral, SeveritySerious, SeverityMajor), Status: ComplaintOpen}
	if g.r.IntN(4) > 0 {
		c.ServiceOrderNo = g.pick("", "SO-1", "SO-2", "SO-3")
	}
	if g.r.IntN(5) > 0 {
		c.DeadlineAt = ptr(received.Add(dur(1 + g.r.Float64()*14)))
	}
	if closedOnly || g.r.IntN(3) > 0 {
		c.Status = ComplaintClosed
		c.Outcome = g.pick(OutcomeSubstantiated, OutcomePartiallySubstantiated, OutcomeMediated,
			OutcomeUnsubstantiated, OutcomeWithdrawn, OutcomeNotVendorResponsibility)
		closed := received.Add(dur(g.r.Float64() * 30))
		if closedOnly && closed.After(g.asOf) {
			closed = g.asOf
		}
		c.ClosedAt = ptr(closed)
		c.LateExcused = g.r.IntN(5) == 0
	}
	return c
}

// inputs are random; with pastOnly every record is at or before asOf and complaints are
// closed by then (a vendor about whom nothing new happens after asOf).
func (g *gen) inputs(pastOnly bool) Inputs {
	future := -60.0
	if pastOnly {
		future = 0
	}
	in := Inputs{RegisteredAt: g.instant(2000, 0), Status: g.pick(StatusActive, StatusActive, StatusActive, "", StatusSuspended)}
	if g.r.IntN(2) == 0 {
		in.LicenceValidUntil = ptr(g.instant(200, -400))
	}
	if g.r.IntN(3) > 0 {
		in.InsuranceValidUntil = ptr(g.instant(100, -400))
	}
	for range g.r.IntN(60) {
		in.Callbacks = append(in.Callbacks, g.callback(1200, future))
	}
	for range g.r.IntN(12) {
		in.Complaints = append(in.Complaints, g.complaint(1200, future, pastOnly))
	}
	for range g.r.IntN(30) {
		m := g.instant(1200, future).In(shanghai)
		in.Volumes = append(in.Volumes, Volume{Month: m.Format("2006-01"), Orders: g.r.IntN(3000), Source: g.pick("a", "b")})
	}
	for i := range g.r.IntN(5) {
		s := Sanction{ID: int64(i + 1), Kind: g.pick(KindWarning, KindFine, KindSeriousPenalty, KindBlacklist, KindCommendation),
			IssuedAt: g.instant(2000, future), Repaired: g.r.IntN(6) == 0}
		if g.r.IntN(2) == 0 {
			s.DisplayUntil = ptr(s.IssuedAt.Add(dur(365 * (1 + g.r.Float64()*2))))
		}
		in.Sanctions = append(in.Sanctions, s)
	}
	return in
}

func shuffled[T any](r *rand.Rand, s []T) []T {
	out := append([]T(nil), s...)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func TestPropertyInvariants(t *testing.T) {
	g := newGen(1)
	for i := range propertyCases {
		ev := Evaluate(DefaultRules(), g.inputs(false), g.asOf)
		c := ev.Components
		ok := c.Satisfaction >= 0 && c.Satisfaction <= 35 && c.Complaints >= 0 && c.Complaints <= 35 &&
			c.Qualification >= 0 && c.Qualification <= 15 && c.Regulatory >= 0 && c.Regulatory <= 15 &&
			c.Bonus >= 0 && c.Bonus <= 3 && ev.Score >= 0 && ev.Score <= 100 && ev.Reasons != nil &&
			(GradeRank(ev.Grade) > 0 || ev.Grade == GradeN) && len(ev.Sentences) == 6
		if !ok {
			t.Fatalf("case %d: out of range: %+v", i, ev)
		}
		for key, s := range ev.Sentences {
			if s.ZH == "" || s.EN == "" || strings.Contains(s.ZH+s.EN, "%!") {
				t.Fatalf("case %d: sentence %s: %+v", i, key, s)
			}
		}
	}
}

func TestPropertyOrderIndependent(t *testing.T) {
	g := newGen(2)
	for i := range propertyCases {
		in := g.inputs(false)
		want := Evaluate(DefaultRules(), in, g.asOf)
		in.Callbacks, in.Complaints = shuffled(g.r, in.Callbacks), shuffled(g.r, in.Complaints)
		in.Volumes, in.Sanctions = shuffled(g.r, in.Volumes), shuffled(g.r, in.Sanctions)
		if got := Evaluate(DefaultRules(), in, g.asOf); !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d: shuffled inputs changed the evaluation:\n%+v\n%+v", i, got, want)
		}
	}
}

func TestPropertySubstantiatedComplaintNeverRaisesScore(t *testing.T) {
	g := newGen(3)
	for i := range propertyCases {
		in := g.inputs(false)
		before := Evaluate(DefaultRules(), in, g.asOf)
		c := g.complaint(1100, 0, true)
		c.Outcome = OutcomeSubstantiated
		in.Complaints = append(in.Complaints, c)
		after := Evaluate(DefaultRules(), in, g.asOf)
		if after.Score > before.Score || after.Evidence.ComplaintPoints < before.Evidence.ComplaintPoints {
			t.Fatalf("case %d: adding %+v raised the score %v → %v (D %v → %v)", i, c,
				before.Score, after.Score, before.Evidence.ComplaintPoints, after.Evidence.ComplaintPoints)
		}
	}
}

func TestPropertySatisfiedCallbackNeverLowersSat(t *testing.T) {
	g := newGen(4)
	for i := range propertyCases {
		in := g.inputs(false)
		before := Evaluate(DefaultRules(), in, g.asOf)
		cb := g.callback(1200, -30)
		cb.Result = ResultSatisfied
		in.Callbacks = append(in.Callbacks, cb)
		after := Evaluate(DefaultRules(), in, g.asOf)
		if after.Components.Satisfaction < before.Components.Satisfaction {
			t.Fatalf("case %d: adding %+v lowered Sat %v → %v", i, cb, before.Components.Satisfaction, after.Components.Satisfaction)
		}
	}
}

// TestPropertyTimePassing: with nothing new after asOf (every record at or before it, every
// complaint closed by then), moving asOf forward never lowers Reg and never raises D:
// sanctions and complaints only decay or leave. Cmp itself is not monotone: exposure decays
// too, so r drifts toward the prior r0 and Cmp toward 35·2^(−r0/r_half) = 24.75, falling for
// a vendor better than the prior (see TestCmpDriftsTowardPrior). It never falls when there
// is no exposure (E = 0 throughout), which is checked as well.
func TestPropertyTimePassing(t *testing.T) {
	g := newGen(5)
	for i := range propertyCases {
		in := g.inputs(true)
		if i%3 == 0 {
			in.Callbacks, in.Volumes = nil, nil
		}
		later := g.asOf.Add(dur(g.r.Float64() * 900))
		a := Evaluate(DefaultRules(), in, g.asOf)
		b := Evaluate(DefaultRules(), in, later)
		if b.Components.Regulatory < a.Components.Regulatory {
			t.Fatalf("case %d: Reg fell %v → %v", i, a.Components.Regulatory, b.Components.Regulatory)
		}
		if b.Evidence.ComplaintPoints > a.Evidence.ComplaintPoints {
			t.Fatalf("case %d: D rose %v → %v", i, a.Evidence.ComplaintPoints, b.Evidence.ComplaintPoints)
		}
		if len(in.Callbacks)+len(in.Volumes) == 0 && b.Components.Complaints < a.Components.Complaints {
			t.Fatalf("case %d: Cmp fell without exposure %v → %v", i, a.Components.Complaints, b.Components.Complaints)
		}
	}
}

func TestCmpDriftsTowardPrior(t *testing.T) {
	in := Inputs{Volumes: []Volume{{Month: "2026-10", Orders: 5000}}}
	now := Evaluate(DefaultRules(), in, exampleAsOf).Components.Complaints
	later := Evaluate(DefaultRules(), in, exampleAsOf.Add(dur(365))).Components.Complaints
	prior := Evaluate(DefaultRules(), Inputs{}, exampleAsOf).Components.Complaints
	if !(now > later && later > prior && prior == 24.75) {
		t.Errorf("Cmp now %v, a year later %v, prior %v", now, later, prior)
	}
}
