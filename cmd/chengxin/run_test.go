package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"chengxin/internal/testdb"
	"chengxin/registry"
	"chengxin/registry/registrytest"
)

func TestMain(m *testing.M) {
	registry.BcryptCost = bcrypt.MinCost
	os.Exit(m.Run())
}

// result is one run of the program.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the program with args and stdin, as main would, and returns
// the exit status it would have.
func runCLI(t *testing.T, ctx context.Context, stdin string, env map[string]string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(ctx, args, cliGetenv(env, args), strings.NewReader(stdin), &out, &errOut)
	code := 0
	var ee *exitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.code
		if ee.msg != "" {
			fmt.Fprintln(&errOut, "chengxin:", ee.msg) // as main prints it
		}
	default:
		code = 1
		fmt.Fprintln(&errOut, "chengxin:", err)
	}
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUsage(t *testing.T) {
	ctx := context.Background()
	if r := runCLI(t, ctx, "", nil); r.code != 2 || !strings.Contains(r.stdout, "Commands:") {
		t.Errorf("no args: code %d, stdout %q", r.code, r.stdout)
	}
	if r := runCLI(t, ctx, "", nil, "help"); r.code != 0 || !strings.Contains(r.stdout, "rescore") || !strings.Contains(r.stdout, "postgres://USER:PASSWORD@HOST:5432/DBNAME") {
		t.Errorf("help (commands and both forms of -db): %+v", r)
	}
	if r := runCLI(t, ctx, "", nil, "serve", "-h"); r.code != 0 || !strings.Contains(r.stderr, "a PostgreSQL URL such as postgres://") {
		t.Errorf("serve -h (-db's PostgreSQL form): %+v", r)
	}
	if r := runCLI(t, ctx, "", nil, "frobnicate"); r.code != 2 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("unknown: %+v", r)
	}
	if r := runCLI(t, ctx, "", nil, "migrate", "-nope"); r.code != 2 {
		t.Errorf("bad flag: code %d", r.code)
	}
	if r := runCLI(t, ctx, "", nil, "serve", "-gc-percent", "5"); r.code != 2 || !strings.Contains(r.stderr, "-gc-percent 5: want 10 or more") {
		t.Errorf("serve -gc-percent 5: code %d, %s", r.code, r.stderr)
	}
}

func TestMigrateAndEnvDB(t *testing.T) {
	ctx := context.Background()
	db := tempDB(t)
	r := runCLI(t, ctx, "", map[string]string{"CHENGXIN_DB": db}, "migrate", "-status")
	if r.code != 0 || !strings.Contains(r.stdout, "0001_registry\t") || strings.Contains(r.stdout, "pending") {
		t.Fatalf("migrate -status: %+v", r)
	}
	if registry.IsPostgresDSN(db) {
		// The password (ignored by the test server's trust authentication)
		// never shows.
		u, err := url.Parse(db)
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword(u.User.Username(), "s3cret-pw")
		r := runCLI(t, ctx, "", map[string]string{"CHENGXIN_DB": u.String()}, "migrate")
		if r.code != 0 || strings.Contains(r.stdout+r.stderr, "s3cret-pw") || !strings.Contains(r.stdout, ":xxxxx@") {
			t.Errorf("migrate on PostgreSQL: %+v", r)
		}
		return
	}
	if _, err := os.Stat(db); err != nil {
		t.Fatalf("CHENGXIN_DB not used: %v", err)
	}
}

func TestUserAdd(t *testing.T) {
	ctx := context.Background()
	db := tempDB(t)
	r := runCLI(t, ctx, "a-long-password\n", nil, "user", "add", "-db", db, "-username", "alice", "-role", "regulator")
	if r.code != 0 || !strings.Contains(r.stdout, "created regulator user alice") {
		t.Fatalf("user add: %+v", r)
	}
	r = runCLI(t, ctx, "a-long-password\n", nil, "user", "add", "-db", db, "-username", "ALICE", "-role", "regulator")
	if r.code != 1 || !strings.Contains(r.stderr, "username: this username is taken") {
		t.Errorf("duplicate: %+v", r)
	}
	r = runCLI(t, ctx, "short\n", nil, "user", "add", "-db", db, "-username", "bob", "-role", "regulator")
	if r.code != 1 || !strings.Contains(r.stderr, "password") {
		t.Errorf("short password: %+v", r)
	}
	r = runCLI(t, ctx, "a-long-password\n", nil, "user", "add", "-db", db, "-username", "carol", "-role", "association", "-org", registry.MustUSCC("51120101MA0000001"))
	if r.code != 1 || !strings.Contains(r.stderr, "org: no organisation with this USCC") {
		t.Errorf("unknown org: %+v", r)
	}
	if r := runCLI(t, ctx, "", nil, "user", "add", "-db", db, "-role", "regulator"); r.code != 2 {
		t.Errorf("missing username: code %d", r.code)
	}
}

