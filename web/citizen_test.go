package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"chengxin/registry"
	"chengxin/views"
)

// inlineScripts describes any script on a page other than the one static
// file (no inline script: the Content-Security-Policy forbids it, and the
// pages must work without script); "" when there is none.
func inlineScripts(r *resp) string {
	var bad []string
	for _, s := range findAll(r.root(), byTag("script")) {
		src, _ := attr(s, "src")
		if src != "/static/citizen.js?v="+views.StaticVersion("citizen.js") || s.FirstChild != nil {
			var b strings.Builder
			html.Render(&b, s)
			bad = append(bad, b.String())
		}
	}
	return strings.Join(bad, "; ")
}

// TestCitizenTouches: every public page names 8890 in its footer and links
// the favicon; a profile says how to report a problem and shows its
// address to copy (selectable without script, with a copy button the
// script reveals); the sticker shows 8890, the date it is printed on, a
// print button, and links an A6 print sheet; the script and the icon are
// served with the right types.
func TestCitizenTouches(t *testing.T) {
	e := publicEnv(t)
	c := e.client()
	for _, path := range []string{"/", "/vendors", "/vendors/" + pubAnxin, "/lists/red", "/lists/black", "/orgs", "/methodology", "/vendors/" + registry.MustUSCC("91120101MA0YYYYY0")} {
		for _, lang := range []string{"?lang=zh", "?lang=en"} {
			r := c.get(path + lang)
			if !strings.Contains(r.TestID("footer-8890"), "8890") {
				t.Errorf("%s%s: footer without 8890: %q", path, lang, r.TestID("footer-8890"))
			}
			if !strings.Contains(r.Body, `<link rel="icon" type="image/svg+xml" href="/static/favicon.svg?v=`) {
				t.Errorf("%s%s: no favicon link", path, lang)
			}
		}
	}
	if r := c.get("/console/login"); !strings.Contains(r.Body, `rel="icon"`) {
		t.Error("the console has no favicon")
	}

	r := c.get("/vendors/" + pubAnxin + "?lang=zh")
	if got := r.TestID("report-8890"); !strings.Contains(got, "8890") || !strings.Contains(got, "请拨打天津 8890") {
		t.Errorf("profile: report line %q", got)
	}
	tel := findAll(r.root(), func(n *html.Node) bool { h, _ := attr(n, "href"); return n.Data == "a" && h == "tel:8890" })
	if len(tel) < 2 {
		t.Errorf("profile: %d tel:8890 links, want the help box's and the footer's", len(tel))
	}
	share := findAll(r.root(), byTestID("share-url"))
	if len(share) != 1 {
		t.Fatalf("profile: %d share fields", len(share))
	}
	if v := text(share[0]); v != "http://localhost/vendors/"+pubAnxin || share[0].Data != "textarea" { // the public origin the sticker uses too
		t.Errorf("share field %s holds %q", share[0].Data, v)
	}
	if _, ro := attr(share[0], "readonly"); !ro {
		t.Error("the share field is editable")
	}
	button := findAll(r.root(), byTestID("copy-link"))
	if len(button) != 1 {
		t.Fatal("no copy button")
	}
	if _, hidden := attr(button[0], "hidden"); !hidden {
		t.Error("the copy button shows without script (it would do nothing)")
	}
	if d, _ := attr(button[0], "data-done"); d != "链接已复制。" {
		t.Errorf("copy button's done message %q", d)
	}
	if bad := inlineScripts(r); bad != "" || !strings.Contains(r.Body, `<script src="/static/citizen.js?v=`) {
		t.Errorf("profile scripts: %q", bad)
	}
	en := c.get("/vendors/" + pubAnxin + "?lang=en")
	if got := en.TestID("report-8890"); !strings.Contains(got, "call Tianjin's 8890 service hotline") {
		t.Errorf("English report line %q", got)
	}

	r = c.get("/vendors/" + pubAnxin + "/sticker?lang=zh")
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.TestID("sticker-8890"), "8890") {
		t.Errorf("sticker without 8890: %q", r.TestID("sticker-8890"))
	}
	if got := r.TestID("sticker-printed-on"); got != "打印日期 "+t0.Format("2006-01-02") {
		t.Errorf("sticker printed-on %q", got)
	}
	if b := findAll(r.root(), byTestID("sticker-print")); len(b) != 1 {
		t.Error("no print button")
	} else if _, hidden := attr(b[0], "hidden"); !hidden {
		t.Error("the print button shows without script")
	}
	if !strings.Contains(r.Body, `href="/static/sticker.css?v=`) {
		t.Error("the sticker does not link its A6 print sheet")
	}
	if got := c.get("/vendors/" + pubAnxin + "/sticker?lang=en").TestID("sticker-printed-on"); got != "Printed on "+t0.Format("2006-01-02") {
		t.Errorf("English printed-on %q", got)
	}

	for name, want := range map[string]*regexp.Regexp{
		"citizen.js":  regexp.MustCompile(`^text/javascript`),
		"favicon.svg": regexp.MustCompile(`^image/svg\+xml`),
		"sticker.css": regexp.MustCompile(`^text/css`),
	} {
		r := c.get("/static/" + name + "?v=" + views.StaticVersion(name))
		wantStatus(t, r, http.StatusOK)
		if !want.MatchString(r.Header.Get("Content-Type")) || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: %s, %s", name, r.Header.Get("Content-Type"), r.Header.Get("Cache-Control"))
		}
	}
	if css := c.get("/static/sticker.css").Body; !strings.Contains(css, "@page { size: 105mm 148mm; size: A6;") {
		t.Errorf("sticker.css: %s", css)
	}
}
