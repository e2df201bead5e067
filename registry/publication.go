package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"chengxin/scoring"
)

// Publication run errors (`chengxin publish` exits 1 with them).
var (
	ErrRunFuture     = errors.New("the as-of instant is in the future")
	ErrRunExists     = errors.New("this period already has a publication run")
	ErrRunOutOfOrder = errors.New("the as-of instant is earlier than the latest run")
	ErrRunInProgress = errors.New("another publication run is in progress")
)

// staleRunAfter is how long a run may stay "running" before it is taken as
// crashed and resumed by the next run request.
const staleRunAfter = time.Hour

// PublicationRun is one monthly (or on-demand) publication.
type PublicationRun struct {
	ID           int64
	Period       string // YYYY-MM
	AsOf         time.Time
	Status       string
	StartedAt    time.Time
	FinishedAt   *time.Time
	Actor        string
	RulesVersion string
	Vendors      int

	lock *runLock // held by the process performing the run; see Release
}

// Release lets go of the host-wide lock StartRun took for this run. Call it
// when the run is finished or abandoned (a deferred call is right); a run
// left "running" without its lock is resumed by the next StartRun.
func (r PublicationRun) Release() { r.lock.release() }

// Period is the calendar month (Asia/Shanghai) of an instant, YYYY-MM.
func Period(t time.Time) string { return t.In(Shanghai).Format("2006-01") }

// StartRun records a new run at asOf, refusing a future instant, a period
// that has a run, an instant before the latest run and a run while another
// is in progress. The returned run holds a host-wide lock until Release.
//
// A run left "running" by a process that died (its lock is free) is
// returned instead, at once and whatever period asOf names, with resumed
// set: runs happen in order, and a run's results are written in one
// transaction by FinishRun, so a crashed run is resumed, never half-applied.
// On a platform without flock a run is taken as crashed after
// staleRunAfter; where the lock file cannot be opened, no run starts.
func (db *DB) StartRun(ctx context.Context, actor Actor, asOf time.Time) (PublicationRun, bool, error) {
	var run PublicationRun
	resumed := false
	now := db.now()
	if asOf.After(now.Add(FutureSkew)) {
		return run, false, ErrRunFuture
	}
	lock, lockErr := db.acquireRunLock(ctx)
	switch {
	case errors.Is(lockErr, errRunLockHeld):
		return run, false, ErrRunInProgress
	case lockErr != nil && !errors.Is(lockErr, errors.ErrUnsupported):
		// Without the lock a live run cannot be told from a crashed one.
		return run, false, lockErr
	}
	ownerDead := lockErr == nil // we hold the lock, so no live process is running a run
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		var started, runAsOf, period string
		err := tx.QueryRowContext(ctx, `SELECT id, started_at, as_of, period FROM publication_runs WHERE status = 'running'`).Scan(&id, &started, &runAsOf, &period)
		switch {
		case err == nil && !ownerDead && now.Sub(parseStored(started)) < staleRunAfter:
			return ErrRunInProgress
		case err == nil:
			run = PublicationRun{ID: id, Period: period, AsOf: parseStored(runAsOf), Status: "running", StartedAt: now, Actor: actor.String()}
			resumed = true
			_, err := tx.ExecContext(ctx, `UPDATE publication_runs SET started_at = ?, actor = ? WHERE id = ?`, formatTime(now), actor.String(), id)
			return err
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		var latest sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT max(as_of) FROM publication_runs`).Scan(&latest); err != nil {
			return err
		}
		if latest.Valid && formatTime(asOf) < latest.String {
			return ErrRunOutOfOrder
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM publication_runs WHERE period = ?`, Period(asOf)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrRunExists
		}
		run = PublicationRun{Period: Period(asOf), AsOf: asOf.UTC().Truncate(time.Second), Status: "running", StartedAt: now, Actor: actor.String()}
		return tx.QueryRowContext(ctx, `INSERT INTO publication_runs(period, as_of, status, started_at, actor) VALUES (?,?,?,?,?) RETURNING id`,
			run.Period, formatTime(run.AsOf), run.Status, formatTime(now), run.Actor).Scan(&run.ID)
	})
	if err != nil {
		lock.release()
		return PublicationRun{}, false, err
	}
	run.lock = lock
	return run, resumed, nil
}

// PendingDowngrade is a stored pending downgrade.
type PendingDowngrade struct {
	Grade       string
	Score       float64
	RunID       int64
	PublicAfter time.Time
	ObjectedAt  *time.Time
}

