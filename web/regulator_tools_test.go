package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"chengxin/publicity"
	"chengxin/registry"
	"chengxin/scoring"
)

// estUSCC is a long-established vendor whose grade falls at this month's run.
var estUSCC = registry.MustUSCC("91120104MA0ETT001")

// toolsEnv is the fixture of the regulator's publication tools: vendor est
// (registered 2023, 300 satisfied callbacks) published in February; eight
// serious substantiated complaints arrive, and March's run leaves its
// downgrade pending. Its login is "vendor2".
type toolsEnv struct {
	*env
	est        registry.Vendor
	run1, run2 int64
}

var (
	regActor    = registry.Actor{Kind: "user", Name: "reg1", Role: registry.RoleRegulator}
	hotline     = registry.Actor{Kind: "token", Name: "hotline"}
	estVendorAc = registry.Actor{Kind: "user", Name: "vendor2", Role: registry.RoleVendor}
)

func newToolsEnv(t *testing.T) *toolsEnv {
	t.Helper()
	e := &toolsEnv{env: newEnv(t)}
	ctx := context.Background()
	in := vendorInput(estUSCC, "天津南开诚悦家政有限公司")
	in.RegisteredAt, in.InsuranceValidUntil, in.Categories = "2023-01-01", "2027-12-31", []string{"housekeeping"}
	var err error
	if e.est, err = e.db.CreateVendor(ctx, registry.CLIActor, in); err != nil {
		t.Fatal(err)
	}
	e.addUser(registry.RoleVendor, "vendor2", estUSCC)
	var cbs []registry.CallbackInput
	for i := 0; i < 300; i++ {
		cbs = append(cbs, registry.CallbackInput{WorkOrderNo: fmt.Sprintf("8890-EST-CB-%03d", i), VendorUSCC: estUSCC,
			CalledAt: t0.AddDate(0, 0, -60-2*i).Format(time.RFC3339), Result: "satisfied"})
	}
	if s, err := e.db.IngestCallbacks(ctx, hotline, cbs, nil); err != nil || s.Rejected > 0 {
		t.Fatalf("callbacks: %+v %v", s, err)
	}
	res, err := publicity.Publish(ctx, e.db, registry.SystemActor, time.Date(2025, 2, 1, 2, 0, 0, 0, registry.Shanghai))
	if err != nil {
		t.Fatal(err)
	}
	e.run1 = res.Run.ID
	// Complaints of every channel; the serious substantiated ones pull the grade down.
	channels := registry.Channels
	var cs []registry.ComplaintInput
	for i := 0; i < 8; i++ {
		at := t0.Add(-time.Duration(48+i) * time.Hour)
		cs = append(cs, registry.ComplaintInput{WorkOrderNo: fmt.Sprintf("8890-EST-CP-%02d", i), VendorUSCC: estUSCC,
			ReceivedAt: at.Format(time.RFC3339), Channel: channels[i%len(channels)], Category: "housekeeping", Severity: "serious",
			Status: "closed", Outcome: "substantiated", DeadlineAt: at.Add(72 * time.Hour).Format(time.RFC3339),
			ClosedAt: at.Add(20 * time.Hour).Format(time.RFC3339), Summary: fmt.Sprintf("保姆迟到两小时，第 %d 单，客户电话 13812345678", i)})
	}
	if s, err := e.db.IngestComplaints(ctx, hotline, cs, nil); err != nil || s.Rejected > 0 {
		t.Fatalf("complaints: %+v %v", s, err)
	}
	if res, err = publicity.Publish(ctx, e.db, registry.SystemActor, t0.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	e.run2 = res.Run.ID
	if p, err := e.db.FindPublished(ctx, e.est.ID); err != nil || p.Pending == nil {
		t.Fatalf("no pending downgrade: %+v %v", p, err)
	}
	return e
}

// The new pages are the regulator's: anonymous visitors are sent to sign
// in, associations and vendors are refused.
func TestPublicationPagesRoles(t *testing.T) {
	e := newToolsEnv(t)
	pages := []string{"/console/publications", "/console/publications/" + itoa64(e.run2), "/console/pending"}
	anon := e.client()
	for _, p := range pages {
		wantRedirect(t, anon.get(p), "/console/login")
	}
	for _, role := range []string{registry.RoleAssociation, registry.RoleVendor} {
		c := e.as(role)
		for _, p := range pages {
			if r := c.get(p); r.Code != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", role, p, r.Code)
			}
		}
	}
	reg := e.as(registry.RoleRegulator)
	for _, p := range pages {
		wantStatus(t, reg.get(p), http.StatusOK)
	}
	for _, bad := range []string{"/console/publications/999", "/console/publications/x", "/console/publications/-1"} {
		if r := reg.get(bad); r.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", bad, r.Code)
		}
	}
}

