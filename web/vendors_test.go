package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"chengxin/registry"
)

// TestVendorCreateAndList: a regulator registers vendors through the form and
// finds them by name, code and filters.
func TestVendorCreateAndList(t *testing.T) {
	e := newEnv(t)
	reg := e.as(registry.RoleRegulator)
	ctx := context.Background()

	form := reg.get("/console/vendors/new")
	wantStatus(t, form, http.StatusOK)
	if !form.Has("vendor-form") || form.CSRF() == "" {
		t.Fatal("the new-vendor page has no form with a CSRF field")
	}

	a := registry.MustUSCC("91120103MA07HXJY1")
	r := reg.submit("/console/vendors/new", vendorForm(a, "海河清洁家政服务有限公司"))
	wantRedirect(t, r, "/console/vendors/"+a)
	show := reg.follow(r)
	wantStatus(t, show, http.StatusOK)
	if show.H1() != "海河清洁家政服务有限公司" {
		t.Errorf("detail h1 = %q", show.H1())
	}
	wantContains(t, "flash", show.TestID("flash"), "商户已登记")
	wantContains(t, "detail", show.Body, "和平区、河西区")
	wantContains(t, "detail", show.Body, "保洁")
	v, err := e.db.FindVendorByUSCC(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(v.Districts, []string{"120101", "120103"}) || !slices.Equal(v.Categories, []string{"cleaning", "housekeeping"}) {
		t.Errorf("stored districts %v categories %v", v.Districts, v.Categories)
	}
	if v.Status != registry.VendorActive || v.LegalRep != "王芳" || v.Phone != "022-5555 0101" {
		t.Errorf("stored vendor = %+v", v)
	}
	if acts := e.auditActions(a); !slices.Equal(acts, []string{"vendor.create"}) {
		t.Errorf("audit for %s = %v", a, acts)
	}

	b := registry.MustUSCC("91120104MA08KLMN2")
	f := vendorForm(b, "南开月嫂之家")
	f["districts"], f["categories"] = []string{"120104"}, []string{"maternity", "nanny"}
	wantRedirect(t, reg.submit("/console/vendors/new", f), "/console/vendors/"+b)

	names := func(query string) []string {
		t.Helper()
		r := reg.get("/console/vendors" + query)
		wantStatus(t, r, http.StatusOK)
		got := column(r.TableRows("vendor-table"), 0)
		slices.Sort(got)
		return got
	}
	all := []string{"南开月嫂之家", "和平区示范家政服务有限公司", "海河清洁家政服务有限公司"}
	slices.Sort(all)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", all},
		{"?q=" + url.QueryEscape("海河"), []string{"海河清洁家政服务有限公司"}},
		{"?q=" + url.QueryEscape("月嫂"), []string{"南开月嫂之家"}},
		{"?q=" + url.QueryEscape("家政服务"), []string{"和平区示范家政服务有限公司", "海河清洁家政服务有限公司"}},
		{"?q=91120104", []string{"南开月嫂之家"}},
		{"?q=91120104ma", []string{"南开月嫂之家"}},
		{"?q=" + a, []string{"海河清洁家政服务有限公司"}},
		{"?q=9112010", all},
		{"?q=" + url.QueryEscape("不存在的商户"), nil},
		{"?district=120103", []string{"海河清洁家政服务有限公司"}},
		{"?district=120104", []string{"南开月嫂之家"}},
		{"?category=nanny", []string{"南开月嫂之家"}},
		{"?category=cleaning", []string{"和平区示范家政服务有限公司", "海河清洁家政服务有限公司"}},
		{"?category=cleaning&district=120103", []string{"海河清洁家政服务有限公司"}},
		{"?status=active", all},
		{"?status=suspended", nil},
	} {
		if got := names(tc.query); !slices.Equal(got, tc.want) {
			t.Errorf("/console/vendors%s lists %v, want %v", tc.query, got, tc.want)
		}
	}
	r = reg.get("/console/vendors?q=" + url.QueryEscape("海河"))
	if got := r.TestID("vendor-total"); got != "共 1 条" {
		t.Errorf("vendor-total = %q", got)
	}
	if got := r.InputValue("q"); got != "海河" {
		t.Errorf("the search box lost the query: %q", got)
	}

	// Suspending moves it between status filters.
	wantRedirect(t, reg.submit("/console/vendors/"+a+"/status", url.Values{"status": {"suspended"}, "reason": {"无证经营，责令整改"}}),
		"/console/vendors/"+a)
	if got := names("?status=suspended"); !slices.Equal(got, []string{"海河清洁家政服务有限公司"}) {
		t.Errorf("?status=suspended lists %v", got)
	}

	// Unknown and malformed codes are a 404 page.
	for _, p := range []string{"/console/vendors/" + registry.MustUSCC("91120101MA05QQQQ1"), "/console/vendors/abc",
		"/console/vendors/" + registry.MustUSCC("91120101MA05QQQQ1") + "/edit"} {
		r := reg.get(p)
		wantStatus(t, r, http.StatusNotFound)
		wantContains(t, p, r.H1(), "页面不存在")
	}
}

