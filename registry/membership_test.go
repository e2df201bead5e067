package registry_test

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"chengxin/i18n"
	"chengxin/migrations"
	"chengxin/registry"
)

// Who may do what to a membership in each status.
func TestMembershipActions(t *testing.T) {
	t.Parallel()
	V, A := registry.RoleVendor, registry.RoleAssociation
	tests := []struct {
		role, status string
		want         []string
	}{
		{V, registry.MemberInvited, []string{"accept", "decline"}},
		{V, registry.MemberActive, []string{"leave"}},
		{V, registry.MemberSuspended, []string{"leave"}},
		{V, registry.MemberDeclined, nil},
		{V, registry.MemberLeft, nil},
		{A, registry.MemberInvited, []string{"withdraw"}},
		{A, registry.MemberActive, []string{"suspend", "end"}},
		{A, registry.MemberSuspended, []string{"reinstate", "end"}},
		{A, registry.MemberDeclined, []string{"reinvite"}},
		{A, registry.MemberLeft, []string{"reinvite"}},
		{registry.RoleRegulator, registry.MemberActive, nil},
	}
	for _, tc := range tests {
		if got := registry.MembershipActions(tc.role, tc.status); !slices.Equal(got, tc.want) {
			t.Errorf("MembershipActions(%s, %s) = %v, want %v", tc.role, tc.status, got, tc.want)
		}
	}
}

