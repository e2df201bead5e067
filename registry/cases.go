package registry

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"chengxin/i18n"
)

// Case kinds.
const (
	CaseGradeObjection     = "grade_objection"
	CaseComplaintObjection = "complaint_objection"
	CaseReply              = "reply"
	CaseRepair             = "repair"
)

// Due-process limits.
const (
	MaxCaseText        = 2000 // characters of an objection or application
	MaxReplyText       = 500  // characters of a public reply
	MaxAttachmentRef   = 200
	ReviewPeriod       = 14 * 24 * time.Hour // a regulator should decide within
	ComplaintObjection = 30 * 24 * time.Hour // a closed complaint's outcome may be objected to within
)

// repairAfterMonths is a sanction's minimum display, in calendar months
// (Asia/Shanghai), before credit repair may be applied for: warning 3,
// fine 6, serious penalty and blacklist entry 12. Commendations are never
// repaired.
var repairAfterMonths = map[string]int{"warning": 3, "fine": 6, "serious_penalty": 12, "blacklist": 12}

// Case is one objection, reply or application and its decision.
type Case struct {
	ID             int64
	Kind           string
	VendorID       int64
	VendorUSCC     string
	VendorName     string
	Subject        string
	Text           string
	Attachment     string
	OpenedBy       string
	OpenedAt       time.Time
	DeadlineAt     time.Time
	Status         string
	DecidedBy      string
	DecidedAt      *time.Time
	DecisionReason string
	AmendedValue   string
}

// caseText checks a written text (an objection, a reply, an application, a
// decision's or an override's reason) and returns it trimmed, with personal
// numbers masked: vendors quote complaints, and some texts are public.
func caseText(verr *ValidationError, field, text string, limit int) string {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		verr.Add(field, i18n.T("field.required"))
	case len([]rune(text)) > limit:
		verr.Add(field, i18n.T("field.too_long", limit))
	case !isPrintableText(text):
		verr.Add(field, i18n.T("field.printable"))
	}
	return MaskPersonalNumbers(text)
}

// isPrintableText is isPrintable that also allows line breaks.
func isPrintableText(s string) bool {
	return isPrintable(strings.NewReplacer("\r\n", "", "\n", "").Replace(s))
}

