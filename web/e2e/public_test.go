package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

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
	// Its window sticker says the grade is not published yet.
	f.submit(ctx, "open sticker", chromedp.Click(chromedp.CSS(`[data-testid=sticker-link]`)))
	f.run(ctx, "sticker", chromedp.WaitVisible(chromedp.CSS(`[data-testid=sticker]`)))
	if got := f.text(ctx, `[data-testid=sticker-name]`); got != "天津南开洁亮保洁服务有限公司" {
		t.Errorf("sticker name = %q", got)
	}
	if got := f.text(ctx, `[data-testid=sticker-note]`); !strings.Contains(got, "尚未公示") {
		t.Errorf("sticker note before publication = %q", got)
	}
	f.noHorizontalScroll(ctx, "sticker")

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

// TestCitizenOpensSticker: on a 390 px phone a citizen finds a vendor whose
// grade is published, opens its profile and follows the link to the
// printable window sticker, which shows the vendor's name, the published
// grade and a QR code of the profile's address.
func TestCitizenOpensSticker(t *testing.T) {
	f := newFixture(t)
	f.publish()
	v := f.vendors[0]
	ctx := f.browser(390)
	f.run(ctx, "search", chromedp.Navigate(f.srv.URL+"/vendors?q="+url.QueryEscape("安心")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=hit-link]`)))
	f.submit(ctx, "open profile", chromedp.Click(chromedp.CSS(`[data-testid=hit-link]`)))
	f.run(ctx, "profile", chromedp.WaitVisible(chromedp.CSS(`[data-testid=headline]`)))
	letter := f.text(ctx, `[data-testid=headline-grade]`)
	label := f.text(ctx, `[data-testid=headline-label]`)
	if letter == "" || label == "" {
		t.Fatalf("published grade %q %q", letter, label)
	}
	f.submit(ctx, "open sticker", chromedp.Click(chromedp.CSS(`[data-testid=sticker-link]`)))
	f.run(ctx, "sticker", chromedp.WaitVisible(chromedp.CSS(`[data-testid=sticker]`)))
	if got := f.text(ctx, `[data-testid=sticker-name]`); got != v.Name {
		t.Errorf("sticker name = %q, want %q", got, v.Name)
	}
	if got := f.text(ctx, `[data-testid=sticker-grade]`); !strings.Contains(got, letter) || !strings.Contains(got, label) {
		t.Errorf("sticker grade = %q, want %s %s", got, letter, label)
	}
	if got := f.text(ctx, `[data-testid=sticker-note]`); strings.Contains(got, "尚未公示") {
		t.Errorf("the sticker calls a published grade unpublished: %q", got)
	}
	if got := f.text(ctx, `[data-testid=sticker] .sticker-url`); got != f.srv.URL+"/vendors/"+v.USCC {
		t.Errorf("sticker address = %q", got)
	}
	// The QR code is an SVG image that loads and is drawn.
	f.run(ctx, "QR code loaded", chromedp.Poll[chromedp.Void](`(() => { const i = document.querySelector('[data-testid=sticker-qr]');
		return i.complete && i.naturalWidth > 0 })()`, chromedp.WithPollingTimeout(10*time.Second)))
	type qrInfo struct {
		Src, Alt, Type, Start string
		Width                 float64
	}
	qr, err := chromedp.Run(ctx, chromedp.Evaluate[qrInfo](`(async () => { const i = document.querySelector('[data-testid=sticker-qr]');
		const r = await fetch(i.src); const body = await r.text();
		return {src: i.getAttribute('src'), alt: i.alt, type: r.headers.get('Content-Type'), start: body.slice(0, 4), width: i.getBoundingClientRect().width} })()`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("QR code: %v", err)
	}
	if qr.Src != "/vendors/"+v.USCC+"/qr.svg" || !strings.HasPrefix(qr.Type, "image/svg+xml") || qr.Start != "<svg" || qr.Alt == "" || qr.Width < 100 {
		t.Errorf("QR code = %+v", qr)
	}
	f.noHorizontalScroll(ctx, "sticker")
	f.checkAxe(ctx, "sticker")
	f.screenshot(ctx, "sticker-390")
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
