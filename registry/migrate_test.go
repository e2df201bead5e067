package registry_test

import (
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"chengxin/migrations"
	"chengxin/registry"
)

func embeddedMigrations(t *testing.T) []string {
	t.Helper()
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil || len(names) == 0 {
		t.Fatalf("embedded migrations: %v %v", names, err)
	}
	return names
}

func TestMigrateFresh(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fresh.db")
	before := time.Now().UTC().Add(-time.Second)
	db, err := registry.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	after := time.Now().UTC().Add(time.Second)

	names := embeddedMigrations(t)
	st, err := db.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != len(names) {
		t.Fatalf("MigrationStatus lists %d migrations, %d embedded", len(st), len(names))
	}
	for i, m := range st {
		if want := strings.TrimSuffix(names[i], ".sql"); m.Name != want {
			t.Errorf("migration %d is %q, want %q (name order)", i, m.Name, want)
		}
		at, err := time.Parse(time.RFC3339, m.AppliedAt)
		if err != nil {
			t.Errorf("%s applied at %q: %v", m.Name, m.AppliedAt, err)
			continue
		}
		if at.Before(before) || at.After(after) {
			t.Errorf("%s applied at %v, not during Open (%v–%v)", m.Name, at, before, after)
		}
	}
	if st[0].Name != "0001_registry" {
		t.Errorf("first migration %q", st[0].Name)
	}
	// The schema is there: every registry table exists.
	for _, table := range []string{"orgs", "vendors", "vendor_districts", "vendor_categories", "memberships",
		"users", "sessions", "invitations", "audit_log", "schema_migrations"} {
		count(t, db, table)
	}
	// Migrate again on the same handle: nothing to do.
	applied, err := db.Migrate(ctx)
	if err != nil || len(applied) != 0 {
		t.Errorf("second Migrate applied %v, %v", applied, err)
	}
}

func TestMigrateReopen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "reopen.db")
	db, err := registry.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return t0 }
	v, err := db.CreateVendor(ctx, cli, vendorIn(usccN(1)))
	if err != nil {
		t.Fatal(err)
	}
	st1, err := db.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = registry.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil || len(applied) != 0 {
		t.Fatalf("Migrate on a migrated database applied %v, %v", applied, err)
	}
	st2, err := db.MigrationStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range st1 {
		if st1[i] != st2[i] {
			t.Errorf("migration record changed on re-open: %+v → %+v", st1[i], st2[i])
		}
	}
	got, err := db.FindVendorByUSCC(ctx, v.USCC)
	if err != nil || got.Name != v.Name || got.ID != v.ID {
		t.Errorf("vendor after re-open: %+v, %v", got, err)
	}
	if n := count(t, db, "audit_log"); n != 1 {
		t.Errorf("audit_log has %d entries after re-open, want 1", n)
	}
	if brk, n, err := db.VerifyAudit(ctx); brk != nil || n != 1 || err != nil {
		t.Errorf("VerifyAudit after re-open: %+v, %d, %v", brk, n, err)
	}
}

func TestOpenRejectsMemory(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"", ":memory:"} {
		if db, err := registry.Open(context.Background(), p); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded", p)
		}
	}
}
