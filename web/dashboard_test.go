package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"chengxin/registry"
)

// dashFixture stores a hand-computed hotline history; t0 is 2025-03-15
// 10:00 in Tianjin, so March runs to the 15th.
//
// Fixture vendor (cleaning), February (whole month):
//   - deadlines in February: F1 closed before its deadline, F2 closed two
//     days late, F3 still open, F4 closed 30 minutes before a deadline of
//     28 Feb 23:30 Beijing time (15:30 UTC), F5 closed late with the delay
//     excused → due 5, on time 3 (F1, F4, F5): 60.0%
//   - callbacks: 6 satisfied, 2 basically satisfied, 1 dissatisfied,
//     3 unreachable → reached 9, satisfaction 8/9 = 88.9%
//   - dispatch volume 30 (a vendor report of 50 is not a hotline work
//     order) → callback rate 9/30 = 30.0%
//
// March, to date: M1 due 1 Mar 00:30 Beijing (still 28 Feb in UTC) closed
// on time, M2 due 10 Mar still open; M3 and M5 (due 20 and 19 Mar, open)
// and M4 (due 18 Mar, closed early) not yet due → due 2, on time 1: 50.0%,
// not the 40% a whole-month count would give;
// callbacks 2 satisfied, 1 unreachable → 100.0%; no dispatch volume yet → "—".
//
// A second vendor (moving) adds one February complaint closed on time, one
// dissatisfied callback and a dispatch volume of 10: the city's February
// is 4/6 = 66.7%, 10/40 = 25.0%, 8/10 = 80.0%.
func dashFixture(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	hot := registry.Actor{Kind: "token", Name: "hotline"}
	mover := e.createVendor(registry.MustUSCC("91120103MA0DAHE01"), "河西搬家公司")
	in := vendorInput(mover.USCC, mover.Name)
	in.Categories = []string{"moving"}
	if _, _, err := e.db.UpdateVendor(ctx, registry.CLIActor, in); err != nil {
		t.Fatal(err)
	}
	type cp struct{ wo, uscc, received, deadline, closed string }
	var cs []registry.ComplaintInput
	for _, c := range []cp{
		{"F1", e.vendor.USCC, "2025-02-05T09:00:00+08:00", "2025-02-10T17:00:00+08:00", "2025-02-09T12:00:00+08:00"},
		{"F2", e.vendor.USCC, "2025-02-12T09:00:00+08:00", "2025-02-20T17:00:00+08:00", "2025-02-22T10:00:00+08:00"},
		{"F3", e.vendor.USCC, "2025-02-18T09:00:00+08:00", "2025-02-25T17:00:00+08:00", ""},
		{"F4", e.vendor.USCC, "2025-02-21T09:00:00+08:00", "2025-02-28T23:30:00+08:00", "2025-02-28T23:00:00+08:00"},
		{"F5", e.vendor.USCC, "2025-01-27T09:00:00+08:00", "2025-02-03T17:00:00+08:00", "2025-02-05T17:00:00+08:00"},
		{"M1", e.vendor.USCC, "2025-02-24T09:00:00+08:00", "2025-03-01T00:30:00+08:00", "2025-02-28T18:00:00+08:00"},
		{"M2", e.vendor.USCC, "2025-03-03T09:00:00+08:00", "2025-03-10T17:00:00+08:00", ""},
		{"M3", e.vendor.USCC, "2025-03-13T09:00:00+08:00", "2025-03-20T17:00:00+08:00", ""},
		{"M4", e.vendor.USCC, "2025-03-11T09:00:00+08:00", "2025-03-18T17:00:00+08:00", "2025-03-14T09:00:00+08:00"},
		{"M5", e.vendor.USCC, "2025-03-12T09:00:00+08:00", "2025-03-19T17:00:00+08:00", ""},
		{"X1", mover.USCC, "2025-02-05T09:00:00+08:00", "2025-02-12T17:00:00+08:00", "2025-02-11T09:00:00+08:00"},
	} {
		in := registry.ComplaintInput{WorkOrderNo: "8890-DASH-" + c.wo, VendorUSCC: c.uscc, ReceivedAt: c.received, Channel: "phone",
			Category: "cleaning", Status: "open", DeadlineAt: c.deadline}
		if c.closed != "" {
			in.Status, in.Outcome, in.ClosedAt = "closed", "mediated", c.closed
		}
		cs = append(cs, in)
	}
	if rep, err := e.db.IngestComplaints(ctx, hot, cs, nil); err != nil || rejected(rep) {
		t.Fatalf("complaints: %+v %v", rep, err)
	}
	if _, err := e.rawDB().Exec(`UPDATE complaints SET late_excused = 1 WHERE work_order_no = '8890-DASH-F5'`); err != nil {
		t.Fatal(err)
	}
	var cbs []registry.CallbackInput
	add := func(uscc, day, result string, n int) {
		for i := 0; i < n; i++ {
			cbs = append(cbs, registry.CallbackInput{WorkOrderNo: fmt.Sprintf("8890-DCB-%s-%s-%s-%d", uscc[:8], day, result, i),
				VendorUSCC: uscc, CalledAt: day + "T10:00:00+08:00", Result: result})
		}
	}
	add(e.vendor.USCC, "2025-02-14", "satisfied", 6)
	add(e.vendor.USCC, "2025-02-14", "basically_satisfied", 2)
	add(e.vendor.USCC, "2025-02-15", "dissatisfied", 1)
	add(e.vendor.USCC, "2025-02-28", "unreachable", 3)
	add(e.vendor.USCC, "2025-03-05", "satisfied", 2)
	add(e.vendor.USCC, "2025-03-06", "unreachable", 1)
	add(mover.USCC, "2025-02-20", "dissatisfied", 1)
	if rep, err := e.db.IngestCallbacks(ctx, hot, cbs, nil); err != nil || rejected(rep) {
		t.Fatalf("callbacks: %+v %v", rep, err)
	}
	n30, n50, n10 := int64(30), int64(50), int64(10)
	if rep, err := e.db.IngestVolumes(ctx, hot, []registry.VolumeInput{
		{VendorUSCC: e.vendor.USCC, Month: "2025-02", Orders: &n30, Source: "dispatch"},
		{VendorUSCC: e.vendor.USCC, Month: "2025-02", Orders: &n50, Source: "vendor_report"},
		{VendorUSCC: mover.USCC, Month: "2025-02", Orders: &n10, Source: "dispatch"},
	}, nil); err != nil || rejected(rep) {
		t.Fatalf("volumes: %+v %v", rep, err)
	}
}

