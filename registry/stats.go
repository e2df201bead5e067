package registry

import (
	"sync/atomic"
	"time"
)

// Stats are the store's running counters, read by /metrics.
type Stats struct {
	writeTx       atomic.Int64 // write transactions begun
	writerWaitNs  atomic.Int64 // total time spent waiting for the writer
	waiting       atomic.Int64 // urgent (small) writes waiting for the writer now
	rescores      atomic.Int64
	rescoreNs     atomic.Int64 // duration of the latest full evaluation run
	publications  atomic.Int64
	publicationNs atomic.Int64 // duration of the latest publication run
}

// StatsSnapshot is a copy of the counters.
type StatsSnapshot struct {
	WriteTransactions  int64
	WriterWait         time.Duration
	Rescores           int64
	LastRescore        time.Duration
	PublicationRuns    int64
	LastPublicationRun time.Duration
}

// Stats returns the store's counters.
func (db *DB) Stats() StatsSnapshot {
	s := &db.stats
	return StatsSnapshot{WriteTransactions: s.writeTx.Load(), WriterWait: time.Duration(s.writerWaitNs.Load()),
		Rescores: s.rescores.Load(), LastRescore: time.Duration(s.rescoreNs.Load()),
		PublicationRuns: s.publications.Load(), LastPublicationRun: time.Duration(s.publicationNs.Load())}
}

// RecordPublicationRun notes a finished publication run's duration.
func (db *DB) RecordPublicationRun(took time.Duration) {
	db.stats.publications.Add(1)
	db.stats.publicationNs.Store(int64(took))
}
