package main

import (
	"context"
	"sync"

	"chengxin/publicity"
	"chengxin/registry"
)

// background is what a serving process (serve, demo) runs besides
// answering requests: the evaluator, always, and the scheduler when it is
// on (sched not nil). Both run until stop, which cancels them and waits for
// them to return: the database is closed only after, never under them.
type background struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func startBackground(ctx context.Context, e *env, db *registry.DB, sched *publicity.Schedule) *background {
	ctx, cancel := context.WithCancel(ctx)
	b := &background{cancel: cancel}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		runEvaluator(ctx, e.log, db, evaluatorInterval)
	}()
	if sched != nil {
		s := *sched
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			runScheduler(ctx, e, db, s)
		}()
	}
	return b
}

// stop cancels the background work and waits until it has returned.
func (b *background) stop() {
	b.cancel()
	b.wg.Wait()
}
