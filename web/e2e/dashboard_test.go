package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"chengxin/registry"
)

// dashboardHistory adds three months of hotline records for the first
// vendor: dispatch volumes, callbacks (some unreachable) and complaints, a
// few of them due later this month.
func (f *fixture) dashboardHistory() {
	f.t.Helper()
	ctx := context.Background()
	hot := registry.Actor{Kind: "token", Name: "hotline"}
	now := time.Now().In(registry.Shanghai)
	v := f.vendors[0].USCC
	var cbs []registry.CallbackInput
	var vols []registry.VolumeInput
	var cps []registry.ComplaintInput
	for back := 1; back <= 3; back++ {
		m := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, registry.Shanghai).AddDate(0, -back, 0)
		orders := int64(40 + 10*back)
		vols = append(vols, registry.VolumeInput{VendorUSCC: v, Month: m.Format("2006-01"), Orders: &orders, Source: "dispatch"})
		for i := 0; i < 20+back; i++ {
			result := []string{"satisfied", "satisfied", "basically_satisfied", "dissatisfied", "unreachable"}[i%5]
			cbs = append(cbs, registry.CallbackInput{WorkOrderNo: fmt.Sprintf("8890-DB-%d-%02d", back, i), VendorUSCC: v,
				CalledAt: m.AddDate(0, 0, 5+i%20).Add(10 * time.Hour).Format(time.RFC3339), Result: result})
		}
		for i := 0; i < 4; i++ {
			c := registry.ComplaintInput{WorkOrderNo: fmt.Sprintf("8890-DBC-%d-%d", back, i), VendorUSCC: v, Channel: "phone",
				Category: "housekeeping", ReceivedAt: m.AddDate(0, 0, 2+i).Add(9 * time.Hour).Format(time.RFC3339),
				DeadlineAt: m.AddDate(0, 0, 9+i).Add(17 * time.Hour).Format(time.RFC3339), Status: "open"}
			if i != back%4 {
				c.Status, c.Outcome, c.ClosedAt = "closed", "mediated", m.AddDate(0, 0, 8+i).Add(12*time.Hour).Format(time.RFC3339)
			}
			cps = append(cps, c)
		}
	}
	// This month: one complaint due in the future, open.
	cps = append(cps, registry.ComplaintInput{WorkOrderNo: "8890-DBC-NOW", VendorUSCC: v, Channel: "phone", Category: "housekeeping",
		ReceivedAt: now.Add(-time.Hour).Format(time.RFC3339), DeadlineAt: now.Add(72 * time.Hour).Format(time.RFC3339), Status: "open"})
	for _, err := range []error{
		func() error { _, err := f.db.IngestVolumes(ctx, hot, vols, nil); return err }(),
		func() error { _, err := f.db.IngestCallbacks(ctx, hot, cbs, nil); return err }(),
		func() error { _, err := f.db.IngestComplaints(ctx, hot, cps, nil); return err }(),
	} {
		if err != nil {
			f.t.Fatal(err)
		}
	}
}

// TestDashboardReadableOnPhone: the regulator's dashboard on a 390 px phone
// and a 1280 px desktop prints every month's value on the charts, no text
// in them renders under 12 px, and the table and CSV link are there.
func TestDashboardReadableOnPhone(t *testing.T) {
	for _, width := range []int{390, 1280} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			f := newFixture(t)
			f.dashboardHistory()
			ctx := f.browser(width)
			f.login(ctx, "reg")
			f.run(ctx, "dashboard", chromedp.Navigate(f.srv.URL+"/console/dashboard"),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid=chart-ontime]`)))
			// Smallest rendered font size of any chart text, in CSS pixels.
			smallest, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(() => { let m = 1e9;
				document.querySelectorAll('svg[data-testid^=chart-] text').forEach(t => {
					const s = t.ownerSVGElement.getScreenCTM().a * parseFloat(t.getAttribute('font-size'));
					if (s < m) m = s });
				return m })()`))
			if err != nil {
				t.Fatal(err)
			}
			if smallest < 12 {
				t.Errorf("chart text renders at %.1f px, want at least 12", smallest)
			}
			values, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('[data-testid=chart-value]')).map(t => t.textContent)`))
			if err != nil || len(values) != 36 {
				t.Fatalf("chart values %v, %v", values, err)
			}
			height, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector('[data-testid=chart-ontime]').getBoundingClientRect().height`))
			if err != nil || height < 200 || height > 420 {
				t.Errorf("chart height %.0f px, %v", height, err)
			}
			table := f.text(ctx, `[data-testid=dash-rates]`)
			for _, v := range values {
				if v != "—" && !strings.Contains(table, v) {
					t.Errorf("chart value %q is not in the table", v)
				}
			}
			if got := f.text(ctx, `[data-testid=dash-to-date]`); !strings.Contains(got, "为本月") {
				t.Errorf("to-date note = %q", got)
			}
			f.noHorizontalScroll(ctx, "dashboard")
			f.checkAxe(ctx, "dashboard")
			f.screenshot(ctx, "dashboard")
			f.run(ctx, "english", chromedp.Navigate(f.srv.URL+"/console/dashboard?lang=en"),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid=chart-ontime]`)))
			f.noHorizontalScroll(ctx, "dashboard en")
			f.screenshot(ctx, "dashboard-en")
		})
	}
}
