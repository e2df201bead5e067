package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
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
	lock, lockErr := acquireRunLock(db.path)
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
		res, err := tx.ExecContext(ctx, `INSERT INTO publication_runs(period, as_of, status, started_at, actor) VALUES (?,?,?,?,?)`,
			run.Period, formatTime(run.AsOf), run.Status, formatTime(now), run.Actor)
		if err != nil {
			return err
		}
		run.ID, err = res.LastInsertId()
		return err
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

// PublicationState is one vendor's public state before a run.
type PublicationState struct {
	Published     string // "" before the first publication
	PublishedAt   time.Time
	Pending       *PendingDowngrade
	PreviousScore *float64 // evaluated score at the vendor's previous run
}

// PublicationStates loads every vendor's published grade, pending downgrade
// and score at its previous run, keyed by vendor id.
func (db *DB) PublicationStates(ctx context.Context) (map[int64]*PublicationState, error) {
	out := map[int64]*PublicationState{}
	get := func(id int64) *PublicationState {
		s, ok := out[id]
		if !ok {
			s = &PublicationState{}
			out[id] = s
		}
		return s
	}
	rows, err := db.read.QueryContext(ctx, `SELECT vendor_id, grade, published_at FROM published_grades`)
	if err != nil {
		return nil, fmt.Errorf("registry: published grades: %w", err)
	}
	for rows.Next() {
		var id int64
		var g, at string
		if err := rows.Scan(&id, &g, &at); err != nil {
			rows.Close()
			return nil, err
		}
		s := get(id)
		s.Published, s.PublishedAt = g, parseStored(at)
	}
	rows.Close()
	rows, err = db.read.QueryContext(ctx, `SELECT vendor_id, grade, score, run_id, public_after, objected_at FROM pending_downgrades`)
	if err != nil {
		return nil, fmt.Errorf("registry: pending downgrades: %w", err)
	}
	for rows.Next() {
		var id int64
		var p PendingDowngrade
		var after string
		var objected *string
		if err := rows.Scan(&id, &p.Grade, &p.Score, &p.RunID, &after, &objected); err != nil {
			rows.Close()
			return nil, err
		}
		p.PublicAfter, p.ObjectedAt = parseStored(after), parseStoredPtr(objected)
		get(id).Pending = &p
	}
	rows.Close()
	// The score at each vendor's latest run.
	rows, err = db.read.QueryContext(ctx, `SELECT p.vendor_id, p.evaluated_score FROM publications p
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
		get(id).PreviousScore = &score
	}
	return out, rows.Err()
}

// VendorPublication is what a run decided for one vendor.
type VendorPublication struct {
	VendorID         int64
	EvaluatedGrade   string
	EvaluatedScore   float64
	Action           string
	Published        string // the public grade after the run
	PublishedScore   float64
	PublishedChanged bool
	Pending          *PendingDowngrade // after the run; nil: none
	PendingChanged   bool
}

// FinishRun writes every vendor's decision, their public grades and pending
// downgrades, and marks the run done, all in one transaction: a run is
// applied whole or not at all.
func (db *DB) FinishRun(ctx context.Context, actor Actor, run PublicationRun, rulesVersion string, decisions []VendorPublication, counts map[string]int) error {
	now := formatTime(db.now())
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var status string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM publication_runs WHERE id = ?`, run.ID).Scan(&status); err != nil {
			return err
		}
		if status != "running" {
			return fmt.Errorf("registry: run %s is %s: %w", run.Period, status, ErrConflict)
		}
		stmts := map[string]string{
			"pub":     `INSERT INTO publications(run_id, vendor_id, evaluated_grade, evaluated_score, published_grade, action) VALUES (?,?,?,?,?,?)`,
			"grade":   `INSERT INTO published_grades(vendor_id, grade, score, published_at, run_id, rules_version) VALUES (?,?,?,?,?,?) ON CONFLICT(vendor_id) DO UPDATE SET grade=excluded.grade, score=excluded.score, published_at=excluded.published_at, run_id=excluded.run_id, rules_version=excluded.rules_version`,
			"pending": `INSERT INTO pending_downgrades(vendor_id, grade, score, run_id, public_after, objected_at) VALUES (?,?,?,?,?,?) ON CONFLICT(vendor_id) DO UPDATE SET grade=excluded.grade, score=excluded.score, run_id=excluded.run_id, public_after=excluded.public_after, objected_at=excluded.objected_at`,
			"nopend":  `DELETE FROM pending_downgrades WHERE vendor_id = ?`,
		}
		prepared := map[string]*sql.Stmt{}
		for k, q := range stmts {
			st, err := tx.PrepareContext(ctx, q)
			if err != nil {
				return err
			}
			defer st.Close()
			prepared[k] = st
		}
		at := formatTime(run.AsOf)
		for _, d := range decisions {
			if _, err := prepared["pub"].ExecContext(ctx, run.ID, d.VendorID, d.EvaluatedGrade, d.EvaluatedScore, d.Published, d.Action); err != nil {
				return fmt.Errorf("registry: publication of vendor #%d: %w", d.VendorID, err)
			}
			if d.PublishedChanged {
				if _, err := prepared["grade"].ExecContext(ctx, d.VendorID, d.Published, d.PublishedScore, at, run.ID, rulesVersion); err != nil {
					return err
				}
			}
			if d.PendingChanged {
				var err error
				if d.Pending == nil {
					_, err = prepared["nopend"].ExecContext(ctx, d.VendorID)
				} else {
					_, err = prepared["pending"].ExecContext(ctx, d.VendorID, d.Pending.Grade, d.Pending.Score, d.Pending.RunID,
						formatTime(d.Pending.PublicAfter), formatTimePtr(d.Pending.ObjectedAt))
					if err == nil && d.Pending.RunID == run.ID { // a new pending downgrade: tell the vendor
						err = db.notify(ctx, tx, RoleVendor, d.VendorID, "inbox.pending", []any{d.Pending.Grade,
							d.Pending.PublicAfter.In(Shanghai).Format("2006-01-02 15:04")}, "/console/me")
					}
				}
				if err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE publication_runs SET status = 'done', finished_at = ?, rules_version = ?, vendors = ? WHERE id = ?`,
			now, rulesVersion, len(decisions), run.ID); err != nil {
			return err
		}
		detail := map[string]any{"as_of": FormatOutput(run.AsOf), "rules_version": rulesVersion, "vendors": len(decisions), "actions": counts}
		return db.audit(ctx, tx, actor.String(), "publication.run", "period:"+run.Period, detail)
	})
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
// period has ended without an objection, as docs/SCORING.md allows a scheduler
// to do on that day already (runs do it too, before comparing grades). It
// returns how many it published.
func (db *DB) PublishMaturedPending(ctx context.Context, actor Actor) (int, error) {
	now := db.now()
	n := 0
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT p.vendor_id, p.grade, p.score, p.run_id, p.public_after, r.rules_version
			FROM pending_downgrades p JOIN publication_runs r ON r.id = p.run_id
			WHERE p.objected_at IS NULL AND p.public_after <= ?`, formatTime(now))
		if err != nil {
			return err
		}
		type matured struct {
			vendorID, runID  int64
			grade, after, rv string
			score            float64
		}
		var ms []matured
		for rows.Next() {
			var m matured
			if err := rows.Scan(&m.vendorID, &m.grade, &m.score, &m.runID, &m.after, &m.rv); err != nil {
				rows.Close()
				return err
			}
			ms = append(ms, m)
		}
		rows.Close()
		for _, m := range ms {
			if _, err := tx.ExecContext(ctx, `INSERT INTO published_grades(vendor_id, grade, score, published_at, run_id, rules_version)
				VALUES (?,?,?,?,?,?) ON CONFLICT(vendor_id) DO UPDATE SET grade=excluded.grade, score=excluded.score,
				published_at=excluded.published_at, run_id=excluded.run_id, rules_version=excluded.rules_version`,
				m.vendorID, m.grade, m.score, m.after, m.runID, m.rv); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM pending_downgrades WHERE vendor_id = ?`, m.vendorID); err != nil {
				return err
			}
			if err := db.notify(ctx, tx, RoleVendor, m.vendorID, "inbox.pending_published", []any{m.grade}, "/console/me"); err != nil {
				return err
			}
		}
		n = len(ms)
		if n == 0 {
			return nil
		}
		return db.audit(ctx, tx, actor.String(), "publication.pending_published", "pending", map[string]any{"vendors": n})
	})
	return n, err
}
