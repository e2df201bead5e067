package registry_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"chengxin/i18n"
	"chengxin/registry"
)

const authority = "天津市市场监督管理委员会"

// A sanctions CSV may name the issuing authority or leave the column out;
// the authority is stored, audited, updated on re-import, and limited to 64
// characters like the reference.
func TestImportSanctionsAuthority(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	v, err := db.CreateVendor(ctx, cli, vendorIn(usccN(1)))
	if err != nil {
		t.Fatal(err)
	}
	opt := registry.ImportOptions{Actor: cli}

	// Without the column: stored with an empty authority.
	rep, err := db.ImportSanctions(ctx, strings.NewReader("vendor_uscc,kind,issued_at,reference,summary\n"+
		v.USCC+",warning,2025-01-10,津市监警〔2025〕1号,未按约定时间上门\n"), opt)
	if err != nil || rep.Created != 1 || rep.Rejected != 0 {
		t.Fatalf("import without authority: %+v %v", rep, err)
	}
	// With the column: one row names it, one leaves the cell empty, one is too long.
	long := strings.Repeat("机", 65)
	rep, err = db.ImportSanctions(ctx, strings.NewReader("vendor_uscc,kind,issued_at,reference,authority,summary\n"+
		v.USCC+",fine,2025-02-01,津市监罚〔2025〕7号,"+authority+",虚假宣传\n"+
		v.USCC+",warning,2025-02-03,津市监警〔2025〕2号,,未按约定时间上门\n"+
		v.USCC+",warning,2025-02-05,津市监警〔2025〕3号,"+long+",未按约定时间上门\n"), opt)
	if err != nil || rep.Created != 2 || rep.Rejected != 1 {
		t.Fatalf("import with authority: %+v %v", rep, err)
	}
	if e := rep.Errors[0]; e.Line != 4 || e.Field != "authority" || !strings.Contains(e.Text.In(i18n.EN), "64") {
		t.Errorf("too long authority: %+v (%s)", e, e.Text.In(i18n.EN))
	}
	byRef := sanctionsByRef(t, db, v.ID)
	if got := byRef["津市监罚〔2025〕7号"].Authority; got != authority {
		t.Errorf("authority = %q, want %q", got, authority)
	}
	if got := byRef["津市监警〔2025〕1号"].Authority; got != "" {
		t.Errorf("authority without the column = %q", got)
	}
	if _, stored := byRef["津市监警〔2025〕3号"]; stored {
		t.Error("the row with a too long authority was stored")
	}
	if es := auditFor(t, db, "sanction.create", v.USCC); len(es) != 3 || !strings.Contains(es[1].Detail, authority) {
		t.Errorf("audit of the creations: %d entries", len(es))
	}

	// Re-importing names the authority of the first one: an update, audited with the value before.
	rep, err = db.ImportSanctions(ctx, strings.NewReader("vendor_uscc,kind,issued_at,reference,authority,summary\n"+
		v.USCC+",warning,2025-01-10,津市监警〔2025〕1号,天津市和平区市场监督管理局,未按约定时间上门\n"), opt)
	if err != nil || rep.Updated != 1 {
		t.Fatalf("re-import: %+v %v", rep, err)
	}
	if got := sanctionsByRef(t, db, v.ID)["津市监警〔2025〕1号"].Authority; got != "天津市和平区市场监督管理局" {
		t.Errorf("updated authority = %q", got)
	}
	if es := auditFor(t, db, "sanction.update", v.USCC); len(es) != 1 || !strings.Contains(es[0].Detail, `"authority":""`) {
		t.Errorf("audit of the update: %+v", es)
	}
	if got, err := db.LatestSanctionAuthority(ctx); err != nil || got != authority {
		// The latest sanction naming an authority by id: the fine (the update keeps ids).
		t.Errorf("LatestSanctionAuthority = %q, %v", got, err)
	}
}

