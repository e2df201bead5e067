package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"chengxin/registry"
	"chengxin/registry/synth"
	"chengxin/scoring"
	"chengxin/web"
)

// Public fixture vendors (besides newEnv's 和平区示范家政服务有限公司, cleaning).
var (
	pubAnxin    = registry.MustUSCC("91120103MA0PUB001") // 天津河西安心家政服务有限公司: grade A, complaint with private summary
	pubJieliang = registry.MustUSCC("91120104MA0PUB002") // 天津南开洁亮保洁服务有限公司: blacklisted
	pubHTML     = registry.MustUSCC("91120106MA0PUB003") // a name with HTML
	pubChong    = registry.MustUSCC("91120101MA0PUB004") // 天津重庆道长乐家电维修有限公司: polyphonic characters
)

// privateSummary is a complaint's private text: it must never reach a public page.
const privateSummary = "家中财物疑似丢失，投诉人住址保密（私密投诉内容）"

const blacklistReason = "无证经营且拒不整改，经依法认定列入严重失信名单"

// publicEnv seeds vendors with hotline records, a blacklist entry and a
// membership, and evaluates everyone at t0.
func publicEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	ctx := context.Background()
	seed := []struct {
		uscc, name, district, category string
	}{
		{pubAnxin, "天津河西安心家政服务有限公司", "120103", "housekeeping"},
		{pubJieliang, "天津南开洁亮保洁服务有限公司", "120104", "cleaning"},
		{pubHTML, "<b>天津红桥</b>测试搬家有限公司", "120106", "moving"},
		{pubChong, "天津重庆道长乐家电维修有限公司", "120101", "appliance_repair"},
	}
	for _, s := range seed {
		in := vendorInput(s.uscc, s.name)
		in.Districts, in.Categories = []string{s.district}, []string{s.category}
		in.RegisteredAt, in.InsuranceValidUntil = "2022-01-10", "2027-12-31"
		if _, err := e.db.CreateVendor(ctx, registry.CLIActor, in); err != nil {
			t.Fatalf("CreateVendor %s: %v", s.name, err)
		}
	}
	hotline := registry.Actor{Kind: "token", Name: "hotline"}
	var cbs []registry.CallbackInput
	var vols []registry.VolumeInput
	for i := 0; i < 30; i++ {
		day := t0.AddDate(0, 0, -3*(i+1))
		cbs = append(cbs, registry.CallbackInput{WorkOrderNo: fmt.Sprintf("8890-PUB-CB-%03d", i), VendorUSCC: pubAnxin,
			CalledAt: day.Format(time.RFC3339), Result: "satisfied"})
	}
	for m := 1; m <= 12; m++ {
		orders := int64(900)
		vols = append(vols, registry.VolumeInput{VendorUSCC: pubAnxin, Month: t0.AddDate(0, -m, 0).Format("2006-01"), Orders: &orders, Source: "dispatch"})
	}
	cbs = append(cbs, registry.CallbackInput{WorkOrderNo: "8890-PUB-CB-J1", VendorUSCC: pubJieliang,
		CalledAt: t0.AddDate(0, -1, 0).Format(time.RFC3339), Result: "dissatisfied"})
	if s, err := e.db.IngestCallbacks(ctx, hotline, cbs, nil); err != nil || s.Rejected > 0 {
		t.Fatalf("IngestCallbacks: %v %+v", err, s)
	}
	if s, err := e.db.IngestVolumes(ctx, hotline, vols, nil); err != nil || s.Rejected > 0 {
		t.Fatalf("IngestVolumes: %v %+v", err, s)
	}
	received := t0.AddDate(0, -2, 0)
	complaints := []registry.ComplaintInput{{WorkOrderNo: "8890-PUB-CP-1", VendorUSCC: pubAnxin, ReceivedAt: received.Format(time.RFC3339),
		Channel: "phone", Category: "housekeeping", Status: "closed", Outcome: "unsubstantiated",
		DeadlineAt: received.AddDate(0, 0, 7).Format(time.RFC3339), ClosedAt: received.AddDate(0, 0, 3).Format(time.RFC3339),
		Summary: privateSummary + " 联系电话13812345678"}}
	if s, err := e.db.IngestComplaints(ctx, hotline, complaints, nil); err != nil || s.Rejected > 0 {
		t.Fatalf("IngestComplaints: %v %+v", err, s)
	}
	raw := e.rawDB()
	if _, err := raw.Exec(`INSERT INTO sanctions(vendor_id, kind, issued_at, display_until, reference, summary, created_by, created_at)
		SELECT id, 'blacklist', ?, NULL, '津市监信〔2025〕1号', ?, 'test', ? FROM vendors WHERE uscc = ?`,
		t0.AddDate(0, 0, -20).UTC().Format(time.RFC3339), blacklistReason, t0.UTC().Format(time.RFC3339), pubJieliang); err != nil {
		t.Fatalf("insert sanction: %v", err)
	}
	e.activeMember(e.org.ID, pubAnxin)
	if _, err := e.db.Rescore(ctx, registry.RescoreOptions{}); err != nil {
		t.Fatalf("Rescore: %v", err)
	}
	return e
}

// cells returns the rows of a table's body, header cells (th) included.
func cells(r *resp, id string) [][]string {
	var out [][]string
	for _, tbl := range findAll(r.root(), byTestID(id)) {
		for _, tb := range findAll(tbl, byTag("tbody")) {
			for _, tr := range findAll(tb, byTag("tr")) {
				var row []string
				for _, cell := range findAll(tr, func(n *html.Node) bool { return n.Data == "td" || n.Data == "th" }) {
					row = append(row, text(cell))
				}
				out = append(out, row)
			}
		}
	}
	return out
}

// fresh asks for data as of now (Cache-Control: no-cache), as a browser's
// reload does.
var fresh = map[string]string{"Cache-Control": "no-cache"}

