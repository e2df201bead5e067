// Package publicity decides what the public may see: publication runs,
// objection periods and overrides, and the read models behind the public pages
// and open data. It never logs and never reads the clock itself.
package publicity

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"chengxin/registry"
	"chengxin/scoring"
)

// Vendor is docs/CONTRACT.md's public `Vendor` object. Its grade fields are the
// vendor's Headline (HeadlineOf): grade in force, the score and date of the
// publication behind it, when the grade was first published and why it
// differs from what the score alone gives; all null before the first
// publication, when Evaluation (the latest evaluation) is what pages show,
// marked as not yet published. Nothing here is private (no phone, address
// or complaint text).
type Vendor struct {
	USCC         string          `json:"uscc"`
	Name         string          `json:"name"`
	Status       string          `json:"status"`
	Districts    []string        `json:"districts"`
	Categories   []string        `json:"categories"`
	Grade        *string         `json:"grade"`
	Score        *float64        `json:"score"`
	PublishedAt  *string         `json:"published_at"`
	GradeSince   *string         `json:"grade_since"`
	GradeNote    *string         `json:"grade_note"`
	RulesVersion *string         `json:"rules_version"`
	Evaluation   *EvaluationInfo `json:"evaluation"`
	Stats        VendorStats     `json:"stats"`
	Memberships  []Membership    `json:"memberships"`
	Sanctions    []SanctionInfo  `json:"sanctions"`
	Pending      *PendingInfo    `json:"pending,omitempty"`
	Override     *OverrideInfo   `json:"override,omitempty"`
	Reply        *string         `json:"reply"`
	History      []HistoryEntry  `json:"history"`
	// Predecessors are earlier registrations of the same business whose
	// records count for this vendor.
	Predecessors []Predecessor `json:"predecessors"`
	// EvaluationHistory lists the vendor's stored evaluations, newest first
	// (detail only; not in list items).
	EvaluationHistory []EvaluationEntry `json:"evaluation_history,omitempty"`
	// Headline is what the grade fields above are made from; pages, badges
	// and stickers read it.
	Headline Headline `json:"-"`
}

// PendingInfo is a downgrade waiting for its objection period.
type PendingInfo struct {
	Grade       string `json:"grade"`
	PublicAfter string `json:"public_after"`
	// UnderObjection: the vendor objected and a regulator decides (pages say so).
	UnderObjection bool `json:"-"`
}

// OverrideInfo is a regulator's override of the public grade. While it is
// in force it is the grade public pages, badges and stickers show, also
// before the vendor's first publication (when Grade, Score and PublishedAt
// of the Vendor are null: an override has no score of its own).
type OverrideInfo struct {
	Grade  string `json:"grade"`
	Reason string `json:"reason"`
	Until  string `json:"until"`
	SetAt  string `json:"set_at"` // when the regulator set it
}

// Predecessor is a linked earlier registration.
type Predecessor struct {
	USCC string `json:"uscc"`
	Name string `json:"name"`
}

// Membership is a public, active membership.
type Membership struct {
	OrgUSCC string `json:"org_uscc"`
	OrgName string `json:"org_name"`
	Since   string `json:"since"`
}

// EvaluationInfo is CONTRACT's `evaluation` object: the latest evaluation.
type EvaluationInfo struct {
	AsOf         string             `json:"as_of"`
	RulesVersion string             `json:"rules_version"`
	Score        float64            `json:"score"`
	Grade        string             `json:"grade"`
	Components   scoring.Components `json:"components"`
	Reasons      []string           `json:"reasons"`
	Evidence     scoring.Evidence   `json:"evidence"`
}

// VendorStats are the three-year figures of the latest evaluation: of the
// complaints received, ComplaintsMerged3y were duplicates of another
// complaint about the same service order (counted once), and
// ComplaintsCounted3y cost points.
type VendorStats struct {
	ComplaintsReceived3y int `json:"complaints_received_3y"`
	ComplaintsMerged3y   int `json:"complaints_merged_3y"`
	ComplaintsCounted3y  int `json:"complaints_counted_3y"`
	Callbacks3y          int `json:"callbacks_3y"`
	// SatisfactionRate: satisfied or basically satisfied among rated
	// callbacks (unreachable ones left out); null without any.
	SatisfactionRate *float64 `json:"satisfaction_rate"`
}

// SanctionInfo is a sanction or commendation on display, with the
// decision's document number and issuing authority as Credit China shows
// them (Authority is null when a migrated record does not name it).
type SanctionInfo struct {
	Kind         string  `json:"kind"`
	IssuedAt     string  `json:"issued_at"`
	DisplayUntil *string `json:"display_until"`
	Reference    string  `json:"reference"` // the decision's document number
	Authority    *string `json:"authority"` // the issuing authority; null when not recorded
	Summary      string  `json:"summary"`
}

