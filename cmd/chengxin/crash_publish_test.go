package main

import (
	"context"
	"math/rand/v2"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"chengxin/registry"
)

// TestCrashDuringPublication runs `chengxin publish` on a city of 3,000
// vendors and kills it with SIGKILL at random moments, at least 20 times.
// After every kill each run is either done and complete (one publication
// per vendor, its audit entry written) or still "running" with nothing
// applied; the next `publish` resumes a crashed run at once. Last, a
// crashed run is left for `serve`, whose scheduler finishes it at start-up.
// Then the audit chain verifies and (SQLite) the integrity check passes.
// On either engine.
func TestCrashDuringPublication(t *testing.T) {
	skipUnlessCrash(t)
	start := time.Now()
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	dbPath := tempDB(t)
	if out, err := binCommand(t, bin, dbPath, "gen", "-vendors", "3000", "-events", "300000").CombinedOutput(); err != nil {
		t.Fatalf("gen: %v\n%s", err, out)
	}
	t.Logf("built and generated in %s", time.Since(start).Round(time.Millisecond))
	rng := rand.New(rand.NewPCG(11, 26))
	period := time.Date(2024, 1, 1, 2, 0, 0, 0, registry.Shanghai)
	// One run uninterrupted, to time a run on this engine: the kills below
	// fall anywhere from a run's start to half as long again as the last
	// run that completed, so that some runs complete (about one in three)
	// and the next period starts.
	began := time.Now()
	if out, err := binCommand(t, bin, dbPath, "publish", "-as-of", period.Format(time.RFC3339)).CombinedOutput(); err != nil {
		t.Fatalf("publish %s: %v\n%s", period.Format("2006-01"), err, out)
	}
	runTook := time.Since(began)
	if _, done := checkRuns(t, dbPath); !done[period.Format("2006-01")] {
		t.Fatalf("the uninterrupted run of %s is not done", period.Format("2006-01"))
	}
	period = period.AddDate(0, 1, 0)
	window := func() time.Duration { return max(900*time.Millisecond, runTook*3/2) }
	t.Logf("a run takes %s", runTook.Round(time.Millisecond))
	kills, killedRunning, resumed, completed := 0, 0, 0, 0
	for kills < 20 || killedRunning < 10 {
		if kills > 80 {
			t.Fatalf("after %d kills only %d landed inside a run", kills, killedRunning)
		}
		cmd := binCommand(t, bin, dbPath, "publish", "-as-of", period.Format(time.RFC3339))
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if !period.Before(time.Now().AddDate(0, -1, 0)) {
			t.Fatalf("%d runs completed: the periods reached %s (kills %d, inside a run %d)", completed, period.Format("2006-01"), kills, killedRunning)
		}
		started := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done: // finished before the kill
			if err != nil {
				t.Fatalf("publish %s: %v\n%s", period.Format("2006-01"), err, out.String())
			}
			completed++
			runTook = time.Since(started)
			if strings.Contains(out.String(), "resumed") {
				resumed++
			}
			if strings.Contains(out.String(), "published period "+period.Format("2006-01")) {
				period = period.AddDate(0, 1, 0)
			}
		case <-time.After(20*time.Millisecond + time.Duration(rng.Int64N(int64(window())))):
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
			kills++
			running, done := checkRuns(t, dbPath)
			if running {
				killedRunning++
			}
			if done[period.Format("2006-01")] { // killed after the run committed
				period = period.AddDate(0, 1, 0)
			}
		}
	}
	// Leave one crashed run for serve's scheduler.
	for running, _ := checkRuns(t, dbPath); !running; running, _ = checkRuns(t, dbPath) {
		cmd := binCommand(t, bin, dbPath, "publish", "-as-of", period.Format(time.RFC3339))
		cmd.Start()
		time.Sleep(time.Duration(100+rng.IntN(300)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if _, done := checkRuns(t, dbPath); done[period.Format("2006-01")] {
			period = period.AddDate(0, 1, 0)
		}
	}
	t.Logf("kill rounds done at %s", time.Since(start).Round(time.Millisecond))
	t.Logf("crashed run left for serve at %s", time.Since(start).Round(time.Millisecond))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	serve := binCommand(t, bin, dbPath, "serve", "-addr", addr)
	serveLog := &syncBuffer{}
	serve.Stderr = serveLog
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(serveLog.String(), `why=resume`) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("serve resumed the run at %s", time.Since(start).Round(time.Millisecond))
	serve.Process.Signal(syscall.SIGKILL) // possibly in the middle of a catch-up run
	serve.Wait()
	if !strings.Contains(serveLog.String(), `msg="scheduler: published" why=resume`) {
		t.Fatalf("serve did not resume the crashed run:\n%s", serveLog.String())
	}
	checkRuns(t, dbPath)

	ctx := context.Background()
	db := openStore(t, dbPath)
	defer db.Close()
	if db.Engine() == "sqlite" { // PostgreSQL has no whole-database check to run here
		if ok, err := db.IntegrityCheck(ctx); err != nil || ok != "ok" {
			t.Fatalf("integrity check: %q %v", ok, err)
		}
	}
	if brk, n, err := db.VerifyAudit(ctx); err != nil || brk != nil {
		t.Fatalf("audit chain after crashes (%d entries): %+v %v", n, brk, err)
	}
	t.Logf("%s: %d SIGKILLs (%d inside a run), %d runs completed (%d of them resumed crashed runs), serve resumed the last; never half-applied",
		db.Engine(), kills, killedRunning, completed, resumed)
}

// checkRuns asserts that every publication run is applied whole or not at
// all, and reports whether one is left running (crashed).
func checkRuns(t *testing.T, dbPath string) (running bool, done map[string]bool) {
	t.Helper()
	// A pool of its own, closed here: this runs after every kill, and
	// PostgreSQL's connections are few.
	raw, err := registry.OpenSQLForTools(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var vendors int
	if err := raw.QueryRow(`SELECT count(*) FROM vendors`).Scan(&vendors); err != nil {
		t.Fatal(err)
	}
	rows, err := raw.Query(`SELECT r.id, r.period, r.status,
		(SELECT count(*) FROM publications p WHERE p.run_id = r.id),
		(SELECT count(*) FROM audit_log a WHERE a.action = 'publication.run' AND a.subject = 'period:' || r.period)
		FROM publication_runs r ORDER BY r.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	done = map[string]bool{}
	for rows.Next() {
		var id, pubs, audited int
		var period, status string
		if err := rows.Scan(&id, &period, &status, &pubs, &audited); err != nil {
			t.Fatal(err)
		}
		switch status {
		case "done":
			done[period] = true
			if pubs != vendors || audited != 1 {
				t.Fatalf("run %s is done with %d publications of %d vendors and %d audit entries", period, pubs, vendors, audited)
			}
		case "running":
			if running {
				t.Fatalf("two runs left running (second: %s)", period)
			}
			running = true
			if pubs != 0 || audited != 0 {
				t.Fatalf("crashed run %s is half-applied: %d publications, %d audit entries", period, pubs, audited)
			}
		default:
			t.Fatalf("run %s has status %q", period, status)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var orphans int
	raw.QueryRow(`SELECT count(*) FROM published_grades g JOIN publication_runs r ON r.id = g.run_id WHERE r.status != 'done'`).Scan(&orphans)
	if orphans != 0 {
		t.Fatalf("%d published grades belong to an unfinished run", orphans)
	}
	return running, done
}