// rejected reports whether an ingest request rejected any record.
func rejected(rep registry.IngestSummary) bool { return rep.Rejected > 0 }

// chartValues reads the values printed on a chart, by month label.
func chartValues(t *testing.T, p *resp, id string) map[string]string {
	t.Helper()
	charts := findAll(p.root(), byTestID("chart-"+id))
	if len(charts) != 1 {
		t.Fatalf("%d charts %s", len(charts), id)
	}
	out := map[string]string{}
	for _, g := range findAll(charts[0], byTag("g")) {
		month, _ := attr(g, "data-month")
		vals := findAll(g, byTestID("chart-value"))
		if len(vals) != 1 {
			t.Fatalf("chart %s month %s: %d values", id, month, len(vals))
		}
		out[strings.TrimSuffix(month, "*")] = text(vals[0])
	}
	return out
}

func TestDashboardRates(t *testing.T) {
	e := newEnv(t)
	dashFixture(t, e)
	reg := e.as(registry.RoleRegulator)
	p := reg.get("/console/dashboard?category=cleaning")
	wantStatus(t, p, http.StatusOK)
	rows := p.TableRows("dash-rates")
	if len(rows) != 12 || !strings.HasPrefix(rows[0][0], "2024-04") {
		t.Fatalf("%d months from %v", len(rows), rows[0])
	}
	byMonth := map[string][]string{}
	for _, r := range rows {
		byMonth[r[0][:7]] = r
	}
	want := map[string][]string{
		"2025-03": {"2025-03（截至 3 月 15 日）", "50.0% 1 / 2", "— 2 / —", "1", "100.0% 2 / 2"},
		"2025-02": {"2025-02", "60.0% 3 / 5", "30.0% 9 / 30", "3", "88.9% 8 / 9"},
		"2025-01": {"2025-01", "— 0 / 0", "— 0 / —", "0", "— 0 / 0"},
	}
	for m, w := range want {
		if !slices.Equal(byMonth[m], w) {
			t.Errorf("%s = %q\nwant      %q", m, byMonth[m], w)
		}
	}
	wantContains(t, "to-date note", p.TestID("dash-to-date"), "2025-03 为本月，数字截至 3 月 15 日；办理期限尚未届满的投诉不计入")
	defs := p.TestID("dash-definitions")
	for _, s := range []string{"按期办结的投诉 ÷ 办理期限在当月届满的投诉", "已回访的工单 ÷ 当月热线派单量", "（满意 + 基本满意）÷ 已回访"} {
		wantContains(t, "definitions", defs, s)
	}

	// Chart, table and CSV show the same figures for every month.
	charts := map[string]map[string]string{}
	for _, id := range []string{"ontime", "callback", "satisfaction"} {
		charts[id] = chartValues(t, p, id)
		if len(charts[id]) != 12 {
			t.Errorf("chart %s has %d months", id, len(charts[id]))
		}
	}
	if !strings.Contains(p.Body, `data-month="2025-03*"`) || strings.Contains(p.Body, `data-month="2025-02*"`) {
		t.Error("the running month is not marked on the charts")
	}
	c := reg.get("/console/dashboard.csv?category=cleaning")
	wantStatus(t, c, http.StatusOK)
	if ct := c.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(ct, "utf-8") {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := c.Header.Get("Content-Disposition"); !strings.Contains(cd, `attachment; filename="chengxin-hotline-rates-2025-03-15-cleaning.csv"`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if !strings.HasPrefix(c.Body, "\ufeff") {
		t.Fatal("CSV without BOM")
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(c.Body, "\ufeff"))).ReadAll()
	if err != nil || len(recs) != 13 {
		t.Fatalf("CSV: %d records, %v", len(recs), err)
	}
	if got := strings.Join(recs[0], ","); got != "月份,统计截至,到期投诉,按期办结,按期办结率,热线派单量,已回访,未接通回访,回访率,满意,基本满意,不满意,满意率" {
		t.Errorf("CSV header %q", got)
	}
	csvRows := map[string][]string{}
	for _, r := range recs[1:] {
		csvRows[r[0]] = r
	}
	if got := strings.Join(csvRows["2025-02"], ","); got != "2025-02,,5,3,60.0%,30,9,3,30.0%,6,2,1,88.9%" {
		t.Errorf("CSV February %q", got)
	}
	if got := strings.Join(csvRows["2025-03"], ","); got != "2025-03,2025-03-15,2,1,50.0%,,2,1,,2,0,0,100.0%" {
		t.Errorf("CSV March %q", got)
	}
	noDash := func(s string) string { return strings.TrimPrefix(s, "—") }
	for _, r := range rows {
		m := r[0][:7]
		table := []string{strings.Fields(r[1])[0], strings.Fields(r[2])[0], strings.Fields(r[4])[0]}
		chart := []string{charts["ontime"][m], charts["callback"][m], charts["satisfaction"][m]}
		file := []string{csvRows[m][4], csvRows[m][8], csvRows[m][12]}
		for i := range table {
			if table[i] != chart[i] || noDash(table[i]) != file[i] {
				t.Errorf("%s rate %d: table %q, chart %q, CSV %q", m, i, table[i], chart[i], file[i])
			}
		}
	}

	// The whole city, and the filter carried into the CSV link.
	all := reg.get("/console/dashboard")
	for _, r := range all.TableRows("dash-rates") {
		if r[0] == "2025-02" {
			if w := []string{"2025-02", "66.7% 4 / 6", "25.0% 10 / 40", "3", "80.0% 8 / 10"}; !slices.Equal(r, w) {
				t.Errorf("city February = %q, want %q", r, w)
			}
		}
	}
	if !strings.Contains(p.Body, `href="/console/dashboard.csv?category=cleaning"`) || !strings.Contains(all.Body, `href="/console/dashboard.csv"`) {
		t.Error("the CSV link does not carry the page's filters")
	}
	// A category nobody serves: no figures, no 0%.
	for _, r := range reg.get("/console/dashboard?category=appliance_repair").TableRows("dash-rates") {
		if strings.Fields(r[1])[0] != "—" || strings.Fields(r[4])[0] != "—" {
			t.Errorf("empty filter row %q", r)
		}
	}
}

// TestDashboardCSVAccess: English headers; regulators only.
func TestDashboardCSVAccess(t *testing.T) {
	e := newEnv(t)
	dashFixture(t, e)
	reg := e.as(registry.RoleRegulator)
	c := reg.get("/console/dashboard.csv?lang=en&category=nonsense")
	wantStatus(t, c, http.StatusOK)
	header, _, _ := strings.Cut(strings.TrimPrefix(c.Body, "\ufeff"), "\r\n")
	if !strings.HasPrefix(header, "month,to_date,complaints_due,closed_on_time,on_time_rate,") {
		t.Errorf("English header %q", header)
	}
	if !strings.Contains(c.Body, "2025-02,,6,4,66.7%,40,10,3,25.0%,6,2,2,80.0%") {
		t.Errorf("an unknown category did not fall back to the whole city:\n%s", c.Body)
	}
	en := reg.get("/console/dashboard?lang=en")
	wantContains(t, "to-date note", en.TestID("dash-to-date"), "2025-03 is the current month, counted to 15 Mar")
	if rows := en.TableRows("dash-rates"); rows[len(rows)-1][0] != "2025-03 (to 15 Mar)" {
		t.Errorf("English current month label %q", rows[len(rows)-1][0])
	}
	wantStatus(t, e.as(registry.RoleAssociation).get("/console/dashboard.csv"), http.StatusForbidden)
	wantStatus(t, e.as(registry.RoleVendor).get("/console/dashboard.csv"), http.StatusForbidden)
	r := e.client().get("/console/dashboard.csv")
	wantRedirect(t, r, "/console/login")
}
