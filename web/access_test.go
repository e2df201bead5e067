package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"chengxin/registry"
	"chengxin/registry/registrytest"
)

// issueInvite has the regulator issue an invitation for uscc and returns
// the link's path.
func (e *env) issueInvite(reg *client, uscc string) string {
	e.t.Helper()
	r := reg.submit("/console/vendors/"+uscc+"/invite", nil)
	wantStatus(e.t, r, http.StatusOK)
	links := r.InputValues("invite-link")
	if len(links) != 1 {
		e.t.Fatalf("invite-link = %v", links)
	}
	u, err := url.Parse(links[0])
	if err != nil {
		e.t.Fatal(err)
	}
	return u.EscapedPath()
}

// acceptInvite opens the link anonymously and submits a login.
func (e *env) acceptInvite(link, username string) *resp {
	e.t.Helper()
	anon := e.client()
	anon.get(link) // sets the anonymous CSRF cookie, also when the page says the link is dead
	return anon.post(link, url.Values{"csrf": {anon.jar["cx_csrf"].Value}, "username": {username}, "password": {"invited-pass-1"}})
}

// invitationStatuses maps vendor cells to status cells of the invitations page.
func invitationStatuses(r *resp) map[string][]string {
	out := map[string][]string{}
	for _, row := range r.TableRows("invitation-table") {
		out[row[0]] = append(out[row[0]], row[4])
	}
	return out
}

// TestInvitationsListRevoke: the regulator sees every invitation, an
// association its own; an open one can be revoked (its link dies at once),
// a closed one cannot (409), another association's is not found.
func TestInvitationsListRevoke(t *testing.T) {
	e := newEnv(t)
	reg := e.as(registry.RoleRegulator)
	v1 := e.createVendor(registry.MustUSCC("91120110MA0DLNGF5"), "东丽区邀请测试家政")
	regLink := e.issueInvite(reg, v1.USCC)

	// The association registers a member: an invitation of its own.
	assoc := e.as(registry.RoleAssociation)
	assoc.get("/console/members/new")
	memberUSCC := registry.MustUSCC("91120103MA07CXRF2")
	r := assoc.submit("/console/members/new", vendorForm(memberUSCC, "河西区会员家政有限公司"))
	wantStatus(t, r, http.StatusOK)
	memberLinks := r.InputValues("invite-link")
	if len(memberLinks) != 1 {
		t.Fatalf("member invite link: %v", memberLinks)
	}

	all := reg.get("/console/invitations")
	wantStatus(t, all, http.StatusOK)
	st := invitationStatuses(all)
	if len(st) != 2 || st["东丽区邀请测试家政 ("+v1.USCC+")"][0] != "有效，未使用 撤销" {
		t.Fatalf("regulator's list: %v", st)
	}
	own := assoc.get("/console/invitations")
	wantStatus(t, own, http.StatusOK)
	rows := own.TableRows("invitation-table")
	if len(rows) != 1 || !strings.Contains(rows[0][0], memberUSCC) || rows[0][1] != e.org.Name {
		t.Fatalf("association's list: %v", rows)
	}
	wantStatus(t, e.as(registry.RoleVendor).get("/console/invitations"), http.StatusForbidden)

	// The association cannot revoke the regulator's invitation (not found),
	// the regulator can revoke the association's.
	ids := invitationIDs(t, e)
	wantStatus(t, assoc.submit("/console/invitations/"+ids[v1.USCC]+"/revoke", nil), http.StatusNotFound)
	wantRedirect(t, reg.submit("/console/invitations/"+ids[v1.USCC]+"/revoke", nil), "/console/invitations?done=")
	if p := e.client().get(regLink); p.Code != http.StatusNotFound || !p.Has("invite-invalid") {
		t.Errorf("revoked link: %d", p.Code)
	}
	if r := e.acceptInvite(regLink, "dongli"); r.Code != http.StatusNotFound || e.count("users") != 3 {
		t.Errorf("revoked link accepted: %d, %d users", r.Code, e.count("users"))
	}
	// Revoking again: 409 with a message, nothing written.
	audit := e.count("audit_log")
	r = reg.submit("/console/invitations/"+ids[v1.USCC]+"/revoke", nil)
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, "flash", r.TestID("flash"), "无法撤销")
	if e.count("audit_log") != audit {
		t.Error("a refused revocation was audited")
	}
	wantStatus(t, reg.submit("/console/invitations/999999/revoke", nil), http.StatusNotFound)
	wantStatus(t, reg.submit("/console/invitations/x/revoke", nil), http.StatusNotFound)

	// The association revokes its own.
	wantRedirect(t, assoc.submit("/console/invitations/"+ids[memberUSCC]+"/revoke", nil), "/console/invitations")
	st = invitationStatuses(reg.get("/console/invitations"))
	for vendor, s := range st {
		if !strings.HasPrefix(s[0], "已于 2025-03-15 撤销") {
			t.Errorf("%s: status %q, want revoked", vendor, s[0])
		}
	}
	for _, uscc := range []string{v1.USCC, memberUSCC} {
		if acts := e.auditActions(uscc); !slices.Contains(acts, "invitation.revoke") {
			t.Errorf("%s audit %v lacks invitation.revoke", uscc, acts)
		}
	}
}