// The runs page lists each run with when, by whom and what changed; a run's
// page has the rules applied, the transition matrix, the vendors changed,
// the downgrades left pending with their deadlines, and the objections.
func TestPublicationRunPages(t *testing.T) {
	e := newToolsEnv(t)
	ctx := context.Background()
	e.clk.Advance(24 * time.Hour)
	if _, err := e.db.ObjectToPendingGrade(ctx, estVendorAc, e.est.ID, "其中两件投诉为同一订单的重复投诉", ""); err != nil {
		t.Fatal(err)
	}
	reg := e.as(registry.RoleRegulator)
	r := reg.get("/console/publications")
	wantStatus(t, r, http.StatusOK)
	rows := r.TableRows("runs")
	if len(rows) != 2 {
		t.Fatalf("runs = %q", rows)
	}
	// period, as of, by, vendors, changed, new pending, objections, status
	if got := rows[0]; got[0] != "2025-03" || got[1] != "2025-03-15 09:59" || got[2] != "系统" || got[3] != "2" || got[4] != "0" || got[5] != "1" || got[6] != "1" || got[7] != "已完成" {
		t.Errorf("March run row = %q", got)
	}
	if got := rows[1]; got[0] != "2025-02" || got[4] != "2" || got[5] != "0" {
		t.Errorf("February run row = %q", got)
	}
	wantContains(t, "pending link", r.TestID("pending-link"), "（1）")

	r = reg.get("/console/publications/" + itoa64(e.run2))
	wantStatus(t, r, http.StatusOK)
	if r.H1() != "2025-03 期公示发布" {
		t.Errorf("h1 = %q", r.H1())
	}
	actions := map[string]string{}
	for _, row := range r.TableRows("run-actions") {
		actions[row[0]] = row[1]
	}
	if actions["降级进入异议期"] != "1" || actions["首次公示，或由/至暂不评级"] != "0" || len(actions) != 9 {
		t.Errorf("actions = %v", actions)
	}
	// Everyone kept their grade (the downgrade is only pending): all on the diagonal.
	matrix := r.TestID("run-matrix")
	if !strings.Contains(matrix, "发布前") || r.TestID("run-no-changes") == "" {
		t.Errorf("matrix %q, no-changes %q", matrix, r.TestID("run-no-changes"))
	}
	pending := r.TableRows("pending-table")
	if len(pending) != 1 || !strings.Contains(pending[0][0], "天津南开诚悦家政有限公司") || !strings.HasSuffix(pending[0][1], "C") ||
		!strings.Contains(pending[0][2], "2025-03-29 09:59") || !strings.Contains(pending[0][3], "2025-03-16 提出，待处理") || pending[0][4] != "仍待公示" {
		t.Errorf("pending = %q", pending)
	}
	if obj := r.TableRows("run-objections"); len(obj) != 1 || obj[0][1] != "C" || obj[0][2] != "2025-03-16" || !strings.Contains(obj[0][3], "待处理") {
		t.Errorf("objections = %q", obj)
	}

	// The first run published both vendors.
	r = reg.get("/console/publications/" + itoa64(e.run1) + "?lang=en")
	changes := r.TableRows("run-changes")
	if len(changes) != 2 || !strings.Contains(r.Body, "Vendors whose grade changed (2)") {
		t.Fatalf("changes of the first run = %q", changes)
	}
	for _, c := range changes {
		if !strings.HasPrefix(c[1], "not published") || c[2] != "first publication, or from or to N" {
			t.Errorf("change row = %q", c)
		}
	}
	if rows := r.TableRows("run-matrix"); len(rows) != 6 { // not published, A, B, C, D, N
		t.Errorf("matrix rows = %q", rows)
	}

	// Pending now, filtered by objection.
	r = reg.get("/console/pending?lang=zh")
	if rows := r.TableRows("pending-table"); len(rows) != 1 || !strings.Contains(rows[0][2], "待复核") || rows[0][4] != "2025-03" {
		t.Errorf("pending now = %q", rows)
	}
	if r := reg.get("/console/pending?objected=no"); len(r.TableRows("pending-table")) != 0 || !r.Has("pending-empty") {
		t.Error("filter objected=no lists the objected downgrade")
	}
	if r := reg.get("/console/pending?objected=yes"); len(r.TableRows("pending-table")) != 1 {
		t.Error("filter objected=yes misses it")
	}

	// A regulator upholds it: no longer pending; the run's page says what became of it.
	cases, _ := e.db.FindCases(ctx, registry.CaseFilter{Status: "open"})
	if err := e.db.DecideCase(ctx, regActor, cases[0].ID, registry.DecisionUphold, "投诉属实，维持降级", ""); err != nil {
		t.Fatal(err)
	}
	r = reg.get("/console/publications/" + itoa64(e.run2))
	if p := r.TableRows("pending-table"); len(p) != 1 || p[0][4] != "已处理，现公示等级 C" || !strings.Contains(p[0][3], "维持") {
		t.Errorf("resolved pending = %q", p)
	}
	if r := reg.get("/console/pending"); !r.Has("pending-empty") {
		t.Error("the upheld downgrade is still listed as pending")
	}
	// The decision published C outside the runs: the latest run's page lists it.
	out := r.TableRows("run-outside")
	if len(out) != 1 || !strings.Contains(out[0][0], "天津南开诚悦家政有限公司") || out[0][1] != "2025-03-16 10:00" ||
		out[0][2] != "B → C" || out[0][3] != "异议处理决定" {
		t.Errorf("published outside the runs = %q", out)
	}
	wantContains(t, "outside heading", r.Body, "本期发布后的其他公示（1）")
	// A blacklisting is listed with its document number.
	if _, err := e.db.CreateSanction(ctx, regActor, registry.SanctionInput{VendorUSCC: estUSCC, Kind: "blacklist", IssuedAt: "2025-03-16",
		Reference: "津市监信〔2025〕5号", Authority: "天津市市场监督管理委员会", Summary: "以欺诈手段收取预付费用"}); err != nil {
		t.Fatal(err)
	}
	out = reg.get("/console/publications/" + itoa64(e.run2)).TableRows("run-outside")
	if len(out) != 2 || out[1][2] != "C → D" || !strings.Contains(out[1][3], "津市监信〔2025〕5号") {
		t.Errorf("blacklisting outside the runs = %q", out)
	}
}

