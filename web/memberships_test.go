package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"chengxin/i18n"
	"chengxin/registry"
)

// member makes the fixture vendor a member of org in status through the
// real paths: the association invites, the vendor accepts, then the
// association suspends or the vendor leaves.
func (e *env) member(org registry.Org, status string) {
	e.t.Helper()
	ctx := context.Background()
	assoc := registry.Actor{Kind: "user", Name: "assoc-test", Role: registry.RoleAssociation}
	ven := registry.Actor{Kind: "user", Name: "vendor1", Role: registry.RoleVendor}
	if _, err := e.db.OnboardMember(ctx, assoc, org.ID, vendorInput(e.vendor.USCC, e.vendor.Name)); err != nil {
		e.t.Fatal(err)
	}
	steps := map[string][]func() error{
		registry.MemberInvited: nil,
		registry.MemberActive:  {func() error { return e.db.RespondToMembership(ctx, ven, e.vendor.ID, org.USCC, registry.MemberAccept) }},
		registry.MemberSuspended: {
			func() error { return e.db.RespondToMembership(ctx, ven, e.vendor.ID, org.USCC, registry.MemberAccept) },
			func() error { return e.db.ChangeMembership(ctx, assoc, org.ID, e.vendor.USCC, registry.MemberSuspend) },
		},
		registry.MemberDeclined: {func() error { return e.db.RespondToMembership(ctx, ven, e.vendor.ID, org.USCC, registry.MemberDecline) }},
	}
	for _, step := range steps[status] {
		if err := step(); err != nil {
			e.t.Fatal(err)
		}
	}
}

// activeMember makes the registered vendor uscc an active member of the
// organisation orgID the way it happens in the product: the association
// invites it and the vendor accepts.
func (e *env) activeMember(orgID int64, uscc string) {
	e.t.Helper()
	ctx := context.Background()
	assoc := registry.Actor{Kind: "user", Name: "assoc-test", Role: registry.RoleAssociation}
	if _, err := e.db.OnboardMember(ctx, assoc, orgID, registry.VendorInput{USCC: uscc}); err != nil {
		e.t.Fatal(err)
	}
	v, err := e.db.FindVendorByUSCC(ctx, uscc)
	if err != nil {
		e.t.Fatal(err)
	}
	o, err := e.db.FindOrgByID(ctx, orgID)
	if err != nil {
		e.t.Fatal(err)
	}
	ven := registry.Actor{Kind: "user", Name: "vendor-test", Role: registry.RoleVendor}
	if err := e.db.RespondToMembership(ctx, ven, v.ID, o.USCC, registry.MemberAccept); err != nil {
		e.t.Fatal(err)
	}
}

// publicMemberships is what the public sees of the fixture vendor's
// memberships: the profile section, the org page's member list and the JSON.
func (e *env) publicMemberships(org registry.Org) (profile, orgPage string, orgsInJSON []string) {
	e.t.Helper()
	anon := e.client()
	anon.header.Set("Cache-Control", "no-cache") // see the change at once, not within syncEvery
	p := anon.get("/vendors/" + e.vendor.USCC)
	wantStatus(e.t, p, http.StatusOK)
	o := anon.get("/orgs/" + org.USCC)
	wantStatus(e.t, o, http.StatusOK)
	a := anon.get("/api/v1/vendors/" + e.vendor.USCC)
	var m map[string]any
	if err := json.Unmarshal([]byte(a.Body), &m); err != nil {
		e.t.Fatalf("vendor JSON: %v\n%s", err, a.Body)
	}
	ms, _ := m["memberships"].([]any)
	for _, x := range ms {
		orgsInJSON = append(orgsInJSON, x.(map[string]any)["org_uscc"].(string))
	}
	return p.TestID("profile-memberships"), o.Body, orgsInJSON
}

// isPublic reports whether the fixture vendor shows as a member of org on
// the profile, the org page and the JSON, failing when they disagree.
func (e *env) isPublic(org registry.Org) bool {
	e.t.Helper()
	profile, orgPage, json := e.publicMemberships(org)
	onProfile := strings.Contains(profile, org.Name)
	onOrg := strings.Contains(orgPage, e.vendor.USCC)
	inJSON := len(json) == 1 && json[0] == org.USCC
	if onProfile != onOrg || onProfile != inJSON {
		e.t.Fatalf("public pages disagree: profile %v, org page %v, JSON %v", onProfile, onOrg, json)
	}
	return onProfile
}

