package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"chengxin/registry"
)

// profile is a vendor's quality: how its customers rate it and how often
// complaints against it hold up.
type profile struct {
	name string
	// callback results: satisfied, basically satisfied, dissatisfied (the
	// rest of 1 is unreachable)
	pSat, pBasic, pDis float64
	// complaints per callback, and the outcome mix of a complaint
	complaintShare                        float64
	pSubst, pPartial, pMediated, pUnsubst float64
	pSerious, pMajor, pLate               float64
	insuredOutOf10                        int
	burst                                 bool // a burst of unsubstantiated complaints in one month
}

var profiles = map[string]profile{
	"good":     {name: "good", pSat: .84, pBasic: .09, pDis: .02, complaintShare: .04, pSubst: .15, pPartial: .1, pMediated: .15, pUnsubst: .45, pSerious: .05, pMajor: .01, pLate: .05, insuredOutOf10: 8},
	"poor":     {name: "poor", pSat: .58, pBasic: .2, pDis: .14, complaintShare: .1, pSubst: .35, pPartial: .15, pMediated: .15, pUnsubst: .25, pSerious: .1, pMajor: .02, pLate: .2, insuredOutOf10: 5},
	"terrible": {name: "terrible", pSat: .3, pBasic: .2, pDis: .4, complaintShare: .22, pSubst: .55, pPartial: .15, pMediated: .1, pUnsubst: .15, pSerious: .2, pMajor: .06, pLate: .45, insuredOutOf10: 2},
	"burst":    {name: "burst", pSat: .86, pBasic: .08, pDis: .02, complaintShare: .03, pSubst: .1, pPartial: .1, pMediated: .1, pUnsubst: .6, pSerious: .03, pLate: .03, insuredOutOf10: 9, burst: true},
	"new":      {name: "new", pSat: .8, pBasic: .1, pDis: .04, complaintShare: .03, pSubst: .2, pPartial: .1, pMediated: .2, pUnsubst: .4, pSerious: .05, pLate: .05, insuredOutOf10: 6},
}

// profileFor picks a vendor's profile: most good, some poor, a few terrible
// or new, and a burst of unsubstantiated complaints for one or two (the 4th
// and 10th vendors always, so a small demo has them too).
func profileFor(rng *rand.Rand, i, n int) profile {
	if i == 3 || (i == 9 && n >= 20) {
		return profiles["burst"]
	}
	switch r := rng.Float64(); {
	case r < .72:
		return profiles["good"]
	case r < .87:
		return profiles["poor"]
	case r < .93:
		return profiles["terrible"]
	case r < .97:
		return profiles["new"]
	default:
		return profiles["burst"]
	}
}