// consentFixture: an organisation, a vendor registered by the command line
// with a console login, and the vendor's actor.
func consentFixture(t *testing.T) (*registry.DB, *testClock, registry.Org, registry.Vendor, registry.Actor) {
	t.Helper()
	db, clk, org := memberFixture(t)
	ctx := context.Background()
	v, err := db.CreateVendor(ctx, cli, vendorIn(usccN(301)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(ctx, cli, registry.UserInput{Username: "vendor301", Password: "correct-horse-9",
		Role: registry.RoleVendor, OrgUSCC: v.USCC}); err != nil {
		t.Fatal(err)
	}
	return db, clk, org, v, registry.Actor{Kind: "user", Name: "vendor301", Role: registry.RoleVendor}
}

func memberOf(t *testing.T, db *registry.DB, orgID int64) registry.Membership {
	t.Helper()
	ms, err := db.MembersOfOrg(context.Background(), orgID, "")
	if err != nil || len(ms) != 1 {
		t.Fatalf("members %+v, %v", ms, err)
	}
	return ms[0]
}

func inboxTexts(t *testing.T, db *registry.DB, role string, vendorID int64) []string {
	t.Helper()
	ns, err := db.Inbox(context.Background(), role, vendorID, 50)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range ns {
		out = append(out, n.Text.In(i18n.EN)+" → "+n.Link)
	}
	return out
}

func wantNotNow(t *testing.T, err error) {
	t.Helper()
	msgs := fieldErrors(t, err)
	if !strings.HasPrefix(msgs["action"], "Cannot ") {
		t.Errorf("action error = %q", msgs["action"])
	}
}

// The whole consent cycle: invite, accept, suspend, reinstate, leave,
// invite again, decline, withdraw; each step audited, and only an active
// membership counts as public.
func TestMembershipConsent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clk, org, ven, vendor := consentFixture(t)

	res, err := db.OnboardMember(ctx, association, org.ID, vendorIn(ven.USCC))
	if err != nil || res.Result != registry.ResultInvited || res.NoLogin {
		t.Fatalf("OnboardMember = %+v, %v", res, err)
	}
	m := memberOf(t, db, org.ID)
	if m.Status != registry.MemberInvited || m.InvitedAt == nil || !m.InvitedAt.Equal(t0) || m.RespondedAt != nil {
		t.Fatalf("invited: %+v", m)
	}
	if in := inboxTexts(t, db, registry.RoleVendor, ven.ID); len(in) != 1 || !strings.Contains(in[0], org.Name+" invited you") ||
		!strings.HasSuffix(in[0], "/console/me/memberships") {
		t.Errorf("vendor inbox = %q", in)
	}
	if in := inboxTexts(t, db, registry.RoleRegulator, 0); len(in) != 0 {
		t.Errorf("regulators asked for a login the vendor has: %q", in)
	}
	if orgs, _ := db.FindOrgs(ctx, ""); orgs[0].Members != 0 {
		t.Errorf("an invitation counts as a member: %+v", orgs[0])
	}

	// Roles: the association cannot accept for the vendor, the vendor cannot suspend.
	if err := db.ChangeMembership(ctx, association, org.ID, ven.USCC, registry.MemberAccept); !errors.Is(err, registry.ErrForbidden) {
		t.Errorf("association accepts: %v", err)
	}
	if err := db.RespondToMembership(ctx, vendor, ven.ID, org.USCC, registry.MemberSuspend); !errors.Is(err, registry.ErrForbidden) {
		t.Errorf("vendor suspends: %v", err)
	}
	wantNotNow(t, db.RespondToMembership(ctx, vendor, ven.ID, org.USCC, registry.MemberLeave))
	err = db.RespondToMembership(ctx, vendor, ven.ID, org.USCC, "join")
	if msgs := fieldErrors(t, err); msgs["action"] != "unknown action" {
		t.Errorf("unknown action: %v", msgs)
	}
	if m := memberOf(t, db, org.ID); m.Status != registry.MemberInvited {
		t.Fatalf("refused actions changed the membership: %+v", m)
	}

	clk.Advance(24 * time.Hour)
	if err := db.RespondToMembership(ctx, vendor, ven.ID, strings.ToLower(org.USCC), registry.MemberAccept); err != nil {
		t.Fatal(err)
	}
	accepted := t0.Add(24 * time.Hour)
	m = memberOf(t, db, org.ID)
	if m.Status != registry.MemberActive || !m.Since.Equal(accepted) || m.RespondedAt == nil || !m.RespondedAt.Equal(accepted) ||
		m.StatusBy != registry.RoleVendor || m.Until != nil {
		t.Fatalf("accepted: %+v", m)
	}
	if orgs, _ := db.FindOrgs(ctx, ""); orgs[0].Members != 1 {
		t.Errorf("accepted member not counted: %+v", orgs[0])
	}
	wantNotNow(t, db.RespondToMembership(ctx, vendor, ven.ID, org.USCC, registry.MemberAccept))

	for _, step := range []struct{ action, status string }{
		{registry.MemberSuspend, registry.MemberSuspended},
		{registry.MemberReinstate, registry.MemberActive},
	} {
		clk.Advance(time.Hour)
		if err := db.ChangeMembership(ctx, association, org.ID, ven.USCC, step.action); err != nil {
			t.Fatal(step.action, err)
		}
		if m := memberOf(t, db, org.ID); m.Status != step.status || !m.Since.Equal(accepted) || m.StatusBy != registry.RoleAssociation {
			t.Errorf("after %s: %+v", step.action, m)
		}
	}
	clk.Advance(time.Hour)
	if err := db.RespondToMembership(ctx, vendor, ven.ID, org.USCC, registry.MemberLeave); err != nil {
		t.Fatal(err)
	}
	m = memberOf(t, db, org.ID)
	if m.Status != registry.MemberLeft || m.Until == nil || !m.Until.Equal(clk.now) || m.StatusBy != registry.RoleVendor {
		t.Fatalf("left: %+v", m)
	}
	wantNotNow(t, db.ChangeMembership(ctx, association, org.ID, ven.USCC, registry.MemberSuspend))

	// The operator's import with -org does not revive what the vendor left.
	rep, err := db.ImportVendors(ctx, strings.NewReader(strings.Join(registry.VendorCSVHeader(), ",")+"\n"+
		ven.USCC+","+ven.Name+",张明,022-2345 6789,天津市和平区示例路 1 号,120101,cleaning,,,,\n"), registry.ImportOptions{Actor: cli, OrgID: org.ID})
	if err != nil || rep.Rejected != 0 {
		t.Fatalf("operator import: %+v %v", rep, err)
	}
	if m := memberOf(t, db, org.ID); m.Status != registry.MemberLeft {
		t.Errorf("operator import revived a membership the vendor left: %+v", m)
	}

	// Inviting again needs the vendor's consent again; declining keeps it private.
	clk.Advance(time.Hour)
	if err := db.ChangeMembership(ctx, association, org.ID, ven.USCC, registry.MemberReinvite); err != nil {
		t.Fatal(err)
	}
	m = memberOf(t, db, org.ID)
	if m.Status != registry.MemberInvited || m.Until != nil || !m.InvitedAt.Equal(clk.now) || m.RespondedAt != nil {
		t.Fatalf("invited again: %+v", m)
	}
	if n := len(inboxTexts(t, db, registry.RoleVendor, ven.ID)); n != 2 {
		t.Errorf("%d vendor notices after a second invitation", n)
	}
	if err := db.RespondToMembership(ctx, vendor, ven.ID, org.USCC, registry.MemberDecline); err != nil {
		t.Fatal(err)
	}
	if m := memberOf(t, db, org.ID); m.Status != registry.MemberDeclined || m.RespondedAt == nil {
		t.Fatalf("declined: %+v", m)
	}
	wantNotNow(t, db.RespondToMembership(ctx, vendor, ven.ID, org.USCC, registry.MemberAccept))

	// Adding it again by form is a new invitation too; withdrawing it removes the row.
	if res, err := db.OnboardMember(ctx, association, org.ID, vendorIn(ven.USCC)); err != nil || res.Result != registry.ResultInvited {
		t.Fatalf("re-add = %+v, %v", res, err)
	}
	if err := db.ChangeMembership(ctx, association, org.ID, ven.USCC, registry.MemberWithdraw); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "memberships"); n != 0 {
		t.Errorf("%d memberships after the invitation was withdrawn", n)
	}

	var actions []string
	es := auditFor(t, db, "membership.", ven.USCC)
	for i := len(es) - 1; i >= 0; i-- {
		actions = append(actions, es[i].Action)
	}
	want := []string{"membership.invite", "membership.accept", "membership.suspend", "membership.reinstate", "membership.leave",
		"membership.invite", "membership.decline", "membership.invite", "membership.withdraw"}
	if !slices.Equal(actions, want) {
		t.Errorf("audit = %v\nwant    %v", actions, want)
	}
	if !strings.Contains(es[len(es)-2].Detail, `"to":"active"`) || !strings.Contains(es[len(es)-2].Detail, org.USCC) {
		t.Errorf("accept detail = %s", es[len(es)-2].Detail)
	}
}

