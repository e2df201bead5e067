package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"chengxin/scoring"
)

// Causes of a publication (grade_publications.cause).
const (
	CauseRun       = "run"       // a publication run
	CauseMatured   = "matured"   // a pending downgrade whose objection period ended
	CauseReview    = "review"    // a regulator's decision on the vendor's objection
	CauseBlacklist = "blacklist" // a blacklist entry recorded (out of cycle)
	CauseOverride  = "override"  // a regulator's override
)

// PublicationCause says why a vendor's grade was published.
type PublicationCause struct {
	Kind       string // one of the Cause… constants
	RunID      int64  // run: that run; matured and review: the run that made the pending downgrade
	SanctionID int64  // blacklist: the entry
	CaseID     int64  // review: the objection case
}

// pubWriter writes publication decisions inside one transaction: every
// path that publishes a grade (runs, matured pending downgrades, decisions
// on objections, blacklist entries) goes through apply, so a publication
// always updates the published grade, its history entry and the pending
// downgrade the same way. What to publish is decided by scoring's
// publication rules, never here.
type pubWriter struct {
	db    *DB
	tx    *sql.Tx
	actor Actor
	stmts map[string]*sql.Stmt
}

var pubWriterSQL = map[string]string{
	"history": `INSERT INTO grade_publications(vendor_id, at, grade, score, grade_note, rules_version, action, cause, run_id, sanction_id, case_id, reason, actor)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`,
	"grade": `INSERT INTO published_grades(vendor_id, grade, score, published_at, grade_since, grade_note, rules_version, publication_id)
		VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(vendor_id) DO UPDATE SET
		grade_since = CASE WHEN published_grades.grade = excluded.grade THEN published_grades.grade_since ELSE excluded.grade_since END,
		grade = excluded.grade, score = excluded.score, published_at = excluded.published_at, grade_note = excluded.grade_note,
		rules_version = excluded.rules_version, publication_id = excluded.publication_id`,
	"pending": `INSERT INTO pending_downgrades(vendor_id, grade, score, grade_note, run_id, public_after, objected_at) VALUES (?,?,?,?,?,?,?)
		ON CONFLICT(vendor_id) DO UPDATE SET grade = excluded.grade, score = excluded.score, grade_note = excluded.grade_note,
		run_id = excluded.run_id, public_after = excluded.public_after, objected_at = excluded.objected_at`,
	"nopend": `DELETE FROM pending_downgrades WHERE vendor_id = ?`,
	"moot": `UPDATE cases SET status = 'withdrawn', decided_by = ?, decided_at = ?, decision_reason = '', amended_value = ''
		WHERE vendor_id = ? AND kind = 'grade_objection' AND status = 'open'`,
}

func (db *DB) newPubWriter(ctx context.Context, tx *sql.Tx, actor Actor) (*pubWriter, error) {
	w := &pubWriter{db: db, tx: tx, actor: actor, stmts: map[string]*sql.Stmt{}}
	for k, q := range pubWriterSQL {
		st, err := tx.PrepareContext(ctx, q)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("registry: prepare publication writer: %w", err)
		}
		w.stmts[k] = st
	}
	return w, nil
}

func (w *pubWriter) close() {
	for _, st := range w.stmts {
		st.Close()
	}
}

