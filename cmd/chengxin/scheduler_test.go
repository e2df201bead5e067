package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"chengxin/internal/testdb"
	"chengxin/publicity"
	"chengxin/registry"
)

// testClock is a clock several registry.DB handles share.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// schedProc is one simulated serving process: its own database handle and
// scheduler, and its log.
type schedProc struct {
	db  *registry.DB
	sc  *scheduler
	log *syncBuffer
}

func openSchedProc(t *testing.T, dsn, keyPath string, clk *testClock) *schedProc {
	t.Helper()
	db, err := registry.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = clk.Now
	db.SetSigningKeyPath(keyPath)
	logs := &syncBuffer{}
	e := &env{getenv: func(string) string { return "" }, stdout: io.Discard, stderr: logs,
		log: slog.New(slog.NewTextHandler(logs, nil))}
	return &schedProc{db: db, sc: newScheduler(e, db, publicity.DefaultSchedule), log: logs}
}

// stepAll runs one scheduler step in every process at once.
func stepAll(ps ...*schedProc) {
	var wg sync.WaitGroup
	for _, p := range ps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.sc.step(context.Background(), p.db.Now())
		}()
	}
	wg.Wait()
}

// countLogs counts the log lines with msg across the processes.
func countLogs(msg string, ps ...*schedProc) int {
	n := 0
	for _, p := range ps {
		n += strings.Count(p.log.String(), `msg="`+msg+`"`)
	}
	return n
}

