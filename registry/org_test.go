package registry_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"chengxin/registry"
)

func orgIn(uscc string) registry.OrgInput {
	return registry.OrgInput{USCC: uscc, Name: "天津示例家政服务业协会", Kind: "association", District: "120103", ContactPhone: "022-8888 0000"}
}

func orgUSCC(n int) string { return registry.MustUSCC(fmt.Sprintf("5112010%010d", n)) }

func TestCreateOrg(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	code := orgUSCC(1)
	o, err := db.CreateOrg(ctx, cli, orgIn(strings.ToLower(code)))
	if err != nil {
		t.Fatal(err)
	}
	if o.ID == 0 || o.USCC != code || o.Kind != "association" || !o.CreatedAt.Equal(t0) {
		t.Errorf("created %+v", o)
	}
	got, err := db.FindOrgByUSCC(ctx, " "+code)
	if err != nil || got.ID != o.ID || got.Name != o.Name || got.ContactPhone != "022-8888 0000" {
		t.Errorf("FindOrgByUSCC = %+v, %v", got, err)
	}
	if got, err := db.FindOrgByID(ctx, o.ID); err != nil || got.USCC != code {
		t.Errorf("FindOrgByID = %+v, %v", got, err)
	}
	if _, err := db.FindOrgByID(ctx, o.ID+1); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("FindOrgByID(unknown): %v", err)
	}
	if es := auditFor(t, db, "org.create", code); len(es) != 1 || !strings.Contains(es[0].Detail, `"kind":"association"`) {
		t.Errorf("org.create entries %+v", es)
	}
	t.Run("duplicate", func(t *testing.T) {
		in := orgIn(code)
		in.Name = "另一个协会"
		_, err := db.CreateOrg(ctx, cli, in)
		wantField(t, err, "uscc", "already registered as an organisation ("+o.Name+")")
		if got, _ := db.FindOrgByUSCC(ctx, code); got.Name != o.Name {
			t.Errorf("org renamed to %q", got.Name)
		}
		if n := count(t, db, "orgs"); n != 1 {
			t.Errorf("%d orgs", n)
		}
	})
	t.Run("same code as a vendor", func(t *testing.T) {
		if _, err := db.CreateVendor(ctx, cli, vendorIn(orgUSCC(2))); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateOrg(ctx, cli, orgIn(orgUSCC(2))); err != nil {
			t.Errorf("an org may share a vendor's code: %v", err)
		}
	})
	t.Run("FindOrgs", func(t *testing.T) {
		orgs, err := db.FindOrgs(ctx, "示例")
		if err != nil || len(orgs) != 2 {
			t.Fatalf("FindOrgs = %+v, %v", orgs, err)
		}
		orgs, err = db.FindOrgs(ctx, code[:17])
		if err != nil || len(orgs) != 1 || orgs[0].USCC != code {
			t.Errorf("FindOrgs(prefix) = %+v, %v", orgs, err)
		}
	})
}

func TestCreateOrgValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	code := orgUSCC(3)
	bad, want := wrongCheck(code)
	tests := []struct {
		name          string
		edit          func(*registry.OrgInput)
		field, substr string
	}{
		{"uscc check", func(in *registry.OrgInput) { in.USCC = bad }, "uscc", `gives "` + string(want) + `"`},
		{"uscc length", func(in *registry.OrgInput) { in.USCC = "12345" }, "uscc", "this has 5"},
		{"kind", func(in *registry.OrgInput) { in.Kind = "club" }, "kind", "association, chamber, community, intermediary"},
		{"district", func(in *registry.OrgInput) { in.District = "120100" }, "district", `"120100"`},
		{"district missing", func(in *registry.OrgInput) { in.District = "" }, "district", "required"},
		{"name", func(in *registry.OrgInput) { in.Name = "" }, "name", "required"},
		{"name control", func(in *registry.OrgInput) { in.Name = "协会\x00" }, "name", "control characters"},
		{"phone", func(in *registry.OrgInput) { in.ContactPhone = "n/a" }, "contact_phone", "only digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openDB(t)
			in := orgIn(code)
			tt.edit(&in)
			_, err := db.CreateOrg(ctx, cli, in)
			wantField(t, err, tt.field, tt.substr)
			if n := count(t, db, "orgs") + count(t, db, "audit_log"); n != 0 {
				t.Errorf("%d rows stored", n)
			}
		})
	}
	t.Run("regulator confirms", func(t *testing.T) {
		db, _ := openDB(t)
		in := orgIn(bad)
		in.ConfirmUSCC = true
		o, err := db.CreateOrg(ctx, regulator, in)
		if err != nil || !o.USCCConfirmed {
			t.Fatalf("CreateOrg = %+v, %v", o, err)
		}
		if len(auditFor(t, db, "uscc.confirm", bad)) != 1 {
			t.Error("no uscc.confirm entry")
		}
	})
}

