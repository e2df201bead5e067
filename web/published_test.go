package web_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"chengxin/publicity"
	"chengxin/registry"
)

// After a publication run the public profile and JSON carry the published
// grade and its history; an approved reply, an override and a predecessor
// link are public too.
func TestPublishedGradesArePublic(t *testing.T) {
	e := publicEnv(t)
	ctx := context.Background()
	if _, err := publicity.Publish(ctx, e.db, registry.CLIActor, e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	v, err := e.db.FindVendorByUSCC(ctx, pubAnxin)
	if err != nil {
		t.Fatal(err)
	}
	reg := registry.Actor{Kind: "user", Name: "reg", Role: registry.RoleRegulator}
	vendorUser := registry.Actor{Kind: "user", Name: "ven", Role: registry.RoleVendor}
	c, err := e.db.SubmitReply(ctx, vendorUser, v.ID, "<i>感谢</i>监督，我们会继续改进")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.DecideCase(ctx, reg, c.ID, registry.DecisionApprove, "内容属实", ""); err != nil {
		t.Fatal(err)
	}
	if err := e.db.LinkPredecessor(ctx, reg, v.ID, pubJieliang, "同一经营者"); err != nil {
		t.Fatal(err)
	}
	anon := e.client()
	r := anon.getWith("/vendors/"+pubAnxin, map[string]string{"Cache-Control": "no-cache"})
	if r.Code != 200 || !r.Has("headline") || !r.Has("published-history") {
		t.Fatalf("profile: %d, published block %v, history %v", r.Code, r.Has("headline"), r.Has("published-history"))
	}
	if !strings.Contains(r.Body, "&lt;i&gt;感谢&lt;/i&gt;监督") || strings.Contains(r.Body, "<i>感谢") {
		t.Error("the reply is missing or not escaped")
	}
	if !strings.Contains(r.TestID("predecessors"), pubJieliang) {
		t.Errorf("predecessors = %q", r.TestID("predecessors"))
	}
	j := anon.getWith("/api/v1/vendors/"+pubAnxin, map[string]string{"Cache-Control": "no-cache"})
	var pv map[string]any
	if err := json.Unmarshal([]byte(j.Body), &pv); err != nil {
		t.Fatal(err)
	}
	if pv["grade"] == nil || pv["published_at"] == nil || pv["rules_version"] != "HSCS-1.0" || len(pv["history"].([]any)) != 1 {
		t.Errorf("JSON after publication: grade %v published_at %v rules %v history %v", pv["grade"], pv["published_at"], pv["rules_version"], pv["history"])
	}
	if _, ok := pv["override"]; ok {
		t.Error("override present without one")
	}
	if err := e.db.SetOverride(ctx, reg, v.ID, "C", "涉嫌虚假宣传，调查期间", e.clk.Now().AddDate(0, 1, 0).Format("2006-01-02")); err != nil {
		t.Fatal(err)
	}
	r = anon.getWith("/vendors/"+pubAnxin, map[string]string{"Cache-Control": "no-cache"})
	if !strings.Contains(r.TestID("override"), "涉嫌虚假宣传") {
		t.Errorf("override notice = %q", r.TestID("override"))
	}
	s := anon.getWith("/api/v1/vendors?grade=C", map[string]string{"Cache-Control": "no-cache"})
	if !strings.Contains(s.Body, pubAnxin) {
		t.Error("the overridden grade does not drive the grade filter")
	}
}

// The open-data file carries the published grade once there is one.
func TestOpenDataHasPublishedGrades(t *testing.T) {
	e := publicEnv(t)
	ctx := context.Background()
	r := e.client().get("/open-data/vendors.csv")
	for _, line := range strings.Split(r.Body, "\n")[1:] {
		if f := strings.Split(line, ","); len(f) == 9 && f[5] != "" {
			t.Fatalf("a grade before any publication: %q", line)
		}
	}
	if _, err := publicity.Publish(ctx, e.db, registry.CLIActor, e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	r = e.client().getWith("/open-data/vendors.csv", map[string]string{"Cache-Control": "no-cache"})
	found := false
	for _, line := range strings.Split(r.Body, "\n") {
		if strings.HasPrefix(line, pubAnxin) {
			f := strings.Split(line, ",")
			found = len(f) == 9 && f[5] != "" && f[6] != "" && strings.HasSuffix(f[7], "+08:00") && f[8] == "HSCS-1.0"
			if !found {
				t.Errorf("row = %q", line)
			}
		}
	}
	if !found {
		t.Error("vendor row missing")
	}
}

// An approved credit repair takes the sanction off the public record.
func TestRepairRemovesSanctionFromPublicRecord(t *testing.T) {
	e := publicEnv(t)
	ctx := context.Background()
	v, _ := e.db.FindVendorByUSCC(ctx, pubJieliang)
	reg := registry.Actor{Kind: "user", Name: "reg", Role: registry.RoleRegulator}
	if _, err := e.db.CreateSanction(ctx, reg, registry.SanctionInput{VendorUSCC: v.USCC, Kind: "warning",
		IssuedAt: e.clk.Now().AddDate(0, -6, 0).Format("2006-01-02"), Reference: "津警〔2024〕9号", Summary: "未按约定时间上门"}); err != nil {
		t.Fatal(err)
	}
	public := func() string {
		return e.client().getWith("/api/v1/vendors/"+v.USCC, map[string]string{"Cache-Control": "no-cache"}).Body
	}
	if !strings.Contains(public(), "未按约定时间上门") {
		t.Fatal("the warning is not on display")
	}
	ss, _ := e.db.SanctionsOfVendor(ctx, v.ID)
	var warning int64
	for _, s := range ss {
		if s.Kind == "warning" {
			warning = s.ID
		}
	}
	vendorUser := registry.Actor{Kind: "user", Name: "ven", Role: registry.RoleVendor}
	c, err := e.db.ApplyForRepair(ctx, vendorUser, v.ID, warning, "已整改并向客户道歉")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.DecideCase(ctx, reg, c.ID, registry.DecisionApprove, "整改到位", ""); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(public(), "未按约定时间上门") {
		t.Error("the repaired warning is still public")
	}
}

// A published grade on the window sticker is labelled as published, with
// its publication date, not as an unpublished evaluation; an override in
// force takes its place.
func TestStickerShowsPublishedGradeAsPublished(t *testing.T) {
	e := publicEnv(t)
	ctx := context.Background()
	sticker := func() *resp {
		t.Helper()
		r := e.client().getWith("/vendors/"+pubAnxin+"/sticker", map[string]string{"Cache-Control": "no-cache"})
		if r.Code != 200 {
			t.Fatalf("sticker: %d", r.Code)
		}
		return r
	}
	if note := sticker().TestID("sticker-note"); !strings.Contains(note, "尚未公示") {
		t.Errorf("before any publication the sticker note = %q, want 尚未公示", note)
	}
	if _, err := publicity.Publish(ctx, e.db, registry.CLIActor, e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	r := sticker()
	if note := r.TestID("sticker-note"); strings.Contains(note, "尚未公示") || !strings.Contains(note, "公示等级") {
		t.Errorf("sticker note of a published grade = %q", note)
	}
	if body := r.TestID("sticker"); !strings.Contains(body, "公示日期") || strings.Contains(body, "评价日期") {
		t.Errorf("sticker of a published grade = %q", body)
	}
	v, err := e.db.FindVendorByUSCC(ctx, pubAnxin)
	if err != nil {
		t.Fatal(err)
	}
	reg := registry.Actor{Kind: "user", Name: "reg", Role: registry.RoleRegulator}
	if err := e.db.SetOverride(ctx, reg, v.ID, "C", "涉嫌虚假宣传，调查期间", e.clk.Now().AddDate(0, 1, 0).Format("2006-01-02")); err != nil {
		t.Fatal(err)
	}
	r = sticker()
	if g := r.TestID("sticker-grade"); !strings.Contains(g, "C") {
		t.Errorf("sticker grade under an override = %q", g)
	}
	if note := r.TestID("sticker-note"); strings.Contains(note, "尚未公示") {
		t.Errorf("sticker note under an override = %q", note)
	}
}
