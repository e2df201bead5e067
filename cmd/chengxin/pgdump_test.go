package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"chengxin/internal/testdb"
	"chengxin/registry"
	"chengxin/web"
)

// The PostgreSQL backup procedure of the README ("Running with PostgreSQL"):
// pg_dump in custom format, a new database, pg_restore, audit verify against
// a checkpoint taken before the dump. These tests run on PostgreSQL only
// (CHENGXIN_TEST_POSTGRES) and need pg_dump, pg_restore, createdb and dropdb.

// pgServer returns the test server's URL, or skips.
func pgServer(t *testing.T) string {
	t.Helper()
	if !testdb.Postgres() {
		t.Skip("PostgreSQL only: set " + testdb.EnvPostgres)
	}
	for _, tool := range []string{"pg_dump", "pg_restore", "createdb", "dropdb"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: %v", tool, err)
		}
	}
	return os.Getenv(testdb.EnvPostgres)
}

// newDatabaseName returns a fresh database name and its URL on server, and
// drops that database at cleanup (the restore creates it).
func newDatabaseName(t *testing.T, server string) (name, dsn string) {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	name = "cx_restored_" + hex.EncodeToString(b)
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	t.Cleanup(func() {
		if out, err := exec.Command("dropdb", "--maintenance-db="+server, "--if-exists", "--force", name).CombinedOutput(); err != nil {
			t.Logf("dropdb %s: %v\n%s", name, err, out)
		}
	})
	return name, u.String()
}

// appRole is the role of the server URL (the owner of the new database).
func appRole(t *testing.T, server string) string {
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	if r := u.User.Username(); r != "" {
		return r
	}
	return "postgres"
}

// genAndPublish fills dsn with a small generated city and one publication
// run, signing with the key at keyPath.
func genAndPublish(t *testing.T, ctx context.Context, dsn, keyPath string) {
	t.Helper()
	env := map[string]string{"CHENGXIN_SIGNING_KEY": keyPath}
	if r := runCLI(t, ctx, "", env, "gen", "-db", dsn, "-vendors", "40", "-events", "3000", "-seed", "7"); r.code != 0 {
		t.Fatalf("gen: %d\n%s", r.code, r.stderr)
	}
	if r := runCLI(t, ctx, "", env, "publish", "-db", dsn); r.code != 0 {
		t.Fatalf("publish: %d\n%s", r.code, r.stderr)
	}
}