func TestImportReportAndExitCodes(t *testing.T) {
	ctx := context.Background()
	db := tempDB(t)
	good1, good2 := registry.MustUSCC("91120101MA0000001"), registry.MustUSCC("91120101MA0000002")
	file := writeFile(t, "vendors.csv", strings.Join([]string{
		"uscc,name,legal_rep,phone,address,districts,categories",
		good1 + ",天津甲家政有限公司,王一,022-1,天津市和平区,120101,cleaning",
		"91120101MA000000,短码公司,王二,022-1,天津市和平区,120101,cleaning",
		good2 + ",天津乙家政有限公司,王三,022-1,天津市和平区,129999,cleaning",
	}, "\n")+"\n")
	// Flags after the positional arguments work too.
	r := runCLI(t, ctx, "", nil, "import", "vendors", file, "-db", db)
	want := "row 3: uscc: a unified social credit code has 18 characters, this has 16\n" +
		"row 4: districts: unknown district code \"129999\" (use one of Tianjin's 16 GB/T 2260 codes, e.g. 120101)\n" +
		"created 1, updated 0, unchanged 0, rejected 2\n"
	if r.code != 1 || r.stdout != want {
		t.Fatalf("import: code %d\nstdout:\n%s\nwant:\n%s", r.code, r.stdout, want)
	}
	r = runCLI(t, ctx, "", nil, "import", "-db", db, "vendors", writeFile(t, "ok.csv", "uscc,name,legal_rep,phone,address,districts,categories\n"+
		good1+",天津甲家政有限公司,王一,022-1,天津市和平区,120101,cleaning\n"))
	if r.code != 0 || r.stdout != "created 0, updated 0, unchanged 1, rejected 0\n" {
		t.Errorf("re-import: %+v", r)
	}
	if r := runCLI(t, ctx, "", nil, "import", "-db", db, "vendors", writeFile(t, "bad.csv", "name\nx\n")); r.code != 1 || !strings.HasPrefix(r.stdout, "file rejected: ") {
		t.Errorf("bad header: %+v", r)
	}
	if r := runCLI(t, ctx, "", nil, "import", "-db", db, "widgets", file); r.code != 2 {
		t.Errorf("unknown kind: %+v", r)
	}
	if r := runCLI(t, ctx, "", nil, "import", "-db", db, "vendors", "/no/such/file.csv"); r.code != 1 {
		t.Errorf("missing file: %+v", r)
	}
}

func TestTokenAddPrintsSecretLast(t *testing.T) {
	ctx := context.Background()
	db := tempDB(t)
	r := runCLI(t, ctx, "", nil, "token", "add", "-db", db, "-name", "hotline", "-scope", "ingest")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	secret := lines[len(lines)-1]
	if r.code != 0 || !strings.HasPrefix(secret, registry.TokenPrefix) {
		t.Fatalf("token add: %+v", r)
	}
	if registry.IsPostgresDSN(db) {
		store := openStore(t, db)
		defer store.Close()
		for _, table := range []string{"api_tokens", "audit_log", "token_rates"} {
			var n int
			if err := registrytest.SQL(t, store).QueryRow(`SELECT count(*) FROM `+table+` x WHERE x::text LIKE '%' || ? || '%'`, secret).Scan(&n); err != nil || n != 0 {
				t.Errorf("the secret is stored in %s (%d rows, %v)", table, n, err)
			}
		}
	} else {
		raw, err := os.ReadFile(db)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(secret)) {
			t.Error("the secret is stored in the database file")
		}
	}
	if r := runCLI(t, ctx, "", nil, "token", "add", "-db", db, "-name", "hotline", "-scope", "ingest"); r.code != 1 {
		t.Errorf("duplicate name: %+v", r)
	}
	if r := runCLI(t, ctx, "", nil, "token", "add", "-db", db, "-name", "x", "-scope", "admin"); r.code != 1 || !strings.Contains(r.stderr, "scope") {
		t.Errorf("bad scope: %+v", r)
	}
}

