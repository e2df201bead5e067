package registry

import (
	"context"
	"fmt"
	"time"
)

// MonthRates are one calendar month's (Asia/Shanghai) figures behind the
// hotline's three service rates, as a 12345/8890 monthly report defines
// them. Complaints belong to the month their deadline falls in, callbacks
// to the month they were made, work orders to the month of the dispatch
// volume. The current month runs only to ToDate.
type MonthRates struct {
	Month string // YYYY-MM
	// ToDate is the instant the current month's figures run to; zero for
	// a month that is over.
	ToDate time.Time
	// Due: complaints whose deadline fell in the month (before ToDate in
	// the current month), closed or not. OnTime: of those, closed no later
	// than the deadline, or late with the delay excused by a regulator.
	Due, OnTime int
	// WorkOrders is the hotline's dispatch volume (source "dispatch") of the
	// month; Dispatched says whether any was reported.
	WorkOrders int
	Dispatched bool
	// Callbacks by result.
	Satisfied, BasicallySatisfied, Dissatisfied, Unreachable int
}

// Reached is the callbacks that reached the citizen and got a rating.
func (m MonthRates) Reached() int { return m.Satisfied + m.BasicallySatisfied + m.Dissatisfied }

// Callbacks is every callback made, reached or not.
func (m MonthRates) Callbacks() int { return m.Reached() + m.Unreachable }

// OnTimeRate is 按期办结率: OnTime ÷ Due; ok is false when nothing fell due.
func (m MonthRates) OnTimeRate() (float64, bool) { return ratio(m.OnTime, m.Due) }

// CallbackRate is 回访率: callbacks that reached the citizen ÷ work orders
// dispatched; ok is false until the month's dispatch volume is reported or
// when it is zero. It can pass 1 when early-month callbacks follow up the
// previous month's orders.
func (m MonthRates) CallbackRate() (float64, bool) { return ratio(m.Reached(), m.WorkOrders) }

// SatisfactionRate is 满意率: (satisfied + basically satisfied) ÷ reached
// callbacks; ok is false when no callback reached anyone.
func (m MonthRates) SatisfactionRate() (float64, bool) {
	return ratio(m.Satisfied+m.BasicallySatisfied, m.Reached())
}

func ratio(a, b int) (float64, bool) {
	if b == 0 {
		return 0, false
	}
	return float64(a) / float64(b), true
}

// RatesFilter narrows the rates to vendors of one category and/or district.
type RatesFilter struct {
	Category, District string
	Months             int // how many months back from the current one (default 12)
}

// ServiceRates computes the figures per month, oldest first, for the months
// before and including now's; the current month runs to now, so complaints
// not yet due are left out of it.
func (db *DB) ServiceRates(ctx context.Context, f RatesFilter) ([]MonthRates, error) {
	if f.Months <= 0 || f.Months > 36 {
		f.Months = 12
	}
	now := db.now()
	local := now.In(Shanghai)
	first := time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, Shanghai).AddDate(0, -(f.Months - 1), 0)
	from, until := formatTime(first), formatTime(now)
	vendorCond, args := "1=1", []any{}
	if f.Category != "" {
		vendorCond += ` AND vendor_id IN (SELECT vendor_id FROM vendor_categories WHERE category = ?)`
		args = append(args, f.Category)
	}
	if f.District != "" {
		vendorCond += ` AND vendor_id IN (SELECT vendor_id FROM vendor_districts WHERE district = ?)`
		args = append(args, f.District)
	}
	months := map[string]*MonthRates{}
	var order []string
	for m := first; !m.After(local); m = m.AddDate(0, 1, 0) {
		k := m.Format("2006-01")
		months[k] = &MonthRates{Month: k}
		order = append(order, k)
	}
	months[order[len(order)-1]].ToDate = now
	// Stored instants are UTC text; a month is bucketed in Asia/Shanghai,
	// so shift by 8 hours.
	queries := []struct {
		q    string
		args []any
		scan func(m *MonthRates, n [4]int)
	}{
		{`SELECT ` + db.monthShanghai("deadline_at") + ` AS m, count(*),
			count(*) FILTER (WHERE status = 'closed' AND closed_at IS NOT NULL AND (closed_at <= deadline_at OR late_excused <> 0)), 0, 0
			FROM complaints WHERE deadline_at >= ? AND deadline_at <= ? AND ` + vendorCond + ` GROUP BY m`,
			[]any{from, until}, func(m *MonthRates, n [4]int) { m.Due, m.OnTime = n[0], n[1] }},
		{`SELECT ` + db.monthShanghai("called_at") + ` AS m, count(*) FILTER (WHERE result = 'satisfied'),
			count(*) FILTER (WHERE result = 'basically_satisfied'), count(*) FILTER (WHERE result = 'dissatisfied'),
			count(*) FILTER (WHERE result = 'unreachable')
			FROM callbacks WHERE called_at >= ? AND called_at <= ? AND ` + vendorCond + ` GROUP BY m`,
			[]any{from, until}, func(m *MonthRates, n [4]int) {
				m.Satisfied, m.BasicallySatisfied, m.Dissatisfied, m.Unreachable = n[0], n[1], n[2], n[3]
			}},
		{`SELECT month, coalesce(sum(orders), 0), 0, 0, 0 FROM volumes WHERE source = 'dispatch' AND month >= ? AND ` + vendorCond + `
			GROUP BY month`,
			[]any{first.Format("2006-01")}, func(m *MonthRates, n [4]int) { m.WorkOrders, m.Dispatched = n[0], true }},
	}
	for _, q := range queries {
		rows, err := db.read.QueryContext(ctx, q.q, append(q.args, args...)...)
		if err != nil {
			return nil, fmt.Errorf("registry: service rates: %w", err)
		}
		for rows.Next() {
			var k string
			var n [4]int
			if err := rows.Scan(&k, &n[0], &n[1], &n[2], &n[3]); err != nil {
				rows.Close()
				return nil, err
			}
			if m, ok := months[k]; ok {
				q.scan(m, n)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	out := make([]MonthRates, 0, len(order))
	for _, k := range order {
		out = append(out, *months[k])
	}
	return out, nil
}

// PublishedCounts returns how many vendors hold each published grade now and
// after the run before the latest (for the change since the last run).
func (db *DB) PublishedCounts(ctx context.Context) (now, before map[string]int, err error) {
	now, before = map[string]int{}, map[string]int{}
	rows, err := db.read.QueryContext(ctx, `SELECT grade, count(*) FROM published_grades GROUP BY grade`)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var g string
		var n int
		if err := rows.Scan(&g, &n); err != nil {
			rows.Close()
			return nil, nil, err
		}
		now[g] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows, err = db.read.QueryContext(ctx, `SELECT published_grade, count(*) FROM publications
		WHERE run_id = (SELECT id FROM publication_runs WHERE status = 'done' ORDER BY as_of DESC LIMIT 1 OFFSET 1) GROUP BY published_grade`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var g string
		var n int
		if err := rows.Scan(&g, &n); err != nil {
			return nil, nil, err
		}
		before[g] = n
	}
	return now, before, rows.Err()
}
