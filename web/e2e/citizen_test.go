package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// hitNames are the names in the result list, in order.
func (f *fixture) hitNames(ctx context.Context) []string {
	f.t.Helper()
	names, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid=hit-link]')].map(a => a.textContent.trim())`))
	if err != nil {
		f.t.Fatalf("hit names: %v", err)
	}
	return names
}

// value is a form control's current value.
func (f *fixture) value(ctx context.Context, sel string) string {
	f.t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('`+sel+`').value`))
	if err != nil {
		f.t.Fatalf("value of %s: %v", sel, err)
	}
	return v
}

// TestCitizenSearchesByCategoryAndBrowses: on a 390 px phone a citizen
// types "baojie" (the pinyin of 保洁, cleaning) on the home page; the
// results page shows the cleaning filter selected, with a chip that
// removes it; removing it lists every vendor; sorted by name, the list is
// in pinyin order (not in the order of the characters' code points).
func TestCitizenSearchesByCategoryAndBrowses(t *testing.T) {
	f := newFixture(t)
	f.publish()
	ctx := f.browser(390)
	f.run(ctx, "home", chromedp.Navigate(f.srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=search-q]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=search-q]`), "baojie"))
	f.submit(ctx, "search", chromedp.Submit(chromedp.CSS(`[data-testid=search-q]`)))
	f.run(ctx, "results", chromedp.WaitVisible(chromedp.CSS(`[data-testid=chip-category]`)))
	if got := f.value(ctx, `[data-testid=filter-category]`); got != "cleaning" {
		t.Errorf("the category filter shows %q, want cleaning", got)
	}
	if got := f.text(ctx, `[data-testid=chip-category]`); !strings.Contains(got, "保洁") {
		t.Errorf("chip %q", got)
	}
	if got := f.text(ctx, `[data-testid=category-from-q]`); !strings.Contains(got, "baojie") || !strings.Contains(got, "保洁") {
		t.Errorf("notice %q", got)
	}
	if names := f.hitNames(ctx); !slices.Equal(names, []string{"天津南开洁亮保洁服务有限公司"}) {
		t.Errorf("cleaning vendors %v", names)
	}
	f.noHorizontalScroll(ctx, "category search")
	f.checkAxe(ctx, "category search")
	f.screenshot(ctx, "search-category-390")

	f.submit(ctx, "remove the category", chromedp.Click(chromedp.CSS(`[data-testid=chip-remove-category]`)))
	f.run(ctx, "all vendors", chromedp.WaitVisible(chromedp.CSS(`[data-testid=search-results]`)))
	if got := f.value(ctx, `[data-testid=filter-category]`); got != "" {
		t.Errorf("after removing it the category filter shows %q", got)
	}
	if names := f.hitNames(ctx); len(names) != len(f.vendors) {
		t.Errorf("browse lists %d vendors, want %d: %v", len(names), len(f.vendors), names)
	}

	// Sorted by name: pinyin order.
	f.run(ctx, "sort by name", chromedp.SetValue(chromedp.CSS(`#f-sort`), "name"))
	f.submit(ctx, "apply the sort", chromedp.Click(chromedp.CSS(`[data-testid=search-submit]`)))
	f.run(ctx, "sorted", chromedp.WaitVisible(chromedp.CSS(`[data-testid=search-results]`)))
	want := []string{"<b>天津红桥</b>测试搬家有限公司", "天津河东暖阳母婴护理有限公司", "天津和平巧手家电维修有限公司",
		"天津河西安心家政服务有限公司", "天津南开洁亮保洁服务有限公司"}
	if names := f.hitNames(ctx); !slices.Equal(names, want) {
		t.Errorf("by name %v, want pinyin order %v", names, want)
	}
	if got := f.value(ctx, `#f-sort`); got != "name" {
		t.Errorf("the sort shows %q", got)
	}
	f.noHorizontalScroll(ctx, "browse by name")
	f.checkAxe(ctx, "browse by name")
	f.screenshot(ctx, "browse-name-390")

	// A space typed between Chinese words changes nothing.
	f.run(ctx, "spaced", chromedp.Navigate(f.srv.URL+"/vendors?q="+url.QueryEscape("河西 安心")), chromedp.WaitVisible(chromedp.CSS(`[data-testid=search-results]`)))
	if names := f.hitNames(ctx); len(names) == 0 || names[0] != "天津河西安心家政服务有限公司" {
		t.Errorf("河西 安心: %v", names)
	}
}

