package scoring

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// vendor1000 has 1,000 records: 600 callbacks, 200 complaints, 190 volume reports and 10
// sanctions spread over four years, in random order.
func vendor1000() Inputs {
	g := newGen(1000)
	in := baseVendor(at(2021, 5, 1, 0))
	for range 600 {
		in.Callbacks = append(in.Callbacks, g.callback(1400, 0))
	}
	for range 200 {
		in.Complaints = append(in.Complaints, g.complaint(1400, 0, false))
	}
	for i := range 190 {
		m := exampleAsOf.In(shanghai).AddDate(0, -i/4, 0)
		in.Volumes = append(in.Volumes, Volume{Month: m.Format("2006-01"), Orders: 200 + g.r.IntN(800), Source: fmt.Sprint("src-", i%4)})
	}
	for i := range 10 {
		in.Sanctions = append(in.Sanctions, Sanction{ID: int64(i + 1),
			Kind: g.pick(KindWarning, KindFine, KindCommendation), IssuedAt: g.instant(1400, 0)})
	}
	r := rand.New(rand.NewPCG(7, 7))
	in.Callbacks, in.Complaints = shuffled(r, in.Callbacks), shuffled(r, in.Complaints)
	return in
}

func BenchmarkEvaluate1000(b *testing.B) {
	in, rules := vendor1000(), DefaultRules()
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(rules, in, exampleAsOf)
	}
}

// BenchmarkEvaluate1000Sorted is the same vendor with records already in time order, as
// a database query ordered by time would return them.
func BenchmarkEvaluate1000Sorted(b *testing.B) {
	in, rules := vendor1000(), DefaultRules()
	slices.SortFunc(in.Callbacks, func(x, y Callback) int { return x.CalledAt.Compare(y.CalledAt) })
	slices.SortFunc(in.Complaints, func(x, y Complaint) int { return x.ReceivedAt.Compare(y.ReceivedAt) })
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(rules, in, exampleAsOf)
	}
}
