// Package testdb gives each test a database of its own, on the engine the
// test run asks for: an SQLite file in the test's temporary directory by
// default, or, when CHENGXIN_TEST_POSTGRES holds a server URL (for example
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable), a new PostgreSQL
// database on that server, dropped when the test ends.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
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
	// template0 and the C collation: the same byte order as SQLite whatever
	// the server's locale (the schema also says COLLATE "C" on text).
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+name+` TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`); err != nil {
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
