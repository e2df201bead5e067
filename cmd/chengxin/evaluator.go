package main

import (
	"context"
	"log/slog"
	"time"

	"chengxin/registry"
)

// evaluatorInterval is the evaluator's safety-net tick (see runEvaluator).
const evaluatorInterval = time.Second

// evaluatorSettle lets a burst of commits coalesce before re-evaluation.
const evaluatorSettle = 50 * time.Millisecond

// evaluatorBatch is how many marked vendors one ProcessMarks call takes.
const evaluatorBatch = 500

// runEvaluator re-evaluates vendors marked by ingest until ctx ends:
// shortly after each commit signal (bursts coalesce into one pass), and
// every interval as a safety net for marks written by other processes (a
// CLI import while the server runs); on each tick it also records the
// grade overrides that ended, so cached public pages change with them.
// Evaluation happens off the request path. A pass cut short by ctx puts
// its untaken marks back (ProcessMarks), so the caller must not close db
// before runEvaluator has returned (background.stop waits for it).
func runEvaluator(ctx context.Context, log *slog.Logger, db *registry.DB, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	now := func() time.Time { return db.Now().UTC().Truncate(time.Second) }
	overridesNoted := now() // overrides that ended before this were noted by the catalog's load
	for {
		select {
		case <-ctx.Done():
			return
		case <-db.MarkSignal():
			select {
			case <-time.After(evaluatorSettle):
			case <-ctx.Done():
				return
			}
		case <-tick.C:
			at := now()
			if n, err := db.NoteExpiredOverrides(ctx, overridesNoted, at); err != nil {
				if ctx.Err() == nil {
					log.Error("noting expired overrides failed", "err", err)
				}
			} else {
				overridesNoted = at
				if n > 0 {
					log.Info("grade overrides ended", "vendors", n)
				}
			}
		}
		for {
			n, err := db.ProcessMarks(ctx, evaluatorBatch, now())
			if err != nil {
				if ctx.Err() == nil {
					log.Error("re-evaluation failed", "err", err)
				}
				break
			}
			if n > 0 {
				log.Debug("re-evaluated vendors", "vendors", n)
			}
			if n < evaluatorBatch {
				break
			}
		}
	}
}
