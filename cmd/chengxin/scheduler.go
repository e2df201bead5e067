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

// schedulerCheckEvery is how often every scheduler looks for work another
// process left: a publication run whose process died (its run lock is free)
// and a claimed daily evaluation whose lease ended unfinished. A dead
// process's run is resumed within this interval plus the run's own time.
const schedulerCheckEvery = 20 * time.Second

// evaluationLease is how long a claimed daily evaluation belongs to the
// process that claimed it; unfinished after that, its process is taken to
// have died and another process does the evaluation.
const evaluationLease = 30 * time.Minute

// scheduler runs the timed work of a serving process. Every serving process
// may run one over the same database: each unit of work is done by one of
// them. A day's evaluation is claimed (registry.ClaimJob, with a lease); a
// publication run is exclusive by itself (the run lock and one run per
// period, registry.StartRun), so the processes that lose the race are
// refused and say so quietly.
type scheduler struct {
	e     *env
	db    *registry.DB
	s     publicity.Schedule
	lease time.Duration
	// last is the instant up to which scheduled instants have been acted
	// on; zero before the first step.
	last time.Time
}

func newScheduler(e *env, db *registry.DB, s publicity.Schedule) *scheduler {
	return &scheduler{e: e, db: db, s: s, lease: evaluationLease}
}

// runScheduler evaluates every vendor daily (signing an audit checkpoint
// then) and publishes monthly, as the schedule says, until ctx ends. At
// start-up and every schedulerCheckEvery it resumes a run a dead process
// left unfinished, catches up the publication runs of periods after the
// latest recorded run (never on a database with no run yet) and takes over
// a daily evaluation whose claimer died.
func runScheduler(ctx context.Context, e *env, db *registry.DB, s publicity.Schedule) {
	sc := newScheduler(e, db, s)
	if _, err := db.PublishMaturedPending(ctx, schedulerActor); err != nil && ctx.Err() == nil {
		e.log.Error("scheduler: publishing matured downgrades failed", "err", err)
	}
	for {
		sc.step(ctx, db.Now())
		now := db.Now()
		next := min(s.NextEvaluation(now).Sub(now), s.NextPublication(now).Sub(now), schedulerCheckEvery)
		select {
		case <-ctx.Done():
			return
		case <-time.After(next):
		}
	}
}

// step does the work due at now: the daily evaluation and the monthly run
// whose instants passed since the previous step, a dead process's
// unfinished run or evaluation, and missed publication periods.
func (sc *scheduler) step(ctx context.Context, now time.Time) {
	if ctx.Err() != nil {
		return
	}
	first := sc.last.IsZero()
	since := sc.last
	sc.last = now
	// The daily evaluation: when its instant has just passed, claim it; at
	// any step, take over one a dead process claimed and left unfinished.
	day := prevEvaluation(sc.s, now)
	if !first && day.After(since) {
		sc.evaluate(ctx, day, day, "daily")
	} else if c, err := sc.db.Job(ctx, registry.JobDailyEvaluation, evaluationPeriod(day)); err == nil && !c.Done && now.Sub(c.ClaimedAt) >= sc.lease {
		sc.evaluate(ctx, day, now, "take-over")
	} else if err != nil && !errors.Is(err, registry.ErrNotFound) && ctx.Err() == nil {
		sc.e.log.Error("scheduler: reading the daily evaluation's claim", "err", err)
	}
	// The monthly run, on a database with no run yet too.
	if pub := sc.s.PublicationInstant(now); !first && !pub.After(now) && pub.After(since) {
		publishAt(ctx, sc.e, sc.db, pub, "monthly")
	}
	latest, err := sc.db.LatestRun(ctx)
	switch {
	case errors.Is(err, registry.ErrNotFound):
		return
	case err != nil:
		if ctx.Err() == nil {
			sc.e.log.Error("scheduler: latest run", "err", err)
		}
		return
	}
	if latest.Status == "running" { // resumed if the process running it died
		if !publishAt(ctx, sc.e, sc.db, latest.AsOf, "resume") {
			return // still running elsewhere, or failed: the next step looks again
		}
		if latest, err = sc.db.LatestRun(ctx); err != nil {
			return
		}
	}
	for _, at := range sc.s.Missed(&latest, now) {
		if !publishAt(ctx, sc.e, sc.db, at, "catch-up") {
			return
		}
	}
}

