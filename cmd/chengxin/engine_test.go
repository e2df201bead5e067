package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"chengxin/internal/testdb"
	"chengxin/registry"
)

// The suite runs on the engine internal/testdb selects: SQLite files by
// default, PostgreSQL databases when CHENGXIN_TEST_POSTGRES is set. A
// PostgreSQL database has no file beside which to keep the checkpoint
// signing key, so each test database gets a key file of its own, which the
// helpers below hand to the commands (as CHENGXIN_SIGNING_KEY) and to stores
// the tests open.

var pgKeyFiles sync.Map // PostgreSQL DSN → its test's signing key file

// tempDB returns a new, empty database for t on the engine under test.
func tempDB(t *testing.T) string {
	t.Helper()
	dsn := testdb.DSN(t, "cx.db")
	if registry.IsPostgresDSN(dsn) {
		pgKeyFiles.Store(dsn, filepath.Join(t.TempDir(), "signing-key"))
		t.Cleanup(func() { pgKeyFiles.Delete(dsn) })
	}
	return dsn
}

// signingKeyFile is the key file the commands use for dsn: beside an
// SQLite file, or the one tempDB chose for a PostgreSQL database.
func signingKeyFile(t *testing.T, dsn string) string {
	t.Helper()
	if !registry.IsPostgresDSN(dsn) {
		return dsn + ".signing-key"
	}
	k, ok := pgKeyFiles.Load(dsn)
	if !ok {
		t.Fatalf("no signing key file for %s (not made by tempDB)", registry.RedactDSN(dsn))
	}
	return k.(string)
}

// cliGetenv is the environment a command with args sees: env, plus, for a
// PostgreSQL -db made by tempDB, CHENGXIN_SIGNING_KEY naming its key file
// (unless env sets it).
func cliGetenv(env map[string]string, args []string) func(string) string {
	key := ""
	for i, a := range args {
		if (a == "-db" || a == "--db") && i+1 < len(args) {
			if k, ok := pgKeyFiles.Load(args[i+1]); ok {
				key = k.(string)
			}
		}
	}
	return func(k string) string {
		if v, ok := env[k]; ok || k != "CHENGXIN_SIGNING_KEY" {
			return v
		}
		return key
	}
}

// openStore opens dsn as the commands would, with its signing key file.
func openStore(t *testing.T, dsn string) *registry.DB {
	t.Helper()
	db, err := registry.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SetSigningKeyPath(signingKeyFile(t, dsn))
	return db
}

// binCommand runs the built binary on dsn: args as given, with
// CHENGXIN_SIGNING_KEY set for a PostgreSQL database.
func binCommand(t *testing.T, bin, dsn string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, append(args, "-db", dsn)...)
	cmd.Env = append(os.Environ(), "CHENGXIN_DB=", "CHENGXIN_SIGNING_KEY="+signingKeyFile(t, dsn))
	return cmd
}