func TestAuditVerifyDetectsTampering(t *testing.T) {
	ctx := context.Background()
	db := tempDB(t)
	runCLI(t, ctx, "a-long-password\n", nil, "user", "add", "-db", db, "-username", "alice", "-role", "regulator")
	runCLI(t, ctx, "a-long-password\n", nil, "user", "add", "-db", db, "-username", "bob", "-role", "regulator")
	if r := runCLI(t, ctx, "", nil, "audit", "verify", "-db", db); r.code != 0 || r.stdout != "ok: 2 entries verified\n" {
		t.Fatalf("verify: %+v", r)
	}
	store := openStore(t, db)
	registrytest.AllowTampering(t, store)
	if _, err := registrytest.SQL(t, store).Exec(`UPDATE audit_log SET detail = '{"role":"vendor"}' WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	store.Close()
	if r := runCLI(t, ctx, "", nil, "audit", "verify", "-db", db); r.code != 1 || !strings.HasPrefix(r.stdout, "broken at entry 2: ") {
		t.Errorf("tampered: %+v", r)
	}
}

// seededDB is a small evaluated demo city.
func seededDB(t *testing.T) (string, []demoAccount) {
	t.Helper()
	path := tempDB(t)
	db := openStore(t, path)
	defer db.Close()
	accounts, err := seedDemo(context.Background(), db, 40, 3)
	if err != nil {
		t.Fatal(err)
	}
	return path, accounts
}

func firstVendor(t *testing.T, path string) string {
	t.Helper()
	db, err := registry.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	vs, _, err := db.FindVendors(context.Background(), registry.VendorFilter{PerPage: 1})
	if err != nil || len(vs) == 0 {
		t.Fatal(err)
	}
	return vs[0].USCC
}

func TestExplainJSONShape(t *testing.T) {
	ctx := context.Background()
	path, _ := seededDB(t)
	uscc := firstVendor(t, path)
	r := runCLI(t, ctx, "", nil, "explain", "-json", strings.ToLower(uscc), "-db", path, "-as-of", "2026-11-01")
	if r.code != 0 {
		t.Fatalf("explain: %+v", r)
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	if dec.More() {
		t.Error("more than one JSON value on stdout")
	}
	for _, k := range []string{"uscc", "as_of", "rules_version", "rules_hash", "score", "grade", "components", "reasons", "evidence"} {
		if _, ok := obj[k]; !ok {
			t.Errorf("explain -json lacks %q", k)
		}
	}
	if obj["uscc"] != uscc || obj["as_of"] != "2026-11-01T00:00:00+08:00" || obj["rules_version"] != "HSCS-1.0" {
		t.Errorf("explain -json = %v", obj)
	}
	ev, _ := obj["evidence"].(map[string]any)
	for _, k := range []string{"callbacks_weight", "complaint_points", "exposure", "complaints_counted", "sanctions_on_display"} {
		if _, ok := ev[k]; !ok {
			t.Errorf("evidence lacks %q", k)
		}
	}
	text := runCLI(t, ctx, "", nil, "explain", uscc, "-db", path)
	if text.code != 0 || !strings.Contains(text.stdout, "city priors") || !strings.Contains(text.stdout, "satisfaction") {
		t.Errorf("explain text: %+v", text)
	}
	if r := runCLI(t, ctx, "", nil, "explain", registry.MustUSCC("91120101MA0YYYYY0"), "-db", path); r.code != 1 {
		t.Errorf("unknown vendor: %+v", r)
	}
	if r := runCLI(t, ctx, "", nil, "explain", uscc, "-db", path, "-as-of", "yesterday"); r.code != 2 {
		t.Errorf("bad date: %+v", r)
	}
}

func TestRescoreWhatIf(t *testing.T) {
	ctx := context.Background()
	path, _ := seededDB(t)
	strict := strings.Replace(mustRead(t, "../../scoring/testdata/hscs-1.0.json"), `"version": "HSCS-1.0"`, `"version": "HSCS-strict"`, 1)
	strict = strings.Replace(strict, `"a": 90`, `"a": 97`, 1)
	rules := writeFile(t, "strict.json", strict)
	r := runCLI(t, ctx, "", nil, "rescore", "-db", path, "-rules", rules, "-dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, "current rules \\ after") || !strings.Contains(r.stdout, "0 evaluations stored") {
		t.Fatalf("what-if: %+v", r)
	}
	if r := runCLI(t, ctx, "", nil, "rescore", "-db", path, "-dry-run"); r.code != 2 {
		t.Errorf("-dry-run without -rules: %+v", r)
	}
	r = runCLI(t, ctx, "", nil, "rescore", "-db", path)
	if r.code != 0 || !strings.Contains(r.stdout, "evaluated 40 vendors") {
		t.Errorf("rescore: %+v", r)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDemoRefusesNonEmptyDB: demo -db fills only an empty database (on
// SQLite an absent or empty file; on PostgreSQL one without Chengxin data or
// other tables) and leaves a non-empty one as it was.
func TestDemoRefusesNonEmptyDB(t *testing.T) {
	ctx := context.Background()
	path := writeFile(t, "existing.db", "not empty")
	if testdb.Postgres() {
		path = tempDB(t)
		addUsers(t, path, "alice")
	}
	r := runCLI(t, ctx, "", nil, "demo", "-db", path, "-addr", freeAddr(t))
	if r.code != 1 || !strings.Contains(r.stderr, "not empty") {
		t.Fatalf("demo on a non-empty database: %+v", r)
	}
	if testdb.Postgres() {
		if !strings.Contains(r.stderr, "Chengxin data") {
			t.Errorf("demo's refusal does not say what the database holds: %s", r.stderr)
		}
		if r := runCLI(t, ctx, "", nil, "audit", "verify", "-db", path); r.stdout != "ok: 1 entries verified\n" {
			t.Errorf("the refused database changed: %+v", r)
		}
	} else if got := mustRead(t, path); got != "not empty" {
		t.Errorf("the refused file changed: %q", got)
	}
}

// TestDemoServes: demo prints one login per role and answers /healthz
// within 30 s; cancelling the context shuts it down cleanly.
func TestDemoServes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut bytes.Buffer
	done := make(chan error, 1)
	args := []string{"demo", "-addr", addr, "-vendors", "50"}
	if testdb.Postgres() { // demo into an empty PostgreSQL database
		args = append(args, "-db", tempDB(t))
	}
	go func() {
		done <- run(ctx, args, cliGetenv(nil, args), strings.NewReader(""), &out, &errOut)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no /healthz within 30 s; stderr:\n%s", errOut.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("demo ended with %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("stdout = %q, want three login lines", out.String())
	}
	for i, role := range []string{"regulator", "association", "vendor"} {
		f := strings.Fields(lines[i])
		if len(f) != 3 || f[0] != role || len(f[2]) < 10 {
			t.Errorf("line %d = %q, want %q USERNAME PASSWORD", i, lines[i], role)
		}
	}
}

func TestPublishRefusals(t *testing.T) {
	ctx := context.Background()
	path, _ := seededDB(t) // the demo seeding publishes the last three monthly runs
	for _, tc := range []struct{ asOf, want string }{
		{"2099-01-01", "in the future"},
		{"2020-01-01", "earlier than the latest run"},
		{"", "already has a publication run"},
	} {
		args := []string{"publish", "-db", path}
		if tc.asOf != "" {
			args = append(args, "-as-of", tc.asOf)
		}
		r := runCLI(t, ctx, "", nil, args...)
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("publish %q: %+v, want exit 1 with %q", tc.asOf, r, tc.want)
		}
	}
}

func TestImportSanctions(t *testing.T) {
	ctx := context.Background()
	path, _ := seededDB(t)
	uscc := firstVendor(t, path)
	file := writeFile(t, "sanctions.csv", "vendor_uscc,kind,issued_at,reference,summary,display_until\n"+
		uscc+",fine,2026-03-01,津市监罚〔2026〕7号,超额收费,\n"+
		uscc+",scolding,2026-03-01,X-1,不明,\n")
	r := runCLI(t, ctx, "", nil, "import", "sanctions", file, "-db", path)
	if r.code != 1 || !strings.Contains(r.stdout, "row 3: kind: must be one of") || !strings.HasSuffix(r.stdout, "created 1, updated 0, unchanged 0, rejected 1\n") {
		t.Errorf("import sanctions: %+v", r)
	}
}

// A backup taken while writes go on opens as a sound database holding
// every record committed before it started; restored by the README's
// procedure (server stopped, old files moved aside, backup copied in,
// `audit verify`), `serve` opens it and serves its vendors.
func TestBackupUnderWritesAndRestore(t *testing.T) {
	testdb.SkipOnPostgres(t, "backup -to copies an SQLite file (VACUUM INTO); PostgreSQL is backed up with pg_dump")
	ctx := context.Background()
	path, _ := seededDB(t)
	db, err := registry.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	uscc := firstVendor(t, path)
	stop := make(chan struct{})
	done := make(chan int)
	var committed atomic.Int64
	go func() { // a writer that keeps ingesting during the backup
		n := 0
		for {
			select {
			case <-stop:
				done <- n
				return
			default:
			}
			cb := registry.CallbackInput{WorkOrderNo: fmt.Sprintf("BK-%06d", n), VendorUSCC: uscc, CalledAt: db.Now().Add(-time.Hour).Format(time.RFC3339), Result: "satisfied"}
			if _, err := db.IngestCallbacks(ctx, registry.CLIActor, []registry.CallbackInput{cb}, nil); err != nil {
				t.Error(err)
			}
			n++
			committed.Store(int64(n))
		}
	}()
	time.Sleep(50 * time.Millisecond)
	before := committed.Load()
	out := filepath.Join(t.TempDir(), "backup.db")
	r := runCLI(t, ctx, "", nil, "backup", "-db", path, "-to", out)
	close(stop)
	written := <-done
	db.Close()
	if r.code != 0 {
		t.Fatalf("backup: %+v", r)
	}
	b, err := registry.Open(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := b.IntegrityCheck(ctx); err != nil || ok != "ok" {
		t.Fatalf("integrity: %q %v", ok, err)
	}
	if brk, _, err := b.VerifyAudit(ctx); err != nil || brk != nil {
		t.Fatalf("audit chain of the backup: %+v %v", brk, err)
	}
	var n int
	if err := registrytest.SQL(t, b).QueryRow(`SELECT count(*) FROM callbacks WHERE work_order_no LIKE 'BK-%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	b.Close()
	if n < int(before) || n > written {
		t.Errorf("backup holds %d callbacks; %d were committed before it started and %d in all", n, before, written)
	}
	if r := runCLI(t, ctx, "", nil, "backup", "-db", path, "-to", out); r.code != 1 {
		t.Errorf("backup over an existing file: %+v", r)
	}

	// Restore as the README says.
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Rename(path+suffix, path+suffix+".old"); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, ctx, "", nil, "audit", "verify", "-db", path); r.code != 0 {
		t.Fatalf("audit verify of the restored database: %+v", r)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	sctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() {
		served <- run(sctx, []string{"serve", "-db", path, "-addr", addr, "-scheduler=false"}, func(string) string { return "" },
			strings.NewReader(""), io.Discard, io.Discard)
	}()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve on the restored database ended with %v", err)
		}
	}()
	var body []byte
	for deadline := time.Now().Add(20 * time.Second); ; {
		resp, err := http.Get("http://" + addr + "/api/v1/vendors/" + uscc)
		if err == nil {
			body, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the restored database is not served: %v %s", err, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(string(body), `"uscc":"`+uscc+`"`) {
		t.Errorf("restored server's vendor JSON = %s", body)
	}
}

