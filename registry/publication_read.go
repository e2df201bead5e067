package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Read models of publication runs for the regulator's console: what each
// run did, the transitions it caused, the downgrades it left pending and
// the objections to them.

// RunSummary is one publication run with how many vendors each action of
// the publication rules applied to (publicity.Action values as stored).
type RunSummary struct {
	PublicationRun
	Actions    map[string]int
	Objections int // grade objections filed against the downgrades this run left pending
}

// PublicationRuns lists the latest runs, newest first, at most limit
// (1–240, default 24: two years of monthly runs).
func (db *DB) PublicationRuns(ctx context.Context, limit int) ([]RunSummary, error) {
	if limit <= 0 || limit > 240 {
		limit = 24
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, period, as_of, status, started_at, finished_at, actor, rules_version, vendors
		FROM publication_runs ORDER BY as_of DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("registry: publication runs: %w", err)
	}
	var out []RunSummary
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, RunSummary{PublicationRun: r})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Actions, err = db.runActions(ctx, out[i].ID); err != nil {
			return nil, err
		}
		if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM cases WHERE kind = ? AND subject = ?`,
			CaseGradeObjection, strconv.FormatInt(out[i].ID, 10)).Scan(&out[i].Objections); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func scanRun(rows interface{ Scan(...any) error }) (PublicationRun, error) {
	var r PublicationRun
	var asOf, started string
	var finished *string
	if err := rows.Scan(&r.ID, &r.Period, &asOf, &r.Status, &started, &finished, &r.Actor, &r.RulesVersion, &r.Vendors); err != nil {
		return r, err
	}
	r.AsOf, r.StartedAt, r.FinishedAt = parseStored(asOf), parseStored(started), parseStoredPtr(finished)
	return r, nil
}

// runActions counts a run's publications by action (one index range).
func (db *DB) runActions(ctx context.Context, runID int64) (map[string]int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT action, count(*) FROM publications WHERE run_id = ? GROUP BY action`, runID)
	if err != nil {
		return nil, fmt.Errorf("registry: run actions: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var a string
		var n int
		if err := rows.Scan(&a, &n); err != nil {
			return nil, err
		}
		out[a] = n
	}
	return out, rows.Err()
}

// FindRun returns the publication run with id, or ErrNotFound.
func (db *DB) FindRun(ctx context.Context, id int64) (RunSummary, error) {
	row := db.read.QueryRowContext(ctx, `SELECT id, period, as_of, status, started_at, finished_at, actor, rules_version, vendors
		FROM publication_runs WHERE id = ?`, id)
	r, err := scanRun(row)
	if errors.Is(err, sql.ErrNoRows) {
		return RunSummary{}, fmt.Errorf("registry: publication run #%d: %w", id, ErrNotFound)
	}
	if err != nil {
		return RunSummary{}, err
	}
	s := RunSummary{PublicationRun: r}
	if s.Actions, err = db.runActions(ctx, id); err != nil {
		return s, err
	}
	err = db.read.QueryRowContext(ctx, `SELECT count(*) FROM cases WHERE kind = ? AND subject = ?`,
		CaseGradeObjection, strconv.FormatInt(id, 10)).Scan(&s.Objections)
	return s, err
}

// previousRunID is the run before id (by as-of), 0 when id is the first.
func (db *DB) previousRunID(ctx context.Context, id int64) (int64, error) {
	var prev int64
	err := db.read.QueryRowContext(ctx, `SELECT coalesce((SELECT p.id FROM publication_runs p, publication_runs r
		WHERE r.id = ? AND (p.as_of < r.as_of OR (p.as_of = r.as_of AND p.id < r.id)) ORDER BY p.as_of DESC, p.id DESC LIMIT 1), 0)`, id).Scan(&prev)
	return prev, err
}

// PublishingActions are the publication-run actions (publicity.Action, as
// stored in publications.action) that change a vendor's public grade: a
// first publication or one from or to N, an upgrade, a downgrade at once
// (blacklist entry), and a pending downgrade published at the run.
var PublishingActions = []string{"first", "upgrade", "downgrade_now", "pending_published"}

// publishingIn is PublishingActions as an SQL list of literals (constants,
// never user input).
func publishingIn() string {
	return "'" + strings.Join(PublishingActions, "','") + "'"
}

// Changed is how many vendors' public grade the run changed.
func (r RunSummary) Changed() int {
	n := 0
	for _, a := range PublishingActions {
		n += r.Actions[a]
	}
	return n
}

