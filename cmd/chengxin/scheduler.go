package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"chengxin/publicity"
	"chengxin/registry"
)

// schedulerActor signs the scheduler's runs in the audit log.
var schedulerActor = registry.Actor{Kind: "system", Name: "scheduler"}

// runScheduler evaluates every vendor daily (signing an audit checkpoint
// then) and publishes monthly, as the schedule says. At start-up it resumes a run a crashed process left
// unfinished, then catches up the publication runs of periods after the
// latest recorded run (never on a database with no run yet).
func runScheduler(ctx context.Context, e *env, db *registry.DB, s publicity.Schedule) {
	if _, err := db.PublishMaturedPending(ctx, schedulerActor); err != nil {
		e.log.Error("scheduler: publishing matured downgrades failed", "err", err)
	}
	latest, err := db.LatestRun(ctx)
	if err == nil && latest.Status == "running" { // the process running it died: finish it first
		publishAt(ctx, e, db, latest.AsOf, "resume")
	}
	if err == nil {
		for _, at := range s.Missed(&latest, db.Now()) {
			publishAt(ctx, e, db, at, "catch-up")
		}
	} else if !errors.Is(err, registry.ErrNotFound) {
		e.log.Error("scheduler: latest run", "err", err)
	}
	for {
		now := db.Now()
		nextEval, nextPub := s.NextEvaluation(now), s.NextPublication(now)
		next := nextEval
		if nextPub.Before(next) {
			next = nextPub
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(next)):
		}
		if !next.Equal(nextPub) {
			if n, err := db.PublishMaturedPending(ctx, schedulerActor); err != nil {
				e.log.Error("scheduler: publishing matured downgrades failed", "err", err)
			} else if n > 0 {
				e.log.Info("scheduler: pending downgrades published", "vendors", n)
			}
			dailyCheckpoint(ctx, e, db)
			st, err := db.Rescore(ctx, registry.RescoreOptions{AsOf: next})
			if err != nil {
				if ctx.Err() == nil {
					e.log.Error("scheduler: daily evaluation failed", "err", err)
				}
				continue
			}
			e.log.Info("scheduler: daily evaluation", "vendors", st.Vendors, "stored", st.Stored, "took", st.Took.Round(time.Millisecond))
			continue
		}
		publishAt(ctx, e, db, next, "monthly")
	}
}

func publishAt(ctx context.Context, e *env, db *registry.DB, at time.Time, why string) {
	for {
		res, err := publicity.Publish(ctx, db, schedulerActor, at)
		switch {
		case errors.Is(err, publicity.ErrCheckpointAfterRun):
			e.log.Error("scheduler: published, but the audit checkpoint failed", "why", why, "period", res.Run.Period, "err", err)
		case publicity.IsRefusal(err):
			e.log.Warn("scheduler: publication run refused", "why", why, "as_of", registry.FormatOutput(at), "err", err)
			return
		case err != nil:
			if ctx.Err() == nil {
				e.log.Error("scheduler: publication run failed", "why", why, "as_of", registry.FormatOutput(at), "err", err)
			}
			return
		}
		e.log.Info("scheduler: published", "why", why, "period", res.Run.Period, "resumed", res.Resumed, "vendors", res.Vendors, "took", res.Took.Round(time.Millisecond))
		if !res.Resumed || res.Run.Period == registry.Period(at) {
			return
		}
		// A crashed run of an earlier period was finished first; now the one due.
	}
}

// parseClock reads "HH:MM" as an offset after midnight.
func parseClock(flagName, s string) (time.Duration, error) {
	var h, m int
	if _, err := fmt.Sscanf(strings.TrimSpace(s), "%d:%d", &h, &m); err != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, usageError("-%s: %q is not HH:MM", flagName, s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// dailyCheckpoint signs the audit chain's head once a day (at the daily
// evaluation), besides the checkpoint of every publication run.
func dailyCheckpoint(ctx context.Context, e *env, db *registry.DB) {
	cp, created, err := db.MakeCheckpoint(ctx)
	switch {
	case errors.Is(err, registry.ErrAuditEmpty):
	case err != nil:
		if ctx.Err() == nil {
			e.log.Error("scheduler: audit checkpoint failed", "err", err)
		}
	case created:
		e.log.Info("scheduler: audit checkpoint", "entry", cp.ID, "key_id", cp.KeyID)
	}
}
