package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"
)

// JobDailyEvaluation is the scheduler's daily evaluation of every vendor.
const JobDailyEvaluation = "daily-evaluation"

// processName identifies this process in job claims: host and pid.
var processName = func() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s:%d", host, os.Getpid())
}()

// ClaimJob claims scheduled work — job for period — for this process, so that
// of several processes sharing the database exactly one does it. It returns
// false when the work is done or another process claimed it less than lease
// ago (a claim older than that, unfinished, belonged to a process that died,
// and is taken over).
func (db *DB) ClaimJob(ctx context.Context, job, period string, lease time.Duration) (bool, error) {
	claimed := false
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		now := db.now()
		var at string
		var done sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT claimed_at, done_at FROM job_claims WHERE job = ? AND period = ?`, job, period).Scan(&at, &done)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			_, err = tx.ExecContext(ctx, `INSERT INTO job_claims(job, period, claimed_by, claimed_at) VALUES (?,?,?,?)`,
				job, period, processName, formatTime(now))
			claimed = err == nil
			return err
		case err != nil:
			return err
		case done.Valid || now.Sub(parseStored(at)) < lease:
			return nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE job_claims SET claimed_by = ?, claimed_at = ? WHERE job = ? AND period = ?`,
			processName, formatTime(now), job, period)
		claimed = err == nil
		return err
	})
	if err != nil {
		return false, fmt.Errorf("registry: claim %s %s: %w", job, period, err)
	}
	return claimed, nil
}

// FinishJob records claimed work as done.
func (db *DB) FinishJob(ctx context.Context, job, period string) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE job_claims SET done_at = ? WHERE job = ? AND period = ?`, formatTime(db.now()), job, period)
		return err
	})
	if err != nil {
		return fmt.Errorf("registry: finish %s %s: %w", job, period, err)
	}
	return nil
}

// JobClaim is the state of claimed work: who claimed it and when, and
// whether it is done.
type JobClaim struct {
	ClaimedBy string
	ClaimedAt time.Time
	Done      bool
}

// Job returns the claim on job for period, or ErrNotFound when no process
// has claimed it: a scheduler reads it to notice work a process claimed and
// left unfinished (ClaimJob then takes it over once the lease has ended).
func (db *DB) Job(ctx context.Context, job, period string) (JobClaim, error) {
	var c JobClaim
	var at string
	var done sql.NullString
	err := db.read.QueryRowContext(ctx, `SELECT claimed_by, claimed_at, done_at FROM job_claims WHERE job = ? AND period = ?`, job, period).
		Scan(&c.ClaimedBy, &at, &done)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("registry: job %s %s: %w", job, period, err)
	}
	c.ClaimedAt, c.Done = parseStored(at), done.Valid
	return c, nil
}
