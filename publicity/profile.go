package publicity

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"chengxin/registry"
	"chengxin/scoring"
)

// Profile is everything a vendor's disclosure page shows. Statistics are
// SQL aggregates over the three-year window ending at the latest
// evaluation's instant (or now without one); no complaint text and nothing
// about complainants is read.
type Profile struct {
	ID           int64
	Vendor       Vendor
	RegisteredAt time.Time
	// Latest is the current evaluation with its sentences; nil before the first.
	Latest   *registry.StoredEvaluation
	Rules    scoring.Rules // the rules Latest was made with (current rules without one)
	From, To time.Time     // the statistics window
	Years    []ComplaintYear
	Quarters []CallbackQuarter
}

// ComplaintYear counts one calendar year's complaints (Asia/Shanghai) by
// outcome. Counted are those the score counts: closed with an outcome that
// costs points, or still open past their deadline.
type ComplaintYear struct {
	Year      int
	Received  int
	Counted   int
	Open      int            // not closed at the window's end
	ByOutcome map[string]int // closed complaints by outcome
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
// rated callbacks, and false without any.
func (q CallbackQuarter) SatisfactionRate() (float64, bool) {
	if q.Rated() == 0 {
		return 0, false
	}
	return float64(q.Satisfied+q.BasicallySatisfied) / float64(q.Rated()), true
}

// Label is "2025 Q3".
func (q CallbackQuarter) Label() string {
	return strconv.Itoa(q.Year) + " Q" + strconv.Itoa(q.Quarter)
}

// FindProfile builds the disclosure profile of the vendor with code uscc at
// now, or returns registry.ErrNotFound.
func FindProfile(ctx context.Context, db *registry.DB, uscc string, now time.Time) (Profile, error) {
	v, err := db.FindVendorByUSCC(ctx, uscc)
	if err != nil {
		return Profile{}, err
	}
	p := Profile{ID: v.ID, RegisteredAt: v.RegisteredAt}
	vs, err := vendorsOf(ctx, db, []registry.Vendor{v}, now)
	if err != nil {
		return p, err
	}
	p.Vendor = vs[0]
	if p.Vendor.History, err = publishedHistory(ctx, db, v.ID); err != nil {
		return p, err
	}
	if p.Vendor.EvaluationHistory, err = evaluationHistory(ctx, db, v.ID, 24); err != nil {
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
	if p.Years, err = complaintYears(ctx, db, v.ID, p.From, p.To, p.Rules); err != nil {
		return p, err
	}
	p.Quarters, err = callbackQuarters(ctx, db, v.ID, p.From, p.To)
	return p, err
}

func complaintYears(ctx context.Context, db *registry.DB, vendorID int64, from, to time.Time, rules scoring.Rules) ([]ComplaintYear, error) {
	f, t := from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339)
	rows, err := db.Reader().QueryContext(ctx, `SELECT CAST(strftime('%Y', received_at, '+8 hours') AS INTEGER),
		CASE WHEN status = 'closed' AND closed_at IS NOT NULL AND closed_at <= ? THEN outcome ELSE '' END AS o,
		CASE WHEN status = 'closed' AND closed_at IS NOT NULL AND closed_at <= ? THEN 0 WHEN deadline_at < ? THEN 1 ELSE 0 END AS overdue,
		count(*)
		FROM complaints WHERE vendor_id = ? AND received_at >= ? AND received_at <= ?
		GROUP BY 1, 2, 3 ORDER BY 1`, t, t, t, vendorID, f, t)
	if err != nil {
		return nil, fmt.Errorf("publicity: complaint statistics: %w", err)
	}
	defer rows.Close()
	years := map[int]*ComplaintYear{}
	for rows.Next() {
		var year, overdue, n int
		var outcome string
		if err := rows.Scan(&year, &outcome, &overdue, &n); err != nil {
			return nil, err
		}
		y := years[year]
		if y == nil {
			y = &ComplaintYear{Year: year, ByOutcome: map[string]int{}}
			years[year] = y
		}
		y.Received += n
		if outcome == "" {
			y.Open += n
			if overdue == 1 {
				y.Counted += n
			}
			continue
		}
		y.ByOutcome[outcome] += n
		if outcomeFactor(rules, outcome) > 0 {
			y.Counted += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []ComplaintYear
	for y := from.In(registry.Shanghai).Year(); y <= to.In(registry.Shanghai).Year(); y++ {
		if c, ok := years[y]; ok {
			out = append(out, *c)
		} else {
			out = append(out, ComplaintYear{Year: y, ByOutcome: map[string]int{}})
		}
	}
	return out, nil
}

func outcomeFactor(r scoring.Rules, outcome string) float64 {
	o := r.Complaints.Outcome
	switch outcome {
	case "substantiated":
		return o.Substantiated
	case "partially_substantiated":
		return o.PartiallySubstantiated
	case "mediated":
		return o.Mediated
	case "unsubstantiated":
		return o.Unsubstantiated
	case "withdrawn":
		return o.Withdrawn
	case "not_vendor_responsibility":
		return o.NotVendorResponsibility
	}
	return 0
}

// Outcomes lists complaint outcomes in the order pages show them.
var Outcomes = []string{"substantiated", "partially_substantiated", "mediated", "unsubstantiated", "withdrawn", "not_vendor_responsibility"}

func callbackQuarters(ctx context.Context, db *registry.DB, vendorID int64, from, to time.Time) ([]CallbackQuarter, error) {
	f, t := from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339)
	rows, err := db.Reader().QueryContext(ctx, `SELECT CAST(strftime('%Y', called_at, '+8 hours') AS INTEGER),
		(CAST(strftime('%m', called_at, '+8 hours') AS INTEGER) + 2) / 3, result, count(*)
		FROM callbacks WHERE vendor_id = ? AND called_at >= ? AND called_at <= ? GROUP BY 1, 2, 3`, vendorID, f, t)
	if err != nil {
		return nil, fmt.Errorf("publicity: callback statistics: %w", err)
	}
	defer rows.Close()
	type key struct{ y, q int }
	counts := map[key]*CallbackQuarter{}
	for rows.Next() {
		var y, q, n int
		var result string
		if err := rows.Scan(&y, &q, &result, &n); err != nil {
			return nil, err
		}
		c := counts[key{y, q}]
		if c == nil {
			c = &CallbackQuarter{Year: y, Quarter: q}
			counts[key{y, q}] = c
		}
		switch result {
		case "satisfied":
			c.Satisfied += n
		case "basically_satisfied":
			c.BasicallySatisfied += n
		case "dissatisfied":
			c.Dissatisfied += n
		default:
			c.Unreachable += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
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
	return out, nil
}