// The console requires the authority (RequireAuthority) and validates it
// like the reference; other paths accept a sanction without one.
func TestCreateSanctionAuthority(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	v, err := db.CreateVendor(ctx, cli, vendorIn(usccN(2)))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := db.LatestSanctionAuthority(ctx); err != nil || got != "" {
		t.Fatalf("LatestSanctionAuthority on an empty table = %q, %v", got, err)
	}
	in := registry.SanctionInput{VendorUSCC: v.USCC, Kind: "fine", IssuedAt: "2025-03-01", Reference: "津市监罚〔2025〕12号",
		Summary: "收取预付费后未提供服务", RequireAuthority: true}
	for _, tc := range []struct{ authority, want string }{
		{"", "required"},
		{"　 ", "required"},
		{strings.Repeat("局", 65), "at most 64"},
		{"天津市\u0007市场监管委", "control characters"},
	} {
		in.Authority = tc.authority
		_, err := db.CreateSanction(ctx, regulator, in)
		wantField(t, err, "authority", tc.want)
	}
	if n := count(t, db, "sanctions"); n != 0 {
		t.Fatalf("rejected sanctions stored: %d", n)
	}
	in.Authority = "  " + authority + " "
	s, err := db.CreateSanction(ctx, regulator, in)
	if err != nil || s.Authority != authority {
		t.Fatalf("CreateSanction: %+v %v", s, err)
	}
	// Exactly 64 characters is accepted; without RequireAuthority an empty one too.
	in.Reference, in.Authority = "津市监罚〔2025〕13号", strings.Repeat("局", 64)
	if _, err := db.CreateSanction(ctx, regulator, in); err != nil {
		t.Fatalf("64-character authority: %v", err)
	}
	in.Reference, in.Authority, in.RequireAuthority = "津市监罚〔2025〕14号", "", false
	if _, err := db.CreateSanction(ctx, cli, in); err != nil {
		t.Fatalf("no authority, not required: %v", err)
	}
	if got, err := db.LatestSanctionAuthority(ctx); err != nil || got != strings.Repeat("局", 64) {
		t.Errorf("LatestSanctionAuthority = %q, %v", got, err)
	}
}

