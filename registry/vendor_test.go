package registry_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"chengxin/registry"
)

func TestCreateVendor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	code := usccN(7)
	in := vendorIn("  " + strings.ToLower(code) + "\u3000")
	in.Name = "  海河示例家政服务有限公司 "
	in.Districts = []string{"120103;120101", " 120101 "}
	in.Categories = []string{"nanny; cleaning"}
	in.LicenceNo = "TJ-2025-001"
	in.LicenceValidUntil = "2027-12-31"
	in.InsuranceValidUntil = "2026-06-30"
	v, err := db.CreateVendor(ctx, cli, in)
	if err != nil {
		t.Fatal(err)
	}
	if v.USCC != code || v.Name != "海河示例家政服务有限公司" || v.Status != registry.VendorActive || v.USCCConfirmed {
		t.Errorf("created %+v", v)
	}
	got, err := db.FindVendorByUSCC(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Districts, []string{"120101", "120103"}) || !slices.Equal(got.Categories, []string{"cleaning", "nanny"}) {
		t.Errorf("stored districts %v, categories %v", got.Districts, got.Categories)
	}
	if got.ID != v.ID || got.Phone != "022-2345 6789" || got.LicenceNo != "TJ-2025-001" {
		t.Errorf("stored %+v", got)
	}
	if !got.RegisteredAt.Equal(t0) || !got.CreatedAt.Equal(t0) {
		t.Errorf("registered_at %v, created_at %v; want %v", got.RegisteredAt, got.CreatedAt, t0)
	}
	if want := time.Date(2027, 12, 31, 23, 59, 59, 0, registry.Shanghai); got.LicenceValidUntil == nil || !got.LicenceValidUntil.Equal(want) {
		t.Errorf("licence_valid_until %v, want %v", got.LicenceValidUntil, want)
	}
	if got.InsuranceValidUntil == nil || registry.FormatOutput(*got.InsuranceValidUntil) != "2026-06-30T23:59:59+08:00" {
		t.Errorf("insurance_valid_until %v", got.InsuranceValidUntil)
	}
	if byID, err := db.FindVendorByID(ctx, v.ID); err != nil || byID.USCC != code || len(byID.Districts) != 2 {
		t.Errorf("FindVendorByID: %+v, %v", byID, err)
	}
	es := auditFor(t, db, "vendor.create", code)
	if len(es) != 1 {
		t.Fatalf("%d vendor.create entries, want 1", len(es))
	}
	if es[0].Actor != "cli" || es[0].At != "2025-03-15T02:00:00Z" {
		t.Errorf("audit entry %+v", es[0])
	}
	var detail map[string]any
	if err := json.Unmarshal([]byte(es[0].Detail), &detail); err != nil {
		t.Fatal(err)
	}
	if detail["name"] != "海河示例家政服务有限公司" || detail["licence_valid_until"] != "2027-12-31T23:59:59+08:00" {
		t.Errorf("audit detail %v", detail)
	}
	if n := count(t, db, "audit_log"); n != 1 {
		t.Errorf("%d audit entries, want 1", n)
	}
	if _, err := db.FindVendorByUSCC(ctx, usccN(8)); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("unknown vendor: %v", err)
	}
}

