package web

import (
	"encoding/csv"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"chengxin/views"
)

// dashboardCSVColumns are the export's columns (catalog keys of their
// headers), in order.
var dashboardCSVColumns = []string{"dash.csv.month", "dash.csv.to_date",
	"dash.csv.due", "dash.csv.on_time", "dash.csv.on_time_rate",
	"dash.csv.work_orders", "dash.csv.reached", "dash.csv.unreachable", "dash.csv.callback_rate",
	"dash.csv.satisfied", "dash.csv.basically_satisfied", "dash.csv.dissatisfied", "dash.csv.satisfaction_rate"}

// dashboardCSVRow is one month as exported: the same figures the page shows
// (rates in the same format; empty where the page shows "—").
func dashboardCSVRow(r views.RateRow) []string {
	rate := func(x views.Rate) string {
		if !x.OK {
			return ""
		}
		return x.Text
	}
	orders := ""
	if r.Dispatched {
		orders = strconv.Itoa(r.WorkOrders)
	}
	return []string{r.Month, r.ToDate,
		strconv.Itoa(r.Due), strconv.Itoa(r.OnTimeN), rate(r.OnTime),
		orders, strconv.Itoa(r.Reached), strconv.Itoa(r.Unreachable), rate(r.Callback),
		strconv.Itoa(r.Satisfied), strconv.Itoa(r.BasicallySatisfied), strconv.Itoa(r.Dissatisfied), rate(r.Satisfaction)}
}

// handleDashboardCSV exports the dashboard's monthly figures with the same
// filters: UTF-8 with a BOM (Excel opens it as UTF-8), one row per month,
// headers in the reader's language.
func (s *Server) handleDashboardCSV(c echo.Context) error {
	f := dashboardFilter(c)
	rates, err := s.serviceRates(c, f)
	if err != nil {
		return err
	}
	rows := rateFigures(c, rates)
	name := "chengxin-hotline-rates-" + dateText(s.now())
	for _, part := range []string{f.Category, f.District} {
		if part != "" {
			name += "-" + part
		}
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`.csv"`)
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	w := c.Response()
	if _, err := w.Write([]byte("\ufeff")); err != nil {
		return nil
	}
	cw := csv.NewWriter(w)
	header := make([]string, len(dashboardCSVColumns))
	for i, k := range dashboardCSVColumns {
		header[i] = tr(c, k)
	}
	cw.Write(header)
	for _, r := range rows {
		cw.Write(dashboardCSVRow(r))
	}
	cw.Flush()
	return nil
}
