package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"chengxin/publicity"
	"chengxin/registry"
)

var seedActor = registry.Actor{Kind: "user", Name: "seed", Role: registry.RoleRegulator}

// seedVendor registers a vendor with a record: registered days ago, n
// satisfied callbacks spread over the last months and 400 orders a month.
func (f *fixture) seedVendor(code, name string, registeredDaysAgo, callbacks int) registry.Vendor {
	f.t.Helper()
	ctx := context.Background()
	now := time.Now().In(registry.Shanghai)
	v, err := f.db.CreateVendor(ctx, seedActor, registry.VendorInput{USCC: code, Name: name, LegalRep: "李华", Phone: "022-87654321",
		Address: "天津市南开区鞍山西道1号", Districts: []string{"120104"}, Categories: []string{"housekeeping"},
		RegisteredAt: now.AddDate(0, 0, -registeredDaysAgo).Format("2006-01-02"), InsuranceValidUntil: now.AddDate(2, 0, 0).Format("2006-01-02")})
	if err != nil {
		f.t.Fatal(err)
	}
	var cbs []registry.CallbackInput
	for i := 0; i < callbacks; i++ {
		at := now.Add(-time.Duration(3+i*5) * 24 * time.Hour)
		cbs = append(cbs, registry.CallbackInput{WorkOrderNo: fmt.Sprintf("8890-%s-%03d", code[10:17], i), VendorUSCC: code,
			CalledAt: at.Format(time.RFC3339), Result: "satisfied"})
	}
	if len(cbs) > 0 {
		if _, err := f.db.IngestCallbacks(ctx, seedActor, cbs, nil); err != nil {
			f.t.Fatal(err)
		}
	}
	var vols []registry.VolumeInput
	for m := 0; m < 12; m++ {
		orders := int64(400)
		vols = append(vols, registry.VolumeInput{VendorUSCC: code, Month: now.AddDate(0, -m, 0).Format("2006-01"), Orders: &orders, Source: "dispatch"})
	}
	if _, err := f.db.IngestVolumes(ctx, seedActor, vols, nil); err != nil {
		f.t.Fatal(err)
	}
	return v
}

// publishAt runs a publication at instant at (evaluating everyone first).
func (f *fixture) publishAt(at time.Time) {
	f.t.Helper()
	if _, err := publicity.Publish(context.Background(), f.db, seedActor, at); err != nil {
		f.t.Fatal(err)
	}
}

// firstScreen saves what the viewport shows (not the full page).
func (f *fixture) firstScreen(ctx context.Context, name string) {
	dir := os.Getenv("CHENGXIN_ARTIFACTS")
	if dir == "" {
		return
	}
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err == nil {
		os.WriteFile(filepath.Join(dir, strings.ReplaceAll(f.t.Name(), "/", "_")+"-"+name+".png"), buf, 0o644)
	}
}

// oneHeadline checks the profile now open: exactly one grade badge on the
// whole page, and it is on the first screen.
func (f *fixture) oneHeadline(ctx context.Context, page string) {
	f.t.Helper()
	type count struct {
		Badges, Grades int
		Bottom, Height float64
	}
	c, err := chromedp.Run(ctx, chromedp.Evaluate[count](`(() => {
		const b = document.querySelectorAll('[data-grade-badge]');
		const r = b.length ? b[0].getBoundingClientRect() : {bottom: 0};
		return {badges: b.length, grades: document.querySelectorAll('.grade').length, bottom: r.bottom + window.scrollY, height: window.innerHeight};
	})()`))
	if err != nil {
		f.t.Fatalf("%s: %v", page, err)
	}
	if c.Badges != 1 || c.Grades != 1 {
		f.t.Errorf("%s: %d headline badges and %d grade badges on the page, want exactly one", page, c.Badges, c.Grades)
	}
	if c.Bottom <= 0 || c.Bottom > c.Height {
		f.t.Errorf("%s: the grade badge ends at %.0f px, below the first screen (%.0f px)", page, c.Bottom, c.Height)
	}
}