// hitNames lists the vendor names of a result page, in order.
func hitNames(r *resp) []string {
	var out []string
	for _, n := range findAll(r.root(), byTestID("hit-link")) {
		out = append(out, text(n))
	}
	return out
}

type apiPage struct {
	Items   []map[string]any `json:"items"`
	Page    int              `json:"page"`
	PerPage int              `json:"per_page"`
	Total   int              `json:"total"`
}

func getJSON(t *testing.T, c *client, path string, want int, into any) *resp {
	t.Helper()
	r := c.get(path)
	if r.Code != want {
		t.Fatalf("GET %s: status %d, want %d\n%s", path, r.Code, want, r)
	}
	if into != nil {
		if err := json.Unmarshal([]byte(r.Body), into); err != nil {
			t.Fatalf("GET %s: %v\n%s", path, err, r.Body)
		}
	}
	return r
}

func TestPublicSearchMatches(t *testing.T) {
	e := publicEnv(t)
	c := e.client()
	cases := []struct {
		name, q string
		want    []string // names that must be found
		first   string   // the best match, when it matters
		not     []string
	}{
		{"name substring (trigram)", "安心家政", []string{"天津河西安心家政服务有限公司"}, "天津河西安心家政服务有限公司", []string{"天津南开洁亮保洁服务有限公司"}},
		{"two characters", "洁亮", []string{"天津南开洁亮保洁服务有限公司"}, "天津南开洁亮保洁服务有限公司", []string{"天津河西安心家政服务有限公司"}},
		{"one character", "乐", []string{"天津重庆道长乐家电维修有限公司"}, "", nil},
		{"synonym 保姆 → housekeeping", "保姆", []string{"天津河西安心家政服务有限公司"}, "", []string{"天津南开洁亮保洁服务有限公司"}},
		{"synonym 小时工 → cleaning", "小时工", []string{"天津南开洁亮保洁服务有限公司", "和平区示范家政服务有限公司"}, "", []string{"天津河西安心家政服务有限公司"}},
		{"pinyin initials in pieces", "tjjz", []string{"天津河西安心家政服务有限公司"}, "", []string{"天津南开洁亮保洁服务有限公司"}},
		{"pinyin initials, upper case", "TJHX", []string{"天津河西安心家政服务有限公司"}, "", nil},
		{"polyphonic 重 as chong", "cqd", []string{"天津重庆道长乐家电维修有限公司"}, "", nil},
		{"polyphonic 重 as zhong", "zqd", []string{"天津重庆道长乐家电维修有限公司"}, "", nil},
		{"partial USCC", pubJieliang[6:14], []string{"天津南开洁亮保洁服务有限公司"}, "天津南开洁亮保洁服务有限公司", nil},
		{"full USCC, lower case", strings.ToLower(pubChong), []string{"天津重庆道长乐家电维修有限公司"}, "天津重庆道长乐家电维修有限公司", nil},
		{"two words", "河西 保姆", []string{"天津河西安心家政服务有限公司"}, "", []string{"和平区示范家政服务有限公司"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.get("/vendors?q=" + url.QueryEscape(tc.q))
			wantStatus(t, r, http.StatusOK)
			names := hitNames(r)
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
			if tc.first != "" && (len(names) == 0 || names[0] != tc.first) {
				t.Errorf("q=%q: first hit %v, want %q", tc.q, names, tc.first)
			}
		})
	}
	// The page says which category a synonym named, and selects it.
	if r := c.get("/vendors?q=" + url.QueryEscape("小时工")); !strings.Contains(r.TestID("category-from-q"), "“小时工”是服务类别，已按“保洁”筛选") {
		t.Errorf("synonym search does not name the category: %q", r.TestID("category-from-q"))
	}
}

