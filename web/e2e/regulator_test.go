package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"chengxin/publicity"
	"chengxin/registry"
)

// publish runs this month's publication run, so every fixture vendor has a
// published grade (the first publication is published at once).
func (f *fixture) publish() {
	f.t.Helper()
	admin := registry.Actor{Kind: "user", Name: "seed", Role: registry.RoleRegulator}
	if _, err := publicity.Publish(context.Background(), f.db, admin, time.Now().Add(-time.Minute)); err != nil {
		f.t.Fatal(err)
	}
}

// reevaluate does what serve's background evaluator does within a second
// of a change: it re-evaluates the vendors a change marked. The fixture's
// server runs no evaluator, so the tests call it and stay deterministic.
func (f *fixture) reevaluate() {
	f.t.Helper()
	if _, err := f.db.ProcessMarks(context.Background(), 100, time.Now()); err != nil {
		f.t.Fatal(err)
	}
}

// blocked reports whether the browser's own form validation refuses to
// submit the form (a required field left empty): clicking its button would
// send nothing.
func (f *fixture) blocked(ctx context.Context, form, field string) bool {
	f.t.Helper()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const f = document.querySelector('`+form+`'), x = f.querySelector('`+field+`');
		return !f.checkValidity() && x.validity.valueMissing })()`))
	if err != nil {
		f.t.Fatalf("validity of %s: %v", form, err)
	}
	return ok
}

// noDuplicateIDs fails when two elements share an id (a label or an error
// summary link would lead to the wrong field).
func (f *fixture) noDuplicateIDs(ctx context.Context, page string) {
	f.t.Helper()
	dups, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => { const seen = {}, d = [];
		document.querySelectorAll('[id]').forEach(e => { if (seen[e.id]) d.push(e.id); seen[e.id] = true }); return d })()`))
	if err != nil || len(dups) > 0 {
		f.t.Errorf("duplicate element ids on %s: %v %v", page, dups, err)
	}
}

// publicText opens a public page and returns the text of sel.
func (f *fixture) publicText(ctx context.Context, name, path, sel string) string {
	f.t.Helper()
	f.run(ctx, name, chromedp.Navigate(f.srv.URL+path), chromedp.WaitVisible(chromedp.CSS(sel)))
	return f.text(ctx, sel)
}

// TestRegulatorOverridesGrade: on a phone a regulator sets a vendor's
// public grade with a reason through the console form; the public profile
// shows the override and its reason. Without a reason the browser refuses
// to send the form, and a form sent anyway gets an inline error and changes
// nothing.
func TestRegulatorOverridesGrade(t *testing.T) {
	f := newFixture(t)
	f.publish()
	v := f.vendors[1]
	ctx := f.browser(390)
	profile := "/vendors/" + v.USCC
	if got := f.publicText(ctx, "profile before", profile, `[data-testid=headline]`); strings.Contains(got, "C 级") {
		t.Fatalf("published grade before the override = %q", got)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=override]').length`)); err != nil || n != 0 {
		t.Fatalf("an override notice before any override: %d %v", n, err)
	}

	f.login(ctx, "reg")
	const form = `[data-testid=override-form]`
	f.run(ctx, "vendor page",
		chromedp.Navigate(f.srv.URL+"/console/vendors/"+v.USCC),
		chromedp.WaitVisible(chromedp.CSS(form)),
		chromedp.SetValue(chromedp.CSS(form+` [data-testid=field-grade]`), "C"),
	)
	f.noHorizontalScroll(ctx, "vendor console page")
	f.noDuplicateIDs(ctx, "vendor console page")
	f.checkAxe(ctx, "vendor console page")
	f.screenshot(ctx, "override-form")

	// No reason: the browser refuses to send the form...
	if !f.blocked(ctx, form, `[name=override_reason]`) {
		t.Fatal("the browser would send the override form without a reason")
	}
	// ...and a form sent without the browser's check gets an inline error.
	f.submit(ctx, "override without reason", chromedp.Submit(chromedp.CSS(form+` [data-testid=field-override_reason]`)))
	f.run(ctx, "override error", chromedp.WaitVisible(chromedp.CSS(form+` [data-testid=error-override_reason]`)))
	if got := f.text(ctx, form+` [data-testid=error-override_reason]`); got != "必填" {
		t.Errorf("inline error = %q, want 必填", got)
	}
	if got := f.text(ctx, `[data-testid=override-section] [data-testid=error-summary]`); !strings.Contains(got, "理由") {
		t.Errorf("error summary = %q", got)
	}
	if _, err := f.db.ActiveOverride(context.Background(), v.ID); err == nil {
		t.Fatal("an override without a reason was stored")
	}
	f.noHorizontalScroll(ctx, "override error")
	f.noDuplicateIDs(ctx, "override error")
	f.checkAxe(ctx, "override error")
	f.screenshot(ctx, "override-error")

	// The regulator adds the reason and sends the form again, as it is.
	const reason = "涉嫌虚假宣传，调查期间暂按一般公示"
	f.run(ctx, "reason", chromedp.SendKeys(chromedp.CSS(form+` [data-testid=field-override_reason]`), reason))
	f.submit(ctx, "override submit", chromedp.Click(chromedp.CSS(`[data-testid=override-submit]`)))
	f.run(ctx, "override set", chromedp.WaitVisible(chromedp.CSS(`[data-testid=override-current]`)))
	if got := f.text(ctx, `[data-testid=flash]`); !strings.Contains(got, "人工调整已设定") {
		t.Errorf("flash = %q", got)
	}
	if got := f.text(ctx, `[data-testid=override-current]`); !strings.Contains(got, "C") || !strings.Contains(got, reason) {
		t.Errorf("current override = %q", got)
	}
	o, err := f.db.ActiveOverride(context.Background(), v.ID)
	if err != nil || o.Grade != "C" || o.Reason != reason {
		t.Fatalf("stored override = %+v %v", o, err)
	}
	f.checkAxe(ctx, "override set")

	got := f.publicText(ctx, "profile after", profile, `[data-testid=override]`)
	if !strings.Contains(got, "设为 C") || !strings.Contains(got, reason) {
		t.Errorf("public override notice = %q", got)
	}
	if got := f.text(ctx, `[data-testid=headline]`); !strings.Contains(got, "C 级") {
		t.Errorf("public grade under the override = %q", got)
	}
	f.noHorizontalScroll(ctx, "profile with override")
	f.checkAxe(ctx, "profile with override")
	f.screenshot(ctx, "profile-override")
}