// HistoryEntry is one publication of the vendor's grade, newest first: a
// run that set or confirmed it, a pending downgrade that became public, a
// decision on an objection, a blacklist entry (out of cycle), an override.
type HistoryEntry struct {
	PublishedAt  string   `json:"published_at"`
	Grade        string   `json:"grade"`
	Score        *float64 `json:"score"` // null for N and for an override with no publication behind it
	RulesVersion string   `json:"rules_version"`
	Cause        string   `json:"cause"` // run, matured, review, blacklist, override
	GradeNote    *string  `json:"grade_note"`
	// Reference is the blacklist entry's document number (cause blacklist);
	// Reason the override's public reason (cause override).
	Reference *string `json:"reference,omitempty"`
	Reason    *string `json:"reason,omitempty"`
}

// EvaluationEntry is one stored evaluation in a vendor's history.
type EvaluationEntry struct {
	AsOf         string  `json:"as_of"`
	Grade        string  `json:"grade"`
	Score        float64 `json:"score"`
	RulesVersion string  `json:"rules_version"`
}

// FindVendor builds the public record of the vendor with the given code, or
// returns registry.ErrNotFound (also for a malformed code). Sanctions on
// display are those at the store's clock (db.Now).
func FindVendor(ctx context.Context, db *registry.DB, uscc string) (Vendor, error) {
	v, err := db.FindVendorByUSCC(ctx, uscc)
	if err != nil {
		return Vendor{}, err
	}
	out, err := vendorsOf(ctx, db, []registry.Vendor{v}, db.Now())
	if err != nil {
		return Vendor{}, err
	}
	pv := out[0]
	if pv.EvaluationHistory, err = evaluationHistory(ctx, db, v.ID, 50); err != nil {
		return pv, err
	}
	if pv.History, err = publishedHistory(ctx, db, v.ID); err != nil {
		return pv, err
	}
	return pv, nil
}

// VendorsByID builds the public records of ids, in that order.
func VendorsByID(ctx context.Context, db *registry.DB, ids []int64, now time.Time) ([]Vendor, error) {
	byID, err := db.FindVendorsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	vs := make([]registry.Vendor, 0, len(ids))
	for _, id := range ids {
		if v, ok := byID[id]; ok {
			vs = append(vs, v)
		}
	}
	return vendorsOf(ctx, db, vs, now)
}

