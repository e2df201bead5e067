package registry

import (
	"context"
	"fmt"
	"time"
)

// MonthRates are the hotline's three service rates for one month.
type MonthRates struct {
	Month              string // YYYY-MM
	Complaints, OnTime int    // received; of those, closed by their deadline
	Callbacks          int    // all callbacks
	Reached, Satisfied int    // callbacks that reached the customer; satisfied or basically satisfied
	Orders             int    // service volume (largest source per vendor and month)
}

// OnTimeRate is 办结率: complaints closed by their deadline over complaints received.
func (m MonthRates) OnTimeRate() float64 { return ratio(m.OnTime, m.Complaints) }

// CallbackRate is 回访率: callbacks over orders.
func (m MonthRates) CallbackRate() float64 { return ratio(m.Callbacks, m.Orders) }

// SatisfactionRate is 满意率: satisfied or basically satisfied over reached callbacks.
func (m MonthRates) SatisfactionRate() float64 { return ratio(m.Satisfied, m.Reached) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// RatesFilter narrows the rates to vendors of one category and/or district.
type RatesFilter struct {
	Category, District string
	Months             int // how many months back from the current one (default 12)
}

// ServiceRates computes the three rates per month, oldest first, for the
// months before and including now's.
func (db *DB) ServiceRates(ctx context.Context, f RatesFilter) ([]MonthRates, error) {
	if f.Months <= 0 || f.Months > 36 {
		f.Months = 12
	}
	now := db.now().In(Shanghai)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, Shanghai).AddDate(0, -(f.Months - 1), 0)
	from := formatTime(first)
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
	for m := first; !m.After(now); m = m.AddDate(0, 1, 0) {
		k := m.Format("2006-01")
		months[k] = &MonthRates{Month: k}
		order = append(order, k)
	}
	// Stored instants are UTC; a month is bucketed in Asia/Shanghai, so shift by 8 hours.
	queries := []struct {
		q    string
		scan func(m *MonthRates, a, b, c int)
	}{
		{`SELECT strftime('%Y-%m', received_at, '+8 hours') AS m, count(*), sum(status = 'closed' AND closed_at <= deadline_at), 0
			FROM complaints WHERE received_at >= ? AND ` + vendorCond + ` GROUP BY m`,
			func(m *MonthRates, a, b, _ int) { m.Complaints, m.OnTime = a, b }},
		{`SELECT strftime('%Y-%m', called_at, '+8 hours') AS m, count(*), sum(result <> 'unreachable'),
			sum(result IN ('satisfied', 'basically_satisfied')) FROM callbacks WHERE called_at >= ? AND ` + vendorCond + ` GROUP BY m`,
			func(m *MonthRates, a, b, c int) { m.Callbacks, m.Reached, m.Satisfied = a, b, c }},
		{`SELECT month, sum(o), 0, 0 FROM (SELECT vendor_id, month, max(orders) AS o FROM volumes WHERE month >= ? AND ` + vendorCond + `
			GROUP BY vendor_id, month) GROUP BY month`,
			func(m *MonthRates, a, _, _ int) { m.Orders = a }},
	}
	for i, q := range queries {
		arg := from
		if i == 2 {
			arg = first.Format("2006-01")
		}
		rows, err := db.read.QueryContext(ctx, q.q, append([]any{arg}, args...)...)
		if err != nil {
			return nil, fmt.Errorf("registry: service rates: %w", err)
		}
		for rows.Next() {
			var k string
			var a, b, c int
			if err := rows.Scan(&k, &a, &b, &c); err != nil {
				rows.Close()
				return nil, err
			}
			if m, ok := months[k]; ok {
				q.scan(m, a, b, c)
			}
		}
		rows.Close()
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
