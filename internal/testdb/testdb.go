// Package testdb gives each test a database of its own, on the engine the
// test run asks for: an SQLite file in the test's temporary directory by
// default, or, when CHENGXIN_TEST_POSTGRES holds a server URL (for example
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable), a new PostgreSQL
// database on that server, dropped when the test ends.
package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"chengxin/migrations"
)

// EnvPostgres names the variable that selects PostgreSQL for tests.
const EnvPostgres = "CHENGXIN_TEST_POSTGRES"

// Postgres reports whether this test run uses PostgreSQL.
func Postgres() bool { return os.Getenv(EnvPostgres) != "" }

// Engine is "postgres" or "sqlite", for messages and skips.
func Engine() string {
	if Postgres() {
		return "postgres"
	}
	return "sqlite"
}

// DSN returns a new, empty database for t: an SQLite path named name inside
// t.TempDir(), or a PostgreSQL URL of a fresh database. The database is
// removed when t ends.
func DSN(t testing.TB, name string) string {
	t.Helper()
	if !Postgres() {
		return filepath.Join(t.TempDir(), name)
	}
	dsn, drop, err := NewPostgres(context.Background(), os.Getenv(EnvPostgres))
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Logf("testdb: %v", err)
		}
	})
	return dsn
}

// SkipOnPostgres skips t on PostgreSQL runs, with the reason: for tests of
// SQLite-only behaviour (file copies, VACUUM INTO, flock).
func SkipOnPostgres(t testing.TB, reason string) {
	t.Helper()
	if Postgres() {
		t.Skip("SQLite only: " + reason)
	}
}

// NewPostgres creates a database with a random name on the server at
// serverURL and returns its URL and a function that drops it.
func NewPostgres(ctx context.Context, serverURL string) (dsn string, drop func() error, err error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", EnvPostgres, err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "cx_test_" + hex.EncodeToString(b[:])
	admin, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return "", nil, fmt.Errorf("connect to %s: %w", u.Redacted(), err)
	}
	defer admin.Close(ctx)
	tmpl, err := migratedTemplate(ctx, admin, u)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+name+` TEMPLATE `+tmpl); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u.Path = "/" + name
	drop = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, serverURL)
		if err != nil {
			return err
		}
		defer c.Close(ctx)
		_, err = c.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		return err
	}
	return u.String(), drop, nil
}

// migratedTemplate returns the name of a database holding the current
// PostgreSQL migrations and nothing else, creating it once per migration set
// (its name carries their hash): copying it is much faster than migrating
// every test's database.
func migratedTemplate(ctx context.Context, admin *pgx.Conn, server *url.URL) (string, error) {
	files, err := fs.Sub(migrations.Postgres, "postgres")
	if err != nil {
		return "", err
	}
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	h := sha256.New()
	bodies := make([][]byte, len(names))
	for i, n := range names {
		if bodies[i], err = fs.ReadFile(files, n); err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%s\x00", n, bodies[i])
	}
	tmpl := fmt.Sprintf("cx_template_%x", h.Sum(nil)[:6])
	// One test process creates it; the others wait here.
	if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock(7366001)`); err != nil {
		return "", err
	}
	defer admin.Exec(context.Background(), `SELECT pg_advisory_unlock(7366001)`)
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, tmpl).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return tmpl, nil
	}
	building := tmpl + "_new"
	admin.Exec(ctx, `DROP DATABASE IF EXISTS `+building+` WITH (FORCE)`)
	// template0 and the C collation: the same byte order as SQLite whatever
	// the server's locale (the schema also says COLLATE "C" on text); a
	// UTF-8 character class, so pg_trgm indexes Chinese names.
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+building+` TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'`); err != nil {
		return "", fmt.Errorf("create template %s: %w", building, err)
	}
	tu := *server
	tu.Path = "/" + building
	c, err := pgx.Connect(ctx, tu.String())
	if err != nil {
		return "", err
	}
	// The same records registry's runner writes (registry/migrate.go).
	if _, err := c.Exec(ctx, `CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		c.Close(ctx)
		return "", err
	}
	for i, n := range names {
		if _, err := c.Exec(ctx, string(bodies[i])); err != nil {
			c.Close(ctx)
			return "", fmt.Errorf("template: migration %s: %w", n, err)
		}
		if _, err := c.Exec(ctx, `INSERT INTO schema_migrations(name, applied_at) VALUES ($1, $2)`, n, time.Now().UTC().Format(time.RFC3339)); err != nil {
			c.Close(ctx)
			return "", err
		}
	}
	c.Close(ctx)
	if _, err := admin.Exec(ctx, `ALTER DATABASE `+building+` RENAME TO `+tmpl); err != nil {
		return "", err
	}
	return tmpl, nil
}
