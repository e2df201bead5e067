package registry_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chengxin/internal/testdb"
	"chengxin/registry"
)

func TestRedactDSN(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/var/lib/chengxin/user:secret@x.db", "/var/lib/chengxin/user:secret@x.db"}, // an SQLite path, as given
		{"chengxin.db", "chengxin.db"},
		{"postgres://chengxin:s3cret@db.example:5432/chengxin?sslmode=require", "postgres://chengxin:xxxxx@db.example:5432/chengxin?sslmode=require"},
		{"postgresql://chengxin@db.example/chengxin", "postgresql://chengxin@db.example/chengxin"},
		{"postgres://db.example/chengxin?user=cx&password=s3cret", "postgres://db.example/chengxin?password=xxxxx&user=cx"},
		{"postgres://cx:s3%zzcret@db.example/chengxin", "postgres://(unparsable URL)"},
	} {
		got := registry.RedactDSN(tc.in)
		if got != tc.want {
			t.Errorf("RedactDSN(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if registry.IsPostgresDSN(tc.in) && strings.Contains(got, "s3") {
			t.Errorf("RedactDSN(%q) = %q shows the password", tc.in, got)
		}
	}
}

// DatabaseEmpty: what demo may fill. SQLite: an absent or zero-length
// file. PostgreSQL: no tables, or Chengxin's tables without data; not a
// database holding Chengxin data or another application's tables.
func TestDatabaseEmpty(t *testing.T) {
	ctx := context.Background()
	check := func(dsn string, want bool, holds string) {
		t.Helper()
		empty, got, err := registry.DatabaseEmpty(ctx, dsn)
		if err != nil || empty != want || !strings.Contains(got, holds) {
			t.Errorf("DatabaseEmpty(%s) = %v, %q, %v; want %v, %q", registry.RedactDSN(dsn), empty, got, err, want, holds)
		}
	}
	if !testdb.Postgres() {
		dir := t.TempDir()
		check(filepath.Join(dir, "absent.db"), true, "")
		zero := filepath.Join(dir, "zero.db")
		if err := os.WriteFile(zero, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		check(zero, true, "")
		used := filepath.Join(dir, "used.db")
		db, err := registry.Open(ctx, used)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		check(used, false, "bytes")
		return
	}
	dsn := testdb.DSN(t, "empty.db") // migrated, no data
	check(dsn, true, "")
	db, err := registry.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check(dsn, true, "") // opening it wrote nothing
	if _, err := db.CreateVendor(ctx, regulator, vendorIn(usccN(1))); err != nil {
		t.Fatal(err)
	}
	check(dsn, false, "Chengxin data")

	bare := testdb.DSN(t, "bare.db")
	raw, err := registry.OpenSQLForTools(bare)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`DROP SCHEMA public CASCADE; CREATE SCHEMA public`); err != nil {
		t.Fatal(err)
	}
	check(bare, true, "")
	if _, err := raw.Exec(`CREATE TABLE invoices (id integer)`); err != nil {
		t.Fatal(err)
	}
	check(bare, false, "tables that are not Chengxin's: public.invoices")
}