// vendorsOf builds public records with one query per kind of data.
func vendorsOf(ctx context.Context, db *registry.DB, vs []registry.Vendor, now time.Time) ([]Vendor, error) {
	out := make([]Vendor, len(vs))
	if len(vs) == 0 {
		return out, nil
	}
	ids := make([]int64, len(vs))
	index := make(map[int64]int, len(vs))
	for i, v := range vs {
		ids[i], index[v.ID] = v.ID, i
		out[i] = Vendor{USCC: v.USCC, Name: v.Name, Status: v.Status, Districts: nonNil(v.Districts), Categories: nonNil(v.Categories),
			Memberships: []Membership{}, Sanctions: []SanctionInfo{}, History: []HistoryEntry{}, Predecessors: []Predecessor{}}
	}
	in, args := inList(ids)
	q := db.Reader()

	rows, err := q.QueryContext(ctx, `SELECT s.vendor_id, e.as_of, e.rules_version, e.score, e.grade, e.body
		FROM vendor_scores s JOIN evaluations e ON e.id = s.evaluation_id WHERE s.vendor_id IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("publicity: evaluations: %w", err)
	}
	for rows.Next() {
		var id int64
		var asOf, body string
		var ev EvaluationInfo
		if err := rows.Scan(&id, &asOf, &ev.RulesVersion, &ev.Score, &ev.Grade, &body); err != nil {
			rows.Close()
			return nil, err
		}
		var b storedBody
		if err := json.Unmarshal([]byte(body), &b); err != nil {
			rows.Close()
			return nil, fmt.Errorf("publicity: evaluation body of vendor #%d: %w", id, err)
		}
		ev.AsOf, ev.Components, ev.Reasons, ev.Evidence = registry.FormatOutput(parseTime(asOf)), b.Components, nonNil(b.Reasons), b.Evidence
		pv := &out[index[id]]
		pv.Evaluation, pv.Stats = &ev, StatsOf(b.Evidence)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = q.QueryContext(ctx, `SELECT m.vendor_id, o.uscc, o.name, m.since FROM memberships m JOIN orgs o ON o.id = m.org_id
		WHERE m.status = 'active' AND m.vendor_id IN (`+in+`) ORDER BY o.name, o.uscc`, args...)
	if err != nil {
		return nil, fmt.Errorf("publicity: memberships: %w", err)
	}
	for rows.Next() {
		var id int64
		var m Membership
		var since string
		if err := rows.Scan(&id, &m.OrgUSCC, &m.OrgName, &since); err != nil {
			rows.Close()
			return nil, err
		}
		m.Since = registry.FormatOutput(parseTime(since))
		pv := &out[index[id]]
		pv.Memberships = append(pv.Memberships, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	if err := addPublished(ctx, db, out, index, in, args, now); err != nil {
		return nil, err
	}
	sanctions, err := sanctionsOnDisplay(ctx, db, `s.vendor_id IN (`+in+`)`, args, now)
	if err != nil {
		return nil, err
	}
	for _, s := range sanctions {
		pv := &out[index[s.vendorID]]
		info := s.SanctionInfo
		info.Reference = s.Reference
		pv.Sanctions = append(pv.Sanctions, info)
	}
	return out, nil
}

// storedBody is the part of an evaluations row's body public records use.
type storedBody struct {
	Components scoring.Components `json:"components"`
	Reasons    []string           `json:"reasons"`
	Evidence   scoring.Evidence   `json:"evidence"`
}

// StatsOf is the three-year figures of an evaluation's evidence.
func StatsOf(e scoring.Evidence) VendorStats {
	return VendorStats{ComplaintsReceived3y: e.ComplaintsReceived, ComplaintsMerged3y: e.ComplaintsMerged,
		ComplaintsCounted3y: e.ComplaintsCounted, Callbacks3y: e.CallbacksCounted,
		SatisfactionRate: scoring.Rate(e.CallbacksSatisfied+e.CallbacksBasicallySatisfied, e.CallbacksSatisfied+e.CallbacksBasicallySatisfied+e.CallbacksDissatisfied)}
}

// vendorSanction is a sanction on display with its vendor.
type vendorSanction struct {
	SanctionInfo
	vendorID               int64
	VendorUSCC, VendorName string
}

// sanctionsOnDisplay lists sanctions and commendations on display at now
// (issued, not lifted, not repaired, display_until empty or later), newest
// first, matching the extra condition cond on sanctions s.
func sanctionsOnDisplay(ctx context.Context, db *registry.DB, cond string, args []any, now time.Time) ([]vendorSanction, error) {
	at := now.UTC().Format(time.RFC3339)
	rows, err := db.Reader().QueryContext(ctx, `SELECT s.vendor_id, v.uscc, v.name, s.kind, s.issued_at, s.display_until, s.summary, s.reference, s.authority
		FROM sanctions s JOIN vendors v ON v.id = s.vendor_id
		WHERE `+cond+` AND s.issued_at <= ? AND s.repaired_at IS NULL AND (s.lifted_at IS NULL OR s.lifted_at > ?)
		AND (s.display_until IS NULL OR s.display_until = '' OR s.display_until > ?)
		ORDER BY s.issued_at DESC, s.id DESC`, append(append([]any{}, args...), at, at, at)...)
	if err != nil {
		return nil, fmt.Errorf("publicity: sanctions: %w", err)
	}
	defer rows.Close()
	var out []vendorSanction
	for rows.Next() {
		var s vendorSanction
		var issued, authority string
		var until *string
		if err := rows.Scan(&s.vendorID, &s.VendorUSCC, &s.VendorName, &s.Kind, &issued, &until, &s.Summary, &s.Reference, &authority); err != nil {
			return nil, err
		}
		if authority != "" {
			s.Authority = &authority
		}
		s.IssuedAt = registry.FormatOutput(parseTime(issued))
		if until != nil && *until != "" {
			u := registry.FormatOutput(parseTime(*until))
			s.DisplayUntil = &u
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// evaluationHistory lists a vendor's stored evaluations, newest first.
func evaluationHistory(ctx context.Context, db *registry.DB, vendorID int64, limit int) ([]EvaluationEntry, error) {
	rows, err := db.Reader().QueryContext(ctx, `SELECT as_of, grade, score, rules_version FROM evaluations
		WHERE vendor_id = ? ORDER BY as_of DESC, id DESC LIMIT ?`, vendorID, limit)
	if err != nil {
		return nil, fmt.Errorf("publicity: evaluation history: %w", err)
	}
	defer rows.Close()
	out := []EvaluationEntry{}
	for rows.Next() {
		var e EvaluationEntry
		var asOf string
		if err := rows.Scan(&asOf, &e.Grade, &e.Score, &e.RulesVersion); err != nil {
			return nil, err
		}
		e.AsOf = registry.FormatOutput(parseTime(asOf))
		out = append(out, e)
	}
	return out, rows.Err()
}

// inList returns "?,?,…" and the arguments for ids.
func inList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(ids)), ","), args
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// IsNotFound reports a missing vendor or organisation.
func IsNotFound(err error) bool { return errors.Is(err, registry.ErrNotFound) }

// addPublished fills the headline (published grade, pending downgrade,
// override in force), approved reply and predecessors of the vendors.
func addPublished(ctx context.Context, db *registry.DB, out []Vendor, index map[int64]int, in string, args []any, now time.Time) error {
	ids := make([]int64, 0, len(index))
	for id := range index {
		ids = append(ids, id)
	}
	facts, err := db.GradeFactsOf(ctx, ids, now)
	if err != nil {
		return err
	}
	for id, f := range facts {
		setHeadline(&out[index[id]], HeadlineOf(f))
	}
	q := db.Reader()
	each := func(query string, qargs []any, scan func(rows *sql.Rows) error) error {
		rows, err := q.QueryContext(ctx, query, qargs...)
		if err != nil {
			return fmt.Errorf("publicity: published: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	if err := each(`SELECT vendor_id, text FROM vendor_replies WHERE vendor_id IN (`+in+`)`, args,
		func(rows *sql.Rows) error {
			var id int64
			var text string
			if err := rows.Scan(&id, &text); err != nil {
				return err
			}
			out[index[id]].Reply = &text
			return nil
		}); err != nil {
		return err
	}
	return each(`SELECT p.vendor_id, v.uscc, v.name FROM vendor_predecessors p JOIN vendors v ON v.id = p.predecessor_id
		WHERE p.vendor_id IN (`+in+`) ORDER BY p.linked_at`, args,
		func(rows *sql.Rows) error {
			var id int64
			var p Predecessor
			if err := rows.Scan(&id, &p.USCC, &p.Name); err != nil {
				return err
			}
			pv := &out[index[id]]
			pv.Predecessors = append(pv.Predecessors, p)
			return nil
		})
}

// setHeadline puts a headline into CONTRACT's grade fields: null before the
// first publication (a provisional grade is the evaluation's, which the
// `evaluation` object carries).
func setHeadline(pv *Vendor, h Headline) {
	pv.Headline = h
	if h.Published() {
		g := h.Grade
		pv.Grade, pv.Score = &g, h.Score
		if h.PublishedAt != nil {
			at := registry.FormatOutput(*h.PublishedAt)
			pv.PublishedAt = &at
		}
		if h.GradeSince != nil {
			since := registry.FormatOutput(*h.GradeSince)
			pv.GradeSince = &since
		}
		if h.Note != "" {
			note := h.Note
			pv.GradeNote = &note
		}
		if h.RulesVersion != "" {
			rv := h.RulesVersion
			pv.RulesVersion = &rv
		}
	}
	if p := h.Pending; p != nil {
		pv.Pending = &PendingInfo{Grade: p.Grade, PublicAfter: registry.FormatOutput(p.PublicAfter), UnderObjection: p.UnderObjection}
	}
	if o := h.Override; o != nil {
		pv.Override = &OverrideInfo{Grade: o.Grade, Reason: o.Reason, Until: registry.FormatOutput(o.Until), SetAt: registry.FormatOutput(o.SetAt)}
	}
}

// publishedHistory lists the vendor's publications, newest first.
func publishedHistory(ctx context.Context, db *registry.DB, vendorID int64) ([]HistoryEntry, error) {
	entries, err := db.PublicationHistory(ctx, vendorID, 60)
	if err != nil {
		return nil, err
	}
	out := make([]HistoryEntry, 0, len(entries))
	for _, e := range entries {
		h := HistoryEntry{PublishedAt: registry.FormatOutput(e.At), Grade: e.Grade, RulesVersion: e.RulesVersion, Cause: e.Cause}
		if e.Score != nil && e.Grade != scoring.GradeN {
			score := *e.Score
			h.Score = &score
		}
		if e.Note != "" {
			note := e.Note
			h.GradeNote = &note
		}
		if e.Reference != "" {
			ref := e.Reference
			h.Reference = &ref
		}
		if e.Reason != "" {
			reason := e.Reason
			h.Reason = &reason
		}
		out = append(out, h)
	}
	return out, nil
}