// TestSchedulersShareTheWork runs two schedulers over one database (each
// with a connection pool of its own, as two serving processes have) and
// steps them together through the schedule: each day's evaluation and each
// month's publication run is done by exactly one of them; a day's
// evaluation claimed by a process that died is taken over by one of them
// once its lease ends, not before; a run left "running" by a dead process
// is resumed by one of them at the next step, while a live process's run
// is left alone.
func TestSchedulersShareTheWork(t *testing.T) {
	ctx := context.Background()
	dsn := testdb.DSN(t, "sched.db")
	keyPath := filepath.Join(t.TempDir(), "signing-key")
	if r := runCLI(t, ctx, "", nil, "gen", "-db", dsn, "-vendors", "40", "-events", "2000"); r.code != 0 {
		t.Fatalf("gen: %+v", r)
	}
	at := func(month time.Month, day, hour, min, sec int) time.Time {
		return time.Date(2026, month, day, hour, min, sec, 0, registry.Shanghai)
	}
	clk := &testClock{t: at(2, 1, 3, 0, 0)}
	a, b := openSchedProc(t, dsn, keyPath, clk), openSchedProc(t, dsn, keyPath, clk)
	// A published run for February: the schedule goes on from there.
	if _, err := publicity.Publish(ctx, a.db, schedulerActor, at(2, 1, 2, 0, 0)); err != nil {
		t.Fatal(err)
	}
	runsOf := func(period string) (done, running int) {
		t.Helper()
		rs, err := a.db.PublicationRuns(ctx, 240)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.Period == period {
				if r.Status == "done" {
					done++
				} else {
					running++
				}
			}
		}
		return done, running
	}
	evalDone := func(day string) bool {
		t.Helper()
		c, err := a.db.Job(ctx, registry.JobDailyEvaluation, day)
		if err != nil {
			t.Fatalf("claim of %s: %v", day, err)
		}
		return c.Done
	}

	// Start-up, then the first of March: its evaluation at 01:00 and its
	// run at 02:00, each done once.
	clk.Set(at(3, 1, 0, 59, 0))
	stepAll(a, b)
	clk.Set(at(3, 1, 1, 0, 1))
	stepAll(a, b)
	if n := countLogs("scheduler: daily evaluation", a, b); n != 1 || !evalDone("2026-03-01") {
		t.Fatalf("the evaluation of 1 March ran %d times (want 1)\nA:\n%s\nB:\n%s", n, a.log, b.log)
	}
	clk.Set(at(3, 1, 2, 0, 1))
	stepAll(a, b)
	if n := countLogs("scheduler: published", a, b); n != 1 {
		t.Fatalf("the run of March was published %d times (want 1)\nA:\n%s\nB:\n%s", n, a.log, b.log)
	}
	if done, running := runsOf("2026-03"); done != 1 || running != 0 {
		t.Fatalf("March: %d runs done, %d running; want 1 and 0", done, running)
	}
	clk.Set(at(3, 1, 2, 0, 21)) // the periodic check: nothing left to do
	stepAll(a, b)
	if n := countLogs("scheduler: published", a, b) + countLogs("scheduler: daily evaluation", a, b); n != 2 {
		t.Fatalf("a check with nothing due did work (%d log lines, want 2)", n)
	}

	// 2 March: a third process claims the day's evaluation and dies.
	dead := openSchedProc(t, dsn, keyPath, clk)
	clk.Set(at(3, 2, 0, 59, 59))
	if ok, err := dead.db.ClaimJob(ctx, registry.JobDailyEvaluation, "2026-03-02", evaluationLease); err != nil || !ok {
		t.Fatalf("claim = %v, %v", ok, err)
	}
	clk.Set(at(3, 2, 1, 0, 1))
	stepAll(a, b)
	for m := 0; m < 30; m++ { // periodic checks within the lease: left alone
		clk.Set(at(3, 2, 1, m, 21))
		stepAll(a, b)
	}
	if n := countLogs("scheduler: daily evaluation", a, b); n != 1 || evalDone("2026-03-02") {
		t.Fatalf("within the lease the dead claimer's evaluation was taken over (%d evaluations logged)", n)
	}
	clk.Set(at(3, 2, 1, 30, 1)) // the lease has ended
	stepAll(a, b)
	if n := countLogs("scheduler: daily evaluation", a, b); n != 2 || !evalDone("2026-03-02") {
		t.Fatalf("after the lease: %d evaluations logged (want 2), done %v\nA:\n%s\nB:\n%s", n, evalDone("2026-03-02"), a.log, b.log)
	}
	if n := strings.Count(a.log.String()+b.log.String(), "why=take-over"); n != 1 {
		t.Fatalf("%d take-overs logged, want 1", n)
	}

	// 1 April: the third process starts the month's run before the others;
	// while it lives they leave the run alone; when it dies (its run lock is
	// released, the run stays "running") one of them resumes it at the next
	// periodic check.
	clk.Set(at(4, 1, 1, 59, 59))
	stepAll(a, b)
	clk.Set(at(4, 1, 2, 0, 0))
	run, resumed, err := dead.db.StartRun(ctx, schedulerActor, at(4, 1, 2, 0, 0))
	if err != nil || resumed {
		t.Fatalf("start run: %v resumed=%v", err, resumed)
	}
	clk.Set(at(4, 1, 2, 0, 1))
	stepAll(a, b)
	clk.Set(at(4, 1, 2, 0, 21))
	stepAll(a, b)
	if n := countLogs("scheduler: published", a, b); n != 1 {
		t.Fatalf("a live process's run was taken: %d runs logged (want 1)\nA:\n%s\nB:\n%s", n, a.log, b.log)
	}
	run.Release() // the process dies
	clk.Set(at(4, 1, 2, 0, 41))
	stepAll(a, b)
	if n := countLogs("scheduler: published", a, b); n != 2 {
		t.Fatalf("the dead process's run: %d runs logged (want 2)\nA:\n%s\nB:\n%s", n, a.log, b.log)
	}
	if n := strings.Count(a.log.String()+b.log.String(), "resumed=true"); n != 1 {
		t.Fatalf("%d resumed runs logged, want 1", n)
	}
	if done, running := runsOf("2026-04"); done != 1 || running != 0 {
		t.Fatalf("April: %d runs done, %d running; want 1 and 0", done, running)
	}
	// The other days of April: one evaluation each.
	for d := 2; d <= 4; d++ {
		clk.Set(at(4, d, 1, 0, 1))
		stepAll(a, b)
	}
	if n := countLogs("scheduler: daily evaluation", a, b); n != 2+3+1 { // 1 April's too
		t.Fatalf("%d evaluations logged by 4 April, want 6", n)
	}
	if brk, n, err := a.db.VerifyAudit(ctx); err != nil || brk != nil {
		t.Fatalf("audit chain (%d entries): %+v %v", n, brk, err)
	}
	for _, p := range []*schedProc{a, b} {
		if s := p.log.String(); strings.Contains(s, "level=ERROR") || strings.Contains(s, "level=WARN") {
			t.Errorf("a scheduler logged a problem:\n%s", s)
		}
	}
}
