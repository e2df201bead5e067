package publicity_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"chengxin/registry"
	"chengxin/scoring"
)

var (
	vendorUser = registry.Actor{Kind: "user", Name: "ven", Role: registry.RoleVendor}
	regulator  = registry.Actor{Kind: "user", Name: "reg", Role: registry.RoleRegulator}
)

func validationField(t *testing.T, err error, field string) {
	t.Helper()
	v, ok := registry.AsValidation(err)
	if !ok || !v.Has(field) {
		t.Fatalf("want a validation error on %q, got %v", field, err)
	}
}

// A downgrade becomes pending, the vendor objects in time, the next run does
// not publish it, and a regulator amends it with a written reason.
func TestObjectionToPendingDowngrade(t *testing.T) {
	w := newWalk(t)
	ctx := context.Background()
	w.publish("2026-01-01 02:00")
	w.complaints(8, day("2026-01-20 09:00"))
	w.publish("2026-02-01 02:00")
	w.expect("pending", "A", "C")

	w.db.Now = func() time.Time { return day("2026-02-20 10:00") } // after the 14 days
	_, err := w.db.ObjectToPendingGrade(ctx, vendorUser, w.id, "我们有证据", "")
	validationField(t, err, "text")

	w.db.Now = func() time.Time { return day("2026-02-10 10:00") }
	if _, err := w.db.ObjectToPendingGrade(ctx, vendorUser, w.id, "", ""); err == nil {
		t.Fatal("an empty objection was accepted")
	}
	if _, err := w.db.ObjectToPendingGrade(ctx, vendorUser, w.id, strings.Repeat("长", 100_000), ""); err == nil {
		t.Fatal("a 100,000-character objection was accepted")
	}
	c, err := w.db.ObjectToPendingGrade(ctx, vendorUser, w.id, "两件投诉是同一订单的重复投诉", "受理号 2026-0211")
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.db.ObjectToPendingGrade(ctx, vendorUser, w.id, "再说一次", "")
	validationField(t, err, "text")

	w.db.Now = func() time.Time { return day("2026-12-31 23:00") }
	res := w.publish("2026-03-01 02:00")
	w.expect("objected: not published by the run", "A", "C")
	if res.Actions[scoring.ActionDowngradeKept] != 1 {
		t.Errorf("actions = %v", res.Actions)
	}
	// A regulator decides with a reason; without one nothing changes.
	validationField(t, w.db.DecideCase(ctx, regulator, c.ID, registry.DecisionAmend, "", "B"), "reason")
	validationField(t, w.db.DecideCase(ctx, regulator, c.ID, registry.DecisionAmend, "重复投诉只计一次", "X"), "amended")
	if err := w.db.DecideCase(ctx, vendorUser, c.ID, registry.DecisionUphold, "自己决定", ""); err != registry.ErrForbidden {
		t.Fatalf("vendor deciding: %v", err)
	}
	if err := w.db.DecideCase(ctx, regulator, c.ID, registry.DecisionAmend, "经核查两件投诉为同一订单重复投诉", "B"); err != nil {
		t.Fatal(err)
	}
	w.expect("amended", "B", "")
	validationField(t, w.db.DecideCase(ctx, regulator, c.ID, registry.DecisionUphold, "again", ""), "decision")
	inbox, err := w.db.Inbox(ctx, registry.RoleVendor, w.id, 10)
	if err != nil || len(inbox) == 0 || !strings.Contains(inbox[0].Text.In("en"), "amended") {
		t.Fatalf("vendor inbox = %+v %v", inbox, err)
	}
	if entries, _ := w.db.FindAudit(ctx, registry.AuditFilter{Action: "case."}); len(entries) != 2 {
		t.Errorf("case audit entries = %d, want open and decide", len(entries))
	}
}

