package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EmptyDSN returns the URL of a new PostgreSQL database with no table at
// all (no migration applied: unlike DSN, not copied from the migrated
// template), dropped when t ends, for tests of what the first processes on a
// database do. It skips t unless the run uses PostgreSQL.
func EmptyDSN(t testing.TB) string {
	t.Helper()
	if !Postgres() {
		t.Skip("needs PostgreSQL: set " + EnvPostgres + " to a server URL")
	}
	server := os.Getenv(EnvPostgres)
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("testdb: %s: %v", EnvPostgres, err)
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("testdb: connect to %s: %v", u.Redacted(), err)
	}
	defer admin.Close(ctx)
	var b [6]byte
	rand.Read(b[:])
	name := "cx_empty_" + hex.EncodeToString(b[:])
	// As the migrated template is made: template0, UTF-8, the C collation.
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+name+` TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'`); err != nil {
		t.Fatalf("testdb: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Logf("testdb: %v", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Logf("testdb: %v", err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