// Recording a sanction tells the vendor in its inbox, with the document
// number, the authority and the date from which credit repair may be
// applied for (the kind's minimum display in calendar months).
func TestSanctionNotifiesVendor(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	v, err := db.CreateVendor(ctx, cli, vendorIn(usccN(3)))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []registry.SanctionInput{
		{Kind: "warning", IssuedAt: "2025-03-01", Reference: "津市监警〔2025〕5号", Authority: authority},
		{Kind: "blacklist", IssuedAt: "2025-03-10", Reference: "津市监信〔2025〕1号"},
		{Kind: "commendation", IssuedAt: "2025-03-11", Reference: "津家协〔2025〕2号", Authority: "天津市家庭服务业协会"},
	} {
		s.VendorUSCC, s.Summary = v.USCC, "摘要"
		if _, err := db.CreateSanction(ctx, regulator, s); err != nil {
			t.Fatal(err)
		}
	}
	ns, err := db.Inbox(ctx, registry.RoleVendor, v.ID, 10)
	if err != nil || len(ns) != 3 {
		t.Fatalf("inbox: %d notices, %v", len(ns), err)
	}
	want := []struct{ zh, en string }{
		{"表彰（文书编号 津家协〔2025〕2号，天津市家庭服务业协会）", "commendation (document no. 津家协〔2025〕2号, 天津市家庭服务业协会)"},
		{"列入严重失信名单（文书编号 津市监信〔2025〕1号，作出机关未记录）。最短公示期满后，自 2026-03-10 起", "from 2026-03-10"},
		{"警告（文书编号 津市监警〔2025〕5号，" + authority + "）。最短公示期满后，自 2025-06-01 起", "A warning was recorded against you (document no. 津市监警〔2025〕5号, " + authority + "). Credit repair can be applied for from 2025-06-01"},
	}
	for i, w := range want {
		if zh := ns[i].Text.In(i18n.ZH); !strings.Contains(zh, w.zh) {
			t.Errorf("notice %d (zh) = %q, want %q in it", i, zh, w.zh)
		}
		if en := ns[i].Text.In(i18n.EN); !strings.Contains(en, w.en) {
			t.Errorf("notice %d (en) = %q, want %q in it", i, en, w.en)
		}
		if ns[i].Link != "/console/me#sanctions" {
			t.Errorf("notice %d links to %q", i, ns[i].Link)
		}
	}
	// A decision recorded after its minimum display (migrated) says repair is open now.
	if _, err := db.CreateSanction(ctx, cli, registry.SanctionInput{VendorUSCC: v.USCC, Kind: "fine", IssuedAt: "2024-01-05",
		Reference: "津市监罚〔2024〕3号", Summary: "摘要"}); err != nil {
		t.Fatal(err)
	}
	ns, _ = db.Inbox(ctx, registry.RoleVendor, v.ID, 1)
	if got := ns[0].Text.In(i18n.EN); !strings.Contains(got, "ended on 2024-07-05: credit repair can be applied for now") {
		t.Errorf("late-recorded fine: %q", got)
	}
	// Another vendor's inbox stays empty; no notice for an unchanged re-record.
	other, _ := db.CreateVendor(ctx, cli, vendorIn(usccN(4)))
	if ns, _ := db.Inbox(ctx, registry.RoleVendor, other.ID, 10); len(ns) != 0 {
		t.Errorf("another vendor was told: %v", ns)
	}
	if _, err := db.CreateSanction(ctx, regulator, registry.SanctionInput{VendorUSCC: v.USCC, Kind: "warning", IssuedAt: "2025-03-01",
		Reference: "津市监警〔2025〕5号", Authority: authority, Summary: "摘要"}); err != nil {
		t.Fatal(err)
	}
	if ns, _ := db.Inbox(ctx, registry.RoleVendor, v.ID, 10); len(ns) != 4 {
		t.Errorf("an unchanged sanction notified again: %d notices", len(ns))
	}
}

// Credit repair opens after the kind's minimum display in calendar months:
// warning 3, fine 6, serious penalty and blacklist entry 12.
func TestRepairEligibleFrom(t *testing.T) {
	issued := time.Date(2025, 1, 31, 9, 30, 0, 0, registry.Shanghai)
	for kind, want := range map[string]string{"warning": "2025-05-01", "fine": "2025-07-31", "serious_penalty": "2026-01-31", "blacklist": "2026-01-31"} {
		if got := registry.LocalDate(registry.RepairEligibleFrom(kind, issued)); got != want {
			t.Errorf("%s issued 2025-01-31: repair from %s, want %s", kind, got, want)
		}
	}
	s := registry.Sanction{Kind: "fine", IssuedAt: time.Date(2024, 9, 15, 10, 0, 0, 0, registry.Shanghai)}
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{
		{time.Date(2025, 3, 15, 9, 59, 0, 0, registry.Shanghai), false},
		{time.Date(2025, 3, 15, 10, 0, 0, 0, registry.Shanghai), true},
	} {
		if got := registry.RepairEligible(s, tc.now); got != tc.want {
			t.Errorf("RepairEligible at %v = %v, want %v", tc.now, got, tc.want)
		}
	}
	lifted := tcTime(2025, 1, 1)
	s.LiftedAt = &lifted
	if registry.RepairEligible(s, t0) {
		t.Error("a lifted sanction is eligible for repair")
	}
	c := registry.Sanction{Kind: "commendation", IssuedAt: tcTime(2020, 1, 1)}
	if registry.RepairEligible(c, t0) {
		t.Error("a commendation is eligible for repair")
	}
}

func tcTime(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, registry.Shanghai)
}

func sanctionsByRef(t *testing.T, db *registry.DB, vendorID int64) map[string]registry.Sanction {
	t.Helper()
	ss, err := db.SanctionsOfVendor(context.Background(), vendorID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]registry.Sanction{}
	for _, s := range ss {
		out[s.Reference] = s
	}
	return out
}
