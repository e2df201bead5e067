package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"chengxin/registry"
)

// The vendor's complaint-objection form has its own fields, and its errors
// show next to them.
func TestVendorObjectsToComplaintOutcome(t *testing.T) {
	e := newEnv(t)
	now := e.clk.Now()
	at := func(d time.Duration) string { return now.Add(-d).Format(time.RFC3339) }
	if _, err := e.db.IngestComplaints(context.Background(), registry.Actor{Kind: "token", Name: "t"}, []registry.ComplaintInput{{
		WorkOrderNo: "OBJ-1", VendorUSCC: e.vendor.USCC, ReceivedAt: at(72 * time.Hour), Channel: "phone", Category: "cleaning",
		Status: "closed", Outcome: "substantiated", DeadlineAt: at(24 * time.Hour), ClosedAt: at(48 * time.Hour)}}, nil); err != nil {
		t.Fatal(err)
	}
	ven := e.as(registry.RoleVendor)
	p := ven.get("/console/me")
	if !p.Has("complaint-objection-form") {
		t.Fatal("no complaint objection form")
	}
	r := ven.submit("/console/me/complaint-objections", url.Values{"work_order_no": {"OBJ-1"}})
	if r.Code != http.StatusUnprocessableEntity || !r.Has("error-complaint_text") || r.Has("error-text") {
		t.Fatalf("empty objection: %d, complaint_text error %v, text error %v", r.Code, r.Has("error-complaint_text"), r.Has("error-text"))
	}
	r = ven.submit("/console/me/complaint-objections", url.Values{"work_order_no": {"OBJ-1"}, "complaint_text": {"客户已撤诉"},
		"complaint_attachment": {"调解书 2025-03"}})
	if r.Code != http.StatusSeeOther {
		t.Fatalf("objection: %d", r.Code)
	}
	cases, err := e.db.FindCases(context.Background(), registry.CaseFilter{VendorID: e.vendor.ID})
	if err != nil || len(cases) != 1 || cases[0].Subject != "OBJ-1" || cases[0].Attachment != "调解书 2025-03" {
		t.Fatalf("cases = %+v %v", cases, err)
	}
}
