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
	Actions map[Action]int
	Took    time.Duration
	// Checkpoint is the signed head of the audit chain after the run.
	Checkpoint registry.Checkpoint
}

// Publish performs the publication run at asOf: it evaluates every vendor
// at that instant (storing the evaluations), applies the publication rules
// to each against its published grade and pending downgrade, and writes the
// whole run in one transaction; then it signs a checkpoint of the audit
// chain (an error after the run is stored says so).
func Publish(ctx context.Context, db *registry.DB, actor registry.Actor, asOf time.Time) (RunResult, error) {
	start := time.Now()
	res := RunResult{Actions: map[Action]int{}}
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
	states, err := db.PublicationStates(ctx)
	if err != nil {
		return res, err
	}
	var decisions []registry.VendorPublication
	collect := func(vendorID int64, ev scoring.Evaluation) {
		st := toState(states[vendorID])
		d := Decide(rules, st, ev, ev.Evidence.Blacklisted, run.AsOf, run.ID)
		res.Actions[d.Action]++
		vp := registry.VendorPublication{VendorID: vendorID, EvaluatedGrade: ev.Grade, EvaluatedScore: ev.Score,
			Action: string(d.Action), Published: d.Published, PublishedChanged: d.PublishedChanged, PendingChanged: d.PendingChanged,
			PublishedScore: ev.Score}
		if d.Action == ActionPendingPublished && st.Pending != nil && d.Published == st.Pending.Grade {
			vp.PublishedScore = st.Pending.Score // the pending grade is published with the score it was evaluated at
		}
		if d.Pending != nil {
			vp.Pending = &registry.PendingDowngrade{Grade: d.Pending.Grade, Score: d.Pending.Score, RunID: d.Pending.RunID, PublicAfter: d.Pending.PublicAfter}
			if st.Pending != nil && d.Pending.Objected {
				vp.Pending.ObjectedAt = states[vendorID].Pending.ObjectedAt
			}
		}
		decisions = append(decisions, vp)
	}
	if _, err := db.Rescore(ctx, registry.RescoreOptions{AsOf: run.AsOf, Collect: collect}); err != nil {
		return res, fmt.Errorf("publicity: evaluate for run %s: %w", run.Period, err)
	}
	counts := map[string]int{}
	for a, n := range res.Actions {
		counts[string(a)] = n
	}
	if err := db.FinishRun(ctx, actor, run, rules.Version, decisions, counts); err != nil {
		return res, err
	}
	res.Vendors, res.Took = len(decisions), time.Since(start)
	db.RecordPublicationRun(res.Took)
	if res.Checkpoint, _, err = db.MakeCheckpoint(ctx); err != nil {
		return res, fmt.Errorf("%w: run %s: %w", ErrCheckpointAfterRun, run.Period, err)
	}
	return res, nil
}

func toState(s *registry.PublicationState) State {
	if s == nil {
		return State{}
	}
	st := State{Published: s.Published, PublishedAt: s.PublishedAt, PreviousScore: s.PreviousScore}
	if p := s.Pending; p != nil {
		st.Pending = &Pending{Grade: p.Grade, Score: p.Score, RunID: p.RunID, PublicAfter: p.PublicAfter, Objected: p.ObjectedAt != nil}
	}
	return st
}

// IsRefusal reports whether err is one of the reasons a run is refused
// (future, exists, out of order, in progress).
func IsRefusal(err error) bool {
	return errors.Is(err, registry.ErrRunFuture) || errors.Is(err, registry.ErrRunExists) ||
		errors.Is(err, registry.ErrRunOutOfOrder) || errors.Is(err, registry.ErrRunInProgress)
}
