package publicity

import (
	"context"
	"errors"
	"strconv"
	"time"

	"chengxin/registry"
	"chengxin/scoring"
)

// Profile is everything a vendor's disclosure page shows. Its complaint
// and callback figures are broken down from the very evaluation the grade
// comes from (the latest one, re-run from the vendor's records at its
// instant, predecessors' records included), so the cards, the yearly rows
// and their totals always agree with each other and with the evaluation's
// evidence. No complaint text and nothing about complainants is read.
type Profile struct {
	ID           int64
	Vendor       Vendor
	RegisteredAt time.Time
	// Latest is the current evaluation with its sentences; nil before the first.
	Latest   *registry.StoredEvaluation
	Rules    scoring.Rules // the rules Latest was made with (current rules without one)
	From, To time.Time     // the statistics window
	Years    []ComplaintYear
	Totals   ComplaintYear // the sum of Years (Year 0)
	Quarters []CallbackQuarter
	// Callbacks sums Quarters: the callbacks the evaluation counts.
	Callbacks CallbackQuarter
}

// ComplaintYear counts one calendar year's complaints (Asia/Shanghai, by
// the day they were received) as the evaluation saw them: Received, of
// which Merged were duplicates of another complaint about the same service
// order (it counts once) and Counted cost points (verified, or still open
// past their deadline); Open were not closed at the window's end.
type ComplaintYear struct {
	Year      int
	Received  int
	Merged    int
	Counted   int
	Open      int
	ByOutcome map[string]int // closed complaints by outcome
}

func (y *ComplaintYear) add(o ComplaintYear) {
	y.Received += o.Received
	y.Merged += o.Merged
	y.Counted += o.Counted
	y.Open += o.Open
	for k, n := range o.ByOutcome {
		y.ByOutcome[k] += n
	}
}

// CallbackQuarter counts one quarter's callbacks by result.
type CallbackQuarter struct {
	Year, Quarter                                            int
	Satisfied, BasicallySatisfied, Dissatisfied, Unreachable int
}

// Total is every callback of the quarter.
func (q CallbackQuarter) Total() int {
	return q.Satisfied + q.BasicallySatisfied + q.Dissatisfied + q.Unreachable
}

// Rated are callbacks with a rating (unreachable ones left out).
func (q CallbackQuarter) Rated() int { return q.Satisfied + q.BasicallySatisfied + q.Dissatisfied }

// SatisfactionRate is the share of satisfied or basically satisfied among
// rated callbacks (scoring.Rate); nil without any.
func (q CallbackQuarter) SatisfactionRate() *float64 {
	return scoring.Rate(q.Satisfied+q.BasicallySatisfied, q.Rated())
}

// Label is "2025 Q3".
func (q CallbackQuarter) Label() string {
	return strconv.Itoa(q.Year) + " Q" + strconv.Itoa(q.Quarter)
}

// FindProfile builds the disclosure profile of the vendor with code uscc at
// now from the records, or returns registry.ErrNotFound. It is the
// from-scratch build behind every stored document (Documents serves those).
func FindProfile(ctx context.Context, db *registry.DB, uscc string, now time.Time) (Profile, error) {
	v, err := db.FindVendorByUSCC(ctx, uscc)
	if err != nil {
		return Profile{}, err
	}
	vs, err := vendorsOf(ctx, db, []registry.Vendor{v}, now)
	if err != nil {
		return Profile{}, err
	}
	return profileOf(ctx, db, v, vs[0], now)
}

