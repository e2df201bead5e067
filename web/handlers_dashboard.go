package web

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"chengxin/registry"
	"chengxin/scoring"
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

func pct(x float64) string { return scoring.Percent(x) }

// handleDashboard is the regulator's overview.
func (s *Server) handleDashboard(c echo.Context) error {
	ctx := c.Request().Context()
	f := registry.RatesFilter{Category: c.QueryParam("category"), District: c.QueryParam("district")}
	if _, ok := registry.CategoryByCode(f.Category); !ok {
		f.Category = ""
	}
	if _, ok := registry.DistrictByCode(f.District); !ok {
		f.District = ""
	}
	v := views.DashboardView{Page: s.page(c, tr(c, "dash.title")),
		CategoryOpts: categoryOptions(lang(c), f.Category), DistrictOpts: districtOptions(lang(c), f.District)}
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
	series := []views.Series{{ID: "ontime", Title: tr(c, "dash.ontime")}, {ID: "callback", Title: tr(c, "dash.callback")},
		{ID: "satisfaction", Title: tr(c, "dash.satisfaction")}}
	for _, r := range rates {
		v.Rates = append(v.Rates, views.RateRow{Month: r.Month, OnTime: pct(r.OnTimeRate()), Callback: pct(r.CallbackRate()),
			Satisfaction: pct(r.SatisfactionRate()), Complaints: r.Complaints, Callbacks: r.Callbacks, Orders: r.Orders})
		for i, x := range []float64{r.OnTimeRate(), r.CallbackRate(), r.SatisfactionRate()} {
			series[i].Values = append(series[i].Values, x)
			series[i].Labels = append(series[i].Labels, r.Month)
		}
	}
	v.Charts = series
	open, err := s.db.FindCases(ctx, registry.CaseFilter{Status: "open", Limit: 5})
	if err != nil {
		return err
	}
	for _, k := range open {
		v.Oldest = append(v.Oldest, s.caseRow(c, k))
	}
	return s.render(c, http.StatusOK, views.DashboardPage(v))
}
