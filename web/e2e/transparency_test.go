package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestTransparencyPageAccessible: a journalist finds the tamper-check page
// from the footer on a phone and a desktop, in Chinese and English; it
// shows the key and the latest checkpoint, its commands scroll inside their
// boxes rather than widening the page, and axe finds nothing serious.
func TestTransparencyPageAccessible(t *testing.T) {
	for _, width := range []int{390, 1280} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			f := newFixture(t)
			f.publish() // a publication run signs a checkpoint
			ctx := f.browser(width)
			f.run(ctx, "home", chromedp.Navigate(f.srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=footer-transparency]`)))
			f.submit(ctx, "footer link", chromedp.Click(chromedp.CSS(`[data-testid=footer-transparency]`)))
			f.run(ctx, "transparency", chromedp.WaitVisible(chromedp.CSS(`[data-testid=transp-keep]`)))
			if got := f.text(ctx, `h1`); got != "审计日志与签名检查点" {
				t.Errorf("h1 = %q", got)
			}
			if latest := f.text(ctx, `[data-testid=transp-latest]`); !strings.Contains(latest, "第 ") || strings.Contains(latest, "尚未") {
				t.Errorf("latest checkpoint = %q", latest)
			}
			f.noHorizontalScroll(ctx, "transparency")
			f.checkAxe(ctx, "transparency")
			f.screenshot(ctx, fmt.Sprintf("transparency-%d", width))
			f.run(ctx, "transparency-en", chromedp.Navigate(f.srv.URL+"/transparency?lang=en"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=transp-check]`)))
			if got := f.text(ctx, `h1`); got != "Audit log and signed checkpoints" {
				t.Errorf("English h1 = %q", got)
			}
			f.noHorizontalScroll(ctx, "transparency-en")
			f.checkAxe(ctx, "transparency-en")
			f.screenshot(ctx, fmt.Sprintf("transparency-en-%d", width))
		})
	}
}
