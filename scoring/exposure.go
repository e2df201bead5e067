package scoring

import "time"

// monthKey numbers calendar months: year·12 + month − 1.
func monthKey(year int, month time.Month) int { return year*12 + int(month) - 1 }

// monthStart is the first instant of the month in Asia/Shanghai.
func monthStart(key int) time.Time {
	return time.Date(key/12, time.Month(key%12+1), 1, 0, 0, 0, 0, shanghai)
}

// parseMonth reads "YYYY-MM" into a month key.
func parseMonth(s string) (int, bool) {
	if len(s) != 7 || s[4] != '-' {
		return 0, false
	}
	n := 0
	for i, ch := range []byte(s) {
		if i == 4 {
			continue
		}
		if ch < '0' || ch > '9' {
			return 0, false
		}
		n = n*10 + int(ch-'0')
	}
	year, month := n/100, n%100
	if month < 1 || month > 12 {
		return 0, false
	}
	return monthKey(year, time.Month(month)), true
}

// exposure computes E = Σ w(age, h)·orders_m/OrdersPerUnit over the months whose first
// instant is in the window, oldest first, with orders_m = max(largest reported orders,
// callbacks of any result in the window (cbRefs) during that month). It fills Orders and
// MonthsWithOrders in e.
func exposure(r Rules, vols []Volume, cbs []Callback, cbRefs []ref, asOf time.Time, e *Evidence) float64 {
	local := asOf.In(shanghai)
	hi := monthKey(local.Year(), local.Month())
	ok := func(key int) bool { return inWindow(ageDays(asOf, monthStart(key)), r.WindowDays) }
	if !ok(hi) {
		return 0
	}
	cutoff := asOf.Add(-time.Duration(r.WindowDays * day)).In(shanghai)
	lo := max(monthKey(cutoff.Year(), cutoff.Month()), 0)
	for lo < hi && !ok(lo) {
		lo++
	}
	for lo > 0 && ok(lo-1) {
		lo--
	}

	type month struct{ reported, callbacks int }
	months := make([]month, hi-lo+1)
	for i := range vols {
		key, valid := parseMonth(vols[i].Month)
		if valid && key >= lo && key <= hi {
			m := &months[key-lo]
			m.reported = max(m.reported, vols[i].Orders)
		}
	}
	for _, ref := range cbRefs {
		t := cbs[ref.i].CalledAt.In(shanghai)
		if key := monthKey(t.Year(), t.Month()); key >= lo && key <= hi {
			months[key-lo].callbacks++
		}
	}

	cr := r.Complaints
	var sum float64
	for i, m := range months {
		orders := max(m.reported, m.callbacks)
		if orders <= 0 {
			continue
		}
		e.Orders += orders
		e.MonthsWithOrders++
		w := decay(ageDays(asOf, monthStart(lo+i)), cr.HalfLifeDays)
		sum += w * float64(orders) / cr.OrdersPerUnit
	}
	return sum
}