// profileOf completes a vendor's public record pv (from vendorsOf) into its
// profile: publication and evaluation history, and the complaint and
// callback figures of its latest evaluation.
func profileOf(ctx context.Context, db *registry.DB, v registry.Vendor, pv Vendor, now time.Time) (Profile, error) {
	p := Profile{ID: v.ID, RegisteredAt: v.RegisteredAt, Vendor: pv}
	var err error
	if p.Vendor.History, err = publishedHistory(ctx, db, v.ID); err != nil {
		return p, err
	}
	if p.Vendor.EvaluationHistory, err = evaluationHistory(ctx, db, v.ID, 50); err != nil {
		return p, err
	}
	p.To = now
	se, err := db.LatestEvaluation(ctx, v.ID)
	switch {
	case err == nil:
		p.Latest, p.To = &se, se.AsOf
		p.Rules, err = db.RulesByVersion(ctx, se.RulesVersion)
	case errors.Is(err, registry.ErrNotFound):
		p.Rules, err = db.CurrentRules(ctx)
	}
	if err != nil {
		return p, err
	}
	p.From = p.To.Add(-time.Duration(p.Rules.WindowDays * 24 * float64(time.Hour)))
	in, err := db.LoadInputs(ctx, v.ID)
	if err != nil {
		return p, err
	}
	ev := scoring.Evaluate(p.Rules, in, p.To)
	p.Years, p.Totals = complaintYears(ev, p.From, p.To)
	p.Quarters, p.Callbacks = callbackQuarters(scoring.CallbacksCounted(p.Rules, in, p.To), p.From, p.To)
	return p, nil
}

// complaintYears breaks an evaluation's complaints down by the year they
// were received, for every year of the window [from, to], and sums them.
func complaintYears(ev scoring.Evaluation, from, to time.Time) ([]ComplaintYear, ComplaintYear) {
	first, last := from.In(registry.Shanghai).Year(), to.In(registry.Shanghai).Year()
	out := make([]ComplaintYear, 0, last-first+1)
	for y := first; y <= last; y++ {
		out = append(out, ComplaintYear{Year: y, ByOutcome: map[string]int{}})
	}
	for _, it := range ev.Items {
		i := it.ReceivedAt.In(registry.Shanghai).Year() - first
		if i < 0 || i >= len(out) {
			continue // not in the window: the evaluation left it out too
		}
		y := &out[i]
		y.Received++
		switch {
		case it.MergedAway:
			y.Merged++
		case it.Points > 0:
			y.Counted++
		}
		if it.Closed {
			y.ByOutcome[it.Outcome]++
		} else {
			y.Open++
		}
	}
	total := ComplaintYear{ByOutcome: map[string]int{}}
	for _, y := range out {
		total.add(y)
	}
	return out, total
}

// Outcomes lists complaint outcomes in the order pages show them.
var Outcomes = []string{"substantiated", "partially_substantiated", "mediated", "unsubstantiated", "withdrawn", "not_vendor_responsibility"}

// callbackQuarters counts callbacks by quarter (Asia/Shanghai) for every
// quarter of the window [from, to], and sums them.
func callbackQuarters(cbs []scoring.Callback, from, to time.Time) ([]CallbackQuarter, CallbackQuarter) {
	type key struct{ y, q int }
	counts := map[key]*CallbackQuarter{}
	var total CallbackQuarter
	for _, cb := range cbs {
		t := cb.CalledAt.In(registry.Shanghai)
		k := key{t.Year(), (int(t.Month()) + 2) / 3}
		c := counts[k]
		if c == nil {
			c = &CallbackQuarter{Year: k.y, Quarter: k.q}
			counts[k] = c
		}
		for _, x := range []*CallbackQuarter{c, &total} {
			switch cb.Result {
			case scoring.ResultSatisfied:
				x.Satisfied++
			case scoring.ResultBasicallySatisfied:
				x.BasicallySatisfied++
			case scoring.ResultDissatisfied:
				x.Dissatisfied++
			default:
				x.Unreachable++
			}
		}
	}
	var out []CallbackQuarter
	start, end := from.In(registry.Shanghai), to.In(registry.Shanghai)
	y, q := start.Year(), (int(start.Month())+2)/3
	for y < end.Year() || (y == end.Year() && q <= (int(end.Month())+2)/3) {
		if c, ok := counts[key{y, q}]; ok {
			out = append(out, *c)
		} else {
			out = append(out, CallbackQuarter{Year: y, Quarter: q})
		}
		if q++; q > 4 {
			y, q = y+1, 1
		}
	}
	return out, total
}
