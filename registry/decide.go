package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"chengxin/i18n"
	"chengxin/scoring"
)

// Decisions a regulator takes on a case.
const (
	DecisionUphold  = "upheld"   // objections: the grade or outcome stands
	DecisionAmend   = "amended"  // objections: a different grade or outcome
	DecisionApprove = "approved" // reply, repair
	DecisionReject  = "rejected" // reply, repair
)

// decisionsFor lists the decisions a case kind allows.
var decisionsFor = map[string][]string{
	CaseGradeObjection:     {DecisionUphold, DecisionAmend},
	CaseComplaintObjection: {DecisionUphold, DecisionAmend},
	CaseReply:              {DecisionApprove, DecisionReject},
	CaseRepair:             {DecisionApprove, DecisionReject},
}

// DecisionsFor returns the decisions a case kind allows.
func DecisionsFor(kind string) []string { return decisionsFor[kind] }

// DecideCase records a regulator's decision with a written reason and
// carries it out: an upheld grade objection publishes the pending grade now,
// an amended one publishes the amended grade; an amended complaint outcome
// changes the complaint and re-evaluates the vendor; an approved reply
// becomes public; an approved repair ends the sanction's display. A
// regulator cannot decide a case they opened. The vendor is told.
func (db *DB) DecideCase(ctx context.Context, actor Actor, caseID int64, decision, reason, amended string) error {
	if !actor.IsRegulator() {
		return ErrForbidden
	}
	var verr ValidationError
	reason = caseText(&verr, "reason", reason, MaxCaseText)
	if err := verr.Err(); err != nil {
		return err
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var c Case
		err := tx.QueryRowContext(ctx, `SELECT id, kind, vendor_id, subject, text, opened_by, status FROM cases WHERE id = ?`, caseID).
			Scan(&c.ID, &c.Kind, &c.VendorID, &c.Subject, &c.Text, &c.OpenedBy, &c.Status)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("registry: case #%d: %w", caseID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		switch {
		case c.Status != "open":
			return &ValidationError{Fields: map[string]i18n.Text{"decision": i18n.T("case.already_decided")}}
		case c.OpenedBy == actor.String():
			return &ValidationError{Fields: map[string]i18n.Text{"decision": i18n.T("case.own_case")}}
		case !slices.Contains(decisionsFor[c.Kind], decision):
			return &ValidationError{Fields: map[string]i18n.Text{"decision": i18n.T("field.oneof", strings.Join(decisionsFor[c.Kind], ", "))}}
		}
		amended = strings.TrimSpace(amended)
		if err := db.carryOut(ctx, tx, actor, c, decision, amended); err != nil {
			return err
		}
		now := formatTime(db.now())
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET status = ?, decided_by = ?, decided_at = ?, decision_reason = ?, amended_value = ? WHERE id = ?`,
			decision, actor.String(), now, reason, amended, c.ID); err != nil {
			return err
		}
		uscc := vendorUSCC(ctx, tx, c.VendorID)
		if err := db.notify(ctx, tx, RoleVendor, c.VendorID, "inbox.case_decided", []any{"case." + c.Kind, "decision." + decision}, "/console/me#cases"); err != nil {
			return err
		}
		if err := db.markForEvaluation(ctx, tx, []int64{c.VendorID}); err != nil {
			return err
		}
		return db.audit(ctx, tx, actor.String(), "case.decide", uscc, map[string]any{"case": c.ID, "kind": c.Kind,
			"decision": decision, "reason": reason, "amended": amended})
	})
	if err == nil {
		db.signalMarks()
	}
	return err
}

func (db *DB) carryOut(ctx context.Context, tx *sql.Tx, actor Actor, c Case, decision, amended string) error {
	now := db.now()
	switch c.Kind {
	case CaseGradeObjection:
		st, err := publicationState(ctx, tx, c.VendorID)
		if err != nil {
			return err
		}
		if st.Pending == nil {
			return &ValidationError{Fields: map[string]i18n.Text{"decision": i18n.T("case.pending_gone")}}
		}
		if decision == DecisionAmend && !slices.Contains([]string{"A", "B", "C", "D", "N"}, amended) {
			return &ValidationError{Fields: map[string]i18n.Text{"amended": i18n.T("field.oneof", "A, B, C, D, N")}}
		}
		var runVersion string
		if err := tx.QueryRowContext(ctx, `SELECT rules_version FROM publication_runs WHERE id = ?`, st.Pending.RunID).Scan(&runVersion); err != nil {
			return err
		}
		rules, err := db.RulesByVersion(ctx, runVersion)
		if err != nil {
			return err
		}
		d, _ := scoring.DecideObjection(rules, st, decision == DecisionUphold, amended)
		w, err := db.newPubWriter(ctx, tx, actor)
		if err != nil {
			return err
		}
		defer w.close()
		_, err = w.apply(ctx, c.VendorID, st, d, now, runVersion, PublicationCause{Kind: CauseReview, RunID: st.Pending.RunID, CaseID: c.ID})
		return err
	case CaseComplaintObjection:
		if decision != DecisionAmend {
			return nil
		}
		if !slices.Contains(Outcomes, amended) {
			return &ValidationError{Fields: map[string]i18n.Text{"amended": i18n.T("field.oneof", strings.Join(Outcomes, ", "))}}
		}
		var old string
		if err := tx.QueryRowContext(ctx, `SELECT outcome FROM complaints WHERE work_order_no = ?`, c.Subject).Scan(&old); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE complaints SET outcome = ?, updated_at = ? WHERE work_order_no = ?`, amended, formatTime(now), c.Subject); err != nil {
			return err
		}
		return db.audit(ctx, tx, actor.String(), "complaint.amend", c.Subject, map[string]any{"before": old, "after": amended, "case": c.ID})
	case CaseReply:
		if decision != DecisionApprove {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO vendor_replies(vendor_id, text, approved_at, case_id) VALUES (?,?,?,?)
			ON CONFLICT(vendor_id) DO UPDATE SET text=excluded.text, approved_at=excluded.approved_at, case_id=excluded.case_id`,
			c.VendorID, c.Text, formatTime(now), c.ID)
		return err
	case CaseRepair:
		if decision != DecisionApprove {
			return nil
		}
		id, _ := strconv.ParseInt(c.Subject, 10, 64)
		_, err := tx.ExecContext(ctx, `UPDATE sanctions SET repaired_at = ? WHERE id = ? AND repaired_at IS NULL AND lifted_at IS NULL`, formatTime(now), id)
		return err
	}
	return nil
}

// Override is a regulator's override of a vendor's public grade.
type Override struct {
	Grade, Reason, SetBy string
	Until, SetAt         time.Time
}

// SetOverride shows grade publicly instead of the published one, with a
// reason, until the expiry (it expires by itself).
func (db *DB) SetOverride(ctx context.Context, actor Actor, vendorID int64, grade, reason, until string) error {
	if !actor.IsRegulator() {
		return ErrForbidden
	}
	var verr ValidationError
	if !slices.Contains([]string{"A", "B", "C", "D", "N"}, grade) {
		verr.Add("grade", i18n.T("field.oneof", "A, B, C, D, N"))
	}
	reason = caseText(&verr, "reason", reason, 500)
	u, err := ParseValidUntil(until)
	switch {
	case strings.TrimSpace(until) == "":
		verr.Add("until", i18n.T("field.required"))
	case err != nil:
		verr.Add("until", i18n.T("field.date"))
	case !u.After(db.now()):
		verr.Add("until", i18n.T("override.past"))
	}
	if err := verr.Err(); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO grade_overrides(vendor_id, grade, reason, until, set_by, set_at) VALUES (?,?,?,?,?,?)
			ON CONFLICT(vendor_id) DO UPDATE SET grade=excluded.grade, reason=excluded.reason, until=excluded.until,
			set_by=excluded.set_by, set_at=excluded.set_at`, vendorID, grade, reason, formatTime(u), actor.String(), formatTime(db.now())); err != nil {
			return err
		}
		w, err := db.newPubWriter(ctx, tx, actor)
		if err != nil {
			return err
		}
		defer w.close()
		if err := w.recordOverride(ctx, vendorID, grade, reason, db.now()); err != nil {
			return err
		}
		if err := db.notify(ctx, tx, RoleVendor, vendorID, "inbox.override", []any{grade, FormatOutput(u)[:10]}, "/console/me"); err != nil {
			return err
		}
		return db.audit(ctx, tx, actor.String(), "override.set", vendorUSCC(ctx, tx, vendorID), map[string]any{"grade": grade, "reason": reason, "until": FormatOutput(u)})
	})
}