// memberFixture is a database with one organisation.
func memberFixture(t *testing.T) (*registry.DB, *testClock, registry.Org) {
	t.Helper()
	db, clk := openDB(t)
	o, err := db.CreateOrg(context.Background(), cli, orgIn(orgUSCC(9)))
	if err != nil {
		t.Fatal(err)
	}
	return db, clk, o
}

func TestOnboardMemberNewVendor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clk, org := memberFixture(t)
	code := usccN(201)
	res, err := db.OnboardMember(ctx, association, org.ID, vendorIn(code))
	if err != nil {
		t.Fatal(err)
	}
	if res.Result != registry.ResultCreated || res.Vendor.USCC != code || res.InviteToken == "" {
		t.Fatalf("OnboardMember = %+v", res)
	}
	ms, err := db.MembersOfOrg(ctx, org.ID, "")
	if err != nil || len(ms) != 1 || ms[0].VendorUSCC != code || ms[0].Status != registry.MemberActive || !ms[0].Since.Equal(t0) || ms[0].Until != nil {
		t.Fatalf("members %+v, %v", ms, err)
	}
	if ms, _ := db.MembershipsOfVendor(ctx, res.Vendor.ID); len(ms) != 1 || ms[0].OrgUSCC != org.USCC {
		t.Errorf("MembershipsOfVendor = %+v", ms)
	}
	for _, action := range []string{"vendor.create", "membership.add", "invitation.create"} {
		es := auditFor(t, db, action, code)
		if len(es) != 1 || es[0].Actor != "user:assoc1" {
			t.Errorf("%s entries %+v", action, es)
		}
	}
	if strings.Contains(auditFor(t, db, "invitation.create", code)[0].Detail, res.InviteToken) {
		t.Error("the invitation token is in the audit log")
	}

	v, err := db.FindInvitation(ctx, res.InviteToken)
	if err != nil || v.ID != res.Vendor.ID || v.USCC != code {
		t.Fatalf("FindInvitation = %+v, %v", v, err)
	}
	if _, err := db.FindInvitation(ctx, res.InviteToken+"x"); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("FindInvitation(wrong token): %v", err)
	}

	// Bad input to AcceptInvitation does not use the invitation up.
	if _, err := db.AcceptInvitation(ctx, res.InviteToken, "ab", "long enough password"); err == nil {
		t.Fatal("short username accepted")
	}
	if _, err := db.AcceptInvitation(ctx, res.InviteToken, "vendor201", "short"); err == nil {
		t.Fatal("short password accepted")
	}
	clk.Advance(time.Hour)
	u, err := db.AcceptInvitation(ctx, res.InviteToken, "vendor201", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.Role != registry.RoleVendor || u.VendorID != res.Vendor.ID || u.Username != "vendor201" {
		t.Errorf("AcceptInvitation = %+v", u)
	}
	if au, err := db.Authenticate(ctx, "vendor201", "correct horse battery"); err != nil || au.VendorID != res.Vendor.ID {
		t.Errorf("Authenticate = %+v, %v", au, err)
	}
	// One use only.
	if _, err := db.AcceptInvitation(ctx, res.InviteToken, "vendor201b", "correct horse battery"); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("second AcceptInvitation: %v, want ErrNotFound", err)
	}
	if _, err := db.FindInvitation(ctx, res.InviteToken); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("FindInvitation after use: %v", err)
	}
	if n := count(t, db, "users"); n != 1 {
		t.Errorf("%d users, want 1", n)
	}
}

func TestInvitationExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clk, org := memberFixture(t)
	res, err := db.OnboardMember(ctx, association, org.ID, vendorIn(usccN(202)))
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(registry.InvitationTTL - time.Second)
	if _, err := db.FindInvitation(ctx, res.InviteToken); err != nil {
		t.Fatalf("invitation expired early: %v", err)
	}
	clk.Advance(time.Second)
	if _, err := db.FindInvitation(ctx, res.InviteToken); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("expired invitation: %v", err)
	}
	if _, err := db.AcceptInvitation(ctx, res.InviteToken, "late", "correct horse battery"); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("AcceptInvitation after expiry: %v", err)
	}
	// A regulator can issue a fresh one.
	tok, err := db.CreateInvitation(ctx, regulator, strings.ToLower(usccN(202)))
	if err != nil || tok == "" || tok == res.InviteToken {
		t.Fatalf("CreateInvitation = %q, %v", tok, err)
	}
	if v, err := db.FindInvitation(ctx, tok); err != nil || v.USCC != usccN(202) {
		t.Errorf("FindInvitation(new) = %+v, %v", v, err)
	}
	if _, err := db.CreateInvitation(ctx, regulator, usccN(203)); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("CreateInvitation(unknown): %v", err)
	}
}