// TestCitizenCopiesProfileLink: the profile's address is shown selectable;
// the script reveals a copy button that puts it on the clipboard and says
// so; the profile and the footer name 8890.
func TestCitizenCopiesProfileLink(t *testing.T) {
	f := newFixture(t)
	f.publish()
	v := f.vendors[0]
	ctx := f.browser(390)
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted, Origin: f.srv.URL}); err != nil {
			t.Fatalf("permission %s: %v", name, err)
		}
	}
	f.run(ctx, "profile", chromedp.Navigate(f.srv.URL+"/vendors/"+v.USCC), chromedp.WaitVisible(chromedp.CSS(`[data-testid=copy-link]`)))
	want := f.srv.URL + "/vendors/" + v.USCC
	if got := f.value(ctx, `[data-testid=share-url]`); got != want {
		t.Errorf("share field %q, want %q", got, want)
	}
	if got := f.text(ctx, `[data-testid=report-8890]`); !strings.Contains(got, "8890") {
		t.Errorf("report line %q", got)
	}
	if got := f.text(ctx, `[data-testid=footer-8890]`); !strings.Contains(got, "8890") {
		t.Errorf("footer %q", got)
	}
	f.run(ctx, "copy", chromedp.Click(chromedp.CSS(`[data-testid=copy-link]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector('[data-testid=copy-status]').textContent !== ''`, chromedp.WithPollingTimeout(5*time.Second)))
	if got := f.text(ctx, `[data-testid=copy-status]`); got != "链接已复制。" {
		t.Errorf("after copying: %q", got)
	}
	clip, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil || clip != want {
		t.Errorf("clipboard holds %q (%v), want %q", clip, err, want)
	}
	f.noHorizontalScroll(ctx, "profile")
	f.checkAxe(ctx, "profile with copy button")
	f.screenshot(ctx, "profile-help-390")
}

