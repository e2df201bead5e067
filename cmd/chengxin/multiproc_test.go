package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"chengxin/internal/testdb"
	"chengxin/migrations"
	"chengxin/publicity"
	"chengxin/registry"
	"chengxin/registry/registrytest"
)

// mpProc is a chengxin process of the multi-process test.
type mpProc struct {
	name string
	cmd  *exec.Cmd
	log  *syncBuffer
	base string // serve: http://addr
	// exited is closed when the process has ended, with err from Wait.
	exited chan struct{}
	err    error
}

// mpStart starts chengxin with args (serve: on a free port) over dsn, its
// connections named after the process (so pg_locks tells which holds the
// publication-run lock), with the checkpoint key every process shares.
func mpStart(t *testing.T, bin, dsn, keyPath, name string, args ...string) *mpProc {
	t.Helper()
	p := &mpProc{name: name, log: &syncBuffer{}, exited: make(chan struct{})}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	named := dsn + sep + "application_name=" + name
	full := append([]string{args[0], "-db", named}, args[1:]...)
	if args[0] == "serve" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		full = append(full, "-addr", addr)
		p.base = "http://" + addr
	}
	p.cmd = exec.Command(bin, full...)
	p.cmd.Env = append(os.Environ(), "CHENGXIN_SIGNING_KEY="+keyPath, "CHENGXIN_METRICS_ADDR=off", "CHENGXIN_BASE_URL=http://chengxin.test")
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { p.kill() })
	return p
}