// NewPending is how many downgrades the run left pending.
func (r RunSummary) NewPending() int { return r.Actions["downgrade_pending"] }

// RunTransitions counts a run's vendors by their public grade before the
// run (From; "" not yet published) and after it (To). A vendor the run
// did not change counts on the diagonal; for one it changed, From is the
// grade public after the previous run. The off-diagonal cells hold exactly
// the vendors of RunChanges.
func (db *DB) RunTransitions(ctx context.Context, runID int64) ([]Transition, error) {
	prev, err := db.previousRunID(ctx, runID)
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT CASE WHEN p.action IN (`+publishingIn()+`) THEN coalesce(q.published_grade, '')
		ELSE p.published_grade END AS before, p.published_grade, count(*)
		FROM publications p LEFT JOIN publications q ON q.run_id = ? AND q.vendor_id = p.vendor_id
		WHERE p.run_id = ? GROUP BY 1, 2 ORDER BY 1, 2`, prev, runID)
	if err != nil {
		return nil, fmt.Errorf("registry: run transitions: %w", err)
	}
	defer rows.Close()
	var out []Transition
	for rows.Next() {
		var t Transition
		if err := rows.Scan(&t.From, &t.To, &t.Vendors); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RunChange is a vendor whose public grade a run changed.
type RunChange struct {
	VendorUSCC, VendorName string
	From, To               string // From: the grade public after the previous run, "" none
	Action                 string // what the run's rules did (one of PublishingActions)
	EvaluatedGrade         string
	EvaluatedScore         float64
}

// RunChanges lists one page of the vendors whose public grade the run
// changed, by name, and how many there are.
func (db *DB) RunChanges(ctx context.Context, runID int64, page, perPage int) ([]RunChange, int, error) {
	prev, err := db.previousRunID(ctx, runID)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM publications WHERE run_id = ? AND action IN (`+publishingIn()+`)`,
		runID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("registry: count run changes: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT v.uscc, v.name, coalesce(q.published_grade, ''), p.published_grade, p.action,
		p.evaluated_grade, p.evaluated_score FROM publications p JOIN vendors v ON v.id = p.vendor_id
		LEFT JOIN publications q ON q.run_id = ? AND q.vendor_id = p.vendor_id
		WHERE p.run_id = ? AND p.action IN (`+publishingIn()+`) ORDER BY v.name, v.uscc LIMIT ? OFFSET ?`,
		prev, runID, perPage, PageOffset(page, perPage))
	if err != nil {
		return nil, 0, fmt.Errorf("registry: run changes: %w", err)
	}
	defer rows.Close()
	var out []RunChange
	for rows.Next() {
		var c RunChange
		if err := rows.Scan(&c.VendorUSCC, &c.VendorName, &c.From, &c.To, &c.Action, &c.EvaluatedGrade, &c.EvaluatedScore); err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, total, rows.Err()
}

// PendingEntry is a pending downgrade: the grade a vendor would get, the
// grade public meanwhile and its objection period.
type PendingEntry struct {
	VendorID               int64
	VendorUSCC, VendorName string
	Published              string // the grade public during the objection period
	Grade                  string // the pending (worse) grade
	Score                  float64
	RunID                  int64
	RunPeriod              string
	PublicAfter            time.Time  // end of the objection period
	ObjectedAt             *time.Time // the vendor objected in time: a regulator decides
	CaseID                 int64      // the vendor's objection to it (a grade_objection case), 0 when none
	CaseStatus             string     // its status ("open", "upheld", "amended"), "" when none
	CaseOpenedAt           *time.Time // when the objection was filed
	StillPending           bool       // false: a run or a decision has since resolved it
	GradeNow               string     // the grade public now
}

// objectionColumns and objectionJoin add a pending downgrade's objection
// (the latest grade_objection case on its run) to a query over a table
// alias with vendor_id and run_id columns.
const objectionColumns = `coalesce(oc.id, 0), coalesce(oc.status, ''), oc.opened_at`

func objectionJoin(alias string) string {
	return ` LEFT JOIN cases oc ON oc.id = (SELECT max(c.id) FROM cases c WHERE c.vendor_id = ` + alias + `.vendor_id
		AND c.kind = '` + CaseGradeObjection + `' AND c.subject = CAST(` + alias + `.run_id AS TEXT))`
}

// PendingFilter selects pending downgrades.
type PendingFilter struct {
	Objected *bool // nil all; true only those objected to; false only those not
	Page     int
	PerPage  int
}

// PendingDowngrades lists one page of the downgrades pending now, the
// earliest end of objection period first, and how many there are.
func (db *DB) PendingDowngrades(ctx context.Context, f PendingFilter) ([]PendingEntry, int, error) {
	where := ""
	if f.Objected != nil {
		where = " AND d.objected_at IS NULL"
		if *f.Objected {
			where = " AND d.objected_at IS NOT NULL"
		}
	}
	from := ` FROM pending_downgrades d JOIN vendors v ON v.id = d.vendor_id JOIN publication_runs r ON r.id = d.run_id
		LEFT JOIN published_grades g ON g.vendor_id = d.vendor_id` + objectionJoin("d") + ` WHERE 1=1` + where
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*)`+from).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("registry: count pending downgrades: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT d.vendor_id, v.uscc, v.name, coalesce(g.grade, ''), d.grade, d.score, d.run_id, r.period,
		d.public_after, d.objected_at, `+objectionColumns+from+`
		ORDER BY d.public_after, v.name, v.uscc LIMIT ? OFFSET ?`, f.PerPage, PageOffset(f.Page, f.PerPage))
	if err != nil {
		return nil, 0, fmt.Errorf("registry: pending downgrades: %w", err)
	}
	defer rows.Close()
	var out []PendingEntry
	for rows.Next() {
		var e PendingEntry
		var after string
		var objected *string
		var caseOpened *string
		if err := rows.Scan(&e.VendorID, &e.VendorUSCC, &e.VendorName, &e.Published, &e.Grade, &e.Score, &e.RunID, &e.RunPeriod,
			&after, &objected, &e.CaseID, &e.CaseStatus, &caseOpened); err != nil {
			return nil, 0, err
		}
		e.CaseOpenedAt = parseStoredPtr(caseOpened)
		e.PublicAfter, e.ObjectedAt, e.StillPending, e.GradeNow = parseStored(after), parseStoredPtr(objected), true, e.Published
		out = append(out, e)
	}
	return out, total, rows.Err()
}

// RunPending lists every downgrade a run left pending, by vendor name: the
// grade public at the run, the pending grade, the end of its objection
// period (objectionDays after the run's as-of, the rules' period), any
// objection, and whether it is pending still or was resolved since (then
// GradeNow is the grade public now).
func (db *DB) RunPending(ctx context.Context, run PublicationRun, objectionDays float64) ([]PendingEntry, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT p.vendor_id, v.uscc, v.name, p.published_grade, p.evaluated_grade, p.evaluated_score,
		d.public_after, d.objected_at, coalesce(g.grade, ''), `+objectionColumns+`
		FROM publications p JOIN vendors v ON v.id = p.vendor_id
		LEFT JOIN pending_downgrades d ON d.vendor_id = p.vendor_id AND d.run_id = p.run_id
		LEFT JOIN published_grades g ON g.vendor_id = p.vendor_id`+objectionJoin("p")+`
		WHERE p.run_id = ? AND p.action = 'downgrade_pending' ORDER BY v.name, v.uscc`, run.ID)
	if err != nil {
		return nil, fmt.Errorf("registry: run pending downgrades: %w", err)
	}
	defer rows.Close()
	deadline := run.AsOf.Add(time.Duration(objectionDays * 24 * float64(time.Hour)))
	var out []PendingEntry
	for rows.Next() {
		e := PendingEntry{RunID: run.ID, RunPeriod: run.Period, PublicAfter: deadline}
		var after, objected, caseOpened *string
		if err := rows.Scan(&e.VendorID, &e.VendorUSCC, &e.VendorName, &e.Published, &e.Grade, &e.Score, &after, &objected, &e.GradeNow,
			&e.CaseID, &e.CaseStatus, &caseOpened); err != nil {
			return nil, err
		}
		e.CaseOpenedAt = parseStoredPtr(caseOpened)
		if after != nil {
			e.PublicAfter, e.StillPending = parseStored(*after), true
		}
		e.ObjectedAt = parseStoredPtr(objected)
		out = append(out, e)
	}
	return out, rows.Err()
}

