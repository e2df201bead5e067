package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"chengxin/registry"
	"chengxin/registry/registrytest"
)

// TestAudit: the regulator's audit page lists, filters and verifies the chain.
func TestAudit(t *testing.T) {
	e := newEnv(t)
	reg := e.as(registry.RoleRegulator)
	a := registry.MustUSCC("91120113MA0BCHEN6")
	wantRedirect(t, reg.submit("/console/vendors/new", vendorForm(a, "北辰区审计测试家政")), "/console/vendors/"+a)
	wantRedirect(t, reg.submit("/console/vendors/"+a+"/status", url.Values{"status": {"suspended"}, "reason": {"审计测试"}}), "/console/vendors/"+a)

	// Columns: # at actor action (label and code) subject detail.
	r := reg.get("/console/audit")
	wantStatus(t, r, http.StatusOK)
	rows := r.TableRows("audit-table")
	if len(rows) != e.count("audit_log") {
		t.Errorf("audit page lists %d entries, the log has %d", len(rows), e.count("audit_log"))
	}
	actions := actionCodes(rows)
	for _, want := range []string{"org.create", "vendor.create", "user.create", "session.login", "vendor.status"} {
		if !slices.Contains(actions, want) {
			t.Errorf("audit page lacks %s: %v", want, actions)
		}
	}
	if rows[0][3] != "变更经营状态 vendor.status" || rows[0][2] != "user:reg1" || rows[0][4] != a || !strings.Contains(rows[0][5], "审计测试") {
		t.Errorf("newest entry = %v", rows[0])
	}
	if rows[0][1] != "2025-03-15 10:00:00" {
		t.Errorf("time shown = %q, want Asia/Shanghai 2025-03-15 10:00:00", rows[0][1])
	}

	r = reg.get("/console/audit?action=vendor.")
	got := actionCodes(r.TableRows("audit-table"))
	if len(got) != 3 { // the fixture vendor, the new one, its status
		t.Errorf("action=vendor. lists %v", got)
	}
	for _, act := range got {
		if !strings.HasPrefix(act, "vendor.") {
			t.Errorf("action=vendor. lists %s", act)
		}
	}
	if _, f := r.Form("/console/audit"); f.Get("action") != "vendor." {
		t.Errorf("the filter lost its value: %v", f)
	}
	r = reg.get("/console/audit?subject=" + a)
	if got := column(r.TableRows("audit-table"), 4); len(got) != 2 || got[0] != a || got[1] != a {
		t.Errorf("subject=%s lists %v", a, got)
	}
	r = reg.get("/console/audit?actor=user:reg1&action=session")
	if got := actionCodes(r.TableRows("audit-table")); !slices.Equal(got, []string{"session.login"}) {
		t.Errorf("actor filter lists %v", got)
	}
	r = reg.get("/console/audit?action=" + url.QueryEscape("%"))
	if len(r.TableRows("audit-table")) != 0 {
		t.Error("a LIKE wildcard in the filter matched entries")
	}

	r = reg.get("/console/audit?verify=1")
	wantContains(t, "audit-verified", r.TestID("audit-verified"), "哈希链完整")

	// Tamper with an entry behind the store's back: the page says where.
	raw := e.rawDB()
	registrytest.AllowTampering(t, e.db)
	if _, err := raw.Exec(`UPDATE audit_log SET detail = '{"name":"forged"}' WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	r = reg.get("/console/audit?verify=1")
	wantContains(t, "audit-verified", r.TestID("audit-verified"), "哈希链在第 2 条记录处断开")
}

// TestOrgsAndUsers: the regulator registers organisations and accounts.
func TestOrgsAndUsers(t *testing.T) {
	e := newEnv(t)
	reg := e.as(registry.RoleRegulator)
	code := registry.MustUSCC("51120102MJ0000022")
	f := url.Values{"uscc": {code}, "name": {"河东区家政商会"}, "kind": {"chamber"}, "district": {"120102"}, "contact_phone": {"022-1234 5678"}}

	bad := url.Values{"uscc": {"abc"}, "name": {""}, "kind": {"club"}, "district": {"999999"}}
	r := reg.submit("/console/orgs", bad)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	for _, field := range []string{"uscc", "name", "kind", "district"} {
		if !r.Has("error-" + field) {
			t.Errorf("no error-%s", field)
		}
	}
	if n := e.count("orgs"); n != 1 {
		t.Fatalf("orgs = %d", n)
	}
	r = reg.submit("/console/orgs", f)
	wantRedirect(t, r, "/console/orgs")
	list := reg.follow(r)
	wantContains(t, "flash", list.TestID("flash"), "组织已登记")
	if !slices.Contains(column(list.TableRows("org-table"), 1), code) {
		t.Errorf("org list %v lacks %s", list.TableRows("org-table"), code)
	}
	wantContains(t, "duplicate", reg.submit("/console/orgs", f).TestID("error-uscc"), "已登记为组织")
	if got := column(reg.get("/console/orgs?q="+url.QueryEscape("河东")).TableRows("org-table"), 0); !slices.Equal(got, []string{"河东区家政商会"}) {
		t.Errorf("org search = %v", got)
	}

	// Users: an association account needs an existing organisation.
	r = reg.submit("/console/users", url.Values{"username": {"hd-assoc"}, "password": {"hedong-pass-1"}, "role": {"association"}, "org": {vendorUSCC}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, "error-org", r.TestID("error-org"), "未找到该协会")
	r = reg.submit("/console/users", url.Values{"username": {"x"}, "password": {"short"}, "role": {"admin"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	for _, field := range []string{"username", "password", "role"} {
		if !r.Has("error-" + field) {
			t.Errorf("no error-%s", field)
		}
	}
	r = reg.submit("/console/users", url.Values{"username": {"hd-assoc"}, "password": {"hedong-pass-1"}, "role": {"association"}, "org": {strings.ToLower(code)}})
	wantRedirect(t, r, "/console/users")
	if got := column(reg.follow(r).TableRows("user-table"), 0); !slices.Contains(got, "hd-assoc") {
		t.Errorf("user list %v", got)
	}
	c := e.client()
	members := c.follow(c.tryLogin("hd-assoc", "hedong-pass-1"))
	wantStatus(t, members, http.StatusOK)
	wantContains(t, "members page", members.Body, "河东区家政商会")
}

// actionCodes are the raw action codes of the audit table's rows (the last
// word of the action cell, after its label).
func actionCodes(rows [][]string) []string {
	var out []string
	for _, a := range column(rows, 3) {
		f := strings.Fields(a)
		out = append(out, f[len(f)-1])
	}
	return out
}