// kill ends the process with SIGKILL and waits for it.
func (p *mpProc) kill() {
	select {
	case <-p.exited:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// waitServing waits until a serve process answers /healthz.
func (p *mpProc) waitServing(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if r, err := http.Get(p.base + "/healthz"); err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("%s exited: %v\n%s", p.name, p.err, p.log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not start serving:\n%s", p.name, p.log)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// TestMultiProcess runs the real binary as two `serve` processes and a
// `publish` over one PostgreSQL database (CONTRACT, "Storage engines"):
// started together on an empty database they apply the migrations once; a
// record ingested through one serve shows on the other's profile page and
// JSON within 2 s; SIGKILL of a serve during HTTP ingest loses no
// acknowledged record; SIGKILL of the process performing a publication run
// (the `publish` command, then a serve's scheduler) has the run resumed by
// a serve within 60 s, each period gets exactly one run, and `chengxin audit
// verify` passes.
func TestMultiProcess(t *testing.T) {
	if !testdb.Postgres() {
		t.Skip("the multi-process test runs on PostgreSQL only: set " + testdb.EnvPostgres + " to a server URL")
	}
	start := time.Now()
	ctx := context.Background()
	dir := t.TempDir()
	dsn := testdb.EmptyDSN(t)
	bin := buildBinary(t, dir)
	// The checkpoint key every process shares, made before they start.
	keyPath := filepath.Join(dir, "signing-key")
	{
		kdb, err := registry.Open(ctx, filepath.Join(dir, "key.db"))
		if err != nil {
			t.Fatal(err)
		}
		kdb.SetSigningKeyPath(keyPath)
		_, err = kdb.SigningKey()
		kdb.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("binary built in %s", time.Since(start).Round(time.Millisecond))

	// 1. Two serves and gen start together on the empty database.
	genStart := time.Now()
	a := mpStart(t, bin, dsn, keyPath, "serve_a", "serve")
	b := mpStart(t, bin, dsn, keyPath, "serve_b", "serve")
	gen := mpStart(t, bin, dsn, keyPath, "gen", "gen", "-vendors", "1500", "-events", "150000")
	if <-gen.exited; gen.err != nil {
		t.Fatalf("gen: %v\n%s", gen.err, gen.log)
	}
	a.waitServing(t)
	b.waitServing(t)
	t.Logf("two serves and gen started together on an empty database; gen done in %s", time.Since(genStart).Round(time.Millisecond))
	db, err := registry.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := registrytest.SQL(t, db)
	files, err := fs.Glob(migrations.Postgres, "postgres/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatal(files, err)
	}
	var rows, names int
	if err := q.QueryRow(`SELECT count(*), count(DISTINCT name) FROM schema_migrations`).Scan(&rows, &names); err != nil {
		t.Fatal(err)
	}
	if rows != len(files) || names != len(files) {
		t.Fatalf("schema_migrations has %d rows, %d names; want each of the %d migrations once", rows, names, len(files))
	}
	for _, p := range []*mpProc{a, b, gen} {
		if strings.Contains(p.log.String(), "level=ERROR") {
			t.Errorf("%s logged an error at start-up:\n%s", p.name, p.log)
		}
	}

	// Every vendor evaluated, so that a record changes its figures by one.
	rescore := exec.Command(bin, "rescore", "-db", dsn)
	rescore.Env = append(os.Environ(), "CHENGXIN_SIGNING_KEY="+keyPath)
	if out, err := rescore.CombinedOutput(); err != nil {
		t.Fatalf("rescore: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "token", "add", "-db", dsn, "-name", "multiproc", "-scope", "ingest").Output()
	if err != nil {
		t.Fatalf("token add: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	token := lines[len(lines)-1]
	vs, _, err := db.FindVendors(ctx, registry.VendorFilter{PerPage: 50, Status: "active"})
	if err != nil || len(vs) == 0 {
		t.Fatalf("vendors: %v %v", len(vs), err)
	}
	ingest := func(base string, batch []registry.CallbackInput) (registry.IngestSummary, error) {
		var sum registry.IngestSummary
		body, _ := json.Marshal(batch)
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/callbacks", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return sum, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			msg, _ := io.ReadAll(resp.Body)
			return sum, fmt.Errorf("HTTP %d: %s", resp.StatusCode, msg)
		}
		return sum, json.NewDecoder(resp.Body).Decode(&sum)
	}
	get := func(url string) string {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
		}
		return string(body)
	}
	callbacks := func(url string) int {
		t.Helper()
		var v publicity.Vendor
		if err := json.Unmarshal([]byte(get(url)), &v); err != nil {
			t.Fatal(err)
		}
		return v.Stats.Callbacks3y
	}

	// 2. A write through A shows on B's profile page and JSON within 2 s,
	// once the evaluators have worked off the marks gen left.
	settle := time.Now()
	for {
		var n int
		if err := q.QueryRow(`SELECT count(*) FROM reeval_marks`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Since(settle) > 3*time.Minute {
			t.Fatalf("%d vendors still marked for re-evaluation after 3 minutes", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("the evaluators re-evaluated the vendors gen marked in %s", time.Since(settle).Round(time.Millisecond))
	seq := 0
	for i, v := range vs[:3] {
		jsonURL, pageURL := b.base+"/api/v1/vendors/"+v.USCC, b.base+"/vendors/"+v.USCC
		before, page := callbacks(jsonURL), get(pageURL) // cached on B now
		seq++
		key := fmt.Sprintf("MP-SEEN-%d", seq)
		sum, err := ingest(a.base, []registry.CallbackInput{{WorkOrderNo: key, VendorUSCC: v.USCC,
			CalledAt: time.Now().Add(-time.Hour).Format(time.RFC3339), Result: "dissatisfied"}})
		if err != nil || sum.Count(registry.ResultCreated) != 1 {
			t.Fatalf("ingest through A: %+v %v", sum, err)
		}
		acked := time.Now()
		var jsonAfter, pageAfter, onA time.Duration
		for jsonAfter == 0 || pageAfter == 0 || onA == 0 {
			if time.Since(acked) > 2*time.Second {
				time.Sleep(3 * time.Second)
				t.Fatalf("vendor %d: 2 s after A acknowledged the record, B shows it in JSON: %v, on the page: %v (callbacks before %d; 3 s later: A %d, B %d)\nA:\n%s",
					i, jsonAfter > 0, pageAfter > 0, before, callbacks(a.base+"/api/v1/vendors/"+v.USCC), callbacks(jsonURL), a.log)
			}
			if onA == 0 && callbacks(a.base+"/api/v1/vendors/"+v.USCC) == before+1 {
				onA = time.Since(acked)
			}
			if jsonAfter == 0 && callbacks(jsonURL) == before+1 {
				jsonAfter = time.Since(acked)
			}
			if pageAfter == 0 && get(pageURL) != page {
				pageAfter = time.Since(acked)
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Logf("a callback ingested through serve A shows on serve B: JSON after %s, profile page after %s (on A's JSON after %s)",
			jsonAfter.Round(time.Millisecond), pageAfter.Round(time.Millisecond), onA.Round(time.Millisecond))
	}

	// 3. SIGKILL serve A during HTTP ingest, three times: every record it
	// acknowledged is stored.
	rng := rand.New(rand.NewPCG(13, 3))
	acked := map[string]bool{}
	for round := 0; round < 3; round++ {
		if round > 0 {
			a = mpStart(t, bin, dsn, keyPath, "serve_a", "serve")
			a.waitServing(t)
		}
		killAt := time.Now().Add(time.Duration(200+rng.IntN(600)) * time.Millisecond)
		var wg sync.WaitGroup
		var mu sync.Mutex
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for n := 0; ; n++ {
					var batch []registry.CallbackInput
					for i := 0; i < 20; i++ {
						k := fmt.Sprintf("MP-%d-%d-%d-%d", round, w, n, i)
						batch = append(batch, registry.CallbackInput{WorkOrderNo: k, VendorUSCC: vs[(n*20+i)%len(vs)].USCC,
							CalledAt: time.Now().Add(-2 * time.Hour).Format(time.RFC3339), Result: "satisfied"})
					}
					sum, err := ingest(a.base, batch)
					if err != nil {
						if time.Now().After(killAt) {
							return
						}
						continue
					}
					mu.Lock()
					for _, r := range sum.Results {
						if r.Status == registry.ResultCreated || r.Status == registry.ResultUnchanged {
							acked[r.Key] = true
						}
					}
					mu.Unlock()
				}
			}(w)
		}
		time.Sleep(time.Until(killAt))
		a.kill()
		wg.Wait()
	}
	missing := 0
	for key := range acked {
		var n int
		if err := q.QueryRow(`SELECT count(*) FROM callbacks WHERE work_order_no = ?`, key).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			missing++
		}
	}
	if len(acked) == 0 || missing > 0 {
		t.Fatalf("%d of %d acknowledged records are missing after 3 SIGKILLs of a serve during ingest", missing, len(acked))
	}
	t.Logf("3 SIGKILLs of serve A during ingest: all %d acknowledged records stored", len(acked))
	a = mpStart(t, bin, dsn, keyPath, "serve_a", "serve")
	a.waitServing(t)

	// 4. Publication runs. `publish` starts the run of four months ago and
	// is killed inside it; a serve resumes it, then the serves catch up the
	// months since; the serve performing one of them is killed inside it and
	// the other resumes it.
	runHolder := func() string {
		var name string
		err := q.QueryRow(`SELECT coalesce(max(a.application_name), '') FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
			WHERE l.locktype = 'advisory' AND l.granted AND l.classid = ? AND l.objid = ?`, 0x636e, 0x78000002).Scan(&name) // registry.pgRunLock, 0x636e_7800_0002
		if err != nil {
			t.Fatal(err)
		}
		return name
	}
	running := func() (period string) {
		latest, err := db.LatestRun(ctx)
		if err == nil && latest.Status == "running" {
			return latest.Period
		}
		return ""
	}
	// waitKillInRun waits until p holds the run lock with a run "running",
	// then kills it; it returns the period of the run and when.
	waitKillInRun := func(p *mpProc, within time.Duration) (string, time.Time) {
		t.Helper()
		deadline := time.Now().Add(within)
		for time.Now().Before(deadline) {
			if period := running(); period != "" && runHolder() == p.name {
				p.kill()
				return period, time.Now()
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatalf("%s never held a running publication run within %s\n%s", p.name, within, p.log)
		return "", time.Time{}
	}
	// waitDone waits until the run of period is done and returns when.
	waitDone := func(period string, within time.Duration) time.Duration {
		t.Helper()
		from := time.Now()
		for time.Since(from) < within {
			var st string
			err := q.QueryRow(`SELECT status FROM publication_runs WHERE period = ?`, period).Scan(&st)
			if err == nil && st == "done" {
				return time.Since(from)
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("the run of %s was not resumed within %s\nA:\n%s\nB:\n%s", period, within, a.log, b.log)
		return 0
	}
	now := time.Now()
	first := publicity.DefaultSchedule.PublicationInstant(now.AddDate(0, -4, 0))
	pub := mpStart(t, bin, dsn, keyPath, "publish", "publish", "-as-of", first.Format(time.RFC3339))
	period, killedAt := waitKillInRun(pub, 60*time.Second)
	waitDone(period, 60*time.Second)
	took := time.Since(killedAt)
	t.Logf("publish killed inside the run of %s; a serve resumed and finished it %s after the kill", period, took.Round(time.Millisecond))
	// The serve that resumed it catches up the months since; kill it inside one.
	var holder *mpProc
	deadline := time.Now().Add(60 * time.Second)
	for holder == nil && time.Now().Before(deadline) {
		switch runHolder() {
		case a.name:
			holder = a
		case b.name:
			holder = b
		}
		time.Sleep(5 * time.Millisecond)
	}
	if holder == nil {
		t.Fatalf("no serve caught up the months after %s\nA:\n%s\nB:\n%s", period, a.log, b.log)
	}
	other := map[*mpProc]*mpProc{a: b, b: a}[holder]
	period, killedAt = waitKillInRun(holder, 30*time.Second)
	waitDone(period, 60*time.Second)
	t.Logf("%s killed inside the run of %s; %s finished it %s after the kill", holder.name, period, other.name, time.Since(killedAt).Round(time.Millisecond))
	resumedRun := func() bool {
		for _, l := range strings.Split(other.log.String(), "\n") {
			if strings.Contains(l, `msg="scheduler: published" why=resume period=`+period) {
				return true
			}
		}
		return false
	}
	for deadline := time.Now().Add(10 * time.Second); !resumedRun() && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond) // the run is stored before its checkpoint is signed and the line logged
	}
	if !resumedRun() {
		t.Errorf("%s's log does not show the resumed run of %s:\n%s", other.name, period, other.log)
	}
	// Every month from the first to the current one gets its run, once.
	want := 0
	for m := first; !m.After(now); m = publicity.DefaultSchedule.PublicationInstant(m.AddDate(0, 1, 0)) {
		want++
	}
	deadline = time.Now().Add(90 * time.Second)
	for {
		var n, done, periods int
		if err := q.QueryRow(`SELECT count(*), count(*) FILTER (WHERE status = 'done'), count(DISTINCT period) FROM publication_runs`).Scan(&n, &done, &periods); err != nil {
			t.Fatal(err)
		}
		if n != periods {
			t.Fatalf("%d runs for %d periods: a period has two runs", n, periods)
		}
		if done == want && n == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d runs (%d done), want %d\n%s", n, done, want, other.log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("%d publication runs, one per period", want)

	// 5. The audit chain verifies: one chain, never forked.
	verify := exec.Command(bin, "audit", "verify", "-db", dsn)
	verify.Env = append(os.Environ(), "CHENGXIN_SIGNING_KEY="+keyPath)
	if out, err := verify.CombinedOutput(); err != nil {
		t.Fatalf("audit verify: %v\n%s", err, out)
	} else {
		t.Logf("audit verify: %s", strings.TrimSpace(string(out)))
	}
	if s := other.log.String(); strings.Contains(s, "level=ERROR") {
		t.Errorf("the surviving serve logged an error:\n%s", s)
	}
	t.Logf("done in %s", time.Since(start).Round(time.Millisecond))
}