func TestPublicSearchFiltersSortsAndPages(t *testing.T) {
	e := publicEnv(t)
	c := e.client()
	var all apiPage
	getJSON(t, c, "/api/v1/vendors", http.StatusOK, &all)
	if all.Total != 5 || len(all.Items) != 5 || all.Page != 1 || all.PerPage != 20 {
		t.Fatalf("all vendors: total %d, %d items, page %d/%d", all.Total, len(all.Items), all.Page, all.PerPage)
	}
	var codes []string
	for _, it := range all.Items {
		codes = append(codes, it["uscc"].(string))
	}
	if !sort.StringsAreSorted(codes) {
		t.Errorf("default order (no query) is by USCC: %v", codes)
	}

	var p apiPage
	getJSON(t, c, "/api/v1/vendors?category=cleaning", http.StatusOK, &p)
	if p.Total != 2 {
		t.Errorf("category=cleaning: total %d, want 2", p.Total)
	}
	getJSON(t, c, "/api/v1/vendors?district=120103", http.StatusOK, &p)
	if p.Total != 1 || p.Items[0]["uscc"] != pubAnxin {
		t.Errorf("district=120103: %+v", p)
	}
	// Grades: the evaluated grade filters (A: the vendor with a track record, D: blacklisted).
	getJSON(t, c, "/api/v1/vendors?grade=A", http.StatusOK, &p)
	if p.Total != 1 || p.Items[0]["uscc"] != pubAnxin {
		t.Fatalf("grade=A: %+v", p)
	}
	getJSON(t, c, "/api/v1/vendors?grade=d", http.StatusOK, &p)
	if p.Total != 1 || p.Items[0]["uscc"] != pubJieliang {
		t.Errorf("grade=d: %+v", p)
	}
	// Sorts.
	getJSON(t, c, "/api/v1/vendors?sort=name", http.StatusOK, &p)
	var names []string
	for _, it := range p.Items {
		names = append(names, it["name"].(string))
	}
	if !slices.IsSortedFunc(names, func(a, b string) int { return strings.Compare(registry.NamePinyinKey(a), registry.NamePinyinKey(b)) }) ||
		names[0] != "<b>天津红桥</b>测试搬家有限公司" || names[1] != "和平区示范家政服务有限公司" {
		t.Errorf("sort=name is not pinyin order: %v", names)
	}
	// By the score shown: before any publication the evaluation's, none
	// for N (those last).
	getJSON(t, c, "/api/v1/vendors?sort=score", http.StatusOK, &p)
	var scores []float64
	for _, it := range p.Items {
		score := -1.0
		if ev := it["evaluation"].(map[string]any); ev["grade"] != "N" {
			score = ev["score"].(float64)
		}
		scores = append(scores, score)
	}
	if !sort.IsSorted(sort.Reverse(sort.Float64Slice(scores))) {
		t.Errorf("sort=score: %v", scores)
	}
	getJSON(t, c, "/api/v1/vendors?sort=grade", http.StatusOK, &p)
	if p.Items[0]["uscc"] != pubAnxin || p.Items[len(p.Items)-1]["evaluation"].(map[string]any)["grade"] != "N" {
		t.Errorf("sort=grade: A first, N last: %v", p.Items)
	}
	// Pages.
	seen := map[string]bool{}
	for page := 1; page <= 3; page++ {
		getJSON(t, c, fmt.Sprintf("/api/v1/vendors?per_page=2&page=%d", page), http.StatusOK, &p)
		if p.Total != 5 || p.PerPage != 2 {
			t.Fatalf("page %d: %+v", page, p)
		}
		for _, it := range p.Items {
			seen[it["uscc"].(string)] = true
		}
	}
	if len(seen) != 5 {
		t.Errorf("three pages of two hold %d distinct vendors, want 5", len(seen))
	}
	getJSON(t, c, "/api/v1/vendors?page=999999", http.StatusOK, &p)
	if len(p.Items) != 0 || p.Total != 5 || p.Page != 999999 {
		t.Errorf("page past the end: %+v", p)
	}
	// Bad parameters: a 400 naming each.
	for _, bad := range []string{"page=0", "page=-1", "page=x", "per_page=0", "per_page=101", "per_page=10000",
		"grade=Z", "category=flying", "district=999999", "sort=random"} {
		var body struct {
			Error struct {
				Code    string            `json:"code"`
				Message string            `json:"message"`
				Fields  map[string]string `json:"fields"`
			} `json:"error"`
		}
		getJSON(t, c, "/api/v1/vendors?"+bad, http.StatusBadRequest, &body)
		field, _, _ := strings.Cut(bad, "=")
		if body.Error.Code != "bad_request" || body.Error.Message == "" || body.Error.Fields[field] == "" {
			t.Errorf("%s: %+v", bad, body)
		}
	}
	// Pages are lenient: a bad filter is dropped with a notice, a bad page is page 1.
	r := c.get("/vendors?q=" + url.QueryEscape("家政") + "&grade=Z&page=-1")
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.TestID("search-notice"), "等级只能是") || len(hitNames(r)) == 0 {
		t.Errorf("bad grade on the page: notice %q, hits %v", r.TestID("search-notice"), hitNames(r))
	}
	r = c.get("/vendors?q=" + url.QueryEscape("家政") + "&page=999999")
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.TestID("search-empty"), "这一页已经没有结果了") {
		t.Errorf("page past the end: %q", r.TestID("search-empty"))
	}
	// Page links keep the query and filters.
	r = c.get("/vendors?district=120101&sort=name")
	if n := len(hitNames(r)); n != 2 {
		t.Errorf("district=120101 on the page: %d hits, want 2", n)
	}
}

