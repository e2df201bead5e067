package publicity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"chengxin/registry"
	"chengxin/scoring"
)

// ErrCheckpointAfterRun: the run is published and stored, but signing the
// audit checkpoint after it failed.
var ErrCheckpointAfterRun = errors.New("publicity: the run is published, but its audit checkpoint failed")

// RunResult summarises a publication run.
type RunResult struct {
	Run     registry.PublicationRun
	Resumed bool // the run had crashed and was completed now
	Vendors int
	Actions map[scoring.PublicationAction]int
	Took    time.Duration
	// Checkpoint is the signed head of the audit chain after the run.
	Checkpoint registry.Checkpoint
}

// Publish performs the publication run at asOf: it evaluates every vendor
// at that instant (storing the evaluations), then has the registry apply
// the publication rules (scoring.DecideRun) to each against its published
// grade and pending downgrade and write the whole run in one transaction;
// then it signs a checkpoint of the audit chain (an error after the run is
// stored says so).
func Publish(ctx context.Context, db *registry.DB, actor registry.Actor, asOf time.Time) (RunResult, error) {
	start := time.Now()
	res := RunResult{Actions: map[scoring.PublicationAction]int{}}
	run, resumed, err := db.StartRun(ctx, actor, asOf)
	if err != nil {
		return res, err
	}
	defer run.Release()
	res.Run, res.Resumed = run, resumed
	rules, err := db.CurrentRules(ctx)
	if err != nil {
		return res, err
	}
	var evals []registry.RunEvaluation
	collect := func(vendorID int64, ev scoring.Evaluation) {
		evals = append(evals, registry.RunEvaluationOf(vendorID, ev))
	}
	if _, err := db.Rescore(ctx, registry.RescoreOptions{AsOf: run.AsOf, Collect: collect}); err != nil {
		return res, fmt.Errorf("publicity: evaluate for run %s: %w", run.Period, err)
	}
	if res.Actions, err = db.FinishRun(ctx, actor, run, rules, evals); err != nil {
		return res, err
	}
	res.Vendors, res.Took = len(evals), time.Since(start)
	db.RecordPublicationRun(res.Took)
	if res.Checkpoint, _, err = db.MakeCheckpoint(ctx); err != nil {
		return res, fmt.Errorf("%w: run %s: %w", ErrCheckpointAfterRun, run.Period, err)
	}
	return res, nil
}

// IsRefusal reports whether err is one of the reasons a run is refused
// (future, exists, out of order, in progress).
func IsRefusal(err error) bool {
	return errors.Is(err, registry.ErrRunFuture) || errors.Is(err, registry.ErrRunExists) ||
		errors.Is(err, registry.ErrRunOutOfOrder) || errors.Is(err, registry.ErrRunInProgress)
}