// TestMembershipConsentWeb: an association's invitation of a registered
// vendor stays private until the vendor accepts it in its console; the
// vendor can decline and leave; roles, CSRF and other vendors are refused.
func TestMembershipConsentWeb(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	assoc := e.as(registry.RoleAssociation)
	assoc.get("/console/members/new")
	r := assoc.submit("/console/members/new", vendorForm(e.vendor.USCC, "协会填的名字"))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, "flash", r.TestID("flash"), "已向其发出入会邀请，商户接受后会员关系才会公开")
	if r.Has("invite-link") {
		t.Error("the association got a login link for a vendor it did not register")
	}
	rows := r.TableRows("vendor-table")
	if len(rows) != 1 || !strings.Contains(rows[0][5], "已邀请，待商户同意") || !strings.Contains(rows[0][5], "2025-03-15 发出邀请") ||
		!r.Has("member-withdraw") || r.Has("member-suspend") {
		t.Fatalf("members list = %v", rows)
	}
	if e.isPublic(e.org) {
		t.Fatal("an invitation is public before the vendor accepts")
	}
	// The public search's JSON carries no membership either.
	search := e.client()
	search.header.Set("Cache-Control", "no-cache")
	if ar := search.get("/api/v1/vendors?q=" + url.QueryEscape(e.vendor.Name)); !strings.Contains(ar.Body, `"memberships":[]`) ||
		strings.Contains(ar.Body, e.org.USCC) {
		t.Errorf("search JSON shows the invitation: %s", ar.Body)
	}

	// The vendor is told, on its page and in its inbox.
	ven := e.as(registry.RoleVendor)
	home := ven.get("/console/me")
	wantContains(t, "invites-notice", home.TestID("invites-notice"), "您有 1 个入会邀请待答复")
	wantContains(t, "inbox", home.TestID("inbox"), "“天津市家庭服务业协会”邀请贵单位成为会员")
	page := ven.get("/console/me/memberships")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, "invitation", page.TestID("invitation"), "“天津市家庭服务业协会”邀请贵单位成为会员（2025-03-15 发出邀请）")
	action := "/console/me/memberships/" + e.org.USCC

	// Refused: no CSRF token, the wrong roles, another vendor, an unknown action.
	wantStatus(t, ven.post(action, url.Values{"action": {"accept"}}), http.StatusForbidden)
	wantStatus(t, assoc.submit(action, url.Values{"action": {"accept"}}), http.StatusForbidden)
	wantStatus(t, e.as(registry.RoleRegulator).submit(action, url.Values{"action": {"accept"}}), http.StatusForbidden)
	wantStatus(t, ven.submit("/console/members/"+e.vendor.USCC+"/action", url.Values{"action": {"suspend"}}), http.StatusForbidden)
	other := e.createVendor(registry.MustUSCC("91120106MA0ANDER1"), "另一家家政公司")
	e.addUser(registry.RoleVendor, "vendor2", other.USCC)
	v2 := e.login("vendor2")
	wantStatus(t, v2.submit(action, url.Values{"action": {"accept"}}), http.StatusNotFound)
	bad := ven.submit(action, url.Values{"action": {"join"}})
	wantStatus(t, bad, http.StatusBadRequest)
	wantContains(t, "membership-error", bad.TestID("membership-error"), "未知的操作")
	if e.isPublic(e.org) {
		t.Fatal("a refused request made the membership public")
	}

	// Accepting makes it public everywhere at once.
	ven.get("/console/me/memberships")
	r = ven.submit(action, url.Values{"action": {"accept"}})
	wantRedirect(t, r, "/console/me/memberships")
	wantContains(t, "flash", ven.follow(r).TestID("flash"), "已接受邀请")
	if !e.isPublic(e.org) {
		t.Fatal("an accepted membership is not public")
	}
	if got := assoc.get("/console/members").TableRows("vendor-table"); !strings.Contains(got[0][5], "有效会员") {
		t.Errorf("association sees %v", got)
	}
	// Accepting twice: a clear conflict, nothing changes.
	again := ven.submit(action, url.Values{"action": {"accept"}})
	wantStatus(t, again, http.StatusConflict)
	wantContains(t, "membership-error", again.TestID("membership-error"), "无法接受邀请：该会员关系当前为“有效会员”")

	// Leaving removes it; the association sees who ended it.
	r = ven.submit(action, url.Values{"action": {"leave"}})
	wantRedirect(t, r, "/console/me/memberships")
	if e.isPublic(e.org) {
		t.Fatal("a membership the vendor left is still public")
	}
	list := assoc.get("/console/members")
	if got := list.TableRows("vendor-table"); !strings.Contains(got[0][5], "商户已退出") || !list.Has("member-reinvite") {
		t.Errorf("association sees %v", got)
	}

	// Invited again and declined: private; the association sees the answer.
	wantRedirect(t, assoc.submit("/console/members/"+e.vendor.USCC+"/action", url.Values{"action": {"reinvite"}}), "/console/members")
	ven.get("/console/me/memberships")
	wantRedirect(t, ven.submit(action, url.Values{"action": {"decline"}}), "/console/me/memberships")
	if e.isPublic(e.org) {
		t.Fatal("a declined invitation is public")
	}
	if got := assoc.get("/console/members").TableRows("vendor-table"); !strings.Contains(got[0][5], "商户已拒绝") {
		t.Errorf("association sees %v", got)
	}
	// The association cannot turn a declined invitation into a membership.
	sus := assoc.submit("/console/members/"+e.vendor.USCC+"/action", url.Values{"action": {"reinstate"}})
	wantStatus(t, sus, http.StatusConflict)
	wantContains(t, "flash", sus.TestID("flash"), "无法恢复会员资格：该会员关系当前为“商户已拒绝”")
	wantStatus(t, assoc.submit("/console/members/"+e.vendor.USCC+"/action", url.Values{"action": {"accept"}}), http.StatusForbidden)
	if e.isPublic(e.org) {
		t.Fatal("the association made a declined membership public")
	}

	acts := e.auditActions(e.vendor.USCC)
	want := []string{"membership.invite", "membership.accept", "membership.leave", "membership.invite", "membership.decline"}
	if got := acts[len(acts)-len(want):]; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("audit = %v", acts)
	}
	ms, _ := e.db.MembershipsOfVendor(ctx, other.ID)
	if len(ms) != 0 {
		t.Errorf("the other vendor has memberships %+v", ms)
	}
}

