package registry

import (
	"context"
	"log/slog"
	"time"
)

// evaluatorSettle lets a burst of commits coalesce before re-evaluation.
const evaluatorSettle = 50 * time.Millisecond

// RunEvaluator re-evaluates vendors marked by ingest until ctx ends: shortly
// after each commit signal (bursts coalesce into one pass), and every
// interval as a safety net for marks written by other processes (a CLI
// import while the server runs). Evaluation happens off the request path.
func (db *DB) RunEvaluator(ctx context.Context, interval time.Duration, log *slog.Logger) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	overridesNoted := db.now() // overrides that ended before this were noted by the catalog's load
	for {
		select {
		case <-ctx.Done():
			return
		case <-db.marks:
			select {
			case <-time.After(evaluatorSettle):
			case <-ctx.Done():
				return
			}
		case <-tick.C:
			now := db.now()
			if n, err := db.NoteExpiredOverrides(ctx, overridesNoted, now); err != nil {
				if ctx.Err() == nil {
					log.Error("noting expired overrides failed", "err", err)
				}
			} else {
				overridesNoted = now
				if n > 0 {
					log.Info("grade overrides ended", "vendors", n)
				}
			}
		}
		for {
			n, err := db.ProcessMarks(ctx, 500, db.now())
			if err != nil {
				if ctx.Err() == nil {
					log.Error("re-evaluation failed", "err", err)
				}
				break
			}
			if n > 0 {
				log.Debug("re-evaluated vendors", "vendors", n)
			}
			if n < 500 {
				break
			}
		}
	}
}