// The regulator's vendor page shows the public grade with the pending
// downgrade and a link to the public page, and the vendor's complaints with
// their text, a page at a time.
func TestVendorPagePublicGradeAndComplaints(t *testing.T) {
	e := newToolsEnv(t)
	ctx := context.Background()
	var more []registry.ComplaintInput
	for i := 0; i < 17; i++ {
		at := t0.AddDate(0, -3, -i)
		more = append(more, registry.ComplaintInput{WorkOrderNo: fmt.Sprintf("8890-EST-OLD-%02d", i), VendorUSCC: estUSCC,
			ReceivedAt: at.Format(time.RFC3339), Channel: "web", Category: "housekeeping", Status: "closed", Outcome: "unsubstantiated",
			DeadlineAt: at.Add(72 * time.Hour).Format(time.RFC3339), ClosedAt: at.Add(96 * time.Hour).Format(time.RFC3339)})
	}
	if s, err := e.db.IngestComplaints(ctx, hotline, more, nil); err != nil || s.Rejected > 0 {
		t.Fatalf("complaints: %+v %v", s, err)
	}
	reg := e.as(registry.RoleRegulator)
	page := "/console/vendors/" + estUSCC
	r := reg.get(page)
	wantStatus(t, r, http.StatusOK)
	box := r.TestID("vendor-public-grade")
	for _, want := range []string{"公示等级 B，89.8 分，2025-02-01 发布", "待公示降级：C，2025-03-29 09:59 起公示", "查看公示页面"} {
		wantContains(t, "public grade box", box, want)
	}
	if href := findAll(r.root(), byTestID("vendor-public-link")); len(href) != 1 {
		t.Error("no link to the public page")
	} else if v, _ := attr(href[0], "href"); v != "/vendors/"+estUSCC {
		t.Errorf("public link = %q", v)
	}
	wantContains(t, "complaints heading", r.TestID("vendor-complaints"), "投诉记录（25）")
	rows := r.TableRows("complaint-table")
	if len(rows) != 20 {
		t.Fatalf("first page: %d complaints, want 20", len(rows))
	}
	// Newest first, with channel, category, severity, outcome and the masked text.
	if got := rows[0]; !strings.Contains(got[0], "8890-EST-CP-00") || !strings.Contains(got[1], "期限 2025-03-16 10:00") ||
		got[2] != "电话 · 家务保姆 · 较重" || !strings.Contains(got[3], "属实") || !strings.Contains(got[4], "保姆迟到两小时，第 0 单") ||
		strings.Contains(got[4], "13812345678") {
		t.Errorf("newest complaint = %q", got)
	}
	if got := rows[19]; !strings.Contains(got[3], "不属实") || !strings.Contains(got[3], "超期办结") || got[4] != "—" {
		t.Errorf("an old complaint = %q", got)
	}
	next := r.root()
	links := findAll(next, func(n *html.Node) bool { v, _ := attr(n, "rel"); return n.Data == "a" && v == "next" })
	if len(links) != 1 {
		t.Fatal("no link to the next page of complaints")
	}
	href, _ := attr(links[0], "href")
	if href != page+"?cpage=2#complaints" {
		t.Errorf("next page link = %q", href)
	}
	r = reg.get(page + "?cpage=2")
	if rows := r.TableRows("complaint-table"); len(rows) != 5 {
		t.Errorf("second page: %d complaints, want 5", len(rows))
	}
	if r := reg.get(page + "?cpage=99"); len(r.TableRows("complaint-table")) != 0 || r.Code != http.StatusOK {
		t.Errorf("a page past the end: %d", r.Code)
	}
	// Before its first publication: said so.
	late := e.createVendor(registry.MustUSCC("91120105MA0LATE01"), "河北区新登记家政")
	r = reg.get("/console/vendors/" + late.USCC)
	wantContains(t, "unpublished vendor", r.TestID("vendor-public-grade"), "尚未公示")
}