// A regulator cannot decide a case they opened themselves.
func TestNoDecidingOwnCase(t *testing.T) {
	w := newWalk(t)
	ctx := context.Background()
	c, err := w.db.SubmitReply(ctx, regulator, w.id, "代为提交的回应")
	if err != nil {
		t.Fatal(err)
	}
	validationField(t, w.db.DecideCase(ctx, regulator, c.ID, registry.DecisionApprove, "ok", ""), "decision")
	other := registry.Actor{Kind: "user", Name: "reg2", Role: registry.RoleRegulator}
	if err := w.db.DecideCase(ctx, other, c.ID, registry.DecisionApprove, "内容属实", ""); err != nil {
		t.Fatal(err)
	}
}

// A reply with HTML is kept as text and public only after approval.
func TestReplyApproval(t *testing.T) {
	w := newWalk(t)
	ctx := context.Background()
	_, err := w.db.SubmitReply(ctx, vendorUser, w.id, strings.Repeat("字", 501))
	validationField(t, err, "text")
	c, err := w.db.SubmitReply(ctx, vendorUser, w.id, `<script>alert(1)</script>我们已全面整改`)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := w.db.FindPublished(ctx, w.id); p.Reply != "" {
		t.Fatalf("reply public before approval: %q", p.Reply)
	}
	if err := w.db.DecideCase(ctx, regulator, c.ID, registry.DecisionApprove, "内容属实", ""); err != nil {
		t.Fatal(err)
	}
	if p, _ := w.db.FindPublished(ctx, w.id); p.Reply != `<script>alert(1)</script>我们已全面整改` {
		t.Fatalf("approved reply = %q", p.Reply)
	}
}

// Credit repair needs the minimum display period; approval removes the
// sanction from the score.
func TestCreditRepair(t *testing.T) {
	w := newWalk(t)
	ctx := context.Background()
	id := insertSanction(t, w, "fine", day("2026-09-01 10:00"))
	_, err := w.db.ApplyForRepair(ctx, vendorUser, w.id, id, "已退还多收费用并整改")
	validationField(t, err, "sanction") // only four months of the six
	w.db.Now = func() time.Time { return day("2027-03-15 10:00") }
	c, err := w.db.ApplyForRepair(ctx, vendorUser, w.id, id, "已退还多收费用并整改")
	if err != nil {
		t.Fatal(err)
	}
	before, _ := w.db.LoadInputs(ctx, w.id)
	if err := w.db.DecideCase(ctx, regulator, c.ID, registry.DecisionApprove, "整改到位", ""); err != nil {
		t.Fatal(err)
	}
	after, _ := w.db.LoadInputs(ctx, w.id)
	if before.Sanctions[0].Repaired || !after.Sanctions[0].Repaired {
		t.Fatalf("repair not applied: before %+v after %+v", before.Sanctions, after.Sanctions)
	}
}

// An override shows a grade with its reason until it expires by itself.
func TestOverrideExpires(t *testing.T) {
	w := newWalk(t)
	ctx := context.Background()
	w.db.Now = func() time.Time { return day("2026-06-01 10:00") }
	validationField(t, w.db.SetOverride(ctx, regulator, w.id, "C", "涉嫌虚假宣传，调查期间", "2026-05-01"), "until")
	if err := w.db.SetOverride(ctx, regulator, w.id, "C", "涉嫌虚假宣传，调查期间", "2026-07-01"); err != nil {
		t.Fatal(err)
	}
	if p, _ := w.db.FindPublished(ctx, w.id); p.Override == nil || p.Override.Grade != "C" {
		t.Fatalf("override not in force: %+v", p.Override)
	}
	w.db.Now = func() time.Time { return day("2026-07-02 10:00") }
	if p, _ := w.db.FindPublished(ctx, w.id); p.Override != nil {
		t.Fatalf("override did not expire: %+v", p.Override)
	}
}