// PublicationStates loads every vendor's publication state (published
// grade, pending downgrade, score at its previous run), keyed by vendor id;
// vendors never published and without a run behind them are absent.
func (db *DB) PublicationStates(ctx context.Context) (map[int64]scoring.PublicationState, error) {
	return publicationStates(ctx, db.read)
}

func publicationStates(ctx context.Context, q querier) (map[int64]scoring.PublicationState, error) {
	out := map[int64]scoring.PublicationState{}
	rows, err := q.QueryContext(ctx, `SELECT vendor_id, grade FROM published_grades`)
	if err != nil {
		return nil, fmt.Errorf("registry: published grades: %w", err)
	}
	for rows.Next() {
		var id int64
		var st scoring.PublicationState
		if err := rows.Scan(&id, &st.Published); err != nil {
			rows.Close()
			return nil, err
		}
		out[id] = st
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT vendor_id, grade, score, grade_note, run_id, public_after, objected_at IS NOT NULL FROM pending_downgrades`)
	if err != nil {
		return nil, fmt.Errorf("registry: pending downgrades: %w", err)
	}
	for rows.Next() {
		var id int64
		var p scoring.PendingGrade
		var after string
		if err := rows.Scan(&id, &p.Grade, &p.Score, &p.Note, &p.RunID, &after, &p.Objected); err != nil {
			rows.Close()
			return nil, err
		}
		p.PublicAfter = parseStored(after)
		st := out[id]
		st.Pending = &p
		out[id] = st
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The score at each vendor's latest run.
	rows, err = q.QueryContext(ctx, `SELECT p.vendor_id, p.evaluated_score FROM publications p
		JOIN (SELECT vendor_id, max(run_id) AS run_id FROM publications GROUP BY vendor_id) l
		ON l.vendor_id = p.vendor_id AND l.run_id = p.run_id`)
	if err != nil {
		return nil, fmt.Errorf("registry: previous scores: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var score float64
		if err := rows.Scan(&id, &score); err != nil {
			return nil, err
		}
		st := out[id]
		st.PreviousScore = &score
		out[id] = st
	}
	return out, rows.Err()
}

// RunEvaluation is what the publication rules need of one vendor's
// evaluation at a run (kept small: a run holds one per vendor).
type RunEvaluation struct {
	VendorID    int64
	Grade       string
	ScoreGrade  string
	Score       float64
	Reasons     []string
	Blacklisted bool
}

// RunEvaluationOf trims an evaluation to what a run keeps of it.
func RunEvaluationOf(vendorID int64, ev scoring.Evaluation) RunEvaluation {
	return RunEvaluation{VendorID: vendorID, Grade: ev.Grade, ScoreGrade: ev.ScoreGrade, Score: ev.Score, Reasons: ev.Reasons,
		Blacklisted: ev.Evidence.Blacklisted}
}

func (e RunEvaluation) evaluation() scoring.Evaluation {
	ev := scoring.Evaluation{Grade: e.Grade, ScoreGrade: e.ScoreGrade, Score: e.Score, Reasons: e.Reasons}
	ev.Evidence.Blacklisted = e.Blacklisted
	return ev
}

// FinishRun applies the publication rules (scoring.DecideRun) to every
// vendor's evaluation at the run against its publication state read in the
// same transaction — a grade published after the run's instant (a
// blacklisting while the run evaluated) is newer than the run's evaluation
// and stays as it is (ActionSuperseded) — writes each
// decision (the run's record, the published grade and its history, the
// pending downgrade) and marks the run done, all in one transaction: a run
// is applied whole or not at all. It returns how many vendors got each
// action.
func (db *DB) FinishRun(ctx context.Context, actor Actor, run PublicationRun, rules scoring.Rules, evals []RunEvaluation) (map[scoring.PublicationAction]int, error) {
	now := formatTime(db.now())
	counts := map[scoring.PublicationAction]int{}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		clear(counts)
		var status string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM publication_runs WHERE id = ?`, run.ID).Scan(&status); err != nil {
			return err
		}
		if status != "running" {
			return fmt.Errorf("registry: run %s is %s: %w", run.Period, status, ErrConflict)
		}
		states, err := publicationStates(ctx, tx)
		if err != nil {
			return err
		}
		w, err := db.newPubWriter(ctx, tx, actor)
		if err != nil {
			return err
		}
		defer w.close()
		record, err := tx.PrepareContext(ctx, `INSERT INTO publications(run_id, vendor_id, evaluated_grade, evaluated_score, published_grade, action) VALUES (?,?,?,?,?,?)`)
		if err != nil {
			return err
		}
		defer record.Close()
		// A grade published after the run's instant (out of cycle, while the
		// run evaluated) is newer than the run's evaluation: it stands.
		newer := map[int64]bool{}
		rows, err := tx.QueryContext(ctx, `SELECT vendor_id FROM published_grades WHERE published_at > ?`, formatTime(run.AsOf))
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			newer[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		cause := PublicationCause{Kind: CauseRun, RunID: run.ID}
		for _, e := range evals {
			st := states[e.VendorID]
			d := scoring.DecideRun(rules, st, e.evaluation(), run.AsOf, run.ID)
			if newer[e.VendorID] {
				d = scoring.PublicationDecision{Action: scoring.ActionSuperseded, Published: st.Published, Pending: st.Pending}
			}
			counts[d.Action]++
			if _, err := record.ExecContext(ctx, run.ID, e.VendorID, e.Grade, e.Score, d.Published, string(d.Action)); err != nil {
				return fmt.Errorf("registry: publication of vendor #%d: %w", e.VendorID, err)
			}
			if _, err := w.apply(ctx, e.VendorID, st, d, run.AsOf, rules.Version, cause); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE publication_runs SET status = 'done', finished_at = ?, rules_version = ?, vendors = ? WHERE id = ?`,
			now, rules.Version, len(evals), run.ID); err != nil {
			return err
		}
		actions := map[string]int{}
		for a, n := range counts {
			actions[string(a)] = n
		}
		detail := map[string]any{"as_of": FormatOutput(run.AsOf), "rules_version": rules.Version, "vendors": len(evals), "actions": actions}
		return db.audit(ctx, tx, actor.String(), "publication.run", "period:"+run.Period, detail)
	})
	return counts, err
}

// LatestRun returns the latest publication run, or ErrNotFound.
func (db *DB) LatestRun(ctx context.Context) (PublicationRun, error) {
	var r PublicationRun
	var asOf, started string
	var finished *string
	err := db.read.QueryRowContext(ctx, `SELECT id, period, as_of, status, started_at, finished_at, actor, rules_version, vendors
		FROM publication_runs ORDER BY as_of DESC, id DESC LIMIT 1`).
		Scan(&r.ID, &r.Period, &asOf, &r.Status, &started, &finished, &r.Actor, &r.RulesVersion, &r.Vendors)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, err
	}
	r.AsOf, r.StartedAt, r.FinishedAt = parseStored(asOf), parseStored(started), parseStoredPtr(finished)
	return r, nil
}

// PublishMaturedPending publishes every pending downgrade whose objection
// period has ended without an objection (scoring.DecideMatured), as
// docs/SCORING.md allows a scheduler to do on that day already (runs do it too,
// before comparing grades). It returns how many it published.
func (db *DB) PublishMaturedPending(ctx context.Context, actor Actor) (int, error) {
	now := db.now()
	n := 0
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		n = 0
		rows, err := tx.QueryContext(ctx, `SELECT p.vendor_id, p.run_id, r.rules_version FROM pending_downgrades p
			JOIN publication_runs r ON r.id = p.run_id WHERE p.objected_at IS NULL AND p.public_after <= ? ORDER BY p.vendor_id`, formatTime(now))
		if err != nil {
			return err
		}
		type matured struct {
			vendorID, runID int64
			rulesVersion    string
		}
		var ms []matured
		for rows.Next() {
			var m matured
			if err := rows.Scan(&m.vendorID, &m.runID, &m.rulesVersion); err != nil {
				rows.Close()
				return err
			}
			ms = append(ms, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ms) == 0 {
			return err
		}
		w, err := db.newPubWriter(ctx, tx, actor)
		if err != nil {
			return err
		}
		defer w.close()
		for _, m := range ms {
			st, err := publicationState(ctx, tx, m.vendorID)
			if err != nil {
				return err
			}
			d := scoring.DecideMatured(st, now)
			if !d.Publish {
				continue
			}
			if _, err := w.apply(ctx, m.vendorID, st, d, now, m.rulesVersion, PublicationCause{Kind: CauseMatured, RunID: m.runID}); err != nil {
				return err
			}
			if err := db.notify(ctx, tx, RoleVendor, m.vendorID, "inbox.pending_published", []any{d.Published}, "/console/me"); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			return nil
		}
		return db.audit(ctx, tx, actor.String(), "publication.pending_published", "pending", map[string]any{"vendors": n})
	})
	return n, err
}