func TestPublicSearchHostileInput(t *testing.T) {
	e := publicEnv(t)
	c := e.client()
	for _, q := range []string{`" OR 1=1 --`, `NEAR(`, `"unbalanced`, `安心"家政`, `*`, `') OR ('1'='1`, `name:安心`, `^安心`,
		`%`, `_`, `\`, "\x00", "安心 AND 家政", strings.Repeat("家", 2000), strings.Repeat("a", 2000), "{uscc}:911"} {
		for _, path := range []string{"/vendors?q=", "/api/v1/vendors?q="} {
			r := c.get(path + url.QueryEscape(q))
			if r.Code != http.StatusOK {
				t.Errorf("GET %s%.40q: status %d\n%s", path, q, r.Code, r.Body)
			}
		}
	}
	// A quote inside a name is plain text too.
	r := c.get("/vendors?q=" + url.QueryEscape(`" OR 1=1 --`))
	if len(hitNames(r)) != 0 {
		t.Errorf("SQL in q matched %v", hitNames(r))
	}
	if !r.Has("search-empty") || !strings.Contains(r.Body, "可以试试") {
		t.Errorf("an empty result suggests what to try")
	}
}

func TestPublicPagesEscapeHTML(t *testing.T) {
	e := publicEnv(t)
	c := e.client()
	for _, path := range []string{"/vendors?q=" + url.QueryEscape("红桥"), "/vendors/" + pubHTML, "/vendors/" + pubHTML + "/sticker"} {
		r := c.get(path)
		wantStatus(t, r, http.StatusOK)
		if strings.Contains(r.Body, "<b>天津红桥</b>") || !strings.Contains(r.Body, "&lt;b&gt;天津红桥&lt;/b&gt;") {
			t.Errorf("%s: the name is not escaped", path)
		}
	}
	r := c.get("/vendors/" + pubHTML + "/badge.svg")
	if strings.Contains(r.Body, "<b>") || !strings.Contains(r.Body, "&lt;b&gt;") {
		t.Errorf("badge: the name is not escaped: %s", r.Body)
	}
	var v map[string]any
	getJSON(t, c, "/api/v1/vendors/"+pubHTML, http.StatusOK, &v)
	if v["name"] != "<b>天津红桥</b>测试搬家有限公司" {
		t.Errorf("JSON carries the name as given: %v", v["name"])
	}
}

func TestPublicProfile(t *testing.T) {
	e := publicEnv(t)
	c := e.client()
	r := c.get("/vendors/" + pubAnxin)
	wantStatus(t, r, http.StatusOK)
	if r.H1() != "天津河西安心家政服务有限公司" {
		t.Errorf("h1 = %q", r.H1())
	}
	if n := len(findAll(r.root(), byTag("h1"))); n != 1 {
		t.Errorf("%d h1 elements", n)
	}
	grade := r.TestID("profile-grade")
	for _, want := range []string{"评价结果（尚未公示）", "A 级 · 守信", "95.5", "HSCS-1.0", "2025-03-15", "守信："} {
		if !strings.Contains(grade, want) {
			t.Errorf("grade section lacks %q: %s", want, grade)
		}
	}
	if got := r.TestID("headline-grade"); got != "A" {
		t.Errorf("grade letter %q", got)
	}
	if n := len(findAll(r.root(), func(n *html.Node) bool { v, _ := attr(n, "class"); return strings.Contains(" "+v+" ", " grade ") })); n != 1 {
		t.Errorf("%d grade badges on the profile, want 1", n)
	}
	parts := r.TestID("profile-components")
	for _, want := range []string{"回访满意度", "投诉情况", "资质与保险", "监管记录", "表彰加分", "回访 30 次", "加入行业协会不加分"} {
		if !strings.Contains(parts, want) {
			t.Errorf("components lack %q", want)
		}
	}
	if got := r.TestID("stat-received") + "/" + r.TestID("stat-counted") + "/" + r.TestID("stat-callbacks"); got != "1/0/30" {
		t.Errorf("received/counted/callbacks = %s, want 1/0/30", got)
	}
	years := cells(r, "complaint-years")
	var y2025 []string
	for _, row := range years {
		if len(row) > 0 && row[0] == "2025" {
			y2025 = row
		}
	}
	// year, received, merged, counted, outcomes of closed complaints, open
	if want := []string{"2025", "1", "0", "0", "不属实 1", "0"}; !slices.Equal(y2025, want) {
		t.Errorf("2025 complaints row %v, want %v", y2025, want)
	}
	quarters := cells(r, "callback-quarters")
	total := 0
	for _, row := range quarters {
		var n int
		fmt.Sscan(row[1], &n)
		total += n
	}
	if total != 30 || len(quarters) < 12 {
		t.Errorf("quarters: %d rows, %d callbacks", len(quarters), total)
	}
	if !strings.Contains(r.Body, `role="img"`) || !strings.Contains(r.Body, "<svg") {
		t.Errorf("no inline SVG charts")
	}
	if !strings.Contains(r.TestID("profile-memberships"), "天津市家庭服务业协会") {
		t.Errorf("memberships: %q", r.TestID("profile-memberships"))
	}
	if !strings.Contains(r.TestID("profile-history"), "A 级") {
		t.Errorf("history: %q", r.TestID("profile-history"))
	}
	if !r.Has("how-link") || !strings.Contains(r.Body, `href="/methodology"`) {
		t.Errorf("no link to the methodology")
	}
	if bad := inlineScripts(r); bad != "" {
		t.Errorf("the profile has a script that is not the static file: %s", bad)
	}
	// The blacklisted vendor: grade D with its sanction on display.
	r = c.get("/vendors/" + pubJieliang)
	if got := r.TestID("headline-grade"); got != "D" {
		t.Errorf("blacklisted vendor's grade %q", got)
	}
	if s := r.TestID("profile-sanctions"); !strings.Contains(s, blacklistReason) || !strings.Contains(s, "列入严重失信名单") {
		t.Errorf("sanctions: %q", s)
	}
	// Size: HTML + CSS within 60 KB.
	css := c.get("/static/app.css")
	if n := len(r.Body) + len(css.Body); n > 60<<10 {
		t.Errorf("profile HTML %d + CSS %d bytes > 60 KB", len(r.Body), len(css.Body))
	}
	// English.
	r = c.get("/vendors/" + pubAnxin + "?lang=en")
	if r.HTMLLang() != "en" || !strings.Contains(r.Body, "Evaluation, not yet published") || !strings.Contains(r.Body, "Grade A · trustworthy") {
		t.Errorf("English profile: lang %q", r.HTMLLang())
	}
}

func TestPublicNotFound(t *testing.T) {
	e := publicEnv(t)
	c := e.client()
	unknown := registry.MustUSCC("91120199MA0PUB999")
	for _, path := range []string{"/vendors/" + unknown, "/vendors/abc", "/vendors/" + strings.Repeat("9", 40), "/vendors/%E4%BD%A0",
		"/vendors/" + unknown + "/badge.svg", "/vendors/" + unknown + "/qr.svg", "/vendors/x/sticker", "/orgs/" + unknown, "/orgs/bad"} {
		r := c.get(path)
		if r.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, r.Code)
			continue
		}
		if !strings.Contains(r.Body, "没有找到这家商户或组织") || !r.Has("public-nav") {
			t.Errorf("GET %s: not the friendly public 404", path)
		}
	}
	var body map[string]map[string]string
	getJSON(t, c, "/api/v1/vendors/"+unknown, http.StatusNotFound, &body)
	if body["error"]["code"] != "not_found" {
		t.Errorf("API 404: %v", body)
	}
	getJSON(t, c, "/api/v1/vendors/abc", http.StatusNotFound, nil)
	// A lower-case or full-width code is the same vendor.
	wantStatus(t, c.get("/vendors/"+strings.ToLower(pubAnxin)), http.StatusOK)
}

