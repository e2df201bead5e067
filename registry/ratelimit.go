package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// TokenRate is an API token's limit: a sustained rate and a burst.
type TokenRate struct {
	PerSecond int
	Burst     int
}

// tokenLimiter limits API tokens: in memory on SQLite (one process serves an
// SQLite database), in the database on PostgreSQL, where any number of
// processes serve it and the limit must hold across all of them.
type tokenLimiter struct {
	mu sync.Mutex
	m  map[int64]*rate.Limiter
}

// TakeToken counts one request of API token id against its rate limit. It
// returns 0 when the request may go ahead, else how long until it may.
func (db *DB) TakeToken(ctx context.Context, id int64, r TokenRate) (time.Duration, error) {
	if !db.pg {
		return db.limiter.take(id, r, db.Now()), nil
	}
	return db.takeTokenShared(ctx, id, r)
}

func (l *tokenLimiter) take(id int64, r TokenRate, now time.Time) time.Duration {
	l.mu.Lock()
	lim, ok := l.m[id]
	if !ok {
		if l.m == nil {
			l.m = map[int64]*rate.Limiter{}
		}
		lim = rate.NewLimiter(rate.Limit(r.PerSecond), r.Burst)
		l.m[id] = lim
	}
	l.mu.Unlock()
	res := lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d
	}
	return 0
}

// takeTokenShared is the generic cell rate algorithm on a row per token: one
// atomic upsert moves the token's theoretical arrival time on, unless that
// would exceed the burst.
func (db *DB) takeTokenShared(ctx context.Context, id int64, r TokenRate) (time.Duration, error) {
	now := db.Now().UnixMilli()
	interval := int64(1000 / max(1, r.PerSecond))
	limit := interval * int64(r.Burst)
	var tat int64
	err := db.read.QueryRowContext(ctx, `INSERT INTO token_rates(token_id, tat_ms) VALUES (?, CAST(? AS BIGINT))
		ON CONFLICT(token_id) DO UPDATE SET tat_ms = CASE WHEN token_rates.tat_ms > ? THEN token_rates.tat_ms ELSE ? END + ?
		WHERE CASE WHEN token_rates.tat_ms > ? THEN token_rates.tat_ms ELSE ? END + ? - ? <= ?
		RETURNING tat_ms`, id, now+interval, now, now, interval, now, now, interval, now, limit).Scan(&tat)
	if err == nil {
		return 0, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("registry: token rate: %w", err)
	}
	if err := db.read.QueryRowContext(ctx, `SELECT tat_ms FROM token_rates WHERE token_id = ?`, id).Scan(&tat); err != nil {
		return 0, fmt.Errorf("registry: token rate: %w", err)
	}
	wait := tat + interval - now - limit
	return time.Duration(max(wait, 1)) * time.Millisecond, nil
}