// TestMembershipWithoutLogin: a registered vendor without a console login
// is invited too; regulators are asked to issue its login, the association
// is told, and no login link is handed to the association.
func TestMembershipWithoutLogin(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	v := e.createVendor(existing, "河北老字号家政有限公司")
	assoc := e.as(registry.RoleAssociation)
	assoc.get("/console/members/new")
	r := assoc.submit("/console/members/new", vendorForm(existing, "河北老字号家政有限公司"))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, "flash", r.TestID("flash"), "该商户还没有控制台账号，已请监管部门向其发放登录邀请")
	if r.Has("invite-link") || e.count("invitations") != 0 {
		t.Error("a login invitation was handed to the association")
	}
	ns, err := e.db.Inbox(ctx, registry.RoleRegulator, 0, 10)
	if err != nil || len(ns) != 1 || ns[0].Link != "/console/vendors/"+existing {
		t.Fatalf("regulator inbox %+v, %v", ns, err)
	}
	// The regulator issues the login; once the vendor signs up it answers.
	reg := e.as(registry.RoleRegulator)
	reg.get("/console/vendors/" + existing)
	inv := reg.submit("/console/vendors/"+existing+"/invite", nil)
	link := inv.InputValues("invite-link")
	if len(link) != 1 {
		t.Fatalf("invite link %v (%d)", link, inv.Code)
	}
	u, _ := url.Parse(link[0])
	anon := e.client()
	form := anon.get(u.EscapedPath())
	wantStatus(t, form, http.StatusOK)
	wantRedirect(t, anon.submit(u.EscapedPath(), url.Values{"username": {"laozihao"}, "password": {password}}), "/console/login")
	ven := e.login("laozihao")
	page := ven.get("/console/me/memberships")
	if !page.Has("invitation") {
		t.Fatalf("the new login sees no invitation: %s", page.TestID("my-invitations"))
	}
	wantRedirect(t, ven.submit("/console/me/memberships/"+e.org.USCC, url.Values{"action": {"accept"}}), "/console/me/memberships")
	if ms, _ := e.db.MembersOfOrg(ctx, e.org.ID, registry.MemberActive); len(ms) != 1 || ms[0].VendorID != v.ID {
		t.Errorf("active members %+v", ms)
	}
}

// Every membership action and status has its button, its sentence and its
// confirmation in the catalog (they are looked up by name).
func TestMembershipCatalog(t *testing.T) {
	for _, st := range registry.MembershipStatuses {
		if !i18n.Has("membership." + st) {
			t.Errorf("no label for status %s", st)
		}
		for _, role := range []string{registry.RoleVendor, registry.RoleAssociation} {
			for _, a := range registry.MembershipActions(role, st) {
				for _, k := range []string{"membership_button." + a, "membership_action." + a, "done.membership_" + a} {
					if !i18n.Has(k) {
						t.Errorf("missing %s", k)
					}
				}
			}
		}
	}
}