// The vendor is told of a new pending downgrade, and reminded three days
// before it becomes public; regulators are reminded of cases due soon.
func TestNotificationsAndReminders(t *testing.T) {
	w := newWalk(t)
	ctx := context.Background()
	w.publish("2026-01-01 02:00")
	w.complaints(8, day("2026-01-20 09:00"))
	w.publish("2026-02-01 02:00")
	inbox, err := w.db.Inbox(ctx, registry.RoleVendor, w.id, 10)
	if err != nil || len(inbox) == 0 || !strings.Contains(inbox[0].Text.In("en"), "Your grade will become C") {
		t.Fatalf("inbox after the run = %+v %v", inbox, err)
	}
	w.db.Now = func() time.Time { return day("2026-02-05 10:00") }
	if r, _ := w.db.Reminders(ctx, registry.RoleVendor, w.id); len(r) != 0 {
		t.Errorf("reminder 10 days ahead: %+v", r)
	}
	w.db.Now = func() time.Time { return day("2026-02-13 10:00") }
	r, err := w.db.Reminders(ctx, registry.RoleVendor, w.id)
	if err != nil || len(r) != 1 || !strings.Contains(r[0].Text.In("zh"), "异议期即将结束") {
		t.Fatalf("vendor reminder = %+v %v", r, err)
	}
	c, err := w.db.SubmitReply(ctx, vendorUser, w.id, "我们已整改")
	if err != nil {
		t.Fatal(err)
	}
	w.db.Now = func() time.Time { return c.DeadlineAt.Add(-24 * time.Hour) }
	if r, _ := w.db.Reminders(ctx, registry.RoleRegulator, 0); len(r) != 1 || !strings.Contains(r[0].Text.In("en"), "public reply") {
		t.Errorf("regulator reminder = %+v", r)
	}
}

// A vendor cannot object to another vendor's complaint.
func TestNoObjectingToAnotherVendorsComplaint(t *testing.T) {
	w := newWalk(t)
	ctx := context.Background()
	w.complaints(1, day("2026-12-20 09:00"))
	reg := registry.Actor{Kind: "user", Name: "r", Role: registry.RoleRegulator}
	other, err := w.db.CreateVendor(ctx, reg, registry.VendorInput{USCC: registry.MustUSCC("91120101MA0PUB002"), Name: "另一家",
		LegalRep: "李", Phone: "022-1", Address: "天津", Districts: []string{"120101"}, Categories: []string{"cleaning"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.db.ObjectToComplaint(ctx, vendorUser, other.ID, "WO-"+fmt.Sprintf("%05d", w.wo), "不是我们的", "")
	validationField(t, err, "work_order_no")
	if _, err := w.db.ObjectToComplaint(ctx, vendorUser, w.id, "WO-"+fmt.Sprintf("%05d", w.wo), "结果有误", ""); err != nil {
		t.Fatalf("own complaint: %v", err)
	}
}

// The scheduler may publish a pending downgrade on the day its period
// ends, unless the vendor objected.
func TestPublishMaturedPending(t *testing.T) {
	w := newWalk(t)
	ctx := context.Background()
	w.publish("2026-01-01 02:00")
	w.complaints(8, day("2026-01-20 09:00"))
	w.publish("2026-02-01 02:00")
	w.db.Now = func() time.Time { return day("2026-02-15 01:59") }
	if n, err := w.db.PublishMaturedPending(ctx, registry.SystemActor); err != nil || n != 0 {
		t.Fatalf("one minute early: %d %v", n, err)
	}
	w.expect("early", "A", "C")
	w.db.Now = func() time.Time { return day("2026-02-15 02:00") }
	if n, err := w.db.PublishMaturedPending(ctx, registry.SystemActor); err != nil || n != 1 {
		t.Fatalf("at the end of the period: %d %v", n, err)
	}
	w.expect("published by the scheduler", "C", "")
	w.db.Now = func() time.Time { return day("2026-12-31 23:00") }
	res := w.publish("2026-03-01 02:00")
	w.expect("next run", "C", "")
	if res.Actions[scoring.ActionUnchanged] != 1 {
		t.Errorf("next run actions = %v", res.Actions)
	}
}