// invitationIDs maps each vendor to its newest invitation's id.
func invitationIDs(t *testing.T, e *env) map[string]string {
	t.Helper()
	rows, err := e.db.FindInvitations(context.Background(), registry.InvitationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		if _, ok := out[r.VendorUSCC]; !ok {
			out[r.VendorUSCC] = strconv.FormatInt(r.ID, 10)
		}
	}
	return out
}

// TestInvitationSingleUseAndExpiry: a link works once and for 14 days.
func TestInvitationSingleUseAndExpiry(t *testing.T) {
	e := newEnv(t)
	reg := e.as(registry.RoleRegulator)
	a := e.createVendor(registry.MustUSCC("91120110MA0DLNGF5"), "东丽区邀请测试家政")
	b := e.createVendor(registry.MustUSCC("91120103MA07CXRF2"), "河西区过期测试家政")
	linkA, linkB := e.issueInvite(reg, a.USCC), e.issueInvite(reg, b.USCC)

	wantRedirect(t, e.acceptInvite(linkA, "dongli"), "/console/login")
	if r := e.acceptInvite(linkA, "dongli2"); r.Code != http.StatusNotFound {
		t.Errorf("second use: %d, want 404", r.Code)
	}
	e.clk.Advance(registry.InvitationTTL)
	if r := e.acceptInvite(linkB, "hexi"); r.Code != http.StatusNotFound {
		t.Errorf("expired link: %d, want 404", r.Code)
	}
	st := invitationStatuses(e.as(registry.RoleRegulator).get("/console/invitations")) // the earlier session expired
	if s := st["东丽区邀请测试家政 ("+a.USCC+")"]; len(s) != 1 || s[0] != "已于 2025-03-15 使用（账号 dongli）" {
		t.Errorf("used invitation: %v", s)
	}
	if s := st["河西区过期测试家政 ("+b.USCC+")"]; len(s) != 1 || s[0] != "已过期" {
		t.Errorf("expired invitation: %v", s)
	}
	if e.count("users") != 4 {
		t.Errorf("%d users, want 4", e.count("users"))
	}
	if acts := e.auditActions(a.USCC); !slices.Contains(acts, "invitation.accept") {
		t.Errorf("audit %v lacks invitation.accept", acts)
	}
}