// TestServeSchedulerOff: on a database whose latest publication run is
// months old, serve catches up the missed runs; with -scheduler=false (or
// CHENGXIN_SCHEDULER=off) it serves without touching them.
func TestServeSchedulerOff(t *testing.T) {
	ctx := context.Background()
	path := tempDB(t)
	if r := runCLI(t, ctx, "", nil, "gen", "-db", path, "-vendors", "20", "-events", "2000"); r.code != 0 {
		t.Fatalf("gen: %+v", r)
	}
	if r := runCLI(t, ctx, "", nil, "publish", "-db", path, "-as-of", "2026-01-01"); r.code != 0 || !strings.Contains(r.stdout, "audit checkpoint: entry ") {
		t.Fatalf("publish (a run ends with a signed checkpoint): %+v", r)
	}
	runs := func(where string) int {
		db := openStore(t, path)
		defer db.Close()
		var n int
		registrytest.SQL(t, db).QueryRow(`SELECT count(*) FROM publication_runs` + where).Scan(&n)
		return n
	}
	// serveFor runs serve until /healthz answers and then until done says so.
	serveFor := func(args []string, env map[string]string, done func() bool) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		sctx, cancel := context.WithCancel(ctx)
		var errOut syncBuffer
		ended := make(chan error, 1)
		go func() {
			args := append([]string{"serve", "-db", path, "-addr", addr}, args...)
			ended <- run(sctx, args, cliGetenv(env, args), strings.NewReader(""), io.Discard, &errOut)
		}()
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
				resp.Body.Close()
				if done() {
					break
				}
			}
			if time.Now().After(deadline) {
				cancel()
				t.Fatalf("%v: gave up waiting: %s", args, errOut.String())
			}
		}
		cancel()
		if err := <-ended; err != nil {
			t.Fatal(err)
		}
		return errOut.String()
	}
	for _, tc := range []struct {
		args []string
		env  map[string]string
	}{
		{[]string{"-scheduler=false"}, nil},
		{nil, map[string]string{"CHENGXIN_SCHEDULER": "off"}},
	} {
		settled := time.Now().Add(time.Second) // long enough for a catch-up to begin
		log := serveFor(tc.args, tc.env, func() bool { return time.Now().After(settled) })
		if !strings.Contains(log, "scheduler off") || runs("") != 1 {
			t.Errorf("%v: %d runs, log = %s", tc, runs(""), log)
		}
	}
	// The control: with the scheduler on, the missed months are published.
	serveFor(nil, nil, func() bool { return runs(` WHERE status = 'done'`) > 1 }) // fails the test if it never happens
}

