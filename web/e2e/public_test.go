package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestCitizenSearchesAndOpensProfile: on a 360 px phone a citizen types part
// of a name on the home page, gets the results and opens the vendor's
// profile; nothing scrolls sideways and axe finds nothing serious.
func TestCitizenSearchesAndOpensProfile(t *testing.T) {
	f := newFixture(t)
	ctx := f.browser(360)
	f.run(ctx, "home",
		chromedp.Navigate(f.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=search-q]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=search-q]`), "洁亮"),
	)
	f.noHorizontalScroll(ctx, "home")
	f.submit(ctx, "search", chromedp.Submit(chromedp.CSS(`[data-testid=search-q]`)))
	f.run(ctx, "results", chromedp.WaitVisible(chromedp.CSS(`[data-testid=search-results]`)))
	if got := f.text(ctx, `[data-testid=search-total]`); !strings.Contains(got, "1") {
		t.Errorf("total = %q, want one vendor", got)
	}
	results := f.text(ctx, `[data-testid=search-results]`)
	if !strings.Contains(results, "天津南开洁亮保洁服务有限公司") || strings.Contains(results, "安心") {
		t.Fatalf("results = %q", results)
	}
	f.noHorizontalScroll(ctx, "search results")
	f.checkAxe(ctx, "search results")
	f.screenshot(ctx, "search-360")
	f.submit(ctx, "open profile", chromedp.Click(chromedp.CSS(`[data-testid=hit-link]`)))
	f.run(ctx, "profile", chromedp.WaitVisible(chromedp.CSS(`[data-testid=profile-grade]`)))
	if got := f.text(ctx, `[data-testid=vendor-name]`); got != "天津南开洁亮保洁服务有限公司" {
		t.Errorf("profile h1 = %q", got)
	}
	if got := f.text(ctx, `[data-testid=unpublished]`); !strings.Contains(got, "尚未公示") {
		t.Errorf("no not-yet-published notice: %q", got)
	}
	f.noHorizontalScroll(ctx, "profile")
	f.checkAxe(ctx, "profile")
	f.screenshot(ctx, "profile-360")

	// A synonym and pinyin initials lead to the same vendors.
	f.run(ctx, "synonym", chromedp.Navigate(f.srv.URL+"/vendors?q="+url.QueryEscape("小时工")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=search-results]`)))
	if got := f.text(ctx, `[data-testid=search-results]`); !strings.Contains(got, "洁亮") {
		t.Errorf("小时工 results = %q", got)
	}
	f.run(ctx, "initials", chromedp.Navigate(f.srv.URL+"/vendors?q=tjnk"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=search-results]`)))
	if got := f.text(ctx, `[data-testid=search-results]`); !strings.Contains(got, "洁亮") {
		t.Errorf("tjnk results = %q", got)
	}
	// Nothing found: suggestions, no sideways scroll.
	f.run(ctx, "nothing", chromedp.Navigate(f.srv.URL+"/vendors?q="+url.QueryEscape(`" OR 1=1 --`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=search-empty]`)))
	f.noHorizontalScroll(ctx, "empty search")
	f.checkAxe(ctx, "empty search")
}

// TestPublicPagesAccessible: the citizens' pages on a phone and a desktop,
// in Chinese and English, checked by axe and for sideways scroll.
func TestPublicPagesAccessible(t *testing.T) {
	for _, width := range []int{390, 1280} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			f := newFixture(t)
			ctx := f.browser(width)
			pages := []struct{ name, path, ready string }{
				{"home", "/", `[data-testid=home-distribution]`},
				{"search", "/vendors?q=" + url.QueryEscape("天津"), `[data-testid=search-results]`},
				{"profile", "/vendors/" + f.vendors[0].USCC, `[data-testid=profile-stats]`},
				{"profile-html-name", "/vendors/" + f.vendors[4].USCC, `[data-testid=profile-grade]`},
				{"red-list", "/lists/red", `[data-testid=list-total]`},
				{"black-list", "/lists/black", `[data-testid=list-total]`},
				{"methodology", "/methodology", `[data-testid=method-components]`},
				{"orgs", "/orgs/" + f.org.USCC, `h1`},
				{"not-found", "/vendors/NOSUCHCODE", `[data-testid=error-message]`},
				{"sticker", "/vendors/" + f.vendors[0].USCC + "/sticker", `[data-testid=sticker]`},
				{"profile-en", "/vendors/" + f.vendors[0].USCC + "?lang=en", `[data-testid=profile-stats]`},
			}
			for _, p := range pages {
				f.run(ctx, p.name, chromedp.Navigate(f.srv.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.ready)))
				f.noHorizontalScroll(ctx, p.name)
				f.checkAxe(ctx, p.name)
				f.screenshot(ctx, p.name)
			}
			// The HTML in a vendor's name is text, not markup.
			f.run(ctx, "escaped", chromedp.Navigate(f.srv.URL+"/vendors/"+f.vendors[4].USCC), chromedp.WaitVisible(chromedp.CSS(`h1`)))
			if got := f.text(ctx, `h1`); got != "<b>天津红桥</b>测试搬家有限公司" {
				t.Errorf("h1 = %q", got)
			}
			// The complaint's private summary is on no public page.
			for _, p := range pages {
				f.run(ctx, "private "+p.name, chromedp.Navigate(f.srv.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.ready)))
				if body := f.text(ctx, `body`); strings.Contains(body, "私密") || strings.Contains(body, "13812345678") {
					t.Errorf("%s shows the complaint's summary", p.name)
				}
			}
		})
	}
}