// TestVendorCreateInvalid: bad input is shown with field messages and stores nothing.
func TestVendorCreateInvalid(t *testing.T) {
	e := newEnv(t)
	reg := e.as(registry.RoleRegulator)
	good := registry.MustUSCC("91120105MA09PQRT3")
	bad, want := wrongCheck(good)

	cases := []struct {
		name  string
		edit  func(url.Values)
		field string
		msg   string
	}{
		{"wrong check character", func(f url.Values) { f.Set("uscc", bad) }, "uscc", "应为“" + want + "”"},
		{"wrong length", func(f url.Values) { f.Set("uscc", good[:16]) }, "uscc", "应为 18 位"},
		{"bad character", func(f url.Values) { f.Set("uscc", good[:10]+"I"+good[11:]) }, "uscc", "不是统一社会信用代码允许的字符"},
		{"empty uscc", func(f url.Values) { f.Set("uscc", "") }, "uscc", "必填"},
		{"unknown district", func(f url.Values) { f["districts"] = []string{"120101", "999999"} }, "districts", "999999"},
		{"no district", func(f url.Values) { f.Del("districts") }, "districts", "至少选择一项"},
		{"unknown category", func(f url.Values) { f["categories"] = []string{"astrology"} }, "categories", "astrology"},
		{"empty name", func(f url.Values) { f.Set("name", "   ") }, "name", "必填"},
		{"long name", func(f url.Values) { f.Set("name", strings.Repeat("家", 201)) }, "name", "200"},
		{"bad phone", func(f url.Values) { f.Set("phone", "022-ABC") }, "phone", "电话只能包含"},
		{"bad date", func(f url.Values) { f.Set("licence_valid_until", "2025-13-45") }, "licence_valid_until", "日期格式不正确"},
		{"expired licence", func(f url.Values) { f.Set("licence_valid_until", "2024-01-01") }, "licence_valid_until", "执照有效期已过"},
		{"future registration", func(f url.Values) { f.Set("registered_at", "2030-01-01") }, "registered_at", "不能晚于当前时间"},
		{"duplicate", func(f url.Values) { f.Set("uscc", vendorUSCC) }, "uscc", "该代码已登记"},
	}
	vendors, audit := e.count("vendors"), e.count("audit_log")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := vendorForm(good, "河北区好家政")
			tc.edit(f)
			r := reg.submit("/console/vendors/new", f)
			wantStatus(t, r, http.StatusUnprocessableEntity)
			wantContains(t, "error-"+tc.field, r.TestID("error-"+tc.field), tc.msg)
			if !r.Has("error-summary") {
				t.Error("no error summary")
			}
			if tc.field != "name" && r.InputValue("name") != f.Get("name") {
				t.Errorf("the form lost the typed name: %q", r.InputValue("name"))
			}
			if n := e.count("vendors"); n != vendors {
				t.Errorf("vendors = %d, want %d", n, vendors)
			}
			if n := e.count("audit_log"); n != audit {
				t.Errorf("audit_log = %d, want %d", n, audit)
			}
			if confirm := r.Has("uscc-confirm"); confirm != (tc.name == "wrong check character") {
				t.Errorf("uscc-confirm shown = %v", confirm)
			}
		})
	}

	t.Run("confirmed by regulator", func(t *testing.T) {
		f := vendorForm(bad, "河北区好家政")
		r := reg.submit("/console/vendors/new", f)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		if !r.Has("uscc-confirm") {
			t.Fatal("no confirmation offered")
		}
		// Resubmit the re-shown form with the box ticked.
		_, again := r.Form("/console/vendors/new")
		again.Set("confirm_uscc", "1")
		again["districts"], again["categories"] = f["districts"], f["categories"]
		r = reg.post("/console/vendors/new", again)
		wantRedirect(t, r, "/console/vendors/"+bad)
		v, err := e.db.FindVendorByUSCC(context.Background(), bad)
		if err != nil || !v.USCCConfirmed {
			t.Fatalf("stored %+v, %v; want a confirmed code", v, err)
		}
		if acts := e.auditActions(bad); !slices.Contains(acts, "uscc.confirm") {
			t.Errorf("audit for %s = %v, want uscc.confirm", bad, acts)
		}
		show := reg.follow(r)
		wantContains(t, "detail", show.Body, "已人工确认")
	})

	t.Run("full-width lower-case code is normalised", func(t *testing.T) {
		c := registry.MustUSCC("91120106MA0ABCDE4")
		r := reg.submit("/console/vendors/new", vendorForm(fullWidth(strings.ToLower(c)), "红桥区全角家政"))
		wantRedirect(t, r, "/console/vendors/"+c)
	})
}