// TestBlacklistingReachesCitizenAtOnce: at 390 px and 1280 px, a citizen
// has looked at a grade-A vendor's profile, badge and the red list; a
// regulator records a blacklist entry through the console form; within
// 5 s the same pages, reloaded as a browser does, show D — the profile's
// headline, the badge, off the red list and on the black list — with no
// publication run and no background evaluator (the fixture runs none).
func TestBlacklistingReachesCitizenAtOnce(t *testing.T) {
	for _, width := range []int{390, 1280} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			f := newFixture(t)
			code := registry.MustUSCC("91120104MA0PUBA01")
			v := f.seedVendor(code, "天津南开守信家政服务有限公司", 800, 40)
			f.publishAt(time.Now().Add(-time.Minute))
			ctx := f.browser(width)
			profile := f.srv.URL + "/vendors/" + code
			if got := f.publicText(ctx, "profile before", "/vendors/"+code, `[data-testid=headline-grade]`); got != "A" {
				t.Fatalf("the fixture vendor is %q, want A", got)
			}
			f.oneHeadline(ctx, "profile before")
			if got := f.publicText(ctx, "red list before", "/lists/red", `main`); !strings.Contains(got, v.Name) {
				t.Fatalf("red list before = %q", got)
			}

			f.login(ctx, "reg")
			const form = `[data-testid=sanction-form]`
			f.run(ctx, "sanction form",
				chromedp.Navigate(f.srv.URL+"/console/vendors/"+code),
				chromedp.WaitVisible(chromedp.CSS(form)),
				chromedp.SetValue(chromedp.CSS(form+` [data-testid=field-kind]`), "blacklist"),
				chromedp.SetValue(chromedp.CSS(form+` [data-testid=field-issued_at]`), time.Now().In(registry.Shanghai).Format("2006-01-02")),
				chromedp.SendKeys(chromedp.CSS(form+` [data-testid=field-reference]`), "津市监信〔2026〕21号"),
				chromedp.SendKeys(chromedp.CSS(form+` [data-testid=field-summary]`), "以收取预付费用为名骗取消费者钱款"),
			)
			f.submit(ctx, "sanction submit", chromedp.Click(chromedp.CSS(`[data-testid=sanction-submit]`)))
			stored := time.Now()
			f.run(ctx, "sanction stored", chromedp.WaitVisible(chromedp.CSS(`[data-testid=sanction-item]`)))

			type view struct{ Profile, Badge, Red, Black string }
			read := func() view {
				var out view
				f.run(ctx, "profile", chromedp.Navigate(profile), chromedp.WaitVisible(chromedp.CSS(`[data-testid=headline-grade]`)))
				out.Profile = f.text(ctx, `[data-testid=headline-grade]`)
				f.run(ctx, "badge", chromedp.Navigate(profile+"/badge.svg"))
				badge, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.textContent`))
				if err != nil {
					t.Fatal(err)
				}
				out.Badge = badge
				out.Red = f.publicText(ctx, "red list", "/lists/red", `main`)
				out.Black = f.publicText(ctx, "black list", "/lists/black", `main`)
				return out
			}
			var got view
			for {
				got = read()
				if got.Profile == "D" && strings.Contains(got.Badge, "D 级") && !strings.Contains(got.Red, v.Name) && strings.Contains(got.Black, v.Name) {
					break
				}
				if time.Since(stored) > 5*time.Second {
					f.screenshot(ctx, "FAILED-not-public")
					t.Fatalf("5 s after the blacklisting: profile %q, badge %q, on the red list %v, on the black list %v", got.Profile,
						got.Badge, strings.Contains(got.Red, v.Name), strings.Contains(got.Black, v.Name))
				}
				time.Sleep(200 * time.Millisecond)
			}
			t.Logf("%d px: profile, badge and both lists showed D %v after the form was sent", width, time.Since(stored).Round(time.Millisecond))
			f.run(ctx, "profile after", chromedp.Navigate(profile), chromedp.WaitVisible(chromedp.CSS(`[data-testid=headline-grade]`)))
			f.oneHeadline(ctx, "profile after")
			if note := f.text(ctx, `[data-testid=grade-note]`); !strings.Contains(note, "严重失信") {
				t.Errorf("grade note = %q", note)
			}
			if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=pending]').length`)); err != nil || n != 0 {
				t.Errorf("a pending notice after the blacklisting: %d %v", n, err)
			}
			if hist := f.text(ctx, `[data-testid=published-history]`); !strings.Contains(hist, "津市监信〔2026〕21号") {
				t.Errorf("publication history = %q", hist)
			}
			f.noHorizontalScroll(ctx, "profile blacklisted")
			f.checkAxe(ctx, "profile blacklisted")
			f.screenshot(ctx, "profile-blacklisted")
			f.firstScreen(ctx, "profile-blacklisted-first-screen")
		})
	}
}