// TestPublicNeverShowsComplaintText: the complaint's summary (private) is
// on no public page, document or open-data file.
func TestPublicNeverShowsComplaintText(t *testing.T) {
	e := publicEnv(t)
	c := e.client()
	paths := []string{"/", "/vendors?q=" + url.QueryEscape("安心"), "/vendors/" + pubAnxin, "/vendors/" + pubAnxin + "?lang=en",
		"/vendors/" + pubAnxin + "/badge.svg", "/vendors/" + pubAnxin + "/sticker", "/lists/red", "/lists/black",
		"/orgs", "/orgs/" + orgUSCC, "/methodology", "/api/v1/vendors/" + pubAnxin, "/api/v1/vendors?q=" + url.QueryEscape("安心"),
		"/open-data/vendors.csv"}
	for _, p := range paths {
		r := c.get(p)
		wantStatus(t, r, http.StatusOK)
		for _, secret := range []string{"私密投诉内容", "财物疑似丢失", "13812345678", "138****5678", "8890-PUB-CP-1"} {
			if strings.Contains(r.Body, secret) {
				t.Errorf("%s shows %q", p, secret)
			}
		}
	}
}

func TestPublicBadgeQRSticker(t *testing.T) {
	e := publicEnv(t)
	c := e.client()
	r := c.get("/vendors/" + pubAnxin + "/badge.svg")
	wantStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "image/svg+xml") {
		t.Errorf("badge content type %q", ct)
	}
	for _, want := range []string{"<svg", ">A<", "天津河西安心家政服务有", "2025-03-15", "尚未公示"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("badge lacks %q", want)
		}
	}
	etag := r.Header.Get("ETag")
	if etag == "" || r.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("badge caching headers: ETag %q, Cache-Control %q", etag, r.Header.Get("Cache-Control"))
	}
	if r2 := c.getWith("/vendors/"+pubAnxin+"/badge.svg", map[string]string{"If-None-Match": etag}); r2.Code != http.StatusNotModified || r2.Body != "" {
		t.Errorf("badge revalidation: %d", r2.Code)
	}

	r = c.get("/vendors/" + pubAnxin + "/qr.svg")
	wantStatus(t, r, http.StatusOK)
	if !strings.HasPrefix(r.Body, "<svg") || !strings.Contains(r.Body, "<path d=\"M") {
		t.Errorf("QR code: %.200s", r.Body)
	}
	// The QR code encodes the absolute address built from the configuration,
	// never from the request's Host (links_test.go checks it in detail).
	req := httptest.NewRequest(http.MethodGet, "/vendors/"+pubAnxin+"/qr.svg", nil)
	req.Host = "xinyong.example.cn"
	other := c.do(req)
	if other.Code != http.StatusOK || other.Body != r.Body {
		t.Errorf("QR code depends on the request's Host header")
	}

	r = c.get("/vendors/" + pubAnxin + "/sticker")
	wantStatus(t, r, http.StatusOK)
	for _, want := range []string{"天津河西安心家政服务有限公司", "/vendors/" + pubAnxin + "/qr.svg", "http://localhost/vendors/" + pubAnxin, "A 级 · 守信", "尚未公示"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("sticker lacks %q", want)
		}
	}
	if bad := inlineScripts(r); bad != "" {
		t.Errorf("the sticker has a script that is not the static file: %s", bad)
	}
	css := c.get("/static/app.css").Body
	if !strings.Contains(css, "size: A6") || !strings.Contains(css, "@media print") {
		t.Errorf("no A6 print styles")
	}
}

func TestPublicListsOrgsMethodology(t *testing.T) {
	e := publicEnv(t)
	c := e.client()
	r := c.get("/lists/red")
	wantStatus(t, r, http.StatusOK)
	if names := hitNames(r); !slices.Equal(names, []string{"天津河西安心家政服务有限公司"}) {
		t.Errorf("red list %v", names)
	}
	r = c.get("/lists/black")
	wantStatus(t, r, http.StatusOK)
	black := r.TestID("black-list")
	for _, want := range []string{"天津南开洁亮保洁服务有限公司", blacklistReason, t0.AddDate(0, 0, -20).Format("2006-01-02"), "移出名单前一直公示"} {
		if !strings.Contains(black, want) {
			t.Errorf("black list lacks %q: %s", want, black)
		}
	}
	// A lifted entry leaves the list.
	if _, err := e.rawDB().Exec(`UPDATE sanctions SET lifted_at = ?`, t0.UTC().Format(time.RFC3339)); err != nil {
		t.Fatal(err)
	}
	// Clients that ask for fresh data (no-cache) see a change at once; others
	// within 100 ms (TestPublicConditionalRequests).
	if r = c.getWith("/lists/black", fresh); !r.Has("list-empty") {
		t.Errorf("a lifted entry is still on the black list")
	}

	r = c.get("/orgs")
	if !strings.Contains(r.TestID("org-list"), "天津市家庭服务业协会") {
		t.Errorf("orgs: %q", r.TestID("org-list"))
	}
	r = c.get("/orgs/" + orgUSCC)
	wantStatus(t, r, http.StatusOK)
	if names := hitNames(r); !slices.Equal(names, []string{"天津河西安心家政服务有限公司"}) {
		t.Errorf("org members %v", names)
	}
	if !strings.Contains(r.TestID("org-members"), "A 级") {
		t.Errorf("org members without grades")
	}

	// The methodology is generated from the rules in force.
	rules := scoring.DefaultRules()
	r = c.get("/methodology")
	wantStatus(t, r, http.StatusOK)
	num := func(x float64) string { return fmt.Sprint(x) }
	for _, want := range []string{rules.Version, rules.Hash(), "≥ " + num(rules.Grades.A), "≥ " + num(rules.Grades.B), "≥ " + num(rules.Grades.C),
		"每过 " + num(rules.Satisfaction.HalfLifeDays) + " 天", "全市平均满意度 80.0%", "相当于已有 " + num(rules.Satisfaction.PriorWeight) + " 次回访",
		num(rules.Publication.ObjectionDays) + " 天的异议期", "不少于 " + num(rules.Grades.AMinCallbackWeight), "登记满 " + num(rules.Grades.AMinRegisteredDays) + " 天",
		"警告 " + num(rules.Regulatory.Points.Warning) + " 分", "罚款 " + num(rules.Regulatory.Points.Fine) + " 分"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("methodology lacks %q", want)
		}
	}
	var maxes []string
	for _, n := range findAll(r.root(), byTestID("method-max")) {
		maxes = append(maxes, text(n))
	}
	if want := []string{num(rules.Satisfaction.MaxPoints), num(rules.Complaints.MaxPoints),
		num(rules.Qualification.LicencePoints + rules.Qualification.InsurancePoints), num(rules.Regulatory.MaxPoints), num(rules.Bonus.MaxPoints)}; !slices.Equal(maxes, want) {
		t.Errorf("component maxima %v, want %v", maxes, want)
	}
	// Adopting other rules changes the page.
	next := scoring.DefaultRules()
	next.Version, next.Grades.A = "HSCS-1.1-test", 92
	if err := e.db.AdoptRules(context.Background(), registry.CLIActor, next); err != nil {
		t.Fatal(err)
	}
	r = c.getWith("/methodology", fresh)
	if !strings.Contains(r.Body, "HSCS-1.1-test") || !strings.Contains(r.Body, "≥ 92") {
		t.Errorf("methodology did not follow the adopted rules")
	}
}

