package main

import (
	"context"
	"strings"
	"testing"
)

// With a PostgreSQL -db, the commands that sign audit checkpoints refuse to
// start without -signing-key (usage, exit 2, before connecting), backup
// points at pg_dump (exit 2), and no message shows the URL's password. Runs
// on either engine: the URL names a port nothing listens on.
func TestPostgresDSNUsage(t *testing.T) {
	ctx := context.Background()
	const secret = "s3cret-pw"
	dsn := "postgres://chengxin:" + secret + "@127.0.0.1:1/chengxin?sslmode=disable"
	for _, args := range [][]string{
		{"serve", "-addr", "127.0.0.1:0"},
		{"demo", "-addr", "127.0.0.1:0"},
		{"publish"},
		{"audit", "checkpoint"},
		{"audit", "verify", "-checkpoint", writeFile(t, "cp.json", `{"id":1}`)},
	} {
		name := args[0]
		if name == "audit" {
			name += " " + args[1]
		}
		r := runCLI(t, ctx, "", nil, append(args, "-db", dsn)...)
		if r.code != 2 || !strings.Contains(r.stderr, "-signing-key FILE (or env CHENGXIN_SIGNING_KEY) is required") ||
			!strings.Contains(r.stderr, "chengxin: "+name+": ") || strings.Contains(r.stderr, secret) {
			t.Errorf("%v without a key file: %+v", args, r)
		}
		// Given the key, they get as far as connecting, and say so without the password.
		r = runCLI(t, ctx, "", map[string]string{"CHENGXIN_SIGNING_KEY": t.TempDir() + "/key"}, append(args, "-db", dsn)...)
		if r.code != 1 || !strings.Contains(r.stderr, "127.0.0.1") || strings.Contains(r.stderr+r.stdout, secret) {
			t.Errorf("%v with a key file, no server: %+v", args, r)
		}
	}
	r := runCLI(t, ctx, "", nil, "backup", "-db", dsn, "-to", t.TempDir()+"/copy.db")
	if r.code != 2 || !strings.Contains(r.stderr, "pg_dump") || !strings.Contains(r.stderr, "postgres://chengxin:xxxxx@127.0.0.1:1/") || strings.Contains(r.stderr, secret) {
		t.Errorf("backup of a PostgreSQL database: %+v", r)
	}
	for _, args := range [][]string{{"migrate"}, {"migrate", "-status"}, {"rescore"}, {"explain", "91120101MA0000001X"},
		{"import", "vendors", writeFile(t, "v.csv", "uscc\n")}, {"gen", "-vendors", "1"}, {"token", "add", "-name", "x", "-scope", "ingest"}} {
		r := runCLI(t, ctx, "", nil, append(args, "-db", dsn)...)
		if r.code != 1 || strings.Contains(r.stderr+r.stdout, secret) {
			t.Errorf("%v, no server: %+v", args, r)
		}
	}
}
