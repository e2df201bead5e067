package registry

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// GradeFacts are the stored facts behind what the public sees of one
// vendor's grade: its published grade, pending downgrade, override in force
// and latest evaluation. publicity.HeadlineOf turns them into the one
// headline every public page, badge, sticker, JSON answer and open-data row
// shows; the facts are read with gradeFactsColumns and gradeFactsJoins so
// every reader reads the same ones.
type GradeFacts struct {
	Published  *PublishedFacts  // nil before the first publication
	Pending    *PendingFacts    // nil: no pending downgrade
	Override   *OverrideFacts   // nil: no override in force at the query's instant
	Evaluation *EvaluationFacts // nil: never evaluated
}

// PublishedFacts is the current published grade.
type PublishedFacts struct {
	Grade        string
	Score        float64
	At           time.Time // the latest publication that set or confirmed Grade
	Since        time.Time // when Grade was first published (this streak)
	Note         string    // grade note (scoring.Note…), "" none
	RulesVersion string
}

// PendingFacts is a pending downgrade.
type PendingFacts struct {
	Grade       string
	PublicAfter time.Time
	Objected    bool // the vendor objected; a regulator decides
}

// OverrideFacts is a regulator's override in force.
type OverrideFacts struct {
	Grade, Reason string
	Until, SetAt  time.Time
}

// EvaluationFacts is the latest evaluation in brief.
type EvaluationFacts struct {
	Grade        string
	Score        float64
	AsOf         time.Time
	Reasons      []string
	RulesVersion string
}

// gradeFactsColumns selects a vendor's GradeFacts from the tables joined
// by gradeFactsJoins (aliases p, d, o and s on a vendors table aliased v);
// scan them with gradeFactsScanner.
const gradeFactsColumns = `p.grade, p.score, p.published_at, p.grade_since, p.grade_note, p.rules_version,
	d.grade, d.public_after, d.objected_at IS NOT NULL,
	o.grade, o.reason, o.until, o.set_at,
	s.grade, s.score, s.as_of, s.reasons, s.rules_version`

// gradeFactsJoins joins what gradeFactsColumns reads onto vendors v; its
// one parameter is the instant overrides must be in force at, as
// FormatStorage writes it.
const gradeFactsJoins = ` LEFT JOIN published_grades p ON p.vendor_id = v.id
	LEFT JOIN pending_downgrades d ON d.vendor_id = v.id
	LEFT JOIN grade_overrides o ON o.vendor_id = v.id AND o.until > ?
	LEFT JOIN vendor_scores s ON s.vendor_id = v.id`

// gradeFactsScanner receives gradeFactsColumns from a row: pass dest()'s
// pointers to Scan, then read facts().
type gradeFactsScanner struct {
	pGrade, pAt, pSince, pNote, pRules *string
	pScore                             *float64
	dGrade, dAfter                     *string
	dObjected                          *bool
	oGrade, oReason, oUntil, oSetAt    *string
	sGrade, sAsOf, sReasons, sRules    *string
	sScore                             *float64
}

// dest returns the scan destinations of gradeFactsColumns, in order.
func (g *gradeFactsScanner) dest() []any {
	return []any{&g.pGrade, &g.pScore, &g.pAt, &g.pSince, &g.pNote, &g.pRules,
		&g.dGrade, &g.dAfter, &g.dObjected,
		&g.oGrade, &g.oReason, &g.oUntil, &g.oSetAt,
		&g.sGrade, &g.sScore, &g.sAsOf, &g.sReasons, &g.sRules}
}

// facts returns what the last Scan read.
func (g *gradeFactsScanner) facts() GradeFacts {
	var f GradeFacts
	if g.pGrade != nil {
		f.Published = &PublishedFacts{Grade: *g.pGrade, Score: deref(g.pScore), At: parseStored(deref(g.pAt)),
			Since: parseStored(deref(g.pSince)), Note: deref(g.pNote), RulesVersion: deref(g.pRules)}
	}
	if g.dGrade != nil {
		f.Pending = &PendingFacts{Grade: *g.dGrade, PublicAfter: parseStored(deref(g.dAfter)), Objected: deref(g.dObjected)}
	}
	if g.oGrade != nil {
		f.Override = &OverrideFacts{Grade: *g.oGrade, Reason: deref(g.oReason), Until: parseStored(deref(g.oUntil)), SetAt: parseStored(deref(g.oSetAt))}
	}
	if g.sGrade != nil {
		e := &EvaluationFacts{Grade: *g.sGrade, Score: deref(g.sScore), AsOf: parseStored(deref(g.sAsOf)), RulesVersion: deref(g.sRules)}
		if r := deref(g.sReasons); r != "" {
			e.Reasons = strings.Split(r, ",")
		}
		f.Evaluation = e
	}
	return f
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// GradeFactsOf reads the GradeFacts of vendors ids at instant now (for
// overrides in force), keyed by vendor id.
func (db *DB) GradeFactsOf(ctx context.Context, ids []int64, now time.Time) (map[int64]GradeFacts, error) {
	out := make(map[int64]GradeFacts, len(ids))
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(len(ids), start+500)]
		args := []any{FormatStorage(now)}
		for _, id := range part {
			args = append(args, id)
		}
		rows, err := db.read.QueryContext(ctx, `SELECT v.id, `+gradeFactsColumns+` FROM vendors v`+gradeFactsJoins+`
			WHERE v.id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(part)), ",")+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("registry: grade facts: %w", err)
		}
		if err := scanGradeFacts(rows, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func scanGradeFacts(rows *sql.Rows, out map[int64]GradeFacts) error {
	defer rows.Close()
	var g gradeFactsScanner
	for rows.Next() {
		var id int64
		if err := rows.Scan(append([]any{&id}, g.dest()...)...); err != nil {
			return err
		}
		out[id] = g.facts()
	}
	return rows.Err()
}

// PublicationEntry is one entry of a vendor's publication history.
type PublicationEntry struct {
	At           time.Time
	Grade        string
	Score        *float64 // nil: an override with no publication behind it
	Note         string
	RulesVersion string
	Action       string
	Cause        string // Cause… constants
	Reference    string // cause blacklist: the entry's document number
	Reason       string // cause override: its public reason
}

// PublicationHistory lists a vendor's publications, newest first, at most limit.
func (db *DB) PublicationHistory(ctx context.Context, vendorID int64, limit int) ([]PublicationEntry, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT h.at, h.grade, h.score, h.grade_note, h.rules_version, h.action, h.cause,
		coalesce(s.reference, ''), h.reason
		FROM grade_publications h LEFT JOIN sanctions s ON s.id = h.sanction_id
		WHERE h.vendor_id = ? ORDER BY h.at DESC, h.id DESC LIMIT ?`, vendorID, limit)
	if err != nil {
		return nil, fmt.Errorf("registry: publication history: %w", err)
	}
	defer rows.Close()
	var out []PublicationEntry
	for rows.Next() {
		var e PublicationEntry
		var at string
		if err := rows.Scan(&at, &e.Grade, &e.Score, &e.Note, &e.RulesVersion, &e.Action, &e.Cause, &e.Reference, &e.Reason); err != nil {
			return nil, err
		}
		e.At = parseStored(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