func TestPublicJSON(t *testing.T) {
	e := publicEnv(t)
	c := e.client()
	r := c.get("/api/v1/vendors/" + pubAnxin)
	wantStatus(t, r, http.StatusOK)
	if r.Header.Get("Access-Control-Allow-Origin") != "*" || r.Header.Get("ETag") == "" {
		t.Errorf("detail headers: %v", r.Header)
	}
	var v map[string]any
	json.Unmarshal([]byte(r.Body), &v)
	var keys []string
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := []string{"categories", "districts", "evaluation", "evaluation_history", "grade", "grade_note", "grade_since", "history",
		"memberships", "name", "predecessors", "published_at", "reply", "rules_version", "sanctions", "score", "stats", "status", "uscc"}
	if !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	for _, k := range []string{"grade", "score", "published_at", "grade_since", "grade_note", "rules_version"} {
		if v[k] != nil {
			t.Errorf("%s = %v before the first publication, want null", k, v[k])
		}
	}
	ev := v["evaluation"].(map[string]any)
	if ev["grade"] != "A" || ev["as_of"] != "2025-03-15T10:00:00+08:00" || ev["components"] == nil || ev["evidence"] == nil || ev["reasons"] == nil {
		t.Errorf("evaluation %v", ev)
	}
	st := v["stats"].(map[string]any)
	if st["complaints_received_3y"] != 1.0 || st["complaints_merged_3y"] != 0.0 || st["complaints_counted_3y"] != 0.0 || st["callbacks_3y"] != 30.0 ||
		st["satisfaction_rate"] != 1.0 {
		t.Errorf("stats %v", st)
	}
	if ms := v["memberships"].([]any); len(ms) != 1 || ms[0].(map[string]any)["org_uscc"] != orgUSCC {
		t.Errorf("memberships %v", ms)
	}
	if h := v["evaluation_history"].([]any); len(h) == 0 {
		t.Errorf("no evaluation history")
	}
	if h := v["history"].([]any); len(h) != 0 {
		t.Errorf("published history before any publication: %v", h)
	}
	var black map[string]any
	getJSON(t, c, "/api/v1/vendors/"+pubJieliang, http.StatusOK, &black)
	if s := black["sanctions"].([]any); len(s) != 1 || s[0].(map[string]any)["summary"] != blacklistReason || s[0].(map[string]any)["display_until"] != nil ||
		s[0].(map[string]any)["reference"] != "津市监信〔2025〕1号" {
		t.Errorf("sanctions %v", s)
	}

	var p apiPage
	r = getJSON(t, c, "/api/v1/vendors?q="+url.QueryEscape("保姆"), http.StatusOK, &p)
	if r.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("list without CORS")
	}
	if p.Total < 1 || p.Items[0]["stats"] == nil || p.Items[0]["evaluation"] == nil {
		t.Errorf("list items are Vendor objects: %+v", p)
	}
	if _, ok := p.Items[0]["evaluation_history"]; ok {
		t.Errorf("list items carry the evaluation history")
	}
	// Relevance first: the exact name, then the rest by USCC.
	getJSON(t, c, "/api/v1/vendors?q="+url.QueryEscape("和平区示范家政服务有限公司"), http.StatusOK, &p)
	if p.Total == 0 || p.Items[0]["uscc"] != vendorUSCC {
		t.Errorf("exact name is not first: %+v", p.Items)
	}
}