// openCase inserts a case, refusing a second open case on the same subject,
// and tells the regulators.
func (db *DB) openCase(ctx context.Context, tx *sql.Tx, actor Actor, c *Case) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM cases WHERE vendor_id = ? AND kind = ? AND subject = ? AND status = 'open'`,
		c.VendorID, c.Kind, c.Subject).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return &ValidationError{Fields: map[string]i18n.Text{"text": i18n.T("case.already_open")}}
	}
	now := db.now()
	c.OpenedBy, c.OpenedAt, c.DeadlineAt, c.Status = actor.String(), now, now.Add(ReviewPeriod), "open"
	err := tx.QueryRowContext(ctx, `INSERT INTO cases(kind, vendor_id, subject, text, attachment, opened_by, opened_at, deadline_at)
		VALUES (?,?,?,?,?,?,?,?) RETURNING id`, c.Kind, c.VendorID, c.Subject, c.Text, c.Attachment, c.OpenedBy, formatTime(now), formatTime(c.DeadlineAt)).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("registry: open case: %w", err)
	}
	uscc := vendorUSCC(ctx, tx, c.VendorID)
	if err := db.notify(ctx, tx, RoleRegulator, 0, "inbox.case_opened", []any{uscc, "case." + c.Kind}, "/console/reviews"); err != nil {
		return err
	}
	return db.audit(ctx, tx, actor.String(), "case.open", uscc, map[string]any{"case": c.ID, "kind": c.Kind, "subject": c.Subject})
}

func vendorUSCC(ctx context.Context, q querier, id int64) string {
	var s string
	q.QueryRowContext(ctx, `SELECT uscc FROM vendors WHERE id = ?`, id).Scan(&s)
	return s
}

// ObjectToPendingGrade files the vendor's objection to its pending
// downgrade before the objection period ends; the downgrade then waits for
// a regulator's decision instead of becoming public by itself.
func (db *DB) ObjectToPendingGrade(ctx context.Context, actor Actor, vendorID int64, text, attachment string) (Case, error) {
	var verr ValidationError
	c := Case{Kind: CaseGradeObjection, VendorID: vendorID, Text: caseText(&verr, "text", text, MaxCaseText),
		Attachment: strings.TrimSpace(attachment)}
	if len([]rune(c.Attachment)) > MaxAttachmentRef {
		verr.Add("attachment", i18n.T("field.too_long", MaxAttachmentRef))
	}
	if err := verr.Err(); err != nil {
		return c, err
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var runID int64
		var after string
		var objected *string
		err := tx.QueryRowContext(ctx, `SELECT run_id, public_after, objected_at FROM pending_downgrades WHERE vendor_id = ?`, vendorID).
			Scan(&runID, &after, &objected)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return &ValidationError{Fields: map[string]i18n.Text{"text": i18n.T("case.no_pending")}}
		case err != nil:
			return err
		case objected != nil:
			return &ValidationError{Fields: map[string]i18n.Text{"text": i18n.T("case.already_objected")}}
		case !db.now().Before(parseStored(after)):
			return &ValidationError{Fields: map[string]i18n.Text{"text": i18n.T("case.too_late")}}
		}
		c.Subject = strconv.FormatInt(runID, 10)
		if _, err := tx.ExecContext(ctx, `UPDATE pending_downgrades SET objected_at = ? WHERE vendor_id = ?`, formatTime(db.now()), vendorID); err != nil {
			return err
		}
		return db.openCase(ctx, tx, actor, &c)
	})
	return c, err
}

// ObjectToComplaint files the vendor's objection to the outcome of one of
// its closed complaints, within 30 days of its closing.
func (db *DB) ObjectToComplaint(ctx context.Context, actor Actor, vendorID int64, workOrderNo, text, attachment string) (Case, error) {
	var verr ValidationError
	c := Case{Kind: CaseComplaintObjection, VendorID: vendorID, Subject: strings.TrimSpace(workOrderNo),
		Text: caseText(&verr, "text", text, MaxCaseText), Attachment: strings.TrimSpace(attachment)}
	if len([]rune(c.Attachment)) > MaxAttachmentRef {
		verr.Add("attachment", i18n.T("field.too_long", MaxAttachmentRef))
	}
	if err := verr.Err(); err != nil {
		return c, err
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var status string
		var closed *string
		err := tx.QueryRowContext(ctx, `SELECT status, closed_at FROM complaints WHERE work_order_no = ? AND vendor_id = ?`, c.Subject, vendorID).
			Scan(&status, &closed)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return &ValidationError{Fields: map[string]i18n.Text{"work_order_no": i18n.T("case.no_complaint")}}
		case err != nil:
			return err
		case status != "closed" || closed == nil:
			return &ValidationError{Fields: map[string]i18n.Text{"work_order_no": i18n.T("case.complaint_open")}}
		case db.now().Sub(parseStored(*closed)) > ComplaintObjection:
			return &ValidationError{Fields: map[string]i18n.Text{"work_order_no": i18n.T("case.too_late")}}
		}
		return db.openCase(ctx, tx, actor, &c)
	})
	return c, err
}

// SubmitReply files the vendor's public reply; it is shown after a
// regulator approves it. It is plain text (escaped on output).
func (db *DB) SubmitReply(ctx context.Context, actor Actor, vendorID int64, text string) (Case, error) {
	var verr ValidationError
	c := Case{Kind: CaseReply, VendorID: vendorID, Text: caseText(&verr, "text", text, MaxReplyText)}
	if err := verr.Err(); err != nil {
		return c, err
	}
	return c, db.inTx(ctx, func(tx *sql.Tx) error { return db.openCase(ctx, tx, actor, &c) })
}

// ApplyForRepair files a credit-repair application for one of the vendor's
// sanctions on display, after the kind's minimum display period.
func (db *DB) ApplyForRepair(ctx context.Context, actor Actor, vendorID, sanctionID int64, text string) (Case, error) {
	var verr ValidationError
	c := Case{Kind: CaseRepair, VendorID: vendorID, Subject: strconv.FormatInt(sanctionID, 10), Text: caseText(&verr, "text", text, MaxCaseText)}
	if err := verr.Err(); err != nil {
		return c, err
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var kind, issued string
		var until, repaired, lifted *string
		err := tx.QueryRowContext(ctx, `SELECT kind, issued_at, display_until, repaired_at, lifted_at FROM sanctions WHERE id = ? AND vendor_id = ?`,
			sanctionID, vendorID).Scan(&kind, &issued, &until, &repaired, &lifted)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return &ValidationError{Fields: map[string]i18n.Text{"sanction": i18n.T("case.no_sanction")}}
		case err != nil:
			return err
		case repaired != nil || lifted != nil || (until != nil && !parseStored(*until).After(db.now())) || kind == "commendation":
			return &ValidationError{Fields: map[string]i18n.Text{"sanction": i18n.T("case.not_on_display")}}
		case db.now().Before(RepairEligibleFrom(kind, parseStored(issued))):
			return &ValidationError{Fields: map[string]i18n.Text{"sanction": i18n.T("case.repair_too_early",
				LocalDate(RepairEligibleFrom(kind, parseStored(issued))))}}
		}
		return db.openCase(ctx, tx, actor, &c)
	})
	return c, err
}

// RepairEligibleFrom is when credit repair of a sanction of kind issued at
// issued may first be applied for: the same local time of day, the kind's
// minimum display in calendar months later (Asia/Shanghai).
func RepairEligibleFrom(kind string, issued time.Time) time.Time {
	return issued.In(Shanghai).AddDate(0, repairAfterMonths[kind], 0)
}

// RepairEligible reports whether credit repair of s may be applied for at
// now: a sanction (not a commendation) on display for at least its kind's
// minimum display.
func RepairEligible(s Sanction, now time.Time) bool {
	return s.Kind != "commendation" && s.OnDisplay(now) && !now.Before(RepairEligibleFrom(s.Kind, s.IssuedAt))
}

// CaseFilter selects cases.
type CaseFilter struct {
	Status   string // "" all
	VendorID int64  // 0 all
	Limit    int
}

// FindCases lists cases: open ones by deadline (oldest first), others newest first.
func (db *DB) FindCases(ctx context.Context, f CaseFilter) ([]Case, error) {
	where, args := []string{"1=1"}, []any{}
	if f.Status != "" {
		where, args = append(where, "c.status = ?"), append(args, f.Status)
	}
	if f.VendorID != 0 {
		where, args = append(where, "c.vendor_id = ?"), append(args, f.VendorID)
	}
	order := "c.id DESC"
	if f.Status == "open" {
		order = "c.deadline_at, c.id"
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	rows, err := db.read.QueryContext(ctx, `SELECT c.id, c.kind, c.vendor_id, v.uscc, v.name, c.subject, c.text, c.attachment, c.opened_by,
		c.opened_at, c.deadline_at, c.status, coalesce(c.decided_by, ''), c.decided_at, coalesce(c.decision_reason, ''), coalesce(c.amended_value, '')
		FROM cases c JOIN vendors v ON v.id = c.vendor_id WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order+` LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("registry: find cases: %w", err)
	}
	defer rows.Close()
	var out []Case
	for rows.Next() {
		var c Case
		var opened, deadline string
		var decided *string
		if err := rows.Scan(&c.ID, &c.Kind, &c.VendorID, &c.VendorUSCC, &c.VendorName, &c.Subject, &c.Text, &c.Attachment, &c.OpenedBy,
			&opened, &deadline, &c.Status, &c.DecidedBy, &decided, &c.DecisionReason, &c.AmendedValue); err != nil {
			return nil, err
		}
		c.OpenedAt, c.DeadlineAt, c.DecidedAt = parseStored(opened), parseStored(deadline), parseStoredPtr(decided)
		out = append(out, c)
	}
	return out, rows.Err()
}

// notify adds an inbox message for a role (every regulator) or a vendor.
func (db *DB) notify(ctx context.Context, tx *sql.Tx, role string, vendorID int64, key string, args []any, link string) error {
	b, err := json.Marshal(args)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO notifications(role, vendor_id, at, key, args, link) VALUES (?,?,?,?,?,?)`,
		role, nullID(vendorID), formatTime(db.now()), key, string(b), link)
	return err
}