// Acting on a membership that does not exist, or on another organisation's.
func TestMembershipNotFound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _, org, ven, vendor := consentFixture(t)
	org2, err := db.CreateOrg(ctx, cli, orgIn(orgUSCC(10)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.OnboardMember(ctx, association, org.ID, vendorIn(ven.USCC)); err != nil {
		t.Fatal(err)
	}
	other, err := db.CreateVendor(ctx, cli, vendorIn(usccN(302)))
	if err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"other org's member":       db.ChangeMembership(ctx, association, org2.ID, ven.USCC, registry.MemberWithdraw),
		"unknown vendor":           db.ChangeMembership(ctx, association, org.ID, usccN(399), registry.MemberWithdraw),
		"vendor not invited":       db.RespondToMembership(ctx, vendor, other.ID, org.USCC, registry.MemberAccept),
		"org that did not invite":  db.RespondToMembership(ctx, vendor, ven.ID, org2.USCC, registry.MemberAccept),
		"unknown org":              db.RespondToMembership(ctx, vendor, ven.ID, "not-a-code", registry.MemberAccept),
		"association not a member": db.ChangeMembership(ctx, association, org.ID, other.USCC, registry.MemberSuspend),
	} {
		if !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", name, err)
		}
	}
	if m := memberOf(t, db, org.ID); m.Status != registry.MemberInvited {
		t.Errorf("membership changed: %+v", m)
	}
}

