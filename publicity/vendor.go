// Package publicity decides what the public may see: publication runs,
// objection periods and overrides, and the read models behind the public pages
// and open data. It never logs and never reads the clock itself.
package publicity

import (
	"context"
	"errors"
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

// FindVendor builds the public record of the vendor with the given code
// from the records (the vendor JSON), or returns registry.ErrNotFound (also
// for a malformed code). Sanctions on display are those at the store's
// clock (db.Now). Pages read the stored documents instead (Documents).
func FindVendor(ctx context.Context, db *registry.DB, uscc string) (Vendor, error) {
	p, err := FindProfile(ctx, db, uscc, db.Now())
	return p.Vendor, err
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

	evs, err := db.CurrentEvaluations(ctx, ids)
	if err != nil {
		return nil, err
	}
	for id, e := range evs {
		pv := &out[index[id]]
		pv.Evaluation = &EvaluationInfo{AsOf: registry.FormatOutput(e.AsOf), RulesVersion: e.RulesVersion, Score: e.Score, Grade: e.Grade,
			Components: e.Components, Reasons: e.Reasons, Evidence: e.Evidence}
		pv.Stats = StatsOf(e.Evidence)
	}

	members, err := db.ActiveMembershipsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	for id, ms := range members {
		pv := &out[index[id]]
		for _, m := range ms {
			pv.Memberships = append(pv.Memberships, Membership{OrgUSCC: m.OrgUSCC, OrgName: m.OrgName, Since: registry.FormatOutput(m.Since)})
		}
	}

	if err := addPublished(ctx, db, out, index, ids, now); err != nil {
		return nil, err
	}
	sanctions, err := db.SanctionsOnDisplay(ctx, ids, now)
	if err != nil {
		return nil, err
	}
	for _, s := range sanctions {
		pv := &out[index[s.VendorID]]
		pv.Sanctions = append(pv.Sanctions, sanctionInfo(s))
	}
	return out, nil
}

// sanctionInfo is the public form of a sanction on display.
func sanctionInfo(s registry.DisplayedSanction) SanctionInfo {
	info := SanctionInfo{Kind: s.Kind, IssuedAt: registry.FormatOutput(s.IssuedAt), Reference: s.Reference, Summary: s.Summary}
	if s.Authority != "" {
		authority := s.Authority
		info.Authority = &authority
	}
	if s.DisplayUntil != nil {
		u := registry.FormatOutput(*s.DisplayUntil)
		info.DisplayUntil = &u
	}
	return info
}

// StatsOf is the three-year figures of an evaluation's evidence.
func StatsOf(e scoring.Evidence) VendorStats {
	return VendorStats{ComplaintsReceived3y: e.ComplaintsReceived, ComplaintsMerged3y: e.ComplaintsMerged,
		ComplaintsCounted3y: e.ComplaintsCounted, Callbacks3y: e.CallbacksCounted,
		SatisfactionRate: scoring.Rate(e.CallbacksSatisfied+e.CallbacksBasicallySatisfied, e.CallbacksSatisfied+e.CallbacksBasicallySatisfied+e.CallbacksDissatisfied)}
}

// evaluationHistory lists a vendor's stored evaluations, newest first.
func evaluationHistory(ctx context.Context, db *registry.DB, vendorID int64, limit int) ([]EvaluationEntry, error) {
	es, err := db.EvaluationHistory(ctx, vendorID, limit)
	if err != nil {
		return nil, err
	}
	out := make([]EvaluationEntry, 0, len(es))
	for _, e := range es {
		out = append(out, EvaluationEntry{AsOf: registry.FormatOutput(e.AsOf), Grade: e.Grade, Score: e.Score, RulesVersion: e.RulesVersion})
	}
	return out, nil
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
func addPublished(ctx context.Context, db *registry.DB, out []Vendor, index map[int64]int, ids []int64, now time.Time) error {
	facts, err := db.GradeFactsOf(ctx, ids, now)
	if err != nil {
		return err
	}
	for id, f := range facts {
		setHeadline(&out[index[id]], HeadlineOf(f))
	}
	replies, err := db.ApprovedReplies(ctx, ids)
	if err != nil {
		return err
	}
	for id, text := range replies {
		out[index[id]].Reply = &text
	}
	preds, err := db.PredecessorsOf(ctx, ids)
	if err != nil {
		return err
	}
	for id, ps := range preds {
		pv := &out[index[id]]
		for _, p := range ps {
			pv.Predecessors = append(pv.Predecessors, Predecessor{USCC: p.USCC, Name: p.Name})
		}
	}
	return nil
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