func TestPublicCSV(t *testing.T) {
	e := publicEnv(t)
	c := e.client()
	r := c.get("/open-data/vendors.csv")
	wantStatus(t, r, http.StatusOK)
	if !strings.HasPrefix(r.Body, "\ufeffuscc,name,status,districts,categories,grade,score,published_at,rules_version\n") {
		t.Fatalf("no BOM and header: %.120q", r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" || r.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("headers %v", r.Header)
	}
	lines := strings.Split(strings.TrimSuffix(r.Body, "\n"), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines, want header + 5", len(lines))
	}
	if !slices.Contains(lines, pubAnxin+",天津河西安心家政服务有限公司,active,120103,housekeeping,,,,") {
		t.Errorf("row of %s: %v", pubAnxin, lines)
	}
	if !slices.Contains(lines, pubHTML+",<b>天津红桥</b>测试搬家有限公司,active,120106,moving,,,,") {
		t.Errorf("row with HTML: %v", lines)
	}
	etag, lm := r.Header.Get("ETag"), r.Header.Get("Last-Modified")
	if etag == "" || lm == "" {
		t.Fatalf("ETag %q, Last-Modified %q", etag, lm)
	}
	if r2 := c.getWith("/open-data/vendors.csv", map[string]string{"If-None-Match": etag}); r2.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", r2.Code)
	}
	if r2 := c.getWith("/open-data/vendors.csv", map[string]string{"If-Modified-Since": lm}); r2.Code != http.StatusNotModified {
		t.Errorf("If-Modified-Since: %d", r2.Code)
	}
	// A change makes a new file.
	e.createVendor(registry.MustUSCC("91120105MA0PUB005"), "天津河北新登记家政有限公司")
	if r2 := c.getWith("/open-data/vendors.csv", map[string]string{"If-None-Match": etag, "Cache-Control": "no-cache"}); r2.Code != http.StatusOK || !strings.Contains(r2.Body, "新登记") {
		t.Errorf("after a change: %d", r2.Code)
	}
}

// flushCounter records how often a response was flushed.
type flushCounter struct {
	*httptest.ResponseRecorder
	flushes int
}

func (f *flushCounter) Flush() { f.flushes++; f.ResponseRecorder.Flush() }

// TestPublicCSVStreams: the open-data file goes out in pieces as rows are
// read, not as one buffer at the end.
func TestPublicCSVStreams(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, "csv.db")
	if _, err := synth.Generate(ctx, db, registry.CLIActor, synth.Options{Vendors: 3000, Events: 3000, Seed: 7, Now: t0}); err != nil {
		t.Fatal(err)
	}
	srv := web.New(web.Config{DB: db, Now: func() time.Time { return t0 }})
	rec := &flushCounter{ResponseRecorder: httptest.NewRecorder()}
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/open-data/vendors.csv", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	if n := strings.Count(rec.Body.String(), "\n"); n != 3001 {
		t.Errorf("%d lines, want 3001", n)
	}
	if rec.flushes < 3 {
		t.Errorf("flushed %d times for 3,000 rows: not streamed", rec.flushes)
	}
}

func TestPublicConditionalRequests(t *testing.T) {
	e := publicEnv(t)
	c := e.client()
	for _, path := range []string{"/", "/vendors?q=" + url.QueryEscape("家政"), "/vendors/" + pubAnxin, "/lists/red", "/lists/black",
		"/methodology", "/orgs", "/api/v1/vendors/" + pubAnxin, "/api/v1/vendors?q=" + url.QueryEscape("家政")} {
		r := c.get(path)
		wantStatus(t, r, http.StatusOK)
		etag, lm := r.Header.Get("ETag"), r.Header.Get("Last-Modified")
		if etag == "" || lm == "" {
			t.Errorf("%s: ETag %q, Last-Modified %q", path, etag, lm)
			continue
		}
		if r2 := c.getWith(path, map[string]string{"If-None-Match": etag}); r2.Code != http.StatusNotModified || r2.Body != "" {
			t.Errorf("%s If-None-Match: %d", path, r2.Code)
		}
		if r2 := c.getWith(path, map[string]string{"If-Modified-Since": lm}); r2.Code != http.StatusNotModified {
			t.Errorf("%s If-Modified-Since: %d", path, r2.Code)
		}
		if r2 := c.getWith(path, map[string]string{"If-None-Match": `"other"`}); r2.Code != http.StatusOK || r2.Body != r.Body {
			t.Errorf("%s with a stale ETag: %d", path, r2.Code)
		}
	}
	// A vendor's change shows at once: its page is rendered again.
	r := c.get("/vendors/" + pubChong)
	etag := r.Header.Get("ETag")
	in := vendorInput(pubChong, "天津重庆道长乐家电维修服务有限公司")
	in.Districts, in.Categories, in.RegisteredAt, in.InsuranceValidUntil = []string{"120101"}, []string{"appliance_repair"}, "2022-01-10", "2027-12-31"
	if _, _, err := e.db.UpdateVendor(context.Background(), registry.CLIActor, in); err != nil {
		t.Fatal(err)
	}
	r = c.getWith("/vendors/"+pubChong, map[string]string{"If-None-Match": etag, "Cache-Control": "no-cache"})
	if r.Code != http.StatusOK || r.H1() != "天津重庆道长乐家电维修服务有限公司" {
		t.Errorf("after a rename: %d %q", r.Code, r.H1())
	}
	// Without asking, a change shows within 100 ms (the catalog asks the
	// database for changes at most that often).
	etag = r.Header.Get("ETag")
	in.Name = "天津重庆道长乐家电维修中心有限公司"
	if _, _, err := e.db.UpdateVendor(context.Background(), registry.CLIActor, in); err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond)
	if r = c.getWith("/vendors/"+pubChong, map[string]string{"If-None-Match": etag}); r.Code != http.StatusOK || !strings.Contains(r.H1(), "维修中心") {
		t.Errorf("100 ms after a rename: %d %q", r.Code, r.H1())
	}
	// …and the search finds the new name.
	if names := hitNames(c.get("/vendors?q=" + url.QueryEscape("维修中心"))); !slices.Contains(names, "天津重庆道长乐家电维修中心有限公司") {
		t.Errorf("renamed vendor not found: %v", names)
	}
}