// RunObjection is a vendor's objection to a downgrade a run left pending.
type RunObjection struct {
	Case
	Pending string // the grade objected to
}

// RunObjections lists the grade objections to a run's pending downgrades,
// oldest first.
func (db *DB) RunObjections(ctx context.Context, runID int64) ([]RunObjection, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT c.id, c.vendor_id, v.uscc, v.name, c.text, c.opened_at, c.deadline_at, c.status,
		coalesce(c.decided_by, ''), c.decided_at, coalesce(c.decision_reason, ''), coalesce(c.amended_value, ''), coalesce(p.evaluated_grade, '')
		FROM cases c JOIN vendors v ON v.id = c.vendor_id
		LEFT JOIN publications p ON p.run_id = ? AND p.vendor_id = c.vendor_id
		WHERE c.kind = ? AND c.subject = ? ORDER BY c.opened_at, c.id`, runID, CaseGradeObjection, strconv.FormatInt(runID, 10))
	if err != nil {
		return nil, fmt.Errorf("registry: run objections: %w", err)
	}
	defer rows.Close()
	var out []RunObjection
	for rows.Next() {
		o := RunObjection{Case: Case{Kind: CaseGradeObjection, Subject: strconv.FormatInt(runID, 10)}}
		var opened, deadline string
		var decided *string
		if err := rows.Scan(&o.ID, &o.VendorID, &o.VendorUSCC, &o.VendorName, &o.Text, &opened, &deadline, &o.Status, &o.DecidedBy,
			&decided, &o.DecisionReason, &o.AmendedValue, &o.Pending); err != nil {
			return nil, err
		}
		o.OpenedAt, o.DeadlineAt, o.DecidedAt = parseStored(opened), parseStored(deadline), parseStoredPtr(decided)
		out = append(out, o)
	}
	return out, rows.Err()
}

// OutsidePublication is a grade published outside a publication run: a
// blacklisting (out of cycle), a pending downgrade whose objection period
// ended, a decision on an objection, or a regulator's override.
type OutsidePublication struct {
	VendorUSCC, VendorName string
	At                     time.Time
	From, To               string // From: the grade published before, "" none
	Cause                  string // CauseMatured, CauseReview, CauseBlacklist or CauseOverride
	Reference              string // a blacklisting's document number
	Reason                 string // an override's public reason
}

// PublicationsOutsideRuns lists the publications not made by a run with
// from ≤ at < to (a zero to: no end), oldest first, at most limit, and how
// many there are.
func (db *DB) PublicationsOutsideRuns(ctx context.Context, from, to time.Time, limit int) ([]OutsidePublication, int, error) {
	end := "9999"
	if !to.IsZero() {
		end = formatTime(to)
	}
	const where = ` FROM grade_publications h WHERE h.cause IN ('matured', 'review', 'blacklist', 'override') AND h.at >= ? AND h.at < ?`
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*)`+where, formatTime(from), end).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("registry: count publications outside runs: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT v.uscc, v.name, h.at,
		coalesce((SELECT p.grade FROM grade_publications p WHERE p.vendor_id = h.vendor_id AND p.cause <> 'override'
			AND (p.at < h.at OR (p.at = h.at AND p.id < h.id)) ORDER BY p.at DESC, p.id DESC LIMIT 1), ''),
		h.grade, h.cause, coalesce(s.reference, ''), h.reason`+
		strings.Replace(where, "FROM grade_publications h", "FROM grade_publications h JOIN vendors v ON v.id = h.vendor_id LEFT JOIN sanctions s ON s.id = h.sanction_id", 1)+
		` ORDER BY h.at, h.id LIMIT ?`, formatTime(from), end, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("registry: publications outside runs: %w", err)
	}
	defer rows.Close()
	var out []OutsidePublication
	for rows.Next() {
		var p OutsidePublication
		var at string
		if err := rows.Scan(&p.VendorUSCC, &p.VendorName, &at, &p.From, &p.To, &p.Cause, &p.Reference, &p.Reason); err != nil {
			return nil, 0, err
		}
		p.At = parseStored(at)
		out = append(out, p)
	}
	return out, total, rows.Err()
}

// NextRun returns the run after run (by as-of), or ErrNotFound for the latest.
func (db *DB) NextRun(ctx context.Context, run PublicationRun) (PublicationRun, error) {
	row := db.read.QueryRowContext(ctx, `SELECT id, period, as_of, status, started_at, finished_at, actor, rules_version, vendors
		FROM publication_runs WHERE as_of > ? OR (as_of = ? AND id > ?) ORDER BY as_of, id LIMIT 1`,
		formatTime(run.AsOf), formatTime(run.AsOf), run.ID)
	r, err := scanRun(row)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	return r, err
}