func runTool(t *testing.T, dir string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// publicAnswers fetches a few public responses from a server over dsn.
func publicAnswers(t *testing.T, ctx context.Context, dsn, keyPath string, now time.Time) map[string]string {
	t.Helper()
	db, err := registry.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	defer db.Close()
	db.SetSigningKeyPath(keyPath)
	db.Now = func() time.Time { return now }
	var logs strings.Builder
	srv := web.New(web.Config{DB: db, Now: db.Now, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	get := func(path string) string {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		body, _ := io.ReadAll(rec.Result().Body)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d\n%s\n%s", path, rec.Code, body, logs.String())
		}
		return string(body)
	}
	out := map[string]string{}
	for _, p := range []string{"/api/v1/vendors", "/api/v1/vendors?q=%E5%AE%B6%E6%94%BF", "/open-data/vendors.csv",
		"/api/v1/checkpoints/latest", "/api/v1/checkpoints/key", "/lists/red", "/lists/black"} {
		out[p] = get(p)
	}
	csv := strings.Split(out["/open-data/vendors.csv"], "\n")
	if len(csv) < 3 {
		t.Fatalf("open data has %d lines:\n%s", len(csv), out["/open-data/vendors.csv"])
	}
	uscc := regexp.MustCompile(`[0-9A-Z]{18}`)
	for _, line := range csv[1:3] {
		code := uscc.FindString(line)
		if code == "" {
			t.Fatalf("no USCC in open data line %q", line)
		}
		out["/api/v1/vendors/"+code] = get("/api/v1/vendors/" + code)
		out["/vendors/"+code] = get("/vendors/" + code)
	}
	return out
}

// TestPgDumpRestore: a published city, dumped with pg_dump -Fc and restored
// into a new database, verifies against a checkpoint taken before the dump
// and answers the public API, open data and pages exactly as the original.
func TestPgDumpRestore(t *testing.T) {
	server := pgServer(t)
	ctx := context.Background()
	dir := t.TempDir()
	key := filepath.Join(dir, "signing-key")
	if _, err := registry.LoadOrCreateSigningKey(key); err != nil {
		t.Fatal(err)
	}
	src := testdb.DSN(t, "src.db")
	genAndPublish(t, ctx, src, key)
	env := map[string]string{"CHENGXIN_SIGNING_KEY": key}
	r := runCLI(t, ctx, "", env, "audit", "checkpoint", "-db", src)
	if r.code != 0 {
		t.Fatalf("audit checkpoint: %d\n%s", r.code, r.stderr)
	}
	checkpoint := filepath.Join(dir, "checkpoint.json")
	if err := os.WriteFile(checkpoint, []byte(r.stdout), 0o600); err != nil {
		t.Fatal(err)
	}

	runTool(t, dir, "pg_dump", "-Fc", "-f", "chengxin.dump", src)
	name, restored := newDatabaseName(t, server)
	runTool(t, dir, "createdb", "--maintenance-db="+server, "-E", "UTF8", "-T", "template0", "--locale=C.UTF-8", "-O", appRole(t, server), name)
	runTool(t, dir, "pg_restore", "--no-owner", "--exit-on-error", "-d", restored, "chengxin.dump")

	r = runCLI(t, ctx, "", env, "audit", "verify", "-db", restored, "-checkpoint", checkpoint)
	if r.code != 0 || !strings.Contains(r.stdout, "signature valid") {
		t.Fatalf("audit verify on the restored database: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, ctx, "", env, "migrate", "-status", "-db", restored); r.code != 0 || strings.Contains(r.stdout, "pending") {
		t.Errorf("migrate -status on the restored database: %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	now := time.Now()
	want := publicAnswers(t, ctx, src, key, now)
	got := publicAnswers(t, ctx, restored, key, now)
	for path, w := range want {
		if got[path] != w {
			t.Errorf("GET %s differs after restore:\nrestored: %.400s\noriginal: %.400s", path, got[path], w)
		}
	}

	// The restored database takes writes: a new run of the chain continues it.
	if r := runCLI(t, ctx, "", env, "rescore", "-db", restored); r.code != 0 {
		t.Fatalf("rescore on the restored database: %d\n%s", r.code, r.stderr)
	}
	if r := runCLI(t, ctx, "", env, "audit", "verify", "-db", restored); r.code != 0 {
		t.Fatalf("audit verify after a write: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// readmeProcedure returns the command lines of the README's PostgreSQL
// backup procedure: the sh block after the marker.
func readmeProcedure(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const marker = "<!-- pg-restore-procedure -->"
	_, rest, ok := strings.Cut(string(b), marker)
	if !ok {
		t.Fatalf("README.md: no %s marker", marker)
	}
	rest = strings.TrimLeft(rest, "\n")
	if !strings.HasPrefix(rest, "```sh\n") {
		t.Fatalf("README.md: the %s marker is not followed by a ```sh block", marker)
	}
	block, _, ok := strings.Cut(strings.TrimPrefix(rest, "```sh\n"), "```")
	if !ok {
		t.Fatal("README.md: the procedure's block is not closed")
	}
	var lines []string
	for _, l := range strings.Split(block, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	return lines
}

// TestReadmeProcedureShape: the README's procedure is there and is the
// procedure (custom-format dump, restore into a new database, verify against
// a checkpoint); checked on either engine so the doc cannot lose a step.
func TestReadmeProcedureShape(t *testing.T) {
	lines := readmeProcedure(t)
	want := []*regexp.Regexp{
		regexp.MustCompile(`^chengxin audit checkpoint > \S+$`),
		regexp.MustCompile(`^pg_dump -Fc .*"\$CHENGXIN_DB"`),
		regexp.MustCompile(`^createdb .*-E UTF8 .*"\$NEW_NAME"$`),
		regexp.MustCompile(`^pg_restore .*-d "\$RESTORED_DB"`),
		regexp.MustCompile(`^chengxin audit verify -db "\$RESTORED_DB" -checkpoint \S+$`),
	}
	if len(lines) != len(want) {
		t.Fatalf("README procedure has %d commands, want %d:\n%s", len(lines), len(want), strings.Join(lines, "\n"))
	}
	for i, re := range want {
		if !re.MatchString(lines[i]) {
			t.Errorf("README procedure line %d %q does not match %s", i+1, lines[i], re)
		}
	}
}

// TestReadmePostgresProcedure runs the README's procedure exactly as written
// (each line through sh, with the built chengxin first on PATH and the
// variables the README names) on a published city, then checks the restored
// database holds the same vendors.
func TestReadmePostgresProcedure(t *testing.T) {
	server := pgServer(t)
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	ctx := context.Background()
	dir := t.TempDir()
	bin := buildBinary(t, t.TempDir())
	key := filepath.Join(dir, "signing-key")
	if _, err := registry.LoadOrCreateSigningKey(key); err != nil {
		t.Fatal(err)
	}
	src := testdb.DSN(t, "src.db")
	genAndPublish(t, ctx, src, key)
	name, restored := newDatabaseName(t, server)
	env := append(os.Environ(),
		"PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"CHENGXIN_DB="+src, "CHENGXIN_SIGNING_KEY="+key, "PGADMIN="+server,
		"APPROLE="+appRole(t, server), "NEW_NAME="+name, "RESTORED_DB="+restored)
	for _, line := range readmeProcedure(t) {
		cmd := exec.Command("sh", "-c", line)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("README step %q: %v\n%s", line, err, out)
		}
		t.Logf("%s\n%s", line, out)
	}
	now := time.Now()
	want := publicAnswers(t, ctx, src, key, now)
	got := publicAnswers(t, ctx, restored, key, now)
	if got["/open-data/vendors.csv"] != want["/open-data/vendors.csv"] {
		t.Errorf("open data differs after the README's restore")
	}
}