func TestOnboardMemberExistingVendor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clk, org := memberFixture(t)
	code := usccN(204)
	orig, err := db.CreateVendor(ctx, cli, vendorIn(code))
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	auditBefore := count(t, db, "audit_log")

	in := vendorIn(strings.ToLower(code))
	in.Name, in.Phone, in.Districts = "协会填写的另一个名字", "13800000000", []string{"120119"}
	res, err := db.OnboardMember(ctx, association, org.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	if res.Result != registry.ResultInvited || res.Status != registry.MemberInvited || res.InviteToken != "" ||
		res.Vendor.ID != orig.ID || res.Vendor.Name != orig.Name {
		t.Fatalf("OnboardMember = %+v", res)
	}
	got, _ := db.FindVendorByUSCC(ctx, code)
	if got.Name != orig.Name || got.Phone != orig.Phone || got.Districts[0] != "120101" || !got.UpdatedAt.Equal(orig.UpdatedAt) {
		t.Errorf("the vendor's record changed: %+v", got)
	}
	if n := count(t, db, "audit_log") - auditBefore; n != 1 {
		t.Errorf("%d new audit entries, want 1 (membership.invite)", n)
	}
	if ms, _ := db.MembersOfOrg(ctx, org.ID, registry.MemberActive); len(ms) != 0 {
		t.Errorf("active members before the vendor accepts: %+v", ms)
	}
	if ms, _ := db.MembersOfOrg(ctx, org.ID, registry.MemberInvited); len(ms) != 1 || ms[0].InvitedAt == nil ||
		!ms[0].InvitedAt.Equal(t0.Add(time.Hour)) || ms[0].StatusBy != registry.RoleAssociation {
		t.Errorf("invited members %+v", ms)
	}

	// Already invited: unchanged, nothing written.
	auditBefore = count(t, db, "audit_log")
	res, err = db.OnboardMember(ctx, association, org.ID, in)
	if err != nil || res.Result != registry.ResultUnchanged || res.InviteToken != "" {
		t.Errorf("second OnboardMember = %+v, %v", res, err)
	}
	if n := count(t, db, "audit_log"); n != auditBefore {
		t.Errorf("%d new audit entries", n-auditBefore)
	}
}

func TestOnboardMemberErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _, org := memberFixture(t)
	in := vendorIn(usccN(205))
	in.Categories = []string{"unknown"}
	_, err := db.OnboardMember(ctx, association, org.ID, in)
	wantField(t, err, "categories", "unknown service category")
	if _, err := db.OnboardMember(ctx, association, org.ID+99, vendorIn(usccN(206))); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("unknown org: %v", err)
	}
	if n := count(t, db, "vendors") + count(t, db, "memberships") + count(t, db, "invitations"); n != 0 {
		t.Errorf("%d rows stored by failed onboarding", n)
	}
}

// A vendor whose code a regulator confirmed stays editable and linkable.
func TestConfirmedCodeStaysUsable(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	reg := registry.Actor{Kind: "user", Name: "r", Role: registry.RoleRegulator}
	good := registry.MustUSCC("91350211M00013FA1")
	bad := good[:17] + "N"
	if good == bad {
		bad = good[:17] + "P"
	}
	in := registry.VendorInput{USCC: bad, Name: "早期试点公司", LegalRep: "王", Phone: "022-1", Address: "天津",
		Districts: []string{"120101"}, Categories: []string{"cleaning"}, ConfirmUSCC: true}
	if _, err := db.CreateVendor(ctx, reg, in); err != nil {
		t.Fatal(err)
	}
	in.ConfirmUSCC, in.Name = false, "早期试点公司（更名）"
	if _, result, err := db.UpdateVendor(ctx, reg, in); err != nil || result != registry.ResultUpdated {
		t.Fatalf("update confirmed vendor: %v %v", result, err)
	}
	org, err := db.CreateOrg(ctx, reg, registry.OrgInput{USCC: registry.MustUSCC("51120101MA0000001"), Name: "协会", Kind: "association", District: "120101"})
	if err != nil {
		t.Fatal(err)
	}
	assoc := registry.Actor{Kind: "user", Name: "a", Role: registry.RoleAssociation}
	res, err := db.OnboardMember(ctx, assoc, org.ID, registry.VendorInput{USCC: strings.ToLower(bad)})
	if err != nil || res.Result != registry.ResultInvited {
		t.Fatalf("invite confirmed vendor: %+v %v", res, err)
	}
	entries, err := db.FindAudit(ctx, registry.AuditFilter{Action: "uscc.confirm"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(entries); n != 1 {
		t.Errorf("uscc.confirm entries = %d, want 1 (only the regulator's)", n)
	}
}
