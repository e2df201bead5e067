package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"chengxin/registry"
)

// Codes used by the onboarding tests.
var (
	newA     = registry.MustUSCC("91120102MA07AAAA1")
	newB     = registry.MustUSCC("91120103MA08BBBB2")
	existing = registry.MustUSCC("91120105MA0EXJQ93")
	badCat   = registry.MustUSCC("91120104MA09CCCC3")
)

// importCSV has 3 valid rows (one an already-registered vendor) and 2 invalid ones.
func importCSV() string {
	badCode, _ := wrongCheck(registry.MustUSCC("91120106MA0DDDD44"))
	return "uscc,name,legal_rep,phone,address,districts,categories\n" +
		newA + ",河东新星家政有限公司,李雷,022-11112222,天津市河东区一号路,120102,cleaning\n" +
		existing + ",改过名字的老字号,冒名,13900000000,别处,120119,moving\n" +
		badCode + ",校验码错的家政,韩梅梅,022-33334444,天津市红桥区二号路,120106,cleaning\n" +
		newB + ",河西好帮手家政,王五,022-55556666,天津市河西区三号路,120103;120104,nanny;maternity\n" +
		badCat + ",南开未知类别家政,赵六,022-77778888,天津市南开区四号路,120104,astrology\n"
}

// TestMemberImport: preview, confirm, invitations, members list, expired stage.
func TestMemberImport(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	old := e.createVendor(existing, "河北老字号家政有限公司")
	assoc := e.as(registry.RoleAssociation)

	form := assoc.get("/console/members/import")
	wantStatus(t, form, http.StatusOK)
	if !form.Has("import-form") {
		t.Fatal("no import form")
	}
	vendors, audit, members, invites := e.count("vendors"), e.count("audit_log"), e.count("memberships"), e.count("invitations")

	p := assoc.upload("/console/members/import/preview", "members.csv", []byte(importCSV()))
	wantStatus(t, p, http.StatusOK)
	rows := p.TableRows("import-rows")
	if got := column(rows, 0); !slices.Equal(got, []string{"2", "3", "4", "5", "6"}) {
		t.Fatalf("preview line numbers = %v\n%s", got, p)
	}
	want := []struct{ name, result, err string }{
		{"河东新星家政有限公司", "新登记", ""},
		{"河北老字号家政有限公司", "邀请已登记商户（待其同意）", ""},
		{"校验码错的家政", "有错误", "统一社会信用代码：校验码错误"},
		{"河西好帮手家政", "新登记", ""},
		{"南开未知类别家政", "有错误", "服务类别：未知的服务类别“astrology”"},
	}
	for i, w := range want {
		row := rows[i]
		if row[2] != w.name || !strings.HasPrefix(row[3], w.result) {
			t.Errorf("line %s: name %q result %q; want %q, %q…", row[0], row[2], row[3], w.name, w.result)
		}
		if w.err != "" && !strings.Contains(row[3], w.err) {
			t.Errorf("line %s: errors %q, want %q", row[0], row[3], w.err)
		}
		if w.err == "" && strings.Contains(row[3], "：") {
			t.Errorf("line %s: unexpected error %q", row[0], row[3])
		}
	}
	wantContains(t, "import-summary", p.TestID("import-summary"), "新登记 2，更新 0，邀请已登记商户 1，无变化 0，有错误 2")
	if e.count("vendors") != vendors || e.count("audit_log") != audit || e.count("memberships") != members || e.count("invitations") != invites {
		t.Fatal("the preview stored something")
	}
	stage := p.InputValue("stage")
	if stage == "" || !p.Has("import-confirm") {
		t.Fatal("no confirmation form with a stage")
	}

	// Another association cannot confirm this upload.
	org2, err := e.db.CreateOrg(ctx, registry.CLIActor, registry.OrgInput{USCC: registry.MustUSCC("51120102MJ0000022"),
		Name: "河东区家政商会", Kind: "chamber", District: "120102"})
	if err != nil {
		t.Fatal(err)
	}
	e.addUser(registry.RoleAssociation, "assoc2", org2.USCC)
	other := e.login("assoc2")
	wantStatus(t, other.submit("/console/members/import/confirm", url.Values{"stage": {stage}}), http.StatusNotFound)

	r := assoc.submit("/console/members/import/confirm", url.Values{"stage": {stage}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, "import-done", r.TestID("import-done"), "新登记 2，更新 0，已邀请 1，无变化 0，未保存的错误行 2")
	inv := r.TestID("import-invitations")
	links := r.InputValues("import-invitations")
	if len(links) != 2 || !strings.Contains(inv, "河东新星家政有限公司") || !strings.Contains(inv, "河西好帮手家政") ||
		strings.Contains(inv, "老字号") {
		t.Errorf("import-invitations = %q %v", inv, links)
	}
	for _, l := range links {
		u, err := url.Parse(l)
		if err != nil || !strings.HasPrefix(u.Path, "/console/invite/") {
			t.Errorf("invitation link %q", l)
			continue
		}
		wantStatus(t, e.client().get(u.EscapedPath()), http.StatusOK) // the links work
	}
	if n := e.count("vendors"); n != vendors+2 {
		t.Errorf("vendors = %d, want %d", n, vendors+2)
	}
	after, _ := e.db.FindVendorByUSCC(ctx, existing)
	if after.Name != old.Name || after.Phone != old.Phone || after.LegalRep != old.LegalRep ||
		!slices.Equal(after.Districts, old.Districts) || !after.UpdatedAt.Equal(old.UpdatedAt) {
		t.Errorf("the existing vendor was modified: %+v", after)
	}
	for _, code := range []string{badCat} {
		if _, err := e.db.FindVendorByUSCC(ctx, code); err == nil {
			t.Errorf("rejected row %s was stored", code)
		}
	}
	b, _ := e.db.FindVendorByUSCC(ctx, newB)
	if !slices.Equal(b.Districts, []string{"120103", "120104"}) || !slices.Equal(b.Categories, []string{"maternity", "nanny"}) {
		t.Errorf("row with ; lists stored %v %v", b.Districts, b.Categories)
	}
	ms, _ := e.db.MembersOfOrg(ctx, e.org.ID, registry.MemberActive)
	var got []string
	for _, m := range ms {
		got = append(got, m.VendorUSCC)
	}
	slices.Sort(got)
	wantCodes := []string{newA, newB}
	slices.Sort(wantCodes)
	if !slices.Equal(got, wantCodes) {
		t.Errorf("active members = %v, want %v", got, wantCodes)
	}
	// The registered vendor is invited, and has no login: regulators are asked for one.
	if ms, _ := e.db.MembersOfOrg(ctx, e.org.ID, registry.MemberInvited); len(ms) != 1 || ms[0].VendorUSCC != existing {
		t.Errorf("invited members = %+v", ms)
	}
	wantContains(t, "import-no-login", r.TestID("import-no-login"), "河北老字号家政有限公司 "+existing)

	list := assoc.get("/console/members")
	names := column(list.TableRows("vendor-table"), 0)
	for _, n := range []string{"河东新星家政有限公司", "河西好帮手家政", "河北老字号家政有限公司"} {
		if !slices.Contains(names, n) {
			t.Errorf("members list %v lacks %s", names, n)
		}
	}

	// The stage is used up.
	r = assoc.submit("/console/members/import/confirm", url.Values{"stage": {stage}})
	wantStatus(t, r, http.StatusNotFound)
	wantContains(t, "import-file-error", r.TestID("import-file-error"), "预览已过期或已导入")
	if n := e.count("vendors"); n != vendors+2 {
		t.Errorf("vendors = %d after a second confirmation", n)
	}
	r = assoc.submit("/console/members/import/confirm", url.Values{"stage": {"made-up"}})
	wantStatus(t, r, http.StatusNotFound)

	// A preview left for more than an hour expires.
	p = assoc.upload("/console/members/import/preview", "late.csv", []byte("uscc,name,legal_rep,phone,address,districts,categories\n"+
		registry.MustUSCC("91120111MA0XQLAT9")+",西青区迟到家政,张三,022-1,天津,120111,cleaning\n"))
	wantStatus(t, p, http.StatusOK)
	e.clk.Advance(registry.StagedImportTTL + time.Minute)
	r = assoc.submit("/console/members/import/confirm", url.Values{"stage": {p.InputValue("stage")}})
	wantStatus(t, r, http.StatusNotFound)
	wantContains(t, "import-file-error", r.TestID("import-file-error"), "预览已过期")
}

// TestMemberImportFiles: encodings, bad files and limits.
func TestMemberImportFiles(t *testing.T) {
	e := newEnv(t)
	assoc := e.as(registry.RoleAssociation)
	assoc.get("/console/members/import")

	t.Run("GB18030", func(t *testing.T) {
		gb, err := simplifiedchinese.GB18030.NewEncoder().String(importCSV())
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains([]byte(gb), []byte("河东")) {
			t.Fatal("the file is not GB18030")
		}
		r := assoc.upload("/console/members/import/preview", "gbk.csv", []byte(gb))
		wantStatus(t, r, http.StatusOK)
		names := column(r.TableRows("import-rows"), 2)
		if len(names) != 5 || names[0] != "河东新星家政有限公司" || names[3] != "河西好帮手家政" {
			t.Errorf("GB18030 names = %q", names)
		}
	})

	t.Run("UTF-8 with BOM", func(t *testing.T) {
		r := assoc.upload("/console/members/import/preview", "bom.csv", []byte("\ufeff"+importCSV()))
		wantStatus(t, r, http.StatusOK)
		if got := column(r.TableRows("import-rows"), 2); len(got) != 5 || got[0] != "河东新星家政有限公司" {
			t.Errorf("names = %q", got)
		}
	})

	vendors := e.count("vendors")
	for _, tc := range []struct {
		name, content string
		status        int
		msg           string
	}{
		{"wrong header", "uscc,name,fax\n" + newA + ",x,1\n", 422, "未知的列：fax"},
		{"missing column", "uscc,name\n" + newA + ",x\n", 422, "缺少必需的列"},
		{"empty", "", 422, "文件是空的"},
		{"blank", "  \n\n", 422, "文件是空的"},
		{"header only", "uscc,name,legal_rep,phone,address,districts,categories\n", 422, "没有数据行"},
		{"UTF-16", "\xff\xfeu\x00s\x00c\x00c\x00", 422, "UTF-16"},
		{"binary", "\x00\x01\x02\xff\xfe\xfd\x80\x81", 422, "无法识别文件编码"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := assoc.upload("/console/members/import/preview", "f.csv", []byte(tc.content))
			wantStatus(t, r, tc.status)
			wantContains(t, "import-file-error", r.TestID("import-file-error"), tc.msg)
			if r.Has("import-confirm") {
				t.Error("a rejected file can be confirmed")
			}
		})
	}

	t.Run("no file", func(t *testing.T) {
		ctype, body := multipartBody(t, url.Values{"csrf": {assoc.csrf}}, "", nil)
		req := httptest.NewRequest(http.MethodPost, "/console/members/import/preview", bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		r := assoc.do(req)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantContains(t, "import-file-error", r.TestID("import-file-error"), "请选择要上传的 CSV 文件")
	})

	t.Run("50 MB", func(t *testing.T) {
		big := bytes.Repeat([]byte("x"), 50<<20)
		r := assoc.upload("/console/members/import/preview", "big.csv", big)
		wantStatus(t, r, http.StatusRequestEntityTooLarge)
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || r.HTMLLang() != "zh-CN" {
			t.Errorf("413 answer is not a Chinese page: %s", r.Header.Get("Content-Type"))
		}
		wantContains(t, "413 message", r.TestID("error-message"), "10 MB")
		wantContains(t, "413 message", r.TestID("error-message"), "过大")
	})

	t.Run("just over 10 MB", func(t *testing.T) {
		content := append([]byte("uscc,name,legal_rep,phone,address,districts,categories\n"), bytes.Repeat([]byte("x"), 10<<20)...)
		r := assoc.upload("/console/members/import/preview", "big.csv", content)
		wantStatus(t, r, http.StatusRequestEntityTooLarge)
		wantContains(t, "import-file-error", r.TestID("import-file-error"), "文件过大：上限为 10 MB")
	})

	t.Run("50 MB in English", func(t *testing.T) {
		big := bytes.Repeat([]byte("x"), 50<<20)
		ctype, body := multipartBody(t, url.Values{"csrf": {assoc.csrf}}, "big.csv", big)
		req := httptest.NewRequest(http.MethodPost, "/console/members/import/preview?lang=en", bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		r := assoc.do(req)
		wantStatus(t, r, http.StatusRequestEntityTooLarge)
		wantContains(t, "413 message", r.TestID("error-message"), "too large")
		assoc.get("/console/members/import?lang=zh")
	})

	if n := e.count("vendors"); n != vendors {
		t.Errorf("vendors = %d, want %d: a rejected upload stored something", n, vendors)
	}
	if n := e.count("memberships"); n != 0 {
		t.Errorf("memberships = %d", n)
	}

	t.Run("template", func(t *testing.T) {
		r := assoc.get("/console/members/import/template/members")
		wantStatus(t, r, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("Content-Type = %q", ct)
		}
		if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, ".csv") {
			t.Errorf("Content-Disposition = %q", cd)
		}
		if !strings.HasPrefix(r.Body, "\ufeff") {
			t.Fatalf("no BOM: %q", r.Body[:min(20, len(r.Body))])
		}
		header, _, _ := strings.Cut(strings.TrimPrefix(r.Body, "\ufeff"), "\n")
		if header != strings.Join(registry.VendorCSVHeader(), ",") {
			t.Errorf("template header = %q", header)
		}
		// The template itself previews cleanly.
		p := assoc.upload("/console/members/import/preview", "template.csv", []byte(r.Body))
		wantStatus(t, p, http.StatusOK)
		if rows := p.TableRows("import-rows"); len(rows) != 1 || strings.Contains(rows[0][3], "：") {
			t.Errorf("template preview rows = %v", rows)
		}
	})
}

// TestMemberImportStreamedTooLarge: an upload without Content-Length that
// runs past the limit is answered 413 too.
func TestMemberImportStreamedTooLarge(t *testing.T) {
	e := newEnv(t)
	assoc := e.as(registry.RoleAssociation)
	ctype, body := multipartBody(t, url.Values{"csrf": {assoc.csrf}}, "big.csv", bytes.Repeat([]byte("x"), 20<<20))
	req := httptest.NewRequest(http.MethodPost, "/console/members/import/preview", struct{ *bytes.Reader }{bytes.NewReader(body)})
	req.ContentLength = -1
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("X-CSRF-Token", assoc.csrf)
	r := assoc.do(req)
	if r.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("regression: a chunked upload over the limit gets %d (%q) instead of 413: web/handlers_members.go "+
			"handleMemberImportPreview treats any c.FormFile error as \"no file\"; it should map the body limit's "+
			"error (echo.ErrStatusRequestEntityTooLarge / http.MaxBytesError) to 413",
			r.Code, r.TestID("import-file-error")+r.TestID("error-message"))
	}
	if n := e.count("vendors"); n != 1 {
		t.Errorf("vendors = %d", n)
	}
}

