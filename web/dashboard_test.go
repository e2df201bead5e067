package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"chengxin/registry"
)

// The dashboard's rates for the current month come from the records:
// 2 complaints (1 closed on time), 4 callbacks (1 unreachable, 2 satisfied,
// 1 dissatisfied) and 40 orders.
func TestDashboardRates(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	now := e.clk.Now()
	at := func(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }
	hot := registry.Actor{Kind: "token", Name: "t"}
	if _, err := e.db.IngestComplaints(ctx, hot, []registry.ComplaintInput{
		{WorkOrderNo: "D-1", VendorUSCC: e.vendor.USCC, ReceivedAt: at(5 * time.Hour), Channel: "phone", Category: "cleaning",
			Status: "closed", Outcome: "mediated", DeadlineAt: at(time.Hour), ClosedAt: at(2 * time.Hour)},
		{WorkOrderNo: "D-2", VendorUSCC: e.vendor.USCC, ReceivedAt: at(5 * time.Hour), Channel: "phone", Category: "cleaning",
			Status: "open", DeadlineAt: at(-time.Hour)},
	}, nil); err != nil {
		t.Fatal(err)
	}
	var cbs []registry.CallbackInput
	for i, r := range []string{"satisfied", "satisfied", "dissatisfied", "unreachable"} {
		cbs = append(cbs, registry.CallbackInput{WorkOrderNo: "DC-" + string(rune('a'+i)), VendorUSCC: e.vendor.USCC, CalledAt: at(time.Hour), Result: r})
	}
	if _, err := e.db.IngestCallbacks(ctx, hot, cbs, nil); err != nil {
		t.Fatal(err)
	}
	orders := int64(40)
	if _, err := e.db.IngestVolumes(ctx, hot, []registry.VolumeInput{{VendorUSCC: e.vendor.USCC, Month: registry.Period(now), Orders: &orders, Source: "dispatch"}}, nil); err != nil {
		t.Fatal(err)
	}
	reg := e.as(registry.RoleRegulator)
	p := reg.get("/console/dashboard")
	if p.Code != 200 || !p.Has("dash-grades") || !p.Has("chart-ontime") {
		t.Fatalf("dashboard: %d", p.Code)
	}
	rows := p.TableRows("dash-rates")
	last := rows[len(rows)-1]
	want := []string{registry.Period(now), "50.0%", "10.0%", "66.7%", "2 / 4 / 40"}
	if strings.Join(last, "|") != strings.Join(want, "|") {
		t.Errorf("current month = %v, want %v", last, want)
	}
	if len(rows) != 12 {
		t.Errorf("%d months, want 12", len(rows))
	}
	// Filtered by a category the vendor does not serve: no records.
	p = reg.get("/console/dashboard?category=moving")
	rows = p.TableRows("dash-rates")
	if got := rows[len(rows)-1]; got[4] != "0 / 0 / 0" {
		t.Errorf("filtered month = %v", got)
	}
}