// syncBuffer is a bytes.Buffer safe for a server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestPublishFinishesCrashedRunThenTheOneAskedFor: a run left "running" by
// a dead process is finished first, then the period asked for is published
// too, in one command.
func TestPublishFinishesCrashedRunThenTheOneAskedFor(t *testing.T) {
	ctx := context.Background()
	path := tempDB(t)
	if r := runCLI(t, ctx, "", nil, "gen", "-db", path, "-vendors", "20", "-events", "2000"); r.code != 0 {
		t.Fatalf("gen: %+v", r)
	}
	if r := runCLI(t, ctx, "", nil, "publish", "-db", path, "-as-of", "2026-01-01"); r.code != 0 {
		t.Fatalf("publish: %+v", r)
	}
	db := openStore(t, path)
	crashed, _, err := db.StartRun(ctx, registry.CLIActor, time.Date(2026, 2, 1, 2, 0, 0, 0, registry.Shanghai))
	if err != nil {
		t.Fatal(err)
	}
	crashed.Release() // the process died
	db.Close()
	r := runCLI(t, ctx, "", nil, "publish", "-db", path, "-as-of", "2026-03-01")
	if r.code != 0 || !strings.Contains(r.stdout, "resumed and published period 2026-02") || !strings.Contains(r.stdout, "\npublished period 2026-03") {
		t.Fatalf("publish after a crash: %+v", r)
	}
	db = openStore(t, path)
	defer db.Close()
	var done int
	registrytest.SQL(t, db).QueryRow(`SELECT count(*) FROM publication_runs WHERE status = 'done'`).Scan(&done)
	if done != 3 {
		t.Errorf("%d runs done, want 3 (January, the resumed February, March)", done)
	}
}