// TestMemberAdd: the one-vendor form registers or invites, and memberships change status.
func TestMemberAdd(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	old := e.createVendor(existing, "河北老字号家政有限公司")
	assoc := e.as(registry.RoleAssociation)

	p := assoc.get("/console/members/new")
	wantStatus(t, p, http.StatusOK)
	if !p.Has("vendor-form") {
		t.Fatal("no vendor form")
	}
	wantStatus(t, assoc.get("/console/members"), http.StatusOK)
	if !assoc.get("/console/members").Has("members-empty") {
		t.Error("an empty member list does not say so")
	}

	// New vendor: registered, a member, with a login link.
	r := assoc.submit("/console/members/new", vendorForm(newA, "河东新星家政有限公司"))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, "flash", r.TestID("flash"), "已登记“河东新星家政有限公司”并加为会员")
	links := r.InputValues("invite-link")
	if len(links) != 1 || !strings.Contains(links[0], "/console/invite/") {
		t.Fatalf("invite-link = %v", links)
	}
	u, _ := url.Parse(links[0])
	wantStatus(t, e.client().get(u.EscapedPath()), http.StatusOK)
	if !slices.Contains(column(r.TableRows("vendor-table"), 0), "河东新星家政有限公司") {
		t.Error("the new member is not listed")
	}
	a, err := e.db.FindVendorByUSCC(ctx, newA)
	if err != nil || a.Name != "河东新星家政有限公司" {
		t.Fatalf("new vendor: %+v %v", a, err)
	}

	// Existing vendor: invited, record unchanged, no link.
	f := vendorForm(strings.ToLower(existing), "想改名的老字号")
	f.Set("phone", "13900000000")
	r = assoc.submit("/console/members/new", f)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, "flash", r.TestID("flash"), "“河北老字号家政有限公司”已登记过：已向其发出入会邀请")
	if r.Has("invite-link") {
		t.Error("an invitation was issued for an already-registered vendor")
	}
	after, _ := e.db.FindVendorByUSCC(ctx, existing)
	if after.Name != old.Name || after.Phone != old.Phone || !after.UpdatedAt.Equal(old.UpdatedAt) {
		t.Errorf("linking changed the vendor: %+v", after)
	}
	// Again: already invited.
	r = assoc.submit("/console/members/new", f)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, "flash", r.TestID("flash"), "已向“河北老字号家政有限公司”发出过邀请，正在等待其答复")
	// A new vendor the association registered is an active member already.
	r = assoc.submit("/console/members/new", vendorForm(newA, "河东新星家政有限公司"))
	wantContains(t, "flash", r.TestID("flash"), "“河东新星家政有限公司”已在会员名单中（有效会员）")
	if n := e.count("memberships"); n != 2 {
		t.Errorf("memberships = %d, want 2", n)
	}

	// Invalid input, and an association cannot confirm a failing check character.
	bad, _ := wrongCheck(newB)
	f = vendorForm(bad, "校验码错的家政")
	f.Set("confirm_uscc", "1")
	r = assoc.submit("/console/members/new", f)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, "error-uscc", r.TestID("error-uscc"), "校验码错误")
	if r.Has("uscc-confirm") {
		t.Error("an association is offered the regulator's confirmation")
	}
	if n := e.count("vendors"); n != 3 {
		t.Errorf("vendors = %d, want 3", n)
	}

	// Membership actions on the member the association registered itself.
	r = assoc.submit("/console/members/"+newA+"/action", url.Values{"action": {"suspend"}})
	wantRedirect(t, r, "/console/members")
	list := assoc.follow(r)
	wantContains(t, "flash", list.TestID("flash"), "会员资格已暂停")
	ms, _ := e.db.MembershipsOfVendor(ctx, a.ID)
	if len(ms) != 1 || ms[0].Status != registry.MemberSuspended {
		t.Fatalf("memberships = %+v", ms)
	}
	if got := column(assoc.get("/console/members?status=suspended").TableRows("vendor-table"), 0); !slices.Equal(got, []string{"河东新星家政有限公司"}) {
		t.Errorf("suspended members = %v", got)
	}
	if acts := e.auditActions(newA); acts[len(acts)-1] != "membership.suspend" {
		t.Errorf("audit = %v", acts)
	}
	wantRedirect(t, assoc.submit("/console/members/"+newA+"/action", url.Values{"action": {"end"}}), "/console/members")
	ms, _ = e.db.MembershipsOfVendor(ctx, a.ID)
	if ms[0].Status != registry.MemberLeft || ms[0].Until == nil || ms[0].StatusBy != registry.RoleAssociation {
		t.Errorf("ended membership = %+v", ms[0])
	}
	if got := assoc.get("/console/members?status=left").TableRows("vendor-table"); len(got) != 1 || !strings.Contains(got[0][5], "协会已终止") {
		t.Errorf("ended members = %v", got)
	}
	// Withdrawing the unanswered invitation removes it.
	wantRedirect(t, assoc.submit("/console/members/"+existing+"/action", url.Values{"action": {"withdraw"}}), "/console/members")
	if ms, _ := e.db.MembershipsOfVendor(ctx, after.ID); len(ms) != 0 {
		t.Errorf("withdrawn invitation = %+v", ms)
	}
	// Bad action; a vendor that is not a member; a malformed code.
	r = assoc.submit("/console/members/"+newA+"/action", url.Values{"action": {"expelled"}})
	wantStatus(t, r, http.StatusBadRequest)
	wantContains(t, "flash", r.TestID("flash"), "未知的操作")
	wantStatus(t, assoc.submit("/console/members/"+vendorUSCC+"/action", url.Values{"action": {"suspend"}}), http.StatusNotFound)
	wantStatus(t, assoc.submit("/console/members/abc/action", url.Values{"action": {"suspend"}}), http.StatusNotFound)
}