// ClearOverride ends an override early.
func (db *DB) ClearOverride(ctx context.Context, actor Actor, vendorID int64, reason string) error {
	if !actor.IsRegulator() {
		return ErrForbidden
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM grade_overrides WHERE vendor_id = ?`, vendorID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return db.audit(ctx, tx, actor.String(), "override.clear", vendorUSCC(ctx, tx, vendorID), map[string]any{"reason": MaskPersonalNumbers(strings.TrimSpace(reason))})
	})
}

// ActiveOverride returns the vendor's override in force, or ErrNotFound.
func (db *DB) ActiveOverride(ctx context.Context, vendorID int64) (Override, error) {
	var o Override
	var until, at string
	err := db.read.QueryRowContext(ctx, `SELECT grade, reason, until, set_by, set_at FROM grade_overrides WHERE vendor_id = ? AND until > ?`,
		vendorID, formatTime(db.now())).Scan(&o.Grade, &o.Reason, &until, &o.SetBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return o, ErrNotFound
	}
	o.Until, o.SetAt = parseStored(until), parseStored(at)
	return o, err
}

// PublishedGrade is a vendor's public grade with its pending downgrade, override and reply.
type PublishedGrade struct {
	Grade, RulesVersion string
	Score               float64
	PublishedAt         time.Time
	Pending             *PendingDowngrade
	Override            *Override
	Reply               string
}

// FindPublished returns what the public sees of a vendor's grade; Grade is
// "" before the first publication.
func (db *DB) FindPublished(ctx context.Context, vendorID int64) (PublishedGrade, error) {
	var p PublishedGrade
	var at string
	err := db.read.QueryRowContext(ctx, `SELECT grade, score, published_at, rules_version FROM published_grades WHERE vendor_id = ?`, vendorID).
		Scan(&p.Grade, &p.Score, &at, &p.RulesVersion)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return p, err
	}
	if err == nil {
		p.PublishedAt = parseStored(at)
	}
	var pd PendingDowngrade
	var after string
	var objected *string
	err = db.read.QueryRowContext(ctx, `SELECT grade, score, run_id, public_after, objected_at FROM pending_downgrades WHERE vendor_id = ?`, vendorID).
		Scan(&pd.Grade, &pd.Score, &pd.RunID, &after, &objected)
	if err == nil {
		pd.PublicAfter, pd.ObjectedAt = parseStored(after), parseStoredPtr(objected)
		p.Pending = &pd
	} else if !errors.Is(err, sql.ErrNoRows) {
		return p, err
	}
	if o, err := db.ActiveOverride(ctx, vendorID); err == nil {
		p.Override = &o
	} else if !errors.Is(err, ErrNotFound) {
		return p, err
	}
	err = db.read.QueryRowContext(ctx, `SELECT text FROM vendor_replies WHERE vendor_id = ?`, vendorID).Scan(&p.Reply)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return p, err
	}
	return p, nil
}