// evaluate does the daily evaluation of the day of instant day, at asOf,
// if this process claims it: publishing matured pending downgrades, signing
// an audit checkpoint and evaluating every vendor. Work that fails stays
// claimed and unfinished; after the lease a scheduler takes it over.
func (sc *scheduler) evaluate(ctx context.Context, day, asOf time.Time, why string) {
	period := evaluationPeriod(day)
	ok, err := sc.db.ClaimJob(ctx, registry.JobDailyEvaluation, period, sc.lease)
	if err != nil {
		if ctx.Err() == nil {
			sc.e.log.Error("scheduler: claiming the daily evaluation failed", "day", period, "err", err)
		}
		return
	}
	if !ok {
		sc.e.log.Debug("scheduler: the daily evaluation is another process's", "day", period)
		return
	}
	if n, err := sc.db.PublishMaturedPending(ctx, schedulerActor); err != nil {
		if ctx.Err() == nil {
			sc.e.log.Error("scheduler: publishing matured downgrades failed", "err", err)
		}
	} else if n > 0 {
		sc.e.log.Info("scheduler: pending downgrades published", "vendors", n)
	}
	dailyCheckpoint(ctx, sc.e, sc.db)
	st, err := sc.db.Rescore(ctx, registry.RescoreOptions{AsOf: asOf})
	if err != nil {
		if ctx.Err() == nil {
			sc.e.log.Error("scheduler: daily evaluation failed", "day", period, "err", err)
		}
		return
	}
	if err := sc.db.FinishJob(ctx, registry.JobDailyEvaluation, period); err != nil && ctx.Err() == nil {
		sc.e.log.Error("scheduler: recording the daily evaluation as done failed", "day", period, "err", err)
	}
	sc.e.log.Info("scheduler: daily evaluation", "why", why, "day", period, "vendors", st.Vendors, "stored", st.Stored, "took", st.Took.Round(time.Millisecond))
}

// prevEvaluation is the latest daily evaluation instant at or before t.
func prevEvaluation(s publicity.Schedule, t time.Time) time.Time {
	return s.NextEvaluation(t.AddDate(0, 0, -1).Add(-time.Nanosecond))
}

// evaluationPeriod names the day of a daily evaluation (YYYY-MM-DD,
// Asia/Shanghai), the period of its job claim.
func evaluationPeriod(t time.Time) string { return t.In(registry.Shanghai).Format("2006-01-02") }

// publishAt performs the publication run at at (after a dead process's
// run of an earlier period, which StartRun hands back first). It reports
// whether the run at at is done: false when it failed, or when another
// process has a run in progress (said quietly: with several processes
// scheduling, all but one are refused).
func publishAt(ctx context.Context, e *env, db *registry.DB, at time.Time, why string) bool {
	for {
		res, err := publicity.Publish(ctx, db, schedulerActor, at)
		switch {
		case errors.Is(err, publicity.ErrCheckpointAfterRun):
			e.log.Error("scheduler: published, but the audit checkpoint failed", "why", why, "period", res.Run.Period, "err", err)
		case errors.Is(err, registry.ErrRunInProgress):
			e.log.Debug("scheduler: a publication run is in progress in another process", "why", why, "as_of", registry.FormatOutput(at))
			return false
		case errors.Is(err, registry.ErrRunExists): // another process finished it meanwhile
			e.log.Debug("scheduler: the period has its run", "why", why, "period", registry.Period(at))
			return true
		case publicity.IsRefusal(err):
			e.log.Warn("scheduler: publication run refused", "why", why, "as_of", registry.FormatOutput(at), "err", err)
			return false
		case err != nil:
			if ctx.Err() == nil {
				e.log.Error("scheduler: publication run failed", "why", why, "as_of", registry.FormatOutput(at), "err", err)
			}
			return false
		}
		e.log.Info("scheduler: published", "why", why, "period", res.Run.Period, "resumed", res.Resumed, "vendors", res.Vendors, "took", res.Took.Round(time.Millisecond))
		if !res.Resumed || res.Run.Period == registry.Period(at) {
			return true
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
