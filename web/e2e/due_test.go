package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"chengxin/publicity"
	"chengxin/registry"
)

// pendingVendor registers a long-established vendor with a good record,
// publishes its grade last month, then lets complaints arrive and runs this
// month's publication, which leaves a downgrade pending.
func (f *fixture) pendingVendor(username string) registry.Vendor {
	t := f.t
	ctx := context.Background()
	admin := registry.Actor{Kind: "user", Name: "seed", Role: registry.RoleRegulator}
	now := time.Now()
	v, err := f.db.CreateVendor(ctx, admin, registry.VendorInput{USCC: registry.MustUSCC("91120104MA0DUE001"), Name: "天津南开诚悦家政有限公司",
		LegalRep: "李秀英", Phone: "022-1", Address: "天津市南开区", Districts: []string{"120104"}, Categories: []string{"housekeeping"},
		RegisteredAt: "2023-01-01", InsuranceValidUntil: now.AddDate(2, 0, 0).Format("2006-01-02")})
	if err != nil {
		t.Fatal(err)
	}
	var cbs []registry.CallbackInput
	for i := 0; i < 300; i++ {
		at := now.AddDate(0, 0, -60-i*2)
		cbs = append(cbs, registry.CallbackInput{WorkOrderNo: fmt.Sprintf("8890-DUE-CB-%03d", i), VendorUSCC: v.USCC,
			CalledAt: at.Format(time.RFC3339), Result: "satisfied"})
	}
	if _, err := f.db.IngestCallbacks(ctx, admin, cbs, nil); err != nil {
		t.Fatal(err)
	}
	sched := publicity.DefaultSchedule
	lastMonth := sched.PublicationInstant(sched.PublicationInstant(now).AddDate(0, -1, 0))
	if _, err := publicity.Publish(ctx, f.db, admin, lastMonth); err != nil {
		t.Fatal(err)
	}
	var cs []registry.ComplaintInput
	for i := 0; i < 8; i++ {
		at := now.Add(-time.Duration(48+i) * time.Hour)
		cs = append(cs, registry.ComplaintInput{WorkOrderNo: fmt.Sprintf("8890-DUE-CP-%02d", i), VendorUSCC: v.USCC,
			ReceivedAt: at.Format(time.RFC3339), Channel: "phone", Category: "housekeeping", Severity: "serious", Status: "closed",
			Outcome: "substantiated", DeadlineAt: at.Add(72 * time.Hour).Format(time.RFC3339), ClosedAt: at.Add(20 * time.Hour).Format(time.RFC3339)})
	}
	if _, err := f.db.IngestComplaints(ctx, admin, cs, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := publicity.Publish(ctx, f.db, admin, now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if p, err := f.db.FindPublished(ctx, v.ID); err != nil || p.Pending == nil {
		t.Fatalf("no pending downgrade to object to: %+v %v", p, err)
	}
	if _, err := f.db.CreateUser(ctx, admin, registry.UserInput{Username: username, Password: testPassword, Role: registry.RoleVendor, OrgUSCC: v.USCC}); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestObjectionAndDecision: the vendor objects to its pending downgrade on a
// phone; a regulator amends it with a reason; the vendor sees the decision.
func TestObjectionAndDecision(t *testing.T) {
	f := newFixture(t)
	v := f.pendingVendor("duevendor")
	ctx := f.browser(390)
	f.login(ctx, "duevendor")
	f.run(ctx, "pending notice", chromedp.WaitVisible(chromedp.CSS(`[data-testid=pending]`)))
	f.noHorizontalScroll(ctx, "vendor with pending downgrade")
	dups, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => { const seen = {}, d = [];
		document.querySelectorAll('[id]').forEach(e => { if (seen[e.id]) d.push(e.id); seen[e.id] = true }); return d })()`))
	if err != nil || len(dups) > 0 {
		t.Errorf("duplicate element ids on the vendor page: %v %v", dups, err)
	}
	f.checkAxe(ctx, "vendor with pending downgrade")
	f.screenshot(ctx, "pending")
	f.run(ctx, "object", chromedp.SendKeys(chromedp.CSS(`#f-text`), "其中两件投诉为同一订单的重复投诉，已与客户和解"))
	f.submit(ctx, "object submit", chromedp.Click(chromedp.CSS(`[data-testid=objection-submit]`)))
	f.run(ctx, "filed", chromedp.WaitVisible(chromedp.CSS(`[data-testid=my-cases]`)))
	if got := f.text(ctx, `[data-testid=flash]`); !strings.Contains(got, "异议已提交") {
		t.Errorf("flash = %q", got)
	}
	if got := f.text(ctx, `[data-testid=pending]`); !strings.Contains(got, "已提出异议") {
		t.Errorf("pending notice after objecting = %q", got)
	}

	reg := f.browser(1280)
	f.login(reg, "reg")
	f.run(reg, "queue", chromedp.Navigate(f.srv.URL+"/console/reviews"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=case]`)))
	f.checkAxe(reg, "review queue")
	f.screenshot(reg, "reviews")
	f.run(reg, "decide",
		chromedp.SetValue(chromedp.CSS(`[data-testid=case] select[name=decision]`), "amended"),
		chromedp.SetValue(chromedp.CSS(`[data-testid=case] select[name=amended]`), "B"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=case] textarea[name=reason]`), "经核查两件投诉为同一订单，按一次计"),
	)
	f.submit(reg, "decide submit", chromedp.Click(chromedp.CSS(`[data-testid=decide]`)))
	f.run(reg, "decided", chromedp.WaitVisible(chromedp.CSS(`[data-testid=decided]`)))
	p, err := f.db.FindPublished(context.Background(), v.ID)
	if err != nil || p.Grade != "B" || p.Pending != nil {
		t.Fatalf("after the decision: %+v %v", p, err)
	}
	f.run(ctx, "vendor sees it", chromedp.Navigate(f.srv.URL+"/console/me"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=inbox]`)))
	if got := f.text(ctx, `[data-testid=inbox]`); !strings.Contains(got, "变更") {
		t.Errorf("vendor inbox = %q", got)
	}
}