func TestPublicPageQuality(t *testing.T) {
	e := publicEnv(t)
	c := e.client()
	for _, path := range []string{"/", "/vendors", "/vendors?q=" + url.QueryEscape("家政"), "/vendors/" + pubAnxin, "/lists/red",
		"/lists/black", "/orgs", "/orgs/" + orgUSCC, "/methodology", "/vendors/" + pubAnxin + "/sticker"} {
		for _, lang := range []string{"zh-CN", "en"} {
			p := path
			if lang == "en" {
				p += map[bool]string{true: "&", false: "?"}[strings.Contains(p, "?")] + "lang=en"
			}
			r := e.client().get(p)
			wantStatus(t, r, http.StatusOK)
			if r.HTMLLang() != lang {
				t.Errorf("%s: lang %q", p, r.HTMLLang())
			}
			if n := len(findAll(r.root(), byTag("h1"))); n != 1 {
				t.Errorf("%s: %d h1", p, n)
			}
			var titles []*html.Node
			for _, head := range findAll(r.root(), byTag("head")) {
				titles = append(titles, findAll(head, byTag("title"))...)
			}
			descs := findAll(r.root(), func(n *html.Node) bool {
				name, _ := attr(n, "name")
				return n.Data == "meta" && name == "description"
			})
			if len(titles) != 1 || text(titles[0]) == "" || len(descs) != 1 {
				t.Errorf("%s: title/description missing", p)
			}
			for _, in := range findAll(r.root(), func(n *html.Node) bool { return n.Data == "input" || n.Data == "select" }) {
				id, _ := attr(in, "id")
				if typ, _ := attr(in, "type"); typ == "hidden" {
					continue
				}
				if id == "" || len(findAll(r.root(), func(n *html.Node) bool { f, _ := attr(n, "for"); return n.Data == "label" && f == id })) != 1 {
					t.Errorf("%s: input %q without a label", p, id)
				}
			}
			if bad := inlineScripts(r); bad != "" {
				t.Errorf("%s: a script that is not the static file: %s", p, bad)
			}
		}
	}
	// The public nav leads everywhere a citizen needs.
	r := c.get("/")
	nav := r.TestID("public-nav")
	for _, want := range []string{"首页", "查询", "红名单", "黑名单", "评分方法"} {
		if !strings.Contains(nav, want) {
			t.Errorf("nav lacks %s: %q", want, nav)
		}
	}
	for _, want := range []string{`action="/vendors"`, `href="/lists/red"`, `href="/lists/black"`, `href="/methodology"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("home lacks %s", want)
		}
	}
	dist := cells(r, "distribution-table")
	sum := 0
	for _, row := range dist {
		var n int
		fmt.Sscan(row[1], &n)
		sum += n
	}
	if sum != 5 || !strings.Contains(r.TestID("home-distribution"), "<svg") && !strings.Contains(r.Body, `id="dist-chart"`) {
		t.Errorf("distribution: %v", dist)
	}
}

// TestPublicConcurrentReaders: searches, profiles and lists from many
// goroutines while vendors change (run with -race).
func TestPublicConcurrentReaders(t *testing.T) {
	e := publicEnv(t)
	done := make(chan struct{})
	errs := make(chan string, 100)
	for g := 0; g < 6; g++ {
		go func(g int) {
			c := e.client()
			paths := []string{"/vendors?q=" + url.QueryEscape("家政"), "/vendors/" + pubAnxin, "/api/v1/vendors?sort=score", "/", "/lists/red"}
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				req := httptest.NewRequest(http.MethodGet, paths[(g+i)%len(paths)], nil)
				if i%3 == 0 {
					req.Header.Set("Cache-Control", "no-cache")
				}
				if r := c.do(req); r.Code != http.StatusOK {
					errs <- fmt.Sprintf("%s: %d", req.URL, r.Code)
					return
				}
			}
		}(g)
	}
	for i := 0; i < 20; i++ {
		e.createVendor(registry.MustUSCC(fmt.Sprintf("91120102MA0CC%04d", i)), fmt.Sprintf("天津河东并发测试%02d家政有限公司", i))
	}
	close(done)
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	var p apiPage
	r := e.client().getWith("/api/v1/vendors?q="+url.QueryEscape("并发测试"), fresh)
	if err := json.Unmarshal([]byte(r.Body), &p); err != nil || p.Total != 20 {
		t.Errorf("found %d of 20 new vendors", p.Total)
	}
}

// TestPublicDeregisteredStaysSearchable: a deregistered vendor is still
// found, marked as such, and stays in open data.
func TestPublicDeregisteredStaysSearchable(t *testing.T) {
	e := publicEnv(t)
	if _, err := e.db.SetVendorStatus(context.Background(), registry.CLIActor, pubChong, registry.VendorDeregistered, "注销登记"); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	r := c.getWith("/vendors?q="+url.QueryEscape("重庆道"), fresh)
	if !slices.Contains(hitNames(r), "天津重庆道长乐家电维修有限公司") || !strings.Contains(r.TestID("search-results"), "已注销") {
		t.Errorf("deregistered vendor in search: %q", r.TestID("search-results"))
	}
	if r = c.get("/open-data/vendors.csv"); !strings.Contains(r.Body, pubChong+",天津重庆道长乐家电维修有限公司,deregistered,") {
		t.Errorf("deregistered vendor not in open data")
	}
}

// HEAD on a public page answers as GET would, without a body.
func TestHeadAnswersLikeGet(t *testing.T) {
	e := publicEnv(t)
	srv := httptest.NewServer(e.srv)
	defer srv.Close()
	for _, path := range []string{"/", "/vendors/" + pubAnxin, "/api/v1/vendors/" + pubAnxin, "/open-data/vendors.csv"} {
		resp, err := http.Head(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || len(body) != 0 || resp.Header.Get("Content-Type") == "" {
			t.Errorf("HEAD %s: %d, %d body bytes, type %q", path, resp.StatusCode, len(body), resp.Header.Get("Content-Type"))
		}
	}
	resp, err := http.Head(srv.URL + "/vendors/91120101MA0NOTHER9")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("HEAD of an unknown vendor: %d", resp.StatusCode)
	}
}