func TestCreateVendorValidation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	code := usccN(11)
	bad, want := wrongCheck(code)
	tests := []struct {
		name   string
		edit   func(*registry.VendorInput)
		field  string
		substr string
	}{
		{"uscc missing", func(in *registry.VendorInput) { in.USCC = "" }, "uscc", "required"},
		{"uscc length", func(in *registry.VendorInput) { in.USCC = code[:17] }, "uscc", "this has 17"},
		{"uscc charset", func(in *registry.VendorInput) { in.USCC = "O" + code[1:] }, "uscc", `character 1 ("O")`},
		{"uscc check", func(in *registry.VendorInput) { in.USCC = bad }, "uscc", `GB 32100-2015 gives "` + string(want) + `"`},
		{"uscc check confirm by cli", func(in *registry.VendorInput) { in.USCC, in.ConfirmUSCC = bad, true }, "uscc", "only a regulator"},
		{"unknown district", func(in *registry.VendorInput) { in.Districts = []string{"120101;120199"} }, "districts", `"120199"`},
		{"beijing district", func(in *registry.VendorInput) { in.Districts = []string{"110101"} }, "districts", "unknown district"},
		{"no district", func(in *registry.VendorInput) { in.Districts = []string{" ; "} }, "districts", "choose at least one"},
		{"unknown category", func(in *registry.VendorInput) { in.Categories = []string{"cleaning;plumbing-x"} }, "categories", `"plumbing-x"`},
		{"no category", func(in *registry.VendorInput) { in.Categories = nil }, "categories", "choose at least one"},
		{"name missing", func(in *registry.VendorInput) { in.Name = " \u3000 " }, "name", "required"},
		{"name 201 characters", func(in *registry.VendorInput) { in.Name = strings.Repeat("家", 201) }, "name", "at most 200"},
		{"name control character", func(in *registry.VendorInput) { in.Name = "海河\x07家政" }, "name", "control characters"},
		{"name newline", func(in *registry.VendorInput) { in.Name = "海河\n家政" }, "name", "control characters"},
		{"address zero-width", func(in *registry.VendorInput) { in.Address = "天津\u200b和平" }, "address", "control characters"},
		{"legal_rep too long", func(in *registry.VendorInput) { in.LegalRep = strings.Repeat("a", 201) }, "legal_rep", "at most 200"},
		{"licence_no too long", func(in *registry.VendorInput) { in.LicenceNo = strings.Repeat("1", 65) }, "licence_no", "at most 64"},
		{"phone letters", func(in *registry.VendorInput) { in.Phone = "022-CALL-ME" }, "phone", "only digits"},
		{"phone too long", func(in *registry.VendorInput) { in.Phone = strings.Repeat("1", 33) }, "phone", "at most 32"},
		{"phone missing", func(in *registry.VendorInput) { in.Phone = "" }, "phone", "required"},
		{"licence expired", func(in *registry.VendorInput) { in.LicenceValidUntil = "2025-03-14" }, "licence_valid_until", "expired"},
		{"licence bad date", func(in *registry.VendorInput) { in.LicenceValidUntil = "31.12.2027" }, "licence_valid_until", "not a valid date"},
		{"registered_at in 6 minutes", func(in *registry.VendorInput) { in.RegisteredAt = "2025-03-15 10:06" }, "registered_at", "future"},
		{"registered_at tomorrow", func(in *registry.VendorInput) { in.RegisteredAt = "2025-03-16" }, "registered_at", "future"},
		{"registered_at bad", func(in *registry.VendorInput) { in.RegisteredAt = "last year" }, "registered_at", "not a valid time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openDB(t)
			in := vendorIn(code)
			tt.edit(&in)
			v, err := db.CreateVendor(ctx, cli, in)
			if err == nil {
				t.Fatalf("CreateVendor accepted %+v", v)
			}
			wantField(t, err, tt.field, tt.substr)
			if n := count(t, db, "vendors"); n != 0 {
				t.Errorf("%d vendors stored", n)
			}
			if n := count(t, db, "audit_log"); n != 0 {
				t.Errorf("%d audit entries", n)
			}
		})
	}
}

func TestCreateVendorAccepted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name  string
		edit  func(*registry.VendorInput)
		check func(*testing.T, registry.Vendor)
	}{
		{"name 200 characters", func(in *registry.VendorInput) { in.Name = strings.Repeat("家", 200) }, nil},
		{"ideographic space inside", func(in *registry.VendorInput) { in.Name = "海河\u3000家政" }, func(t *testing.T, v registry.Vendor) {
			if v.Name != "海河\u3000家政" {
				t.Errorf("name %q", v.Name)
			}
		}},
		{"markup stored as given", func(in *registry.VendorInput) { in.Name = `<b>"A&B"</b>` }, func(t *testing.T, v registry.Vendor) {
			if v.Name != `<b>"A&B"</b>` {
				t.Errorf("name %q", v.Name)
			}
		}},
		{"phone with plus", func(in *registry.VendorInput) { in.Phone = "+86 22 2345-6789" }, nil},
		{"past licence with registered_at", func(in *registry.VendorInput) {
			in.LicenceValidUntil, in.RegisteredAt = "2024-12-31", "2019-01-02"
		}, func(t *testing.T, v registry.Vendor) {
			if !v.RegisteredAt.Equal(time.Date(2019, 1, 2, 0, 0, 0, 0, registry.Shanghai)) {
				t.Errorf("registered_at %v", v.RegisteredAt)
			}
		}},
		{"licence valid through today", func(in *registry.VendorInput) { in.LicenceValidUntil = "2025-03-15" }, nil},
		{"past insurance", func(in *registry.VendorInput) { in.InsuranceValidUntil = "2020-01-01" }, nil},
		{"registered_at in 4 minutes", func(in *registry.VendorInput) { in.RegisteredAt = "2025-03-15T10:04:00+08:00" }, nil},
		{"all 16 districts", func(in *registry.VendorInput) {
			in.Districts = nil
			for _, d := range registry.Districts() {
				in.Districts = append(in.Districts, d.Code)
			}
		}, func(t *testing.T, v registry.Vendor) {
			if len(v.Districts) != 16 {
				t.Errorf("%d districts", len(v.Districts))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openDB(t)
			in := vendorIn(usccN(12))
			tt.edit(&in)
			if _, err := db.CreateVendor(ctx, cli, in); err != nil {
				t.Fatalf("CreateVendor: %v", err)
			}
			v, err := db.FindVendorByUSCC(ctx, usccN(12))
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, v)
			}
		})
	}
}