// fullWidth turns ASCII into its full-width forms.
func fullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 0x20 && r < 0x7f {
			r += 0xFEE0
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestVendorEditAndStatus: edit a registration, change its status with a reason.
func TestVendorEditAndStatus(t *testing.T) {
	e := newEnv(t)
	reg := e.as(registry.RoleRegulator)
	ctx := context.Background()
	base := "/console/vendors/" + vendorUSCC

	edit := reg.get(base + "/edit")
	wantStatus(t, edit, http.StatusOK)
	action, f := edit.Form(base + "/edit")
	if action != base+"/edit" {
		t.Fatalf("edit form action %q", action)
	}
	if f.Get("name") != e.vendor.Name || f.Get("uscc") != vendorUSCC || !slices.Equal(f["districts"], []string{"120101"}) {
		t.Errorf("edit form not prefilled: %v", f)
	}
	// Saving the form untouched changes nothing.
	t.Run("unchanged", func(t *testing.T) {
		audit := e.count("audit_log")
		r := reg.post(action, f)
		wantRedirect(t, r, base)
		after, _ := e.db.FindVendorByUSCC(ctx, vendorUSCC)
		if !after.RegisteredAt.Equal(e.vendor.RegisteredAt) || e.count("audit_log") != audit || !strings.HasSuffix(r.Location(), "done.unchanged") {
			t.Fatalf("regression: re-saving the edit form untouched is not a no-op: registered_at %s → %s, %d audit entries added, "+
				"redirect %q. web/handlers_vendors.go vendorInputOf puts registered_at as a bare date (dateText) in the form, "+
				"which handleVendorUpdate sends back and the registry reads as midnight",
				e.vendor.RegisteredAt.In(registry.Shanghai), after.RegisteredAt.In(registry.Shanghai), e.count("audit_log")-audit, r.Location())
		}
	})
	// Changed.
	f.Set("phone", "13800138000")
	f["districts"] = []string{"120101", "120116"}
	f.Set("uscc", registry.MustUSCC("91120101MA05ABCD2")) // ignored: the code cannot change
	r := reg.post(action, f)
	wantRedirect(t, r, base)
	wantContains(t, "flash", reg.follow(r).TestID("flash"), "登记信息已更新")
	v, _ := e.db.FindVendorByUSCC(ctx, vendorUSCC)
	if v.Phone != "13800138000" || !slices.Equal(v.Districts, []string{"120101", "120116"}) {
		t.Errorf("after edit: phone %q districts %v", v.Phone, v.Districts)
	}
	if n := e.count("vendors"); n != 1 {
		t.Errorf("vendors = %d after an edit", n)
	}
	if acts := e.auditActions(vendorUSCC); acts[len(acts)-1] != "vendor.update" {
		t.Errorf("audit = %v", acts)
	}
	// Invalid edit.
	f.Set("name", "")
	r = reg.post(action, f)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, "error-name", r.TestID("error-name"), "必填")
	if v, _ := e.db.FindVendorByUSCC(ctx, vendorUSCC); v.Name != e.vendor.Name {
		t.Errorf("invalid edit changed the name to %q", v.Name)
	}

	// Status: a reason is required.
	r = reg.submit(base+"/status", url.Values{"status": {"suspended"}, "reason": {"  "}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, "error-reason", r.TestID("error-reason"), "请写明理由")
	if v, _ := e.db.FindVendorByUSCC(ctx, vendorUSCC); v.Status != registry.VendorActive {
		t.Errorf("status changed without a reason: %s", v.Status)
	}
	r = reg.submit(base+"/status", url.Values{"status": {"closed"}, "reason": {"x"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, "error-status", r.TestID("error-status"), "请从列表中选择一项") // in words, not the codes

	r = reg.submit(base+"/status", url.Values{"status": {"suspended"}, "reason": {"多次投诉未整改"}})
	wantRedirect(t, r, base)
	show := reg.follow(r)
	if got := show.TestID("vendor-status"); got != "暂停" {
		t.Errorf("vendor-status = %q, want 暂停", got)
	}
	wantContains(t, "history", show.TestID("audit-table"), "多次投诉未整改")
	if v, _ := e.db.FindVendorByUSCC(ctx, vendorUSCC); v.Status != registry.VendorSuspended {
		t.Errorf("status = %s", v.Status)
	}
	es, _ := e.db.FindAudit(ctx, registry.AuditFilter{Action: "vendor.status", Subject: vendorUSCC})
	if len(es) != 1 || !strings.Contains(es[0].Detail, "多次投诉未整改") || es[0].Actor != "user:reg1" {
		t.Errorf("vendor.status audit = %+v", es)
	}
}

// TestVendorInvitation: the regulator's one-time link sets up the vendor's login.
func TestVendorInvitation(t *testing.T) {
	e := newEnv(t)
	v := e.createVendor(registry.MustUSCC("91120110MA0DLNGF5"), "东丽区邀请测试家政")
	reg := e.as(registry.RoleRegulator)

	r := reg.submit("/console/vendors/"+v.USCC+"/invite", nil)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, "flash", r.TestID("flash"), "邀请链接已生成")
	links := r.InputValues("invite-link")
	if len(links) != 1 {
		t.Fatalf("invite-link inputs = %v", links)
	}
	u, err := url.Parse(links[0])
	if err != nil || !strings.HasPrefix(u.Path, "/console/invite/") || u.Scheme != "http" || u.Host == "" {
		t.Fatalf("invite URL %q", links[0])
	}
	link := u.EscapedPath()
	if acts := e.auditActions(v.USCC); !slices.Contains(acts, "invitation.create") {
		t.Errorf("audit = %v", acts)
	}

	anon := e.client()
	page := anon.get(link)
	wantStatus(t, page, http.StatusOK)
	wantContains(t, "invite page", page.Body, "东丽区邀请测试家政")
	// A weak password is refused and uses nothing up.
	r = anon.post(link, url.Values{"csrf": {page.CSRF()}, "username": {"dongli"}, "password": {"short"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, "error-password", r.TestID("error-password"), "至少 10 个字符")
	// Taken username.
	r = anon.post(link, url.Values{"csrf": {r.CSRF()}, "username": {"reg1"}, "password": {"dongli-pass-1"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, "error-username", r.TestID("error-username"), "已被使用")
	// Without the CSRF token.
	wantStatus(t, anon.post(link, url.Values{"username": {"dongli"}, "password": {"dongli-pass-1"}}), http.StatusForbidden)

	r = anon.post(link, url.Values{"csrf": {page.CSRF()}, "username": {"dongli"}, "password": {"dongli-pass-1"}})
	wantRedirect(t, r, "/console/login")
	t.Run("confirmation shown", func(t *testing.T) {
		if got := anon.follow(r).TestID("flash"); !strings.Contains(got, "账号已开通") {
			t.Fatalf("regression: after accepting an invitation the login page shows no confirmation (flash %q): "+
				"web/handlers_auth.go handleLoginForm never calls flashFromQuery, so ?done=done.invite_accepted is dropped", got)
		}
	})

	c := e.client()
	r = c.tryLogin("dongli", "dongli-pass-1")
	wantRedirect(t, r, "/console")
	me := c.follow(r)
	wantStatus(t, me, http.StatusOK)
	if me.H1() != "东丽区邀请测试家政" {
		t.Errorf("/console/me h1 = %q", me.H1())
	}
	wantContains(t, "/console/me", me.Body, v.USCC)

	// Used up.
	for _, tc := range []struct {
		name string
		r    *resp
	}{
		{"GET", e.client().get(link)},
		{"POST", anon.post(link, url.Values{"csrf": {page.CSRF()}, "username": {"dongli2"}, "password": {"dongli-pass-2"}})},
		{"unknown", e.client().get("/console/invite/not-a-token")},
	} {
		wantStatus(t, tc.r, http.StatusNotFound)
		wantContains(t, tc.name+" used link", tc.r.TestID("invite-invalid"), "此邀请链接无效、已使用或已过期")
	}
	if n := e.count("users"); n != 4 {
		t.Errorf("users = %d, want 4", n)
	}
}

// TestVendorListPaging: 25 a page, links that keep the filters.
func TestVendorListPaging(t *testing.T) {
	e := newEnv(t)
	for i := 1; i <= 30; i++ {
		e.createVendor(registry.MustUSCC(fmt.Sprintf("9112010%010d", i)), fmt.Sprintf("分页测试家政%02d", i))
	}
	reg := e.as(registry.RoleRegulator)
	r := reg.get("/console/vendors?q=" + url.QueryEscape("分页"))
	rows := r.TableRows("vendor-table")
	if len(rows) != 25 || rows[0][0] != "分页测试家政01" {
		t.Fatalf("page 1: %d rows, first %v", len(rows), rows[0])
	}
	if got := r.TestID("vendor-total"); got != "共 30 条" {
		t.Errorf("vendor-total = %q", got)
	}
	next := findAll(r.root(), func(n *html.Node) bool { v, _ := attr(n, "rel"); return n.Data == "a" && v == "next" })
	if len(next) != 1 {
		t.Fatal("no next link")
	}
	href, _ := attr(next[0], "href")
	u, _ := url.Parse(href)
	if u.Query().Get("q") != "分页" || u.Query().Get("page") != "2" {
		t.Errorf("next link %q", href)
	}
	r = reg.get(href)
	if got := column(r.TableRows("vendor-table"), 0); len(got) != 5 || got[4] != "分页测试家政30" {
		t.Errorf("page 2 = %v", got)
	}
	for _, p := range []string{"?page=-3", "?page=abc", "?page=99"} {
		wantStatus(t, reg.get("/console/vendors"+p), http.StatusOK)
	}
}

// TestVendorTextEscaped: free text is shown as typed, never as markup; flash
// messages cannot be forged through the query string.
func TestVendorTextEscaped(t *testing.T) {
	e := newEnv(t)
	reg := e.as(registry.RoleRegulator)
	code := registry.MustUSCC("91120117MA0NHXQR8")
	name := `<script>alert("x")</script>&<b>家政</b>`
	r := reg.submit("/console/vendors/new", vendorForm(code, name))
	wantRedirect(t, r, "/console/vendors/"+code)
	for _, p := range []string{"/console/vendors/" + code, "/console/vendors", "/console/vendors/" + code + "/edit", "/console/audit"} {
		page := reg.get(p)
		if strings.Contains(page.Body, "<script>") || strings.Contains(page.Body, "<b>家政") {
			t.Errorf("%s renders the name as markup", p)
		}
		if p != "/console/audit" && !strings.Contains(text(page.root()), name) { // the audit detail is JSON
			t.Errorf("%s does not show the name as text", p)
		}
	}
	for _, q := range []string{"?done=login.failed", "?done=" + url.QueryEscape("<b>hi</b>"), "?done=done.nope"} {
		if got := reg.get("/console/vendors" + q).TestID("flash"); got != "" {
			t.Errorf("%s shows flash %q", q, got)
		}
	}
	if got := reg.get("/console/vendors?done=done.vendor_created").TestID("flash"); got != "商户已登记。" {
		t.Errorf("flash = %q", got)
	}
}