// TestStickerPrintsOnA6: the sticker shows 8890 and the date it is printed
// on, a print button (from the script), and prints as one A6 page.
func TestStickerPrintsOnA6(t *testing.T) {
	f := newFixture(t)
	f.publish()
	v := f.vendors[0]
	ctx := f.browser(390)
	f.run(ctx, "sticker", chromedp.Navigate(f.srv.URL+"/vendors/"+v.USCC+"/sticker"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=sticker-print]`)))
	if got := f.text(ctx, `[data-testid=sticker-8890]`); !strings.Contains(got, "8890") {
		t.Errorf("sticker hotline %q", got)
	}
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	if got := f.text(ctx, `[data-testid=sticker-printed-on]`); got != "打印日期 "+today {
		t.Errorf("printed on %q, want %s", got, today)
	}
	f.checkAxe(ctx, "sticker")
	f.screenshot(ctx, "sticker-print-390")
	pdf, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: ptr(true), PrintBackground: ptr(true)})
	if err != nil {
		t.Fatalf("print: %v", err)
	}
	if dir := os.Getenv("CHENGXIN_ARTIFACTS"); dir != "" {
		os.WriteFile(filepath.Join(dir, "sticker-A6.pdf"), pdf.Data, 0o644)
	}
	pages := bytes.Count(pdf.Data, []byte("/Type /Page")) - bytes.Count(pdf.Data, []byte("/Type /Pages"))
	if pages != 1 {
		t.Errorf("the sticker prints on %d pages, want 1", pages)
	}
	box := regexp.MustCompile(`/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]`).FindSubmatch(pdf.Data)
	if box == nil {
		t.Fatal("no page size in the PDF")
	}
	w, _ := strconv.ParseFloat(string(box[1]), 64)
	h, _ := strconv.ParseFloat(string(box[2]), 64)
	const a6w, a6h = 105 / 25.4 * 72, 148 / 25.4 * 72 // points
	if d := max(w-a6w, a6w-w, h-a6h, a6h-h); d > 2 {
		t.Errorf("printed page %.1f × %.1f pt, want A6 %.1f × %.1f", w, h, a6w, a6h)
	}
}

func ptr[T any](v T) *T { return &v }

// clippedText lists text the page cuts: an HTML element whose text
// overflows a box that hides it (text meant for screen readers only
// aside), a select too narrow for its chosen option, or an SVG label
// outside its chart or under one of its bars.
const clippedText = `(() => {
	const out = [];
	for (const el of document.querySelectorAll('body *')) {
		if (el.closest('svg') || el.closest('.visually-hidden') || !el.textContent.trim() || el.children.length > 0 && el.tagName !== 'BUTTON') continue;
		const cs = getComputedStyle(el);
		const hides = ['hidden', 'clip'].includes(cs.overflowX) || cs.textOverflow === 'ellipsis';
		if (hides && el.scrollWidth > el.clientWidth + 1) out.push(el.tagName + ': ' + el.textContent.trim().slice(0, 40));
	}
	const ctx = document.createElement('canvas').getContext('2d');
	for (const sel of document.querySelectorAll('select')) {
		const o = sel.selectedOptions[0], cs = getComputedStyle(sel);
		if (!o || sel.offsetParent === null) continue;
		ctx.font = cs.fontWeight + ' ' + cs.fontSize + ' ' + cs.fontFamily;
		const room = sel.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 20; // the arrow
		if (ctx.measureText(o.text).width > room) out.push('select ' + (sel.id || sel.name) + ': ' + o.text);
	}
	for (const svg of document.querySelectorAll('svg.chart')) {
		const vb = svg.viewBox.baseVal, rects = [...svg.querySelectorAll('rect')].map(r => r.getBBox());
		for (const t of svg.querySelectorAll('text')) {
			const b = t.getBBox();
			if (b.x < 0 || b.x + b.width > vb.width + 0.5 || b.y < 0 || b.y + b.height > vb.height + 0.5) out.push('outside the chart: ' + t.textContent);
			for (const r of rects) {
				if (b.x < r.x + r.width && r.x < b.x + b.width && b.y < r.y + r.height && r.y < b.y + b.height) out.push('under a bar: ' + t.textContent);
			}
		}
	}
	return out;
})()`

// TestPublicPagesInBothLanguages: home, search, methodology, a profile and
// its sticker in Chinese and English at 390 and 1280 px: nothing scrolls
// sideways, no label is cut (the home chart's "Grade A · trustworthy"
// was), axe finds nothing serious; screenshots for a person to look at.
func TestPublicPagesInBothLanguages(t *testing.T) {
	for _, width := range []int{390, 1280} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			f := newFixture(t)
			f.publish()
			ctx := f.browser(width)
			v := f.vendors[0]
			pages := []struct{ name, path, ready string }{
				{"home", "/", `[data-testid=home-distribution]`},
				{"search", "/vendors?q=" + url.QueryEscape("家政"), `[data-testid=search-results]`},
				{"search-category", "/vendors?q=" + url.QueryEscape("月嫂"), `[data-testid=chip-category]`},
				{"browse", "/vendors", `[data-testid=search-results]`},
				{"methodology", "/methodology", `[data-testid=method-state]`},
				{"profile", "/vendors/" + v.USCC, `[data-testid=profile-help]`},
				{"sticker", "/vendors/" + v.USCC + "/sticker", `[data-testid=sticker]`},
				{"red-list", "/lists/red", `[data-testid=list-total]`},
				{"black-list", "/lists/black", `[data-testid=list-total]`},
				{"orgs", "/orgs", `h1`},
			}
			for _, lang := range []string{"zh", "en"} {
				for _, p := range pages {
					sep := map[bool]string{true: "&", false: "?"}[strings.Contains(p.path, "?")]
					name := p.name + "-" + lang
					f.run(ctx, name, chromedp.Navigate(f.srv.URL+p.path+sep+"lang="+lang), chromedp.WaitVisible(chromedp.CSS(p.ready)))
					f.noHorizontalScroll(ctx, name)
					cut, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](clippedText))
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if len(cut) > 0 {
						t.Errorf("%s cuts text: %v", name, cut)
					}
					f.checkAxe(ctx, name)
					f.screenshot(ctx, fmt.Sprintf("%s-%d", name, width))
				}
			}
		})
	}
}