func TestCreateVendorDuplicate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	code := usccN(21)
	first, err := db.CreateVendor(ctx, cli, vendorIn(code))
	if err != nil {
		t.Fatal(err)
	}
	in := vendorIn(strings.ToLower(code))
	in.Name = "另一家公司"
	_, err = db.CreateVendor(ctx, cli, in)
	wantField(t, err, "uscc", "already registered ("+first.Name+")")
	got, _ := db.FindVendorByUSCC(ctx, code)
	if got.Name != first.Name || !got.UpdatedAt.Equal(first.UpdatedAt) {
		t.Errorf("vendor changed: %+v", got)
	}
	if n := count(t, db, "vendors"); n != 1 {
		t.Errorf("%d vendors", n)
	}
	if n := count(t, db, "audit_log"); n != 1 {
		t.Errorf("%d audit entries, want 1", n)
	}
}

func TestCreateVendorConfirmUSCC(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// A real, legally issued early pilot code that fails the GB 32100 check.
	const pilot = "91350211M00013FA1N"
	if _, err := registry.ParseUSCC(pilot); !errors.Is(err, registry.ErrUSCCCheck) {
		t.Fatalf("fixture %s: %v", pilot, err)
	}
	want := string(registry.USCCCheckChar(pilot[:17]))
	tests := []struct {
		name    string
		actor   registry.Actor
		confirm bool
		ok      bool
		substr  string
	}{
		{"regulator confirms", regulator, true, true, ""},
		{"regulator without confirmation", regulator, false, false, `gives "` + want + `"`},
		{"cli confirms", cli, true, false, "only a regulator"},
		{"association confirms", association, true, false, "only a regulator"},
		{"system confirms", registry.SystemActor, true, false, "only a regulator"},
		{"regulator token", registry.Actor{Kind: "token", Name: "x", Role: registry.RoleRegulator}, true, false, "only a regulator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openDB(t)
			in := vendorIn(strings.ToLower(pilot))
			in.ConfirmUSCC = tt.confirm
			v, err := db.CreateVendor(ctx, tt.actor, in)
			if !tt.ok {
				wantField(t, err, "uscc", tt.substr)
				if n := count(t, db, "vendors") + count(t, db, "audit_log"); n != 0 {
					t.Errorf("%d rows stored", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.USCC != pilot || !v.USCCConfirmed {
				t.Errorf("created %q confirmed %v", v.USCC, v.USCCConfirmed)
			}
			es := auditFor(t, db, "uscc.confirm", pilot)
			if len(es) != 1 || es[0].Actor != "user:reg1" || !strings.Contains(es[0].Detail, `"expected_check":"`+want+`"`) {
				t.Errorf("uscc.confirm entries %+v", es)
			}
			if len(auditFor(t, db, "vendor.create", pilot)) != 1 {
				t.Error("no vendor.create entry")
			}
			if got, err := db.FindVendorByUSCC(ctx, pilot); err != nil || !got.USCCConfirmed {
				t.Errorf("stored %+v, %v", got, err)
			}
		})
	}
}

func TestUpdateVendor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clk := openDB(t)
	code := usccN(31)
	in := vendorIn(code)
	in.LicenceValidUntil = "2027-12-31"
	created, err := db.CreateVendor(ctx, cli, in)
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)

	t.Run("unchanged", func(t *testing.T) {
		same := in
		same.USCC = " " + strings.ToLower(code)
		same.Districts = []string{" 120101 ;120101"}
		v, res, err := db.UpdateVendor(ctx, cli, same)
		if err != nil || res != registry.ResultUnchanged {
			t.Fatalf("UpdateVendor = %q, %v", res, err)
		}
		if !v.UpdatedAt.Equal(created.UpdatedAt) {
			t.Errorf("updated_at moved to %v", v.UpdatedAt)
		}
		if n := count(t, db, "audit_log"); n != 1 {
			t.Errorf("%d audit entries, want 1", n)
		}
	})
	t.Run("updated", func(t *testing.T) {
		next := in
		next.Name = "海河示例家政服务有限公司（新）"
		next.Districts = []string{"120101;120102"}
		next.LicenceValidUntil = "" // now no expiry
		v, res, err := db.UpdateVendor(ctx, regulator, next)
		if err != nil || res != registry.ResultUpdated {
			t.Fatalf("UpdateVendor = %q, %v", res, err)
		}
		if v.Name != next.Name || !v.UpdatedAt.Equal(t0.Add(time.Hour)) || !v.CreatedAt.Equal(t0) {
			t.Errorf("returned %+v", v)
		}
		got, _ := db.FindVendorByUSCC(ctx, code)
		if got.Name != next.Name || !slices.Equal(got.Districts, []string{"120101", "120102"}) || got.LicenceValidUntil != nil {
			t.Errorf("stored %+v", got)
		}
		es := auditFor(t, db, "vendor.update", code)
		if len(es) != 1 || es[0].Actor != "user:reg1" {
			t.Fatalf("vendor.update entries %+v", es)
		}
		var changes map[string][2]any
		if err := json.Unmarshal([]byte(es[0].Detail), &changes); err != nil {
			t.Fatal(err)
		}
		if len(changes) != 3 {
			t.Errorf("changes %v, want name, districts, licence_valid_until", changes)
		}
		if c := changes["name"]; c[0] != in.Name || c[1] != next.Name {
			t.Errorf("name change %v", c)
		}
		if c := changes["licence_valid_until"]; c[0] != "2027-12-31T23:59:59+08:00" || c[1] != "" {
			t.Errorf("licence change %v", c)
		}
		if c := changes["districts"]; len(c[0].([]any)) != 1 || len(c[1].([]any)) != 2 {
			t.Errorf("districts change %v", c)
		}
	})
	t.Run("past licence on update", func(t *testing.T) {
		next := in
		next.Name = "海河示例家政服务有限公司（新）"
		next.Districts = []string{"120101;120102"}
		next.LicenceValidUntil = "2025-01-31"
		if _, res, err := db.UpdateVendor(ctx, cli, next); err != nil || res != registry.ResultUpdated {
			t.Errorf("UpdateVendor with an expired licence = %q, %v", res, err)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		next := in
		next.Phone = "call me"
		_, res, err := db.UpdateVendor(ctx, cli, next)
		wantField(t, err, "phone", "only digits")
		if res != registry.ResultRejected {
			t.Errorf("result %q", res)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		_, _, err := db.UpdateVendor(ctx, cli, vendorIn(usccN(32)))
		mustNotFound(t, err)
		if n := count(t, db, "vendors"); n != 1 {
			t.Errorf("%d vendors", n)
		}
	})
}

func TestSetVendorStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clk := openDB(t)
	code := usccN(41)
	if _, err := db.CreateVendor(ctx, cli, vendorIn(code)); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	tests := []struct {
		name, status, reason string
		field                string // expected validation error
		want                 string // status afterwards
		audits               int    // vendor.status entries afterwards
	}{
		{"no reason", registry.VendorSuspended, " \u3000", "reason", registry.VendorActive, 0},
		{"reason too long", registry.VendorSuspended, strings.Repeat("因", 501), "reason", registry.VendorActive, 0},
		{"bad status", "closed", "关门", "status", registry.VendorActive, 0},
		{"suspend", registry.VendorSuspended, "多次投诉未处理", "", registry.VendorSuspended, 1},
		{"suspend again", registry.VendorSuspended, "再次", "", registry.VendorSuspended, 1},
		{"deregister", registry.VendorDeregistered, "注销登记", "", registry.VendorDeregistered, 2},
		{"reactivate", registry.VendorActive, "重新登记", "", registry.VendorActive, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := db.SetVendorStatus(ctx, regulator, strings.ToLower(code), tt.status, tt.reason)
			if tt.field != "" {
				fieldErrors(t, err)
				wantField(t, err, tt.field, "")
			} else if err != nil || v.Status != tt.want {
				t.Fatalf("SetVendorStatus = %+v, %v", v, err)
			}
			got, _ := db.FindVendorByUSCC(ctx, code)
			if got.Status != tt.want {
				t.Errorf("status %q, want %q", got.Status, tt.want)
			}
			if n := len(auditFor(t, db, "vendor.status", code)); n != tt.audits {
				t.Errorf("%d vendor.status entries, want %d", n, tt.audits)
			}
		})
	}
	es := auditFor(t, db, "vendor.status", code)
	if !strings.Contains(es[len(es)-1].Detail, `"reason":"多次投诉未处理"`) || !strings.Contains(es[len(es)-1].Detail, `"to":"suspended"`) {
		t.Errorf("first status entry %s", es[len(es)-1].Detail)
	}
	if _, err := db.SetVendorStatus(ctx, regulator, usccN(42), registry.VendorSuspended, "x"); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("unknown vendor: %v", err)
	}
}