// Notification is one inbox message, rendered late in the reader's language.
type Notification struct {
	ID   int64
	At   time.Time
	Text i18n.Text
	Link string
}

// Inbox lists a regulator's (vendorID 0) or a vendor's latest messages.
func (db *DB) Inbox(ctx context.Context, role string, vendorID int64, limit int) ([]Notification, error) {
	q := `SELECT id, at, key, args, link FROM notifications WHERE role = ? AND vendor_id IS NULL ORDER BY id DESC LIMIT ?`
	args := []any{role, limit}
	if vendorID != 0 {
		q = `SELECT id, at, key, args, link FROM notifications WHERE role = ? AND vendor_id = ? ORDER BY id DESC LIMIT ?`
		args = []any{role, vendorID, limit}
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("registry: inbox: %w", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		var at, key, raw string
		if err := rows.Scan(&n.ID, &at, &key, &raw, &n.Link); err != nil {
			return nil, err
		}
		var a []any
		json.Unmarshal([]byte(raw), &a)
		// Arguments that are catalog keys ("case.reply") are rendered too.
		for i, x := range a {
			if s, ok := x.(string); ok && i18n.Has(s) {
				a[i] = i18n.T(s)
			}
		}
		n.At, n.Text = parseStored(at), i18n.T(key, a...)
		out = append(out, n)
	}
	return out, rows.Err()
}

// reminderAhead is how early deadlines show up as reminders.
const reminderAhead = 3 * 24 * time.Hour

// Reminders lists deadlines within three days: for a vendor, its pending
// downgrade that it has not objected to; for regulators, open cases.
func (db *DB) Reminders(ctx context.Context, role string, vendorID int64) ([]Notification, error) {
	now := db.now()
	soon := formatTime(now.Add(reminderAhead))
	var out []Notification
	if role == RoleVendor {
		var grade, after string
		err := db.read.QueryRowContext(ctx, `SELECT grade, public_after FROM pending_downgrades WHERE vendor_id = ? AND objected_at IS NULL
			AND public_after > ? AND public_after <= ?`, vendorID, formatTime(now), soon).Scan(&grade, &after)
		if err == nil {
			out = append(out, Notification{At: now, Text: i18n.T("inbox.pending_soon", grade, parseStored(after).In(Shanghai).Format("2006-01-02 15:04")), Link: "/console/me"})
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return out, nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT v.uscc, c.kind, c.deadline_at FROM cases c JOIN vendors v ON v.id = c.vendor_id
		WHERE c.status = 'open' AND c.deadline_at <= ? ORDER BY c.deadline_at LIMIT 20`, soon)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var uscc, kind, deadline string
		if err := rows.Scan(&uscc, &kind, &deadline); err != nil {
			return nil, err
		}
		out = append(out, Notification{At: now, Text: i18n.T("inbox.case_due", uscc, i18n.T("case."+kind), FormatOutput(parseStored(deadline))[:10]), Link: "/console/reviews"})
	}
	return out, rows.Err()
}
