package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"chengxin/registry"
	"chengxin/views"
)

// ratesTTL is how long computed service rates are reused: they aggregate a
// year of records, so each filter is computed at most once per ten minutes.
const ratesTTL = 10 * time.Minute

type ratesCache struct {
	mu sync.Mutex
	m  map[registry.RatesFilter]cachedRates
}

type cachedRates struct {
	at    time.Time
	rates []registry.MonthRates
}

func (s *Server) serviceRates(c echo.Context, f registry.RatesFilter) ([]registry.MonthRates, error) {
	s.rates.mu.Lock()
	if e, ok := s.rates.m[f]; ok && s.now().Sub(e.at) < ratesTTL {
		s.rates.mu.Unlock()
		return e.rates, nil
	}
	s.rates.mu.Unlock()
	rates, err := s.db.ServiceRates(c.Request().Context(), f)
	if err != nil {
		return nil, err
	}
	s.rates.mu.Lock()
	if s.rates.m == nil {
		s.rates.m = map[registry.RatesFilter]cachedRates{}
	}
	s.rates.m[f] = cachedRates{at: s.now(), rates: rates}
	s.rates.mu.Unlock()
	return rates, nil
}

// dashboardFilter reads the filters the page and its CSV share; an unknown
// code is dropped (the page then shows the whole city).
func dashboardFilter(c echo.Context) registry.RatesFilter {
	f := registry.RatesFilter{Category: c.QueryParam("category"), District: c.QueryParam("district")}
	if _, ok := registry.CategoryByCode(f.Category); !ok {
		f.Category = ""
	}
	if _, ok := registry.DistrictByCode(f.District); !ok {
		f.District = ""
	}
	return f
}

// rateFigures is the one place the registry's monthly counts become the
// figures people read: the chart, the table and the CSV export all show
// these rows, so they cannot disagree.
func rateFigures(c echo.Context, rates []registry.MonthRates) []views.RateRow {
	out := make([]views.RateRow, 0, len(rates))
	for _, m := range rates {
		r := views.RateRow{Month: m.Month, Label: m.Month,
			Due: m.Due, OnTimeN: m.OnTime, WorkOrders: m.WorkOrders, Dispatched: m.Dispatched,
			Reached: m.Reached(), Unreachable: m.Unreachable,
			Satisfied: m.Satisfied, BasicallySatisfied: m.BasicallySatisfied, Dissatisfied: m.Dissatisfied}
		r.OnTime = rateOf(m.OnTime, m.Due)
		r.Callback = rateOf(m.Reached(), m.WorkOrders)
		r.Satisfaction = rateOf(m.Satisfied+m.BasicallySatisfied, m.Reached())
		if !m.ToDate.IsZero() {
			r.ToDate = dateText(m.ToDate)
			r.Label = tr(c, "dash.to_date", m.Month, dayText(c, m.ToDate))
		}
		out = append(out, r)
	}
	return out
}

// rateOf is n ÷ total with the site's one percentage format; nothing to
// divide by is "—", never 0%.
func rateOf(n, total int) views.Rate {
	if total == 0 {
		return views.Rate{Text: "—"}
	}
	return views.Rate{Text: pubPercent(n, total), Value: float64(n) / float64(total), OK: true}
}

// dayText is a date as a person says it: "3 月 15 日", "15 Mar".
func dayText(c echo.Context, t time.Time) string {
	t = t.In(registry.Shanghai)
	return tr(c, "dash.day", int(t.Month()), t.Day(), t.Month().String()[:3])
}

// rateCharts builds the three charts from the figures.
func rateCharts(c echo.Context, rows []views.RateRow) []views.Chart {
	defs := []struct {
		id, key string
		pick    func(views.RateRow) views.Rate
	}{
		{"ontime", "dash.ontime", func(r views.RateRow) views.Rate { return r.OnTime }},
		{"callback", "dash.callback", func(r views.RateRow) views.Rate { return r.Callback }},
		{"satisfaction", "dash.satisfaction", func(r views.RateRow) views.Rate { return r.Satisfaction }},
	}
	var out []views.Chart
	for _, d := range defs {
		ch := views.Chart{ID: d.id, Title: tr(c, d.key), Current: -1}
		for i, r := range rows {
			ch.Rates = append(ch.Rates, d.pick(r))
			ch.Labels = append(ch.Labels, r.Month)
			if r.ToDate != "" {
				ch.Current = i
			}
		}
		if len(rows) > 0 {
			ch.Explain = tr(c, "dash.chart_explain", ch.Title, rows[0].Month, rows[len(rows)-1].Month)
		}
		out = append(out, ch)
	}
	return out
}

// handleDashboard is the regulator's overview.
func (s *Server) handleDashboard(c echo.Context) error {
	ctx := c.Request().Context()
	f := dashboardFilter(c)
	v := views.DashboardView{Page: s.page(c, tr(c, "dash.title")),
		CategoryOpts: categoryOptions(lang(c), f.Category), DistrictOpts: districtOptions(lang(c), f.District),
		CSVURL: "/console/dashboard.csv" + dashboardQuery(f)}
	now, before, err := s.db.PublishedCounts(ctx)
	if err != nil {
		return err
	}
	for _, g := range gradeColumns {
		d := now[g] - before[g]
		v.Grades = append(v.Grades, views.GradeChange{Grade: g, Now: now[g], Before: before[g], Delta: fmt.Sprintf("%+d", d)})
	}
	rates, err := s.serviceRates(c, f)
	if err != nil {
		return err
	}
	v.Rates = rateFigures(c, rates)
	v.Charts = rateCharts(c, v.Rates)
	for _, r := range v.Rates {
		if r.ToDate != "" {
			v.ToDateNote = tr(c, "dash.to_date_note", r.Month, dayText(c, rates[len(rates)-1].ToDate))
		}
	}
	open, err := s.db.FindCases(ctx, registry.CaseFilter{Status: "open", Limit: 5})
	if err != nil {
		return err
	}
	for _, k := range open {
		v.Oldest = append(v.Oldest, s.caseRow(c, k))
	}
	return s.render(c, http.StatusOK, views.DashboardPage(v))
}

// dashboardQuery is the filter as a query string ("" for the whole city).
func dashboardQuery(f registry.RatesFilter) string {
	q := url.Values{}
	if f.Category != "" {
		q.Set("category", f.Category)
	}
	if f.District != "" {
		q.Set("district", f.District)
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}