// TestRegulatorSanctionsAndLifts: on a phone a regulator records a
// blacklist entry through the console form (a missing reference is caught
// inline first); the public profile and the black list show it and the
// vendor's evaluation drops to D; the regulator lifts it with a reason and
// it leaves the public record.
func TestRegulatorSanctionsAndLifts(t *testing.T) {
	f := newFixture(t)
	v := f.vendors[2]
	ctx := f.browser(390)
	profile := "/vendors/" + v.USCC
	if got := f.publicText(ctx, "black list before", "/lists/black", `[data-testid=list-total]`); !strings.Contains(got, "0") {
		t.Fatalf("black list before = %q", got)
	}
	before := f.publicText(ctx, "profile before", profile, `[data-testid=headline-grade]`)
	if before == "D" {
		t.Fatal("the vendor is graded D before any sanction")
	}

	f.login(ctx, "reg")
	const form = `[data-testid=sanction-form]`
	const summary = "以收取预付费用为名骗取消费者钱款，经依法认定列入严重失信名单"
	const reference = "津市监信〔2026〕17号"
	issued := time.Now().In(registry.Shanghai).AddDate(0, 0, -3).Format("2006-01-02")
	f.run(ctx, "vendor page",
		chromedp.Navigate(f.srv.URL+"/console/vendors/"+v.USCC),
		chromedp.WaitVisible(chromedp.CSS(form)),
		chromedp.SetValue(chromedp.CSS(form+` [data-testid=field-kind]`), "blacklist"),
		chromedp.SetValue(chromedp.CSS(form+` [data-testid=field-issued_at]`), issued),
		chromedp.SendKeys(chromedp.CSS(form+` [data-testid=field-summary]`), summary),
	)
	f.noHorizontalScroll(ctx, "sanction form")
	f.checkAxe(ctx, "sanction form")

	// No reference: the browser refuses; sent anyway, an inline error and
	// the other fields kept.
	if !f.blocked(ctx, form, `[name=reference]`) {
		t.Fatal("the browser would send the sanction form without a reference")
	}
	f.submit(ctx, "sanction without reference", chromedp.Submit(chromedp.CSS(form+` [data-testid=field-summary]`)))
	f.run(ctx, "sanction error", chromedp.WaitVisible(chromedp.CSS(form+` [data-testid=error-reference]`)))
	if got := f.text(ctx, form+` [data-testid=error-reference]`); got != "必填" {
		t.Errorf("inline error = %q, want 必填", got)
	}
	if got := f.text(ctx, `[data-testid=sanctions] [data-testid=error-summary]`); !strings.Contains(got, "文书编号") {
		t.Errorf("error summary = %q", got)
	}
	kept, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`['kind', 'issued_at', 'summary'].map(n =>
		document.querySelector('[data-testid=sanction-form] [name=' + n + ']').value)`))
	if err != nil || len(kept) != 3 || kept[0] != "blacklist" || kept[1] != issued || kept[2] != summary {
		t.Errorf("the form did not keep what was typed: %q %v", kept, err)
	}
	if ss, err := f.db.SanctionsOfVendor(context.Background(), v.ID); err != nil || len(ss) != 0 {
		t.Fatalf("a sanction without a reference was stored: %+v %v", ss, err)
	}
	f.noHorizontalScroll(ctx, "sanction error")
	f.noDuplicateIDs(ctx, "sanction error")
	f.checkAxe(ctx, "sanction error")
	f.screenshot(ctx, "sanction-error")

	f.run(ctx, "reference", chromedp.SendKeys(chromedp.CSS(form+` [data-testid=field-reference]`), reference))
	f.submit(ctx, "sanction submit", chromedp.Click(chromedp.CSS(`[data-testid=sanction-submit]`)))
	f.run(ctx, "sanction stored", chromedp.WaitVisible(chromedp.CSS(`[data-testid=sanction-item]`)))
	if got := f.text(ctx, `[data-testid=flash]`); !strings.Contains(got, "已保存") {
		t.Errorf("flash = %q", got)
	}
	item := f.text(ctx, `[data-testid=sanction-item]`)
	for _, want := range []string{"列入严重失信名单", reference, summary, "公示中"} {
		if !strings.Contains(item, want) {
			t.Errorf("console sanction lacks %q: %q", want, item)
		}
	}
	f.noHorizontalScroll(ctx, "vendor with sanction")
	f.noDuplicateIDs(ctx, "vendor with sanction")
	f.checkAxe(ctx, "vendor with sanction")
	f.screenshot(ctx, "sanction-stored")
	f.reevaluate()

	// The public record: the profile, the grade, the black list.
	got := f.publicText(ctx, "profile sanctioned", profile, `[data-testid=public-sanction]`)
	if !strings.Contains(got, "列入严重失信名单") || !strings.Contains(got, summary) || !strings.Contains(got, issued) {
		t.Errorf("public sanction = %q", got)
	}
	if got := f.text(ctx, `[data-testid=headline-grade]`); got != "D" {
		t.Errorf("grade with a blacklist entry = %q, want D", got)
	}
	f.noHorizontalScroll(ctx, "profile sanctioned")
	f.checkAxe(ctx, "profile sanctioned")
	f.screenshot(ctx, "profile-sanctioned")
	got = f.publicText(ctx, "black list", "/lists/black", `[data-testid=black-list]`)
	if !strings.Contains(got, v.Name) || !strings.Contains(got, summary) {
		t.Errorf("black list = %q", got)
	}
	f.noHorizontalScroll(ctx, "black list")
	f.checkAxe(ctx, "black list")

	// Lifting needs a reason: refused by the browser, and by the server
	// for a form sent anyway.
	const end = `[data-testid=sanction-end-form]`
	f.run(ctx, "back to console",
		chromedp.Navigate(f.srv.URL+"/console/vendors/"+v.USCC),
		chromedp.WaitVisible(chromedp.CSS(end)),
		chromedp.SetValue(chromedp.CSS(end+` select[name=how]`), "lifted"),
	)
	if !f.blocked(ctx, end, `[name=reason]`) {
		t.Fatal("the browser would send the lift form without a reason")
	}
	f.submit(ctx, "lift without reason", chromedp.Submit(chromedp.CSS(end+` select[name=how]`)))
	f.run(ctx, "lift refused", chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)))
	if got := f.text(ctx, `[data-testid=flash]`); !strings.Contains(got, "须写明理由") {
		t.Errorf("flash after a lift without reason = %q", got)
	}
	if got := f.text(ctx, `[data-testid=sanction-state]`); got != "公示中" {
		t.Errorf("state after a refused lift = %q", got)
	}
	f.checkAxe(ctx, "lift refused")

	f.run(ctx, "lift reason",
		chromedp.SetValue(chromedp.CSS(end+` select[name=how]`), "lifted"),
		chromedp.SendKeys(chromedp.CSS(end+` [name=reason]`), "行政复议决定撤销原处理决定"),
	)
	f.submit(ctx, "lift", chromedp.Click(chromedp.CSS(`[data-testid=sanction-end-submit]`)))
	f.run(ctx, "lifted", chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)))
	if got := f.text(ctx, `[data-testid=flash]`); !strings.Contains(got, "已结束公示") {
		t.Errorf("flash after lifting = %q", got)
	}
	if got := f.text(ctx, `[data-testid=sanction-state]`); !strings.Contains(got, "撤销") {
		t.Errorf("state after lifting = %q", got)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=sanction-end-form]').length`)); err != nil || n != 0 {
		t.Errorf("a lifted sanction still offers to end it: %d %v", n, err)
	}
	f.checkAxe(ctx, "lifted")
	f.reevaluate()

	got = f.publicText(ctx, "profile lifted", profile, `[data-testid=profile-sanctions]`)
	if strings.Contains(got, summary) || !strings.Contains(got, "没有") {
		t.Errorf("public sanctions after lifting = %q", got)
	}
	if got := f.text(ctx, `[data-testid=headline-grade]`); got != before {
		t.Errorf("grade after lifting = %q, want %q again", got, before)
	}
	f.noHorizontalScroll(ctx, "profile lifted")
	f.checkAxe(ctx, "profile lifted")
	f.run(ctx, "black list after", chromedp.Navigate(f.srv.URL+"/lists/black"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=list-empty]`)))
}
