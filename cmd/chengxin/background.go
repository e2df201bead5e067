package main

import (
	"context"
	"sync"
	"time"

	"chengxin/publicity"
	"chengxin/registry"
)

// background is what a serving process (serve, demo) runs besides
// answering requests: the evaluator and the builder of public documents
// (docs: the web server's, so that it stores pages too), always, and the scheduler when it is on (sched not nil). Both run until stop, which cancels them and waits for
// them to return: the database is closed only after, never under them.
type background struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// documentsInterval is how often the document builder looks for changes
// (an indexed read when there are none); a read that finds its document
// not current builds it at once, so this only bounds how long the first
// reader after a change may wait.
const documentsInterval = 250 * time.Millisecond

func startBackground(ctx context.Context, e *env, db *registry.DB, docs *publicity.Documents, sched *publicity.Schedule) *background {
	ctx, cancel := context.WithCancel(ctx)
	b := &background{cancel: cancel}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		runEvaluator(ctx, e.log, db, evaluatorInterval)
	}()
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		docs.Keep(ctx, documentsInterval, func(built int, took time.Duration, err error) {
			if err != nil {
				e.log.Error("public documents", "built", built, "err", err)
				return
			}
			e.log.Info("public documents built", "documents", built, "took", took.Round(time.Millisecond))
		})
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
