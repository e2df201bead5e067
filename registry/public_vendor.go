package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"chengxin/scoring"
)

// The reads in this file build the public record of vendors
// (publicity.VendorsByID, FindVendor): one query per kind of data for a
// whole page of vendors, nothing private (no phone, address or complaint
// text).

// CurrentEvaluation is a vendor's current evaluation as public records show
// it: its columns and the components, reasons and evidence of its body.
type CurrentEvaluation struct {
	AsOf         time.Time
	RulesVersion string
	Score        float64
	Grade        string
	Components   scoring.Components
	Reasons      []string // never nil
	Evidence     scoring.Evidence
}

// CurrentEvaluations returns the current evaluation of each of ids that has
// one, keyed by vendor id.
func (db *DB) CurrentEvaluations(ctx context.Context, ids []int64) (map[int64]CurrentEvaluation, error) {
	out := make(map[int64]CurrentEvaluation, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in, args := idList(ids)
	rows, err := db.read.QueryContext(ctx, `SELECT s.vendor_id, e.as_of, e.rules_version, e.score, e.grade, e.body
		FROM vendor_scores s JOIN evaluations e ON e.id = s.evaluation_id WHERE s.vendor_id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("registry: current evaluations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var asOf, body string
		var ev CurrentEvaluation
		if err := rows.Scan(&id, &asOf, &ev.RulesVersion, &ev.Score, &ev.Grade, &body); err != nil {
			return nil, err
		}
		var b struct {
			Components scoring.Components `json:"components"`
			Reasons    []string           `json:"reasons"`
			Evidence   scoring.Evidence   `json:"evidence"`
		}
		if err := json.Unmarshal([]byte(body), &b); err != nil {
			return nil, fmt.Errorf("registry: evaluation body of vendor #%d: %w", id, err)
		}
		ev.AsOf, ev.Components, ev.Reasons, ev.Evidence = parseStored(asOf), b.Components, b.Reasons, b.Evidence
		if ev.Reasons == nil {
			ev.Reasons = []string{}
		}
		out[id] = ev
	}
	return out, rows.Err()
}

// PublicMembership is an active membership as public records show it.
type PublicMembership struct {
	OrgUSCC, OrgName string
	Since            time.Time
}

// ActiveMembershipsOf lists the active memberships of each of ids, by
// organisation name then code, keyed by vendor id.
func (db *DB) ActiveMembershipsOf(ctx context.Context, ids []int64) (map[int64][]PublicMembership, error) {
	out := make(map[int64][]PublicMembership, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in, args := idList(ids)
	rows, err := db.read.QueryContext(ctx, `SELECT m.vendor_id, o.uscc, o.name, m.since FROM memberships m JOIN orgs o ON o.id = m.org_id
		WHERE m.status = 'active' AND m.vendor_id IN (`+in+`) ORDER BY o.name, o.uscc`, args...)
	if err != nil {
		return nil, fmt.Errorf("registry: active memberships: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var m PublicMembership
		var since string
		if err := rows.Scan(&id, &m.OrgUSCC, &m.OrgName, &since); err != nil {
			return nil, err
		}
		m.Since = parseStored(since)
		out[id] = append(out[id], m)
	}
	return out, rows.Err()
}

// ApprovedReplies returns the approved public reply of each of ids that has
// one, keyed by vendor id.
func (db *DB) ApprovedReplies(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in, args := idList(ids)
	rows, err := db.read.QueryContext(ctx, `SELECT vendor_id, text FROM vendor_replies WHERE vendor_id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("registry: replies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var text string
		if err := rows.Scan(&id, &text); err != nil {
			return nil, err
		}
		out[id] = text
	}
	return out, rows.Err()
}

// PredecessorsOf lists the linked earlier registrations of each of ids, in
// the order they were linked, keyed by vendor id (see Predecessors).
func (db *DB) PredecessorsOf(ctx context.Context, ids []int64) (map[int64][]Predecessor, error) {
	out := make(map[int64][]Predecessor, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in, args := idList(ids)
	rows, err := db.read.QueryContext(ctx, `SELECT p.vendor_id, v.id, v.uscc, v.name, p.reason, p.linked_at
		FROM vendor_predecessors p JOIN vendors v ON v.id = p.predecessor_id
		WHERE p.vendor_id IN (`+in+`) ORDER BY p.linked_at`, args...)
	if err != nil {
		return nil, fmt.Errorf("registry: predecessors: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p Predecessor
		var linked string
		if err := rows.Scan(&id, &p.VendorID, &p.USCC, &p.Name, &p.Reason, &linked); err != nil {
			return nil, err
		}
		p.LinkedAt = parseStored(linked)
		out[id] = append(out[id], p)
	}
	return out, rows.Err()
}

// DisplayedSanction is a sanction or commendation on public display, with
// its vendor.
type DisplayedSanction struct {
	VendorID               int64
	VendorUSCC, VendorName string
	Kind                   string
	IssuedAt               time.Time
	DisplayUntil           *time.Time // nil: until lifted
	Summary                string     // the decision's public summary
	Reference              string     // the decision's document number
	Authority              string     // the issuing authority; "" when not recorded
}

// SanctionsOnDisplay lists the sanctions and commendations of vendors ids
// on display at now, newest first (see sanctionsOnDisplay).
func (db *DB) SanctionsOnDisplay(ctx context.Context, ids []int64, now time.Time) ([]DisplayedSanction, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in, args := idList(ids)
	return db.sanctionsOnDisplay(ctx, `s.vendor_id IN (`+in+`)`, args, now)
}

// BlacklistOnDisplay lists the blacklist entries (严重失信) on display at
// now, newest first.
func (db *DB) BlacklistOnDisplay(ctx context.Context, now time.Time) ([]DisplayedSanction, error) {
	return db.sanctionsOnDisplay(ctx, `s.kind = 'blacklist'`, nil, now)
}

// sanctionsOnDisplay lists sanctions on display at now (issued, not lifted,
// not repaired, display_until empty or later), newest first, matching the
// extra condition cond on sanctions s.
func (db *DB) sanctionsOnDisplay(ctx context.Context, cond string, args []any, now time.Time) ([]DisplayedSanction, error) {
	at := formatTime(now)
	rows, err := db.read.QueryContext(ctx, `SELECT s.vendor_id, v.uscc, v.name, s.kind, s.issued_at, s.display_until, s.summary, s.reference, s.authority
		FROM sanctions s JOIN vendors v ON v.id = s.vendor_id
		WHERE `+cond+` AND s.issued_at <= ? AND s.repaired_at IS NULL AND (s.lifted_at IS NULL OR s.lifted_at > ?)
		AND (s.display_until IS NULL OR s.display_until = '' OR s.display_until > ?)
		ORDER BY s.issued_at DESC, s.id DESC`, append(append([]any{}, args...), at, at, at)...)
	if err != nil {
		return nil, fmt.Errorf("registry: sanctions on display: %w", err)
	}
	defer rows.Close()
	var out []DisplayedSanction
	for rows.Next() {
		var s DisplayedSanction
		var issued string
		var until *string
		if err := rows.Scan(&s.VendorID, &s.VendorUSCC, &s.VendorName, &s.Kind, &issued, &until, &s.Summary, &s.Reference, &s.Authority); err != nil {
			return nil, err
		}
		s.IssuedAt, s.DisplayUntil = parseStored(issued), parseStoredPtr(until)
		out = append(out, s)
	}
	return out, rows.Err()
}

// EvaluationSummary is one stored evaluation in a vendor's history.
type EvaluationSummary struct {
	AsOf         time.Time
	Grade        string
	Score        float64
	RulesVersion string
}

// EvaluationHistory lists a vendor's stored evaluations, newest first, at
// most limit.
func (db *DB) EvaluationHistory(ctx context.Context, vendorID int64, limit int) ([]EvaluationSummary, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT as_of, grade, score, rules_version FROM evaluations
		WHERE vendor_id = ? ORDER BY as_of DESC, id DESC LIMIT ?`, vendorID, limit)
	if err != nil {
		return nil, fmt.Errorf("registry: evaluation history: %w", err)
	}
	defer rows.Close()
	var out []EvaluationSummary
	for rows.Next() {
		var e EvaluationSummary
		var asOf string
		if err := rows.Scan(&asOf, &e.Grade, &e.Score, &e.RulesVersion); err != nil {
			return nil, err
		}
		e.AsOf = parseStored(asOf)
		out = append(out, e)
	}
	return out, rows.Err()
}

// idList returns "?,?,…" and the arguments for ids.
func idList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(ids)), ","), args
}