// TestInvitationVendorWithLogin: a vendor with a login gets no invitation,
// and an older invitation cannot make it a second login.
func TestInvitationVendorWithLogin(t *testing.T) {
	e := newEnv(t)
	reg := e.as(registry.RoleRegulator)
	invites := e.count("invitations")
	reg.get("/console/vendors/" + vendorUSCC)
	r := reg.submit("/console/vendors/"+vendorUSCC+"/invite", nil)
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, "flash", r.TestID("flash"), "已有登录账号")
	wantContains(t, "vendor login", r.TestID("vendor-login"), "vendor1")
	if r.Has("invite-create") || e.count("invitations") != invites {
		t.Error("an invitation was offered or issued for a vendor with a login")
	}

	// The black-box finding: an invitation issued before the vendor got its
	// login (here through the command line) must not create a second one.
	v := e.createVendor(registry.MustUSCC("91120110MA0DLNGF5"), "东丽区邀请测试家政")
	old := e.issueInvite(reg, v.USCC)
	e.addUser(registry.RoleVendor, "dongli.first", v.USCC)
	page := e.client().get(old)
	wantStatus(t, page, http.StatusConflict)
	wantContains(t, "invite page", page.TestID("invite-invalid"), "已经有登录账号")
	users := e.count("users")
	if r := e.acceptInvite(old, "dongli.second"); r.Code != http.StatusConflict || e.count("users") != users {
		t.Fatalf("old invitation: %d, users %d → %d", r.Code, users, e.count("users"))
	}
	st := invitationStatuses(reg.get("/console/invitations"))
	if s := st["东丽区邀请测试家政 ("+v.USCC+")"]; len(s) != 1 || s[0] != "已失效：商户已有登录账号" {
		t.Errorf("listed as %v", s)
	}
	// The command line refuses a second login too.
	if _, err := e.db.CreateUser(context.Background(), registry.CLIActor, registry.UserInput{Username: "dongli.third",
		Password: password, Role: registry.RoleVendor, OrgUSCC: v.USCC}); err == nil {
		t.Error("a second vendor login was created")
	}
}

// TestDisableUser: a regulator disables an account (its sessions end at
// once, it cannot sign in), re-enables it, never itself; a vendor's
// disabled login can be replaced through a new invitation and is then not
// re-enabled.
func TestDisableUser(t *testing.T) {
	e := newEnv(t)
	reg := e.as(registry.RoleRegulator)
	vendor := e.as(registry.RoleVendor)
	vendor2 := e.as(registry.RoleVendor) // a second browser
	wantStatus(t, vendor.get("/console/me"), http.StatusOK)
	id := userID(t, e, "vendor1")

	page := reg.get("/console/users")
	wantContains(t, "status", page.TestID("user-status-vendor1"), "正常")
	if page.Has("user-disable-reg1") {
		t.Error("the regulator is offered to disable itself")
	}
	wantRedirect(t, reg.submit("/console/users/"+id+"/disable", nil), "/console/users?done=")
	for _, c := range []*client{vendor, vendor2} {
		wantRedirect(t, c.get("/console/me"), "/console/login")
	}
	var n int
	registrytest.SQL(t, e.db).QueryRow(`SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'vendor1'`).Scan(&n)
	if n != 0 {
		t.Errorf("%d sessions left", n)
	}
	if r := e.client().tryLogin("vendor1", password); r.Code != http.StatusUnauthorized {
		t.Errorf("disabled sign-in: %d", r.Code)
	}
	wantContains(t, "status", reg.get("/console/users").TestID("user-status-vendor1"), "已停用")

	wantRedirect(t, reg.submit("/console/users/"+id+"/enable", nil), "/console/users")
	wantRedirect(t, e.client().tryLogin("vendor1", password), "/console")

	// Not itself; unknown ids are 404.
	r := reg.submit("/console/users/"+userID(t, e, "reg1")+"/disable", nil)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, "flash", r.TestID("flash"), "不能停用自己")
	wantStatus(t, reg.submit("/console/users/0/disable", nil), http.StatusNotFound)
	wantStatus(t, reg.submit("/console/users/99999/enable", nil), http.StatusNotFound)
	wantStatus(t, e.as(registry.RoleAssociation).submit("/console/users/"+id+"/disable", nil), http.StatusForbidden)

	// Replace a vendor's lost login: disable, invite, accept; the old one
	// cannot come back beside the new one.
	wantRedirect(t, reg.submit("/console/users/"+id+"/disable", nil), "/console/users")
	link := e.issueInvite(reg, vendorUSCC)
	wantRedirect(t, e.acceptInvite(link, "vendor1.new"), "/console/login")
	r = reg.submit("/console/users/"+id+"/enable", nil)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, "flash", r.TestID("flash"), "只能有一个")

	acts := e.auditActions("user:vendor1")
	if !slices.Contains(acts, "user.disable") || !slices.Contains(acts, "user.enable") {
		t.Errorf("audit %v", acts)
	}
}

func userID(t *testing.T, e *env, username string) string {
	t.Helper()
	var id string
	if err := registrytest.SQL(t, e.db).QueryRow(`SELECT id FROM users WHERE username = ?`, username).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}