// A decision form that comes back with an error keeps what was typed, in
// the user's language, with each error beside its field; nothing is decided.
func TestReviewFormKeepsInput(t *testing.T) {
	e := newToolsEnv(t)
	ctx := context.Background()
	c, err := e.db.ObjectToPendingGrade(ctx, estVendorAc, e.est.ID, "重复投诉", "")
	if err != nil {
		t.Fatal(err)
	}
	id := itoa64(c.ID)
	reg := e.as(registry.RoleRegulator)
	r := reg.get("/console/reviews")
	_, form := r.Form("/console/reviews/" + id)
	if form.Get("decision") != "" {
		t.Errorf("a decision is preselected: %q", form.Get("decision"))
	}
	for _, tc := range []struct {
		lang                     string
		form                     url.Values
		field, message, decision string
	}{
		{"zh", url.Values{"decision": {"amended"}, "reason": {"经核查两件为同一订单"}}, "amended", "选择“变更”时须选择变更后的等级", "amended"},
		{"en", url.Values{"decision": {"amended"}, "reason": {"two are one order"}}, "amended", "choose the grade it is amended to", "amended"},
		{"zh", url.Values{"reason": {"理由写好了"}}, "decision", "请选择处理决定", ""},
		{"en", url.Values{"decision": {"approved"}, "reason": {"wrong decision for the kind"}}, "decision", "choose a decision", ""},
		{"zh", url.Values{"decision": {"upheld"}, "amended": {"B"}, "reason": {"维持"}}, "amended", "只有选择“变更”时", "upheld"},
	} {
		reg.get("/console/reviews?lang=" + tc.lang)
		r := reg.submit("/console/reviews/"+id, tc.form)
		if r.Code != http.StatusUnprocessableEntity {
			t.Fatalf("%v: %d", tc.form, r.Code)
		}
		if got := r.TestID("error-" + tc.field + "-" + id); !strings.Contains(got, tc.message) {
			t.Errorf("%s %v: error beside %s = %q, want %q", tc.lang, tc.form, tc.field, got, tc.message)
		}
		if s := r.TestID("error-summary"); !strings.Contains(s, tc.message) || strings.Contains(s, tc.field+"：") || strings.Contains(s, tc.field+":") {
			t.Errorf("%s: error summary %q names the field by its code", tc.lang, s)
		}
		_, kept := r.Form("/console/reviews/" + id)
		if kept.Get("reason") != tc.form.Get("reason") || kept.Get("decision") != tc.decision || kept.Get("amended") != tc.form.Get("amended") {
			t.Errorf("%s %v: form came back with %v", tc.lang, tc.form, kept)
		}
	}
	if cs, _ := e.db.FindCases(ctx, registry.CaseFilter{Status: "open"}); len(cs) != 1 {
		t.Fatalf("a rejected decision changed the case: %d open", len(cs))
	}
	// Corrected, it goes through.
	r = reg.submit("/console/reviews/"+id, url.Values{"decision": {"amended"}, "amended": {"B"}, "reason": {"经核查两件为同一订单"}})
	wantRedirect(t, r, "/console/reviews")
	if p, _ := e.db.FindPublished(ctx, e.est.ID); p.Grade != "B" || p.Pending != nil {
		t.Errorf("after the amended decision: %+v", p)
	}
	// Deciding it again (a second tab): said at the top, in words.
	r = reg.submit("/console/reviews/"+id, url.Values{"decision": {"upheld"}, "reason": {"再次决定"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, "flash", r.TestID("flash"), "该事项已经处理")
}

// The override form preselects no grade; leaving it out is a localized
// error and stores nothing, with the reason and date kept.
func TestOverrideGradeIsAChoice(t *testing.T) {
	e := newToolsEnv(t)
	reg := e.as(registry.RoleRegulator)
	page := "/console/vendors/" + estUSCC
	r := reg.get(page)
	if _, f := r.Form(page + "/override"); f.Get("grade") != "" {
		t.Errorf("override grade preselected: %q", f.Get("grade"))
	}
	for lang, want := range map[string]string{"zh": "请选择要公示的等级", "en": "choose the grade to show"} {
		reg.get(page + "?lang=" + lang)
		r := reg.submit(page+"/override", url.Values{"override_reason": {"调查期间"}, "until": {"2025-06-30"}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		if got := r.TestID("error-grade"); got != want {
			t.Errorf("%s: grade error %q, want %q", lang, got, want)
		}
		if _, f := r.Form(page + "/override"); f.Get("override_reason") != "调查期间" || f.Get("until") != "2025-06-30" || f.Get("grade") != "" {
			t.Errorf("%s: override form came back with %v", lang, f)
		}
	}
	if n := e.count("grade_overrides"); n != 0 {
		t.Errorf("%d overrides stored", n)
	}
}

// Ending a sanction needs a way (lifted or repaired) and a reason; a
// tampered way is refused in words, and nothing changes.
func TestSanctionEndNeedsWayAndReason(t *testing.T) {
	e := newToolsEnv(t)
	s, err := e.db.CreateSanction(context.Background(), regActor, registry.SanctionInput{VendorUSCC: estUSCC, Kind: "warning",
		IssuedAt: "2025-03-01", Reference: "津市监警〔2025〕8号", Summary: "未按约定上门"})
	if err != nil {
		t.Fatal(err)
	}
	reg := e.as(registry.RoleRegulator)
	reg.get("/console/vendors/" + estUSCC)
	r := reg.submit("/console/sanctions/"+itoa64(s.ID)+"/end", url.Values{"uscc": {estUSCC}, "how": {"deleted"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	for _, want := range []string{"未结束公示", "请选择结束方式", "请写明理由"} {
		wantContains(t, "flash", r.TestID("flash"), want)
	}
	if n := e.countWhere("sanctions", "lifted_at IS NOT NULL OR repaired_at IS NOT NULL"); n != 0 {
		t.Errorf("%d sanctions ended", n)
	}
}

// The console requires the issuing authority (prefilled with the latest
// one); the profile, the black list and the JSON show document number and
// authority; the vendor is told; repair is offered only when its rule allows.
func TestSanctionAuthorityEndToEnd(t *testing.T) {
	e := newToolsEnv(t)
	ctx := context.Background()
	reg := e.as(registry.RoleRegulator)
	page := "/console/vendors/" + estUSCC
	if _, f := reg.get(page).Form(page + "/sanctions"); f.Get("authority") != "" || f.Get("kind") != "" {
		t.Errorf("new sanction form on an empty register: %v", f)
	}
	form := url.Values{"kind": {"blacklist"}, "issued_at": {"2025-03-14"}, "reference": {"津市监信〔2025〕2号"}, "summary": {"以欺诈手段收取预付费用"}}
	r := reg.submit(page+"/sanctions", form)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, "authority error", r.TestID("error-authority"), "必填")
	form.Set("authority", strings.Repeat("局", 65))
	r = reg.submit(page+"/sanctions", form)
	wantContains(t, "authority error", r.TestID("error-authority"), "64")
	if _, f := r.Form(page + "/sanctions"); f.Get("reference") != "津市监信〔2025〕2号" || f.Get("kind") != "blacklist" {
		t.Errorf("sanction form came back with %v", f)
	}
	delete(form, "kind")
	r = reg.submit(page+"/sanctions", form)
	wantContains(t, "kind error", r.TestID("error-kind"), "请从列表中选择")
	if n := e.count("sanctions"); n != 0 {
		t.Fatalf("%d sanctions stored from bad forms", n)
	}
	form.Set("kind", "blacklist")
	form.Set("authority", "天津市市场监督管理委员会")
	wantRedirect(t, reg.submit(page+"/sanctions", form), page)
	// The next form offers the authority just used.
	if _, f := reg.get("/console/vendors/" + vendorUSCC).Form("/console/vendors/" + vendorUSCC + "/sanctions"); f.Get("authority") != "天津市市场监督管理委员会" {
		t.Errorf("default authority = %q", f.Get("authority"))
	}
	wantContains(t, "console sanction", reg.get(page).TestID("sanction-doc"), "文书编号 津市监信〔2025〕2号 · 作出机关：天津市市场监督管理委员会")

	anon := e.client()
	noCache := map[string]string{"Cache-Control": "no-cache"}
	for lang, want := range map[string][]string{"zh": {"文书编号 津市监信〔2025〕2号", "作出机关：天津市市场监督管理委员会"},
		"en": {"Document no. 津市监信〔2025〕2号", "Issued by 天津市市场监督管理委员会"}} {
		p := anon.getWith("/vendors/"+estUSCC+"?lang="+lang, noCache)
		for _, w := range want {
			wantContains(t, lang+" profile sanction", p.TestID("public-sanction-doc"), w)
		}
	}
	black := anon.getWith("/lists/black", noCache)
	if black.TestID("black-reference") != "津市监信〔2025〕2号" || black.TestID("black-authority") != "天津市市场监督管理委员会" {
		t.Errorf("black list: reference %q, authority %q", black.TestID("black-reference"), black.TestID("black-authority"))
	}
	j := anon.getWith("/api/v1/vendors/"+estUSCC, noCache).Body
	if !strings.Contains(j, `"reference":"津市监信〔2025〕2号","authority":"天津市市场监督管理委员会"`) {
		t.Errorf("JSON sanction lacks reference and authority: %s", j[strings.Index(j, `"sanctions"`):])
	}

	// The vendor is told, and repair is not offered before its minimum display.
	ven := e.login("vendor2")
	me := ven.get("/console/me")
	wantContains(t, "inbox", me.TestID("inbox"), "列入严重失信名单（文书编号 津市监信〔2025〕2号，天津市市场监督管理委员会）")
	wantContains(t, "my sanctions", me.TestID("my-sanction-repair"), "2026-03-14 起可申请信用修复")
	if me.Has("repair-form") {
		t.Error("credit repair offered before the minimum display")
	}
	ss, _ := e.db.SanctionsOfVendor(ctx, e.est.ID)
	if r := ven.submit("/console/me/repair", url.Values{"sanction": {itoa64(ss[0].ID)}, "repair_text": {"已整改"}}); r.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(r.TestID("error-summary"), "2026-03-14 起可申请") {
		t.Errorf("early repair: %d %q", r.Code, r.TestID("error-summary"))
	}
	e.clk.Advance(366 * 24 * time.Hour)
	me = e.login("vendor2").get("/console/me")
	if !me.Has("repair-form") || !strings.Contains(me.TestID("my-sanction-repair"), "可申请信用修复") {
		t.Error("credit repair not offered after twelve months")
	}
}

// An action's label shows beside its code, and the filter lists the
// actions in the log by label.
func TestAuditActionLabelsAndFilter(t *testing.T) {
	e := newToolsEnv(t)
	reg := e.as(registry.RoleRegulator)
	r := reg.get("/console/audit?lang=en")
	var opts []string
	for _, sel := range findAll(r.root(), byTag("select")) {
		if n, _ := attr(sel, "name"); n == "action" {
			for _, o := range findAll(sel, byTag("option")) {
				opts = append(opts, text(o))
			}
		}
	}
	for _, want := range []string{"All actions", "publication run (publication.run)", "vendor registered (vendor.create)", "signed in (session.login)"} {
		if !contains(opts, want) {
			t.Errorf("action filter lacks %q: %q", want, opts)
		}
	}
	r = reg.get("/console/audit?action=publication.run&lang=zh")
	rows := r.TableRows("audit-table")
	if len(rows) != 2 || rows[0][3] != "公示发布 publication.run" {
		t.Errorf("filtered by publication.run: %q", rows)
	}
	if _, f := r.Form("/console/audit"); f.Get("action") != "publication.run" {
		t.Errorf("the filter lost its choice: %v", f)
	}
}

// A run's listed changes are exactly the vendors whose public grade it
// changed: here April's run publishes est's matured downgrade (B → C) and
// changes no one else; the matrix has that one vendor off its diagonal.
func TestRunChangesAreThePublishedChanges(t *testing.T) {
	e := newToolsEnv(t)
	ctx := context.Background()
	ids := []int64{e.vendor.ID, e.est.ID}
	before := map[int64]string{}
	for _, id := range ids {
		p, _ := e.db.FindPublished(ctx, id)
		before[id] = p.Grade
	}
	e.clk.Advance(18 * 24 * time.Hour) // past the objection period, into April
	res, err := publicity.Publish(ctx, e.db, registry.SystemActor, time.Date(2025, 4, 1, 2, 0, 0, 0, registry.Shanghai))
	if err != nil {
		t.Fatal(err)
	}
	changed := map[string]bool{}
	for _, id := range ids {
		p, _ := e.db.FindPublished(ctx, id)
		if p.Grade != before[id] {
			v, _ := e.db.FindVendorByID(ctx, id)
			changed[v.USCC] = true
		}
	}
	list, total, err := e.db.RunChanges(ctx, res.Run.ID, 1, 50)
	if err != nil || total != len(changed) || len(list) != len(changed) {
		t.Fatalf("RunChanges: %+v (%d) %v; grades changed: %v", list, total, err, changed)
	}
	for _, c := range list {
		if !changed[c.VendorUSCC] {
			t.Errorf("listed as changed but its grade did not change: %+v", c)
		}
	}
	if c := list[0]; c.VendorUSCC != estUSCC || c.From != "B" || c.To != "C" || c.Action != string(scoring.ActionPendingPublished) {
		t.Errorf("change = %+v", c)
	}
	off := 0
	tr, _ := e.db.RunTransitions(ctx, res.Run.ID)
	for _, x := range tr {
		if x.From != x.To {
			off += x.Vendors
		}
	}
	if off != total {
		t.Errorf("matrix has %d off the diagonal, %d changes listed", off, total)
	}
	reg := e.as(registry.RoleRegulator)
	r := reg.get("/console/publications/" + itoa64(res.Run.ID))
	if rows := r.TableRows("run-changes"); len(rows) != 1 || !strings.Contains(rows[0][2], "异议期满，降级公示") {
		t.Errorf("run page changes = %q", rows)
	}
}
