package publicity_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"chengxin/internal/testdb"
	"chengxin/publicity"
	"chengxin/registry"
	"chengxin/registry/registrytest"
	"chengxin/scoring"
)

func init() { registry.BcryptCost = bcrypt.MinCost }

var hotline = registry.Actor{Kind: "token", Name: "hotline"}

func day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, registry.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

type walk struct {
	t    *testing.T
	db   *registry.DB
	uscc string
	id   int64
	wo   int
}

func newWalk(t *testing.T) *walk {
	t.Helper()
	ctx := context.Background()
	db, err := registry.Open(ctx, testdb.DSN(t, "pub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if db.SigningKeyPath() == "" { // PostgreSQL: no file to keep it beside
		db.SetSigningKeyPath(filepath.Join(t.TempDir(), "signing-key"))
	}
	db.Now = func() time.Time { return day("2026-12-31 23:00") }
	reg := registry.Actor{Kind: "user", Name: "r", Role: registry.RoleRegulator}
	v, err := db.CreateVendor(ctx, reg, registry.VendorInput{USCC: registry.MustUSCC("91120101MA0PUB001"), Name: "天津测试家政有限公司",
		LegalRep: "王", Phone: "022-1", Address: "天津", Districts: []string{"120101"}, Categories: []string{"cleaning"},
		RegisteredAt: "2023-01-01", InsuranceValidUntil: "2030-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	w := &walk{t: t, db: db, uscc: v.USCC, id: v.ID}
	// Three years of steady, well-rated service: 30 satisfied callbacks a month.
	var cbs []registry.CallbackInput
	for m := day("2024-01-10 10:00"); m.Before(day("2026-12-01 00:00")); m = m.AddDate(0, 1, 0) {
		for i := 0; i < 30; i++ {
			cbs = append(cbs, registry.CallbackInput{WorkOrderNo: w.next(), VendorUSCC: v.USCC,
				CalledAt: m.Add(time.Duration(i) * time.Hour).Format(time.RFC3339), Result: "satisfied"})
		}
		w.ingestVolume(m.Format("2006-01"), 400)
	}
	w.ingestCallbacks(cbs)
	return w
}

func (w *walk) next() string { w.wo++; return fmt.Sprintf("WO-%05d", w.wo) }

func (w *walk) ingestCallbacks(cbs []registry.CallbackInput) {
	w.t.Helper()
	for len(cbs) > 0 {
		n := min(len(cbs), 5000)
		if sum, err := w.db.IngestCallbacks(context.Background(), hotline, cbs[:n], nil); err != nil || sum.Rejected > 0 {
			w.t.Fatalf("callbacks: %v %+v", err, sum.Results[0])
		}
		cbs = cbs[n:]
	}
}

func (w *walk) ingestVolume(month string, orders int64) {
	w.t.Helper()
	if sum, err := w.db.IngestVolumes(context.Background(), hotline, []registry.VolumeInput{{VendorUSCC: w.uscc, Month: month, Orders: &orders, Source: "dispatch"}}, nil); err != nil || sum.Rejected > 0 {
		w.t.Fatalf("volume: %v %+v", err, sum)
	}
}

// complaints adds n substantiated serious complaints received at t.
func (w *walk) complaints(n int, t time.Time) {
	w.t.Helper()
	var cs []registry.ComplaintInput
	for i := 0; i < n; i++ {
		cs = append(cs, registry.ComplaintInput{WorkOrderNo: w.next(), VendorUSCC: w.uscc, ReceivedAt: t.Format(time.RFC3339),
			Channel: "phone", Category: "cleaning", Severity: "serious", Status: "closed", Outcome: "substantiated",
			DeadlineAt: t.Add(72 * time.Hour).Format(time.RFC3339), ClosedAt: t.Add(24 * time.Hour).Format(time.RFC3339)})
	}
	if sum, err := w.db.IngestComplaints(context.Background(), hotline, cs, nil); err != nil || sum.Rejected > 0 {
		w.t.Fatalf("complaints: %v %+v", err, sum.Results)
	}
}

func (w *walk) publish(at string) publicity.RunResult {
	w.t.Helper()
	res, err := publicity.Publish(context.Background(), w.db, registry.CLIActor, day(at))
	if err != nil {
		w.t.Fatalf("publish %s: %v", at, err)
	}
	return res
}

// state is the vendor's public grade and pending grade now.
func (w *walk) state() (string, string) {
	w.t.Helper()
	states, err := w.db.PublicationStates(context.Background())
	if err != nil {
		w.t.Fatal(err)
	}
	s, ok := states[w.id]
	if !ok {
		return "", ""
	}
	pending := ""
	if s.Pending != nil {
		pending = s.Pending.Grade
	}
	return s.Published, pending
}

func (w *walk) expect(step, published, pending string) {
	w.t.Helper()
	if p, q := w.state(); p != published || q != pending {
		w.t.Fatalf("%s: published %q pending %q; want %q and %q", step, p, q, published, pending)
	}
}

// TestVendorWalksThroughAYear: first publication, a downgrade that waits
// for its objection period then becomes public, a blacklist that drops the
// grade at once (out of cycle), and after its lifting the upgrade rule.
func TestVendorWalksThroughAYear(t *testing.T) {
	w := newWalk(t)
	w.publish("2026-01-01 02:00")
	w.expect("first publication", "A", "")

	w.complaints(8, day("2026-01-20 09:00"))
	res := w.publish("2026-02-01 02:00")
	w.expect("downgrade waits", "A", "C")
	if res.Actions[scoring.ActionDowngradePending] != 1 {
		t.Errorf("actions = %v", res.Actions)
	}
	w.publish("2026-03-01 02:00")
	w.expect("period over: published", "C", "")

	// A blacklist entry recorded in March drops the grade at once (out of
	// cycle); the next run confirms it.
	w.db.Now = func() time.Time { return day("2026-03-10 10:00") }
	bl := insertSanction(t, w, "blacklist", day("2026-03-10 10:00"))
	w.expect("blacklisted", "D", "")
	w.db.Now = func() time.Time { return day("2026-12-31 23:00") }
	w.publish("2026-04-01 02:00")
	w.expect("blacklisted, next run", "D", "")

	// Lifted in April: a blacklist caps the grade but not the score, so the
	// scores at this run and the previous one already clear the threshold
	// and the lifting restores the grade at the next run.
	w.db.Now = func() time.Time { return day("2026-04-15 10:00") }
	if err := w.db.EndSanction(context.Background(), registry.CLIActor, bl, "lifted", "court ruling"); err != nil {
		t.Fatal(err)
	}
	w.db.Now = func() time.Time { return day("2026-12-31 23:00") }
	res = w.publish("2026-05-01 02:00")
	w.expect("lifted", "C", "")
	if res.Actions[scoring.ActionUpgrade] != 1 {
		t.Errorf("actions = %v", res.Actions)
	}
}

// An upgrade waits until the score has cleared the better grade's threshold
// plus the margin at two runs in a row.
func TestUpgradeWaitsForTwoRuns(t *testing.T) {
	w := newWalk(t)
	w.complaints(8, day("2025-12-20 09:00"))
	w.publish("2026-01-01 02:00")
	w.expect("first publication", "C", "")
	// The complaints decay; each run evaluates a better score.
	var firstBetter string
	for _, at := range []string{"2026-04-01 02:00", "2026-07-01 02:00", "2026-10-01 02:00", "2026-12-01 02:00"} {
		res := w.publish(at)
		if res.Actions[scoring.ActionUpgradeHeld] == 1 && firstBetter == "" {
			firstBetter = at
		}
		if res.Actions[scoring.ActionUpgrade] == 1 {
			if firstBetter == "" || firstBetter == at {
				t.Fatalf("upgraded at %s without a held run first", at)
			}
			return
		}
	}
	t.Fatal("never upgraded")
}

func TestRunRefusals(t *testing.T) {
	w := newWalk(t)
	ctx := context.Background()
	w.publish("2026-03-01 02:00")
	for _, tc := range []struct {
		at   string
		want error
	}{
		{"2027-02-01 02:00", registry.ErrRunFuture},
		{"2026-03-20 02:00", registry.ErrRunExists},
		{"2026-02-01 02:00", registry.ErrRunOutOfOrder},
	} {
		_, err := publicity.Publish(ctx, w.db, registry.CLIActor, day(tc.at))
		if !errors.Is(err, tc.want) || !publicity.IsRefusal(err) {
			t.Errorf("publish %s: %v, want %v", tc.at, err, tc.want)
		}
	}
	// Two runs started at once: exactly one proceeds.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = publicity.Publish(ctx, w.db, registry.CLIActor, day("2026-04-01 02:00"))
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if !errors.Is(err, registry.ErrRunInProgress) && !errors.Is(err, registry.ErrRunExists) {
			t.Errorf("concurrent run: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d concurrent runs succeeded, want 1 (%v)", ok, errs)
	}
	entries, err := w.db.FindAudit(ctx, registry.AuditFilter{Action: "publication.run"})
	if err != nil || len(entries) != 2 {
		t.Errorf("audited runs = %d (%v), want 2", len(entries), err)
	}
}

func insertSanction(t *testing.T, w *walk, kind string, issued time.Time) int64 {
	t.Helper()
	s, err := w.db.CreateSanction(context.Background(), registry.CLIActor, registry.SanctionInput{VendorUSCC: w.uscc, Kind: kind,
		IssuedAt: issued.Format(time.RFC3339), Reference: "津市监罚〔2026〕1号", Summary: "多次收取额外费用"})
	if err != nil {
		t.Fatal(err)
	}
	ss, err := w.db.SanctionsOfVendor(context.Background(), w.id)
	if err != nil || len(ss) == 0 || ss[0].Kind != kind {
		t.Fatalf("sanctions: %v %+v", err, ss)
	}
	_ = s
	return ss[0].ID
}

// TestCrashedRunResumedAtOnce: a run whose process died (its lock is gone,
// the row says "running") is resumed by the next request at once, even for
// a later period, and completed exactly once; a run whose process lives is
// never taken over.
func TestCrashedRunResumedAtOnce(t *testing.T) {
	w := newWalk(t)
	ctx := context.Background()
	w.publish("2026-01-01 02:00")
	live, resumed, err := w.db.StartRun(ctx, registry.CLIActor, day("2026-02-01 02:00"))
	if err != nil || resumed {
		t.Fatalf("start: %v resumed=%v", err, resumed)
	}
	if _, err := publicity.Publish(ctx, w.db, registry.CLIActor, day("2026-02-01 02:00")); !errors.Is(err, registry.ErrRunInProgress) {
		t.Fatalf("run while another lives: %v, want ErrRunInProgress", err)
	}
	live.Release() // the process dies: the kernel drops its lock, the row stays "running"

	// A request for a later period finishes the crashed run first.
	res, err := publicity.Publish(ctx, w.db, registry.CLIActor, day("2026-03-01 02:00"))
	if err != nil || !res.Resumed || res.Run.Period != "2026-02" || res.Run.ID != live.ID {
		t.Fatalf("resume: %+v %v, want run %d of 2026-02 resumed", res.Run, err, live.ID)
	}
	if res := w.publish("2026-03-01 02:00"); res.Resumed || res.Run.Period != "2026-03" {
		t.Fatalf("next run: %+v", res.Run)
	}
	var runs, pubs int
	registrytest.SQL(t, w.db).QueryRow(`SELECT count(*) FROM publication_runs WHERE status = 'done'`).Scan(&runs)
	registrytest.SQL(t, w.db).QueryRow(`SELECT count(*) FROM publications WHERE run_id = ?`, live.ID).Scan(&pubs)
	if runs != 3 || pubs != 1 {
		t.Errorf("done runs = %d, publications of the resumed run = %d; want 3 and 1", runs, pubs)
	}
}

// TestRunRefusedWithoutItsLock: when the lock file cannot be opened, no run
// starts (a live run could not be told from a crashed one).
func TestRunRefusedWithoutItsLock(t *testing.T) {
	testdb.SkipOnPostgres(t, "the run lock is a file beside the database; on PostgreSQL it is an advisory lock (registry's tests)")
	w := newWalk(t)
	if err := os.Mkdir(w.db.Path()+"-publish.lock", 0o755); err != nil { // a directory cannot be opened as the lock file
		t.Fatal(err)
	}
	_, err := publicity.Publish(context.Background(), w.db, registry.CLIActor, day("2026-01-01 02:00"))
	if err == nil || !strings.Contains(err.Error(), "publication lock") {
		t.Fatalf("publish without its lock: %v", err)
	}
	var runs int
	registrytest.SQL(t, w.db).QueryRow(`SELECT count(*) FROM publication_runs`).Scan(&runs)
	if runs != 0 {
		t.Errorf("%d runs recorded", runs)
	}
}
