package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"chengxin/registry"
	"chengxin/scoring"
)

// waitFor polls cond every 20 ms until it holds or within fails the test.
func waitFor(t *testing.T, within time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v; %s", what, within, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The evaluator re-evaluates vendors after the ingest's signal (not its
// hourly tick), at the store's clock, bursts included, until no mark is
// left; cancelled, it returns.
func TestEvaluatorFollowsIngest(t *testing.T) {
	ctx := context.Background()
	db := openStore(t, tempDB(t))
	defer db.Close()
	t0 := time.Date(2025, 3, 15, 10, 0, 0, 0, registry.Shanghai)
	db.Now = func() time.Time { return t0 }
	var vs []registry.Vendor
	for i := range 3 {
		v, err := db.CreateVendor(ctx, registry.CLIActor, registry.VendorInput{USCC: registry.MustUSCC(fmt.Sprintf("9112010%010d", 700+i)),
			Name: fmt.Sprintf("海河示例家政服务有限公司%d", i), LegalRep: "张明", Phone: "022-2345 6789", Address: "天津市和平区示例路 1 号",
			Districts: []string{"120101"}, Categories: []string{"cleaning"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.EvaluateVendor(ctx, v.ID, t0); err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	if _, err := db.TakeMarks(ctx, 1000); err != nil {
		t.Fatal(err)
	}
	counted := func() []int {
		out := make([]int, len(vs))
		for i, v := range vs {
			se, err := db.LatestEvaluation(ctx, v.ID)
			if err != nil {
				out[i] = -1
				continue
			}
			out[i] = se.Evidence.CallbacksCounted
		}
		return out
	}
	hotline := registry.TokenActor(registry.APIToken{Name: "hotline"})
	callback := func(wo string, v registry.Vendor) {
		t.Helper()
		in := registry.CallbackInput{WorkOrderNo: wo, VendorUSCC: v.USCC, CalledAt: t0.Add(-time.Hour).Format(time.RFC3339), Result: "satisfied"}
		if _, err := db.IngestCallbacks(ctx, hotline, []registry.CallbackInput{in}, nil); err != nil {
			t.Fatal(err)
		}
	}

	ectx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		runEvaluator(ectx, slog.New(slog.DiscardHandler), db, time.Hour)
	}()
	defer func() { cancel(); <-done }()

	callback("CB-1", vs[0])
	waitFor(t, 2*time.Second, "re-evaluation after one callback", func() (bool, string) {
		got := counted()
		marks, _ := db.CountMarks(ctx)
		return got[0] == 1 && marks == 0, fmt.Sprintf("callbacks counted %v, %d marks", got, marks)
	})
	if se, err := db.LatestEvaluation(ctx, vs[0].ID); err != nil || !se.AsOf.Equal(t0) {
		t.Errorf("the evaluator evaluated at %v (%v), want the clock's %v", se.AsOf, err, t0)
	}

	want := []int{1, 0, 0}
	for i := range 50 {
		callback(fmt.Sprintf("CB-B-%02d", i), vs[i%3])
		want[i%3]++
	}
	waitFor(t, 3*time.Second, "re-evaluation after a burst", func() (bool, string) {
		got := counted()
		marks, _ := db.CountMarks(ctx)
		return fmt.Sprint(got) == fmt.Sprint(want) && marks == 0, fmt.Sprintf("callbacks counted %v (want %v), %d marks", got, want, marks)
	})
	rules, err := db.CurrentRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		in, err := db.LoadInputs(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		fresh := scoring.Evaluate(rules, in, t0)
		se, err := db.LatestEvaluation(ctx, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := json.Marshal(se.Evidence)
		afresh, _ := json.Marshal(fresh.Evidence)
		if se.Score != fresh.Score || se.Grade != fresh.Grade || se.Components != fresh.Components || string(stored) != string(afresh) {
			t.Errorf("vendor %s: stored %v %s %s, evaluated afresh %v %s %s", v.USCC, se.Score, se.Grade, stored, fresh.Score, fresh.Grade, afresh)
		}
	}

	cancel()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("the evaluator did not return after its context was cancelled")
	}
}

// backgroundGoroutines lists the goroutines running the evaluator or the
// scheduler.
func backgroundGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "main.runEvaluator(") || strings.Contains(g, "main.runScheduler(") {
			out = append(out, g)
		}
	}
	return out
}

// Shutting serve down while the evaluator is in the middle of a pass: the
// evaluator and the scheduler stop and are waited for before the database
// is closed, so the pass puts back the marks it took and had not done
// (none is lost), nothing fails with "database is closed", and nothing of
// them runs once serve has returned.
func TestServeStopsBackgroundWorkBeforeClosing(t *testing.T) {
	if left := backgroundGoroutines(); len(left) > 0 {
		t.Fatalf("background work of an earlier test still runs:\n%s", strings.Join(left, "\n\n"))
	}
	ctx := context.Background()
	path := tempDB(t)
	const vendors = 1500
	if r := runCLI(t, ctx, "", nil, "gen", "-db", path, "-vendors", fmt.Sprint(vendors), "-events", "150000"); r.code != 0 {
		t.Fatalf("gen: %+v", r)
	}
	raw, err := registry.OpenSQLForTools(path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	count := func(query string) int {
		t.Helper()
		var n int
		if err := raw.QueryRow(query).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM reeval_marks`); n != vendors {
		t.Fatalf("gen left %d vendors marked, want all %d", n, vendors)
	}

	addr := freeAddr(t)
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var errOut syncBuffer
	ended := make(chan error, 1)
	go func() {
		args := []string{"serve", "-db", path, "-addr", addr, "-metrics-addr", ""}
		ended <- run(sctx, args, cliGetenv(map[string]string{"CHENGXIN_LOG_LEVEL": "debug"}, args),
			strings.NewReader(""), io.Discard, &errOut)
	}()
	// The evaluator's first tick comes a second after start; it takes a
	// batch of marks at once and then spends most of a second evaluating it.
	waitFor(t, 30*time.Second, "the evaluator starts", func() (bool, string) {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
		}
		n := count(`SELECT count(*) FROM reeval_marks`)
		return n < vendors, fmt.Sprintf("%d marks; log:\n%s", n, errOut.String())
	})
	cancel()
	select {
	case err := <-ended:
		if err != nil {
			t.Fatalf("serve: %v\n%s", err, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not return after cancellation:\n%s", errOut.String())
	}
	if left := backgroundGoroutines(); len(left) > 0 {
		t.Errorf("serve returned with its background work still running:\n%s", strings.Join(left, "\n\n"))
	}
	if log := errOut.String(); strings.Contains(log, "database is closed") || strings.Contains(log, "level=ERROR") {
		t.Errorf("serve's log shows a failure:\n%s", log)
	}
	lost := count(`SELECT count(*) FROM vendors v WHERE NOT EXISTS (SELECT 1 FROM reeval_marks m WHERE m.vendor_id = v.id)
		AND NOT EXISTS (SELECT 1 FROM vendor_scores s WHERE s.vendor_id = v.id)`)
	evaluated, marked := count(`SELECT count(*) FROM vendor_scores`), count(`SELECT count(*) FROM reeval_marks`)
	if lost != 0 {
		t.Errorf("%d vendors lost their mark without being evaluated (%d evaluated, %d still marked)", lost, evaluated, marked)
	}
	if marked == 0 {
		t.Errorf("the evaluator finished all %d vendors before serve stopped: the shutdown did not interrupt a pass", vendors)
	}
	t.Logf("at shutdown: %d vendors evaluated, %d still marked", evaluated, marked)
}