func TestFindVendors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	mk := func(n int, name, districts, categories string) string {
		in := vendorIn(usccN(n))
		in.Name, in.Districts, in.Categories = name, []string{districts}, []string{categories}
		if _, err := db.CreateVendor(ctx, cli, in); err != nil {
			t.Fatal(err)
		}
		return usccN(n)
	}
	a := mk(101, "甲家政", "120101", "cleaning")
	b := mk(102, "乙保洁 100%", "120101;120102", "cleaning;nanny")
	c := mk(103, "丙月嫂", "120103", "maternity")
	d := mk(104, "丁家政_服务", "120102", "housekeeping")
	if _, err := db.SetVendorStatus(ctx, regulator, c, registry.VendorSuspended, "暂停"); err != nil {
		t.Fatal(err)
	}
	// Names sort by code point: 丁 < 丙 < 乙 < 甲.
	tests := []struct {
		name  string
		f     registry.VendorFilter
		want  []string
		total int
	}{
		{"all", registry.VendorFilter{}, []string{d, c, b, a}, 4},
		{"name substring", registry.VendorFilter{Q: "家政"}, []string{d, a}, 2},
		{"LIKE wildcard literal %", registry.VendorFilter{Q: "100%"}, []string{b}, 1},
		{"LIKE wildcard literal _", registry.VendorFilter{Q: "_"}, []string{d}, 1},
		{"uscc prefix", registry.VendorFilter{Q: a[:17]}, []string{a}, 1},
		{"uscc lower case", registry.VendorFilter{Q: strings.ToLower(a)}, []string{a}, 1},
		{"uscc infix does not match", registry.VendorFilter{Q: a[5:]}, nil, 0},
		{"district", registry.VendorFilter{District: "120101"}, []string{b, a}, 2},
		{"category", registry.VendorFilter{Category: "nanny"}, []string{b}, 1},
		{"status", registry.VendorFilter{Status: registry.VendorSuspended}, []string{c}, 1},
		{"combined", registry.VendorFilter{District: "120102", Category: "cleaning"}, []string{b}, 1},
		{"no match", registry.VendorFilter{Q: "锁匠"}, nil, 0},
		{"page 1", registry.VendorFilter{PerPage: 3}, []string{d, c, b}, 4},
		{"page 2", registry.VendorFilter{PerPage: 3, Page: 2}, []string{a}, 4},
		{"page past end", registry.VendorFilter{PerPage: 3, Page: 3}, nil, 4},
		{"bad paging clamped", registry.VendorFilter{PerPage: 1000, Page: -1}, []string{d, c, b, a}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, total, err := db.FindVendors(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range vs {
				got = append(got, v.USCC)
				if len(v.Districts) == 0 || len(v.Categories) == 0 {
					t.Errorf("%s without codes", v.USCC)
				}
			}
			if !slices.Equal(got, tt.want) || total != tt.total {
				t.Errorf("got %v (total %d), want %v (total %d)", got, total, tt.want, tt.total)
			}
		})
	}
	if n, err := db.CountVendors(ctx); err != nil || n != 4 {
		t.Errorf("CountVendors = %d, %v", n, err)
	}
}
