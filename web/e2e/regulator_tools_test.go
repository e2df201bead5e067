package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"chengxin/registry"
)

// TestReviewFormKeepsInput: a regulator amends a grade objection but forgets
// the amended grade; the queue comes back with the decision, the reason as
// typed and the error beside the missing field, on a phone and a desktop;
// choosing the grade then decides the case.
func TestReviewFormKeepsInput(t *testing.T) {
	f := newFixture(t)
	v := f.pendingVendor("duevendor")
	vendor := registry.Actor{Kind: "user", Name: "duevendor", Role: registry.RoleVendor}
	c, err := f.db.ObjectToPendingGrade(context.Background(), vendor, v.ID, "两件投诉为同一订单的重复投诉", "")
	if err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprint(c.ID)
	reason := "经核查，其中两件投诉为同一订单，按一次计"
	for _, width := range []int{390, 1280} {
		ctx := f.browser(width)
		f.login(ctx, "reg")
		f.run(ctx, "queue", chromedp.Navigate(f.srv.URL+"/console/reviews"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=case]`)))
		if got := f.value(ctx, `#f-decision-`+id); got != "" {
			t.Errorf("%d px: a decision is preselected: %q", width, got)
		}
		f.run(ctx, "fill",
			chromedp.SetValue(chromedp.CSS(`#f-decision-`+id), "amended"),
			chromedp.SendKeys(chromedp.CSS(`#f-reason-`+id), reason),
		)
		f.submit(ctx, "decide without a grade", chromedp.Click(chromedp.CSS(`[data-testid=decide]`)))
		f.run(ctx, "error shown", chromedp.WaitVisible(chromedp.CSS(`[data-testid=error-summary]`)))
		if got := f.text(ctx, `[data-testid=error-amended-`+id+`]`); !strings.Contains(got, "须选择变更后的等级") {
			t.Errorf("%d px: error beside the amended grade = %q", width, got)
		}
		if got := f.text(ctx, `[data-testid=error-summary]`); strings.Contains(got, "amended") {
			t.Errorf("%d px: the error summary names a code: %q", width, got)
		}
		if got := f.value(ctx, `#f-reason-`+id); got != reason {
			t.Errorf("%d px: the reason came back as %q", width, got)
		}
		if got := f.value(ctx, `#f-decision-`+id); got != "amended" {
			t.Errorf("%d px: the decision came back as %q", width, got)
		}
		f.noHorizontalScroll(ctx, fmt.Sprintf("review error %d", width))
		f.noDuplicateIDs(ctx, "review queue with an error")
		f.checkAxe(ctx, "review queue with an error")
		f.screenshot(ctx, fmt.Sprintf("review-error-%d", width))
		if p, _ := f.db.FindPublished(context.Background(), v.ID); p.Pending == nil {
			t.Fatalf("%d px: the failed decision changed the grade", width)
		}
		if width == 1280 { // correct it: the reason is still there
			f.run(ctx, "choose grade", chromedp.SetValue(chromedp.CSS(`#f-amended-`+id), "B"))
			f.submit(ctx, "decide", chromedp.Click(chromedp.CSS(`[data-testid=decide]`)))
			f.run(ctx, "decided", chromedp.WaitVisible(chromedp.CSS(`[data-testid=decided]`)))
			if got := f.text(ctx, `[data-testid=decided]`); !strings.Contains(got, "变更为 B") || !strings.Contains(got, reason) {
				t.Errorf("decided list = %q", got)
			}
		}
	}
	p, err := f.db.FindPublished(context.Background(), v.ID)
	if err != nil || p.Grade != "B" || p.Pending != nil {
		t.Fatalf("after the decision: %+v %v", p, err)
	}
}

// TestPublicationPages: the regulator opens the publication runs, a run,
// the pending downgrades and the vendor's page with its public grade and
// complaints, on a phone and a desktop: readable, no horizontal scroll,
// no serious accessibility violation.
func TestPublicationPages(t *testing.T) {
	f := newFixture(t)
	v := f.pendingVendor("duevendor")
	for _, width := range []int{390, 1280} {
		ctx := f.browser(width)
		f.login(ctx, "reg")
		f.run(ctx, "runs", chromedp.Navigate(f.srv.URL+"/console/publications"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=runs]`)))
		f.check(ctx, width, "runs")
		f.submit(ctx, "open the latest run", chromedp.Click(chromedp.CSS(`[data-testid=runs] tbody tr:first-child a`)))
		f.run(ctx, "run", chromedp.WaitVisible(chromedp.CSS(`[data-testid=run-matrix]`)))
		if got := f.text(ctx, `[data-testid=pending-table]`); !strings.Contains(got, v.Name) || !strings.Contains(got, "仍待公示") {
			t.Errorf("%d px: the run's pending downgrades = %q", width, got)
		}
		f.check(ctx, width, "run")
		f.run(ctx, "pending", chromedp.Navigate(f.srv.URL+"/console/pending"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=pending-table]`)))
		f.check(ctx, width, "pending")
		f.submit(ctx, "open the vendor", chromedp.Click(chromedp.CSS(`[data-testid=pending-table] tbody tr:first-child a`)))
		f.run(ctx, "vendor", chromedp.WaitVisible(chromedp.CSS(`[data-testid=complaint-table]`)))
		if got := f.text(ctx, `[data-testid=vendor-public-grade]`); !strings.Contains(got, "待公示降级") {
			t.Errorf("%d px: public grade box = %q", width, got)
		}
		f.check(ctx, width, "vendor")
	}
}

// check runs the page checks every new page passes and keeps a screenshot.
func (f *fixture) check(ctx context.Context, width int, page string) {
	f.t.Helper()
	f.noHorizontalScroll(ctx, fmt.Sprintf("%s %d", page, width))
	f.noDuplicateIDs(ctx, page)
	f.checkAxe(ctx, page)
	f.screenshot(ctx, fmt.Sprintf("%s-%d", page, width))
}