// TestMemberAddConfirmedCode: a vendor registered under a regulator-confirmed
// code (it fails the check character) is invited, not refused, when its
// association onboards it by form or CSV.
func TestMemberAddConfirmedCode(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	code, _ := wrongCheck(registry.MustUSCC("91120115MA0BAQDK7"))
	reg := e.as(registry.RoleRegulator)
	f := vendorForm(code, "宝坻区早期试点家政")
	f.Set("confirm_uscc", "1")
	wantRedirect(t, reg.submit("/console/vendors/new", f), "/console/vendors/"+code)
	v, err := e.db.FindVendorByUSCC(ctx, code)
	if err != nil || !v.USCCConfirmed {
		t.Fatalf("confirmed vendor: %+v %v", v, err)
	}

	assoc := e.as(registry.RoleAssociation)
	r := assoc.submit("/console/members/new", vendorForm(code, "宝坻区早期试点家政"))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, "flash", r.TestID("flash"), "“宝坻区早期试点家政”已登记过：已向其发出入会邀请")

	// By CSV, for a second association.
	org2, err := e.db.CreateOrg(ctx, registry.CLIActor, registry.OrgInput{USCC: registry.MustUSCC("51120102MJ0000022"),
		Name: "河东区家政商会", Kind: "chamber", District: "120102"})
	if err != nil {
		t.Fatal(err)
	}
	e.addUser(registry.RoleAssociation, "assoc2", org2.USCC)
	assoc2 := e.login("assoc2")
	csv := "uscc,name,legal_rep,phone,address,districts,categories\n" + strings.ToLower(code) + ",改名,王芳,022-1,天津,120115,cleaning\n"
	p := assoc2.upload("/console/members/import/preview", "m.csv", []byte(csv))
	wantStatus(t, p, http.StatusOK)
	if rows := p.TableRows("import-rows"); len(rows) != 1 || !strings.HasPrefix(rows[0][3], "邀请已登记商户") {
		t.Fatalf("CSV preview of a confirmed-code vendor: %v", rows)
	}
	wantStatus(t, assoc2.submit("/console/members/import/confirm", url.Values{"stage": {p.InputValue("stage")}}), http.StatusOK)
	ms, _ := e.db.MembershipsOfVendor(ctx, v.ID)
	if len(ms) != 2 || ms[0].Status != registry.MemberInvited || ms[1].Status != registry.MemberInvited {
		t.Errorf("memberships = %+v", ms)
	}
	if after, _ := e.db.FindVendorByUSCC(ctx, code); after.Name != v.Name || e.count("vendors") != 2 {
		t.Errorf("linking changed or duplicated the vendor: %+v, %d vendors", after, e.count("vendors"))
	}
}