// history writes the vendor's records: one or two volume rows per active
// month of the last three years, callbacks and complaints spread over them,
// within the per-vendor share of the event budget.
func (g *generator) history(rng *rand.Rand, idx int, vendorID int64, v registry.Vendor, p profile) error {
	now := g.opt.Now
	start := now.AddDate(-3, 0, 0)
	if v.RegisteredAt.After(start) {
		start = v.RegisteredAt
	}
	months := monthsBetween(start, now)
	if len(months) == 0 || g.perVendor < 1 {
		return nil
	}
	// Vendors differ in size; the running deficit keeps the city's total on
	// the requested number of events.
	want := g.perVendor * float64(idx+1)
	deficit := max(0, int(math.Round(want))-g.stats.Records())
	budget := int(math.Round(g.perVendor*(0.5+rng.Float64()))) + deficit/2
	if p.name == "new" {
		budget = min(budget, 8+rng.IntN(6))
	}
	// Volumes: dispatch counts every month, some months a vendor report too.
	size := []int{30, 120, 400, 1500}[rng.IntN(4)]
	volRows := 0
	for _, m := range months {
		if volRows >= budget/2 {
			break
		}
		orders := int64(float64(size) * (0.6 + 0.8*rng.Float64()))
		if err := g.b.Volume(registry.Volume{VendorID: vendorID, Month: m.Format("2006-01"), Source: "dispatch", Orders: orders}); err != nil {
			return err
		}
		volRows++
		if rng.IntN(5) == 0 {
			if err := g.b.Volume(registry.Volume{VendorID: vendorID, Month: m.Format("2006-01"), Source: "vendor_report", Orders: orders + int64(rng.IntN(20))}); err != nil {
				return err
			}
			volRows++
		}
	}
	g.stats.Volumes += volRows
	rest := max(0, budget-volRows)
	complaints := int(math.Round(float64(rest) * p.complaintShare))
	callbacks := rest - complaints
	span := now.Sub(start)
	seq := 0
	wo := func(t time.Time) string {
		seq++
		return fmt.Sprintf("8890-%s-%07d-%04d", t.In(registry.Shanghai).Format("20060102"), idx, seq)
	}
	for k := 0; k < callbacks; k++ {
		at := start.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Minute)
		result := "unreachable"
		switch r := rng.Float64(); {
		case r < p.pSat:
			result = "satisfied"
		case r < p.pSat+p.pBasic:
			result = "basically_satisfied"
		case r < p.pSat+p.pBasic+p.pDis:
			result = "dissatisfied"
		}
		if err := g.b.Callback(registry.Callback{WorkOrderNo: wo(at), VendorID: vendorID, CalledAt: at, Result: result}); err != nil {
			return err
		}
	}
	g.stats.Callbacks += callbacks
	var burstMonth time.Time
	if p.burst {
		burstMonth = now.AddDate(0, -1-rng.IntN(4), 0)
		complaints += 6 + rng.IntN(6)
	}
	for k := 0; k < complaints; k++ {
		at := start.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Minute)
		c := g.complaint(rng, p, v, at)
		if p.burst && k >= complaints-6 {
			// The burst: unsubstantiated complaints within a few days.
			c = g.complaint(rng, profile{pUnsubst: 1}, v, burstMonth.Add(time.Duration(rng.IntN(5*24))*time.Hour))
			c.Outcome = "unsubstantiated"
		}
		c.VendorID, c.WorkOrderNo = vendorID, wo(c.ReceivedAt)
		if k > 0 && rng.IntN(20) == 0 {
			c.ServiceOrderNo = fmt.Sprintf("SO-%07d-%03d", idx, k-1) // a second complaint about the same order
		} else {
			c.ServiceOrderNo = fmt.Sprintf("SO-%07d-%03d", idx, k)
		}
		if err := g.b.Complaint(c); err != nil {
			return err
		}
	}
	g.stats.Complaints += complaints
	return nil
}

func (g *generator) complaint(rng *rand.Rand, p profile, v registry.Vendor, at time.Time) registry.Complaint {
	now := g.opt.Now
	if at.After(now) {
		at = now.Add(-time.Hour)
	}
	c := registry.Complaint{ReceivedAt: at, Channel: pick(rng, registry.Channels), Category: pick(rng, v.Categories), Severity: "general"}
	switch r := rng.Float64(); {
	case r < p.pMajor:
		c.Severity = "major"
	case r < p.pMajor+p.pSerious:
		c.Severity = "serious"
	}
	days := map[string]int{"general": 5, "serious": 3, "major": 1}[c.Severity]
	c.DeadlineAt = at.AddDate(0, 0, days)
	if rng.IntN(3) == 0 {
		c.Summary = pick(rng, summaries)
	}
	took := time.Duration(1+rng.IntN(days*24)) * time.Hour
	if rng.Float64() < p.pLate {
		took += time.Duration(1+rng.IntN(72)) * time.Hour
	}
	closed := at.Add(took)
	if closed.After(now) {
		c.Status = "open" // still being handled
		return c
	}
	c.Status, c.ClosedAt = "closed", &closed
	switch r := rng.Float64(); {
	case r < p.pSubst:
		c.Outcome = "substantiated"
	case r < p.pSubst+p.pPartial:
		c.Outcome = "partially_substantiated"
	case r < p.pSubst+p.pPartial+p.pMediated:
		c.Outcome = "mediated"
	case r < p.pSubst+p.pPartial+p.pMediated+p.pUnsubst:
		c.Outcome = "unsubstantiated"
	default:
		c.Outcome = pick(rng, []string{"withdrawn", "not_vendor_responsibility"})
	}
	return c
}

// monthsBetween lists the first instants (Asia/Shanghai) of the months from
// start's month to now's month.
func monthsBetween(start, now time.Time) []time.Time {
	s := start.In(registry.Shanghai)
	m := time.Date(s.Year(), s.Month(), 1, 0, 0, 0, 0, registry.Shanghai)
	var out []time.Time
	for !m.After(now) {
		out = append(out, m)
		m = m.AddDate(0, 1, 0)
	}
	return out
}