// A registered vendor without a console login cannot answer: regulators are
// asked to issue its login invitation; a vendor the association registers
// is active at once with its own login invitation.
func TestMembershipVendorWithoutLogin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _, org := memberFixture(t)
	v, err := db.CreateVendor(ctx, cli, vendorIn(usccN(311)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.OnboardMember(ctx, association, org.ID, vendorIn(v.USCC))
	if err != nil || res.Result != registry.ResultInvited || !res.NoLogin || res.InviteToken != "" {
		t.Fatalf("OnboardMember = %+v, %v", res, err)
	}
	in := inboxTexts(t, db, registry.RoleRegulator, 0)
	if len(in) != 1 || !strings.Contains(in[0], v.USCC) || !strings.HasSuffix(in[0], "/console/vendors/"+v.USCC) {
		t.Errorf("regulator inbox = %q", in)
	}
	if n := count(t, db, "invitations"); n != 0 {
		t.Errorf("%d login invitations handed to the association for a vendor it did not register", n)
	}

	res, err = db.OnboardMember(ctx, association, org.ID, vendorIn(usccN(312)))
	if err != nil || res.Result != registry.ResultCreated || res.Status != registry.MemberActive || res.InviteToken == "" {
		t.Fatalf("new vendor = %+v, %v", res, err)
	}
	if ms, _ := db.MembersOfOrg(ctx, org.ID, registry.MemberActive); len(ms) != 1 || ms[0].VendorUSCC != usccN(312) ||
		ms[0].InvitedAt != nil || ms[0].StatusBy != registry.RoleAssociation {
		t.Errorf("active members %+v", ms)
	}
}

// The bulk path (demo, gen) writes active members whose new columns are empty.
func TestMembershipBulk(t *testing.T) {
	t.Parallel()
	db, _, org := memberFixture(t)
	ctx := context.Background()
	v, err := db.CreateVendor(ctx, cli, vendorIn(usccN(321)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := db.NewBulkLoader(ctx, cli)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Membership(org.ID, v.ID, t0.AddDate(-1, 0, 0)); err != nil {
		t.Fatal(err)
	}
	if err := b.Close("test"); err != nil {
		t.Fatal(err)
	}
	m := memberOf(t, db, org.ID)
	if m.Status != registry.MemberActive || m.InvitedAt != nil || m.StatusBy != "" || !m.Since.Equal(t0.AddDate(-1, 0, 0)) {
		t.Errorf("bulk member: %+v", m)
	}
}

// Migration 0011 rebuilds the memberships table: rows written before it
// keep their ids, statuses and dates, and membership changes still reach
// public_changes (the public caches follow it).
func TestMembershipMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(ON)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, name := range embeddedMigrations(t) {
		if name >= "0011" {
			break
		}
		body, _ := fs.ReadFile(migrations.FS, name)
		if _, err := raw.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		raw.Exec(`INSERT INTO schema_migrations VALUES (?, '2025-01-01T00:00:00Z')`, name)
	}
	for _, q := range []string{
		`INSERT INTO orgs(id, uscc, name, kind, district, created_at, updated_at) VALUES (7, '` + orgUSCC(9) + `', '老协会', 'association', '120101', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')`,
		`INSERT INTO vendors(id, uscc, name, legal_rep, phone, address, registered_at, created_at, updated_at) VALUES (5, '` + usccN(331) + `', '老会员', '张', '022', '天津', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')`,
		`INSERT INTO memberships(id, org_id, vendor_id, status, since, until, updated_at) VALUES (42, 7, 5, 'left', '2024-02-01T00:00:00Z', '2024-06-01T00:00:00Z', '2024-06-01T00:00:00Z')`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()

	db, err := registry.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ms, err := db.MembershipsOfVendor(ctx, 5)
	if err != nil || len(ms) != 1 {
		t.Fatalf("memberships after migration %+v, %v", ms, err)
	}
	m := ms[0]
	if m.ID != 42 || m.Status != registry.MemberLeft || m.Until == nil || m.Since.Format("2006-01-02") != "2024-02-01" || m.StatusBy != "" {
		t.Errorf("migrated row %+v", m)
	}
	before := count(t, db, "public_changes")
	db.Now = func() time.Time { return t0 }
	if err := db.ChangeMembership(ctx, association, 7, usccN(331), registry.MemberReinvite); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "public_changes"); n <= before {
		t.Errorf("public_changes %d → %d: the triggers were lost", before, n)
	}
}
