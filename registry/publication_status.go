package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// LatestFinishedRun returns the latest publication run that finished, or
// ErrNotFound before the first.
func (db *DB) LatestFinishedRun(ctx context.Context) (PublicationRun, error) {
	var r PublicationRun
	var asOf, started string
	var finished *string
	err := db.read.QueryRowContext(ctx, `SELECT id, period, as_of, status, started_at, finished_at, actor, rules_version, vendors
		FROM publication_runs WHERE status = 'done' ORDER BY as_of DESC, id DESC LIMIT 1`).
		Scan(&r.ID, &r.Period, &asOf, &r.Status, &started, &finished, &r.Actor, &r.RulesVersion, &r.Vendors)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("registry: latest run: %w", err)
	}
	r.AsOf, r.StartedAt, r.FinishedAt = parseStored(asOf), parseStored(started), parseStoredPtr(finished)
	return r, nil
}