// apply writes decision d about a vendor whose state before it was st, at
// instant at, under rulesVersion: a publication adds an entry to the
// vendor's history and becomes its published grade (grade_since carries
// over while the grade stays the same); the pending downgrade is stored,
// replaced or removed. A withdrawn pending downgrade that the vendor had
// objected to closes the objection as withdrawn, and the vendor is told,
// unless the decision is the one on that objection. It returns the history
// entry's id (0 when nothing was published).
func (w *pubWriter) apply(ctx context.Context, vendorID int64, st scoring.PublicationState, d scoring.PublicationDecision,
	at time.Time, rulesVersion string, cause PublicationCause) (int64, error) {
	var pubID int64
	stamp := formatTime(at)
	if d.Publish {
		err := w.stmts["history"].QueryRowContext(ctx, vendorID, stamp, d.Published, d.Score, d.Note, rulesVersion, string(d.PublishedBy),
			cause.Kind, nullID(cause.RunID), nullID(cause.SanctionID), nullID(cause.CaseID), "", w.actor.String()).Scan(&pubID)
		if err != nil {
			return 0, fmt.Errorf("registry: publication history of vendor #%d: %w", vendorID, err)
		}
		if _, err := w.stmts["grade"].ExecContext(ctx, vendorID, d.Published, d.Score, stamp, stamp, d.Note, rulesVersion, pubID); err != nil {
			return 0, fmt.Errorf("registry: published grade of vendor #%d: %w", vendorID, err)
		}
	}
	if !d.PendingChanged {
		return pubID, nil
	}
	if p := d.Pending; p != nil {
		// The rules store only new pending downgrades (one objected to is
		// kept as it is or withdrawn): the objection period starts afresh.
		if _, err := w.stmts["pending"].ExecContext(ctx, vendorID, p.Grade, p.Score, p.Note, p.RunID, formatTime(p.PublicAfter), nil); err != nil {
			return 0, fmt.Errorf("registry: pending downgrade of vendor #%d: %w", vendorID, err)
		}
		if cause.Kind == CauseRun && p.RunID == cause.RunID { // a new pending downgrade: tell the vendor
			err := w.db.notify(ctx, w.tx, RoleVendor, vendorID, "inbox.pending", []any{p.Grade,
				p.PublicAfter.In(Shanghai).Format("2006-01-02 15:04")}, "/console/me")
			if err != nil {
				return 0, err
			}
		}
		return pubID, nil
	}
	if _, err := w.stmts["nopend"].ExecContext(ctx, vendorID); err != nil {
		return 0, err
	}
	if st.Pending != nil && st.Pending.Objected && cause.Kind != CauseReview {
		res, err := w.stmts["moot"].ExecContext(ctx, w.actor.String(), formatTime(w.db.now()), vendorID)
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			if err := w.db.notify(ctx, w.tx, RoleVendor, vendorID, "inbox.objection_moot", []any{st.Pending.Grade}, "/console/me#cases"); err != nil {
				return 0, err
			}
		}
	}
	return pubID, nil
}

// recordOverride adds a regulator's override (grade, public reason) set at
// at to the vendor's publication history, with the published score it
// stands against (none before the first publication). The published grade
// itself is left as it is: it is public again when the override ends.
func (w *pubWriter) recordOverride(ctx context.Context, vendorID int64, grade, reason string, at time.Time) error {
	var score *float64
	var rulesVersion string
	err := w.tx.QueryRowContext(ctx, `SELECT score, rules_version FROM published_grades WHERE vendor_id = ?`, vendorID).Scan(&score, &rulesVersion)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	_, err = w.stmts["history"].ExecContext(ctx, vendorID, formatTime(at), grade, score, scoring.NoteOverride, rulesVersion, CauseOverride,
		CauseOverride, nil, nil, nil, reason, w.actor.String())
	if err != nil {
		return fmt.Errorf("registry: override history of vendor #%d: %w", vendorID, err)
	}
	return nil
}

// publicationState reads one vendor's publication state inside q.
func publicationState(ctx context.Context, q querier, vendorID int64) (scoring.PublicationState, error) {
	var st scoring.PublicationState
	err := q.QueryRowContext(ctx, `SELECT grade FROM published_grades WHERE vendor_id = ?`, vendorID).Scan(&st.Published)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return st, fmt.Errorf("registry: published grade: %w", err)
	}
	var p scoring.PendingGrade
	var after string
	var objected *string
	err = q.QueryRowContext(ctx, `SELECT grade, score, grade_note, run_id, public_after, objected_at FROM pending_downgrades WHERE vendor_id = ?`,
		vendorID).Scan(&p.Grade, &p.Score, &p.Note, &p.RunID, &after, &objected)
	switch {
	case err == nil:
		p.PublicAfter, p.Objected = parseStored(after), objected != nil
		st.Pending = &p
	case !errors.Is(err, sql.ErrNoRows):
		return st, fmt.Errorf("registry: pending downgrade: %w", err)
	}
	var prev float64
	err = q.QueryRowContext(ctx, `SELECT evaluated_score FROM publications WHERE vendor_id = ? ORDER BY run_id DESC LIMIT 1`, vendorID).Scan(&prev)
	switch {
	case err == nil:
		st.PreviousScore = &prev
	case !errors.Is(err, sql.ErrNoRows):
		return st, fmt.Errorf("registry: previous score: %w", err)
	}
	return st, nil
}