// TestProfileHeadlineStates: the profile's first screen holds exactly one
// grade badge for every kind of vendor — a published grade with a pending
// downgrade, an A held at B by its track record, an override, never
// published, not yet rated (N) — in Chinese and English, at 390 px and
// 1280 px; axe finds nothing serious and nothing scrolls sideways.
// CHENGXIN_ARTIFACTS keeps a screenshot of each (full page and first screen).
func TestProfileHeadlineStates(t *testing.T) {
	f := newFixture(t)
	ctx0 := context.Background()
	now := time.Now()
	pending := f.seedVendor(registry.MustUSCC("91120104MA0PUBA02"), "天津南开待定家政服务有限公司", 800, 40)
	held := f.seedVendor(registry.MustUSCC("91120104MA0PUBA03"), "天津南开新秀保洁服务有限公司", 200, 40)
	override := f.seedVendor(registry.MustUSCC("91120104MA0PUBA04"), "天津南开调整家电维修有限公司", 800, 40)
	f.reevaluate()
	f.publishAt(now.AddDate(0, -1, 0))
	// The pending vendor: serious complaints since, so this month's run
	// leaves a downgrade waiting for its objection period.
	var cs []registry.ComplaintInput
	for i := 0; i < 6; i++ {
		at := now.Add(-time.Duration(5+i) * 24 * time.Hour)
		cs = append(cs, registry.ComplaintInput{WorkOrderNo: fmt.Sprintf("8890-E2E-P-%02d", i), VendorUSCC: pending.USCC,
			ReceivedAt: at.Format(time.RFC3339), Channel: "phone", Category: "housekeeping", Severity: "serious", Status: "closed",
			Outcome: "substantiated", DeadlineAt: at.Add(72 * time.Hour).Format(time.RFC3339), ClosedAt: at.Add(24 * time.Hour).Format(time.RFC3339)})
	}
	if _, err := f.db.IngestComplaints(ctx0, seedActor, cs, nil); err != nil {
		t.Fatal(err)
	}
	f.publishAt(now.Add(-time.Minute))
	if p, err := f.db.FindPublished(ctx0, pending.ID); err != nil || p.Pending == nil {
		t.Fatalf("no pending downgrade: %+v %v", p, err)
	}
	if err := f.db.SetOverride(ctx0, seedActor, override.ID, "C", "涉嫌虚假宣传，调查期间暂按一般公示", now.AddDate(0, 1, 0).Format("2006-01-02")); err != nil {
		t.Fatal(err)
	}
	fresh := f.seedVendor(registry.MustUSCC("91120104MA0PUBA05"), "天津南开初来家政服务有限公司", 30, 3)
	f.reevaluate()
	if _, err := f.db.Rescore(ctx0, registry.RescoreOptions{}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, uscc, wantGrade string
		wantTestID            string // an element the state must show
	}{
		{"pending", pending.USCC, "A", "pending"},
		{"a-requirements", held.USCC, "B", "grade-note"},
		{"override", override.USCC, "C", "override"},
		{"never-published", fresh.USCC, "N", "unpublished"},
		{"not-rated", f.vendors[3].USCC, "N", "headline-published-on"},
	}
	for _, width := range []int{390, 1280} {
		ctx := f.browser(width)
		for _, lang := range []string{"zh", "en"} {
			for _, c := range cases {
				page := fmt.Sprintf("%s-%s-%d", c.name, lang, width)
				f.run(ctx, page, chromedp.Navigate(f.srv.URL+"/vendors/"+c.uscc+"?lang="+lang),
					chromedp.WaitVisible(chromedp.CSS(`[data-testid=headline-grade]`)))
				if got := f.text(ctx, `[data-testid=headline-grade]`); got != c.wantGrade {
					t.Errorf("%s: headline grade %q, want %s", page, got, c.wantGrade)
				}
				if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=`+c.wantTestID+`]').length`)); err != nil || n != 1 {
					t.Errorf("%s: %s shown %d times (%v)", page, c.wantTestID, n, err)
				}
				f.oneHeadline(ctx, page)
				f.noHorizontalScroll(ctx, page)
				f.checkAxe(ctx, page)
				f.screenshot(ctx, page)
				f.firstScreen(ctx, page+"-first-screen")
			}
		}
	}
}
