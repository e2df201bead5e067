package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"

	"chengxin/registry"
)

// selected returns the selected option's value of a select, by test id.
func selected(r *resp, testid string) string {
	for _, sel := range findAll(r.root(), byTestID(testid)) {
		for _, o := range findAll(sel, byTag("option")) {
			for _, a := range o.Attr {
				if a.Key == "selected" {
					v, _ := attr(o, "value")
					return v
				}
			}
		}
	}
	return ""
}

// href is a link's target.
func href(n *html.Node) string { v, _ := attr(n, "href"); return v }

// TestSearchAsCitizensType: full pinyin, pinyin of a category, spaces
// inside Chinese, a category named in the query selected as the filter
// (shown selected, removable), an empty query that browses everyone.
func TestSearchAsCitizensType(t *testing.T) {
	e := publicEnv(t)
	c := e.client()
	anxin, jieliang, shifan := "天津河西安心家政服务有限公司", "天津南开洁亮保洁服务有限公司", "和平区示范家政服务有限公司"

	// Full pinyin of names, with or without spaces, as well as initials.
	for _, tc := range []struct {
		q    string
		want []string
		not  []string
	}{
		{"tianjin jiazheng", []string{anxin}, []string{jieliang, shifan}},
		{"tianjinjiazheng", []string{anxin}, []string{jieliang, shifan}},
		{"TianJin JiaZheng", []string{anxin}, []string{jieliang}},
		{"anxin", []string{anxin}, []string{jieliang}},
		{"hexi anxin", []string{anxin}, []string{jieliang}},
		{"jieliang", []string{jieliang}, []string{anxin}},
		{"chongqingdao", []string{"天津重庆道长乐家电维修有限公司"}, nil},
		{"tjjz", []string{anxin}, []string{jieliang}},
		{"家政", []string{anxin, shifan}, []string{jieliang}}, // two characters
	} {
		names := hitNames(c.get("/vendors?q=" + url.QueryEscape(tc.q)))
		for _, w := range tc.want {
			if !slices.Contains(names, w) {
				t.Errorf("q=%q: %q not found in %v", tc.q, w, names)
			}
		}
		for _, n := range tc.not {
			if slices.Contains(names, n) {
				t.Errorf("q=%q: %q should not match (%v)", tc.q, n, names)
			}
		}
	}

	// Spaces between Chinese characters change nothing, on the page and in the JSON.
	for _, pair := range [][2]string{{"天津 家政", "天津家政"}, {"河西 安心", "河西安心"}, {"洁 亮", "洁亮"}} {
		a, b := hitNames(c.get("/vendors?q="+url.QueryEscape(pair[0]))), hitNames(c.get("/vendors?q="+url.QueryEscape(pair[1])))
		if len(a) == 0 || !slices.Equal(a, b) {
			t.Errorf("%q found %v, %q found %v", pair[0], a, pair[1], b)
		}
		var ja, jb apiPage
		getJSON(t, c, "/api/v1/vendors?q="+url.QueryEscape(pair[0]), http.StatusOK, &ja)
		getJSON(t, c, "/api/v1/vendors?q="+url.QueryEscape(pair[1]), http.StatusOK, &jb)
		if ja.Total != len(a) || jb.Total != len(b) {
			t.Errorf("JSON totals %d and %d, pages %d and %d", ja.Total, jb.Total, len(a), len(b))
		}
	}
	if names := hitNames(c.get("/vendors?q=" + url.QueryEscape("天津 家政"))); !slices.Contains(names, anxin) {
		t.Errorf("天津 家政 does not find %s: %v", anxin, names)
	}

	// A query naming a category selects it: the select shows it, a chip
	// removes it, the rest of the query still searches names.
	for _, q := range []string{"保洁", "baojie", "bao jie", "小时工", "Home cleaning"} {
		r := c.get("/vendors?q=" + url.QueryEscape(q))
		wantStatus(t, r, http.StatusOK)
		if got := selected(r, "filter-category"); got != "cleaning" {
			t.Errorf("q=%q: category select shows %q, want cleaning", q, got)
		}
		if !r.Has("chip-category") || !strings.Contains(r.TestID("chip-category"), "保洁") {
			t.Errorf("q=%q: no category chip: %q", q, r.TestID("search-chips"))
		}
		if names := hitNames(r); !slices.Equal(sorted(names), sorted([]string{jieliang, shifan})) {
			t.Errorf("q=%q: %v, want the two cleaning vendors", q, names)
		}
		if got := r.InputValue("q"); got != "" {
			t.Errorf("q=%q: the search box still holds %q", q, got)
		}
		remove := href(findAll(r.root(), byTestID("chip-remove-category"))[0])
		if remove != "/vendors" {
			t.Errorf("q=%q: remove link %q, want /vendors", q, remove)
		}
		if rr := c.get(remove); selected(rr, "filter-category") != "" || rr.Has("chip-category") || len(hitNames(rr)) != 5 {
			t.Errorf("q=%q: after removing the category: select %q, %d hits", q, selected(rr, "filter-category"), len(hitNames(rr)))
		}
	}
	r := c.get("/vendors?q=" + url.QueryEscape("河西 保姆") + "&district=120103")
	if selected(r, "filter-category") != "housekeeping" || r.InputValue("q") != "河西" || !slices.Equal(hitNames(r), []string{anxin}) {
		t.Errorf("河西 保姆: category %q, q %q, hits %v", selected(r, "filter-category"), r.InputValue("q"), hitNames(r))
	}
	if !strings.Contains(r.TestID("category-from-q"), "“保姆”是服务类别") {
		t.Errorf("no word on the category read from the query: %q", r.TestID("category-from-q"))
	}
	if remove := href(findAll(r.root(), byTestID("chip-remove-category"))[0]); remove != "/vendors?district=120103&q=%E6%B2%B3%E8%A5%BF" {
		t.Errorf("remove category keeps the rest: %q", remove)
	}
	if remove := href(findAll(r.root(), byTestID("chip-remove-district"))[0]); remove != "/vendors?category=housekeeping&q=%E6%B2%B3%E8%A5%BF" {
		t.Errorf("remove district: %q", remove)
	}
	// A category chosen in the select is not overridden by another named in q.
	r = c.get("/vendors?q=" + url.QueryEscape("保姆") + "&category=moving")
	if selected(r, "filter-category") != "moving" || r.Has("category-from-q") {
		t.Errorf("an explicit category was replaced: %q", selected(r, "filter-category"))
	}

	// The open-data JSON reads queries the same way and says so.
	var p struct {
		apiPage
		Interpreted *struct{ Q, Category, Words string } `json:"interpreted"`
	}
	getJSON(t, c, "/api/v1/vendors?q=baojie", http.StatusOK, &p)
	if p.Total != 2 || p.Interpreted == nil || p.Interpreted.Category != "cleaning" || p.Interpreted.Words != "baojie" || p.Interpreted.Q != "" {
		t.Errorf("JSON q=baojie: total %d, interpreted %+v", p.Total, p.Interpreted)
	}
	p.Interpreted = nil
	getJSON(t, c, "/api/v1/vendors?q=anxin", http.StatusOK, &p)
	if p.Total != 1 || p.Interpreted != nil || p.Items[0]["uscc"] != pubAnxin {
		t.Errorf("JSON q=anxin: total %d, interpreted %+v", p.Total, p.Interpreted)
	}

	// Nothing typed: every vendor, best grade first; no "best match"
	// order to offer; by name in pinyin order on request.
	r = c.get("/vendors")
	wantStatus(t, r, http.StatusOK)
	names := hitNames(r)
	if len(names) != 5 || names[0] != anxin {
		t.Errorf("browse: %v, want all five, the A vendor first", names)
	}
	if !strings.Contains(r.TestID("search-total"), "全部商户") {
		t.Errorf("browse heading %q", r.TestID("search-total"))
	}
	if strings.Contains(r.Body, `value="relevance"`) {
		t.Error("browsing offers a best-match order")
	}
	r = c.get("/vendors?q=&sort=name")
	names = hitNames(r)
	if !slices.IsSortedFunc(names, func(a, b string) int { return strings.Compare(registry.NamePinyinKey(a), registry.NamePinyinKey(b)) }) || len(names) != 5 {
		t.Errorf("browse by name: %v", names)
	}
	if !strings.Contains(r.Body, "名称（拼音顺序）") {
		t.Error("the name order does not say it is pinyin order")
	}
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

// TestAPIErrorLanguage holds the README to its word: the JSON API speaks
// English (a stable code and an English message) whoever asks, while pages
// are Chinese by default.
func TestAPIErrorLanguage(t *testing.T) {
	e := newEnv(t)
	hasHan := func(s string) bool {
		return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
	}
	for _, accept := range []string{"", "zh-CN,zh;q=0.9", "en-US,en;q=0.9"} {
		c := e.client()
		if accept != "" {
			c.header.Set("Accept-Language", accept)
		}
		for path, code := range map[string]int{
			"/api/v1/vendors?page=0&grade=Z":                            http.StatusBadRequest,
			"/api/v1/vendors/" + registry.MustUSCC("91120101MA0YYYYY0"): http.StatusNotFound,
			"/api/nothing": http.StatusNotFound,
		} {
			var body struct {
				Error struct {
					Code, Message string
					Fields        map[string]string
				} `json:"error"`
			}
			getJSON(t, c, path, code, &body)
			if body.Error.Code == "" || body.Error.Message == "" || hasHan(body.Error.Message) {
				t.Errorf("Accept-Language %q, %s: %+v", accept, path, body.Error)
			}
			for f, m := range body.Error.Fields {
				if hasHan(m) {
					t.Errorf("Accept-Language %q, %s: field %s: %q", accept, path, f, m)
				}
			}
		}
	}
	if r := e.client().get("/no/such/page"); r.HTMLLang() != "zh-CN" {
		t.Errorf("pages are Chinese by default: %q", r.HTMLLang())
	}
}
