package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"chengxin/i18n"
)

// Sanction kinds.
var SanctionKinds = []string{"warning", "fine", "serious_penalty", "blacklist", "commendation"}

// defaultDisplay is how long a sanction is shown when no display_until is
// given: warning and fine one year, serious penalty three; blacklist
// entries and commendations until lifted (zero).
var defaultDisplay = map[string]int{"warning": 1, "fine": 1, "serious_penalty": 3}

// Sanction is a regulator decision on a vendor; the summary is public.
type Sanction struct {
	ID           int64
	VendorID     int64
	VendorUSCC   string
	Kind         string
	IssuedAt     time.Time
	DisplayUntil *time.Time // nil: until lifted
	Reference    string
	Summary      string
	RepairedAt   *time.Time
	LiftedAt     *time.Time
}

// SanctionInput is a sanction as typed into a form or a CSV row.
type SanctionInput struct {
	VendorUSCC   string `json:"vendor_uscc"`
	Kind         string `json:"kind"`
	IssuedAt     string `json:"issued_at"`
	DisplayUntil string `json:"display_until"`
	Reference    string `json:"reference"`
	Summary      string `json:"summary"`
}

func (db *DB) prepareSanction(ctx context.Context, q querier, in SanctionInput) (Sanction, error) {
	var verr ValidationError
	s := Sanction{Kind: strings.TrimSpace(in.Kind), Reference: cleanText(in.Reference), Summary: cleanText(in.Summary)}
	var code string
	s.VendorID, code = newVendorResolver(db, q).resolve(ctx, &verr, in.VendorUSCC)
	s.VendorUSCC = code
	checkEnum(&verr, "kind", s.Kind, SanctionKinds, true)
	tp := timeParser{now: db.now()}
	if t := tp.parse(&verr, "issued_at", in.IssuedAt, true, true); t != nil {
		s.IssuedAt = *t
	}
	if u := strings.TrimSpace(in.DisplayUntil); u != "" {
		t, err := ParseValidUntil(u)
		switch {
		case err != nil:
			verr.Add("display_until", i18n.T("field.date"))
		case !s.IssuedAt.IsZero() && t.Before(s.IssuedAt):
			verr.Add("display_until", i18n.T("sanction.until_before_issue"))
		default:
			s.DisplayUntil = &t
		}
	} else if years, ok := defaultDisplay[s.Kind]; ok && !s.IssuedAt.IsZero() {
		t := s.IssuedAt.AddDate(years, 0, 0)
		s.DisplayUntil = &t
	}
	checkKey(&verr, "reference", s.Reference)
	switch {
	case s.Summary == "":
		verr.Add("summary", i18n.T("field.required"))
	case len([]rune(s.Summary)) > 500:
		verr.Add("summary", i18n.T("field.too_long", 500))
	case !isPrintable(s.Summary):
		verr.Add("summary", i18n.T("field.printable"))
	}
	s.Summary = MaskPersonalNumbers(s.Summary) // public text: no personal numbers
	return s, verr.Err()
}

// upsertSanction stores a sanction keyed by vendor, kind and reference.
func (db *DB) upsertSanction(ctx context.Context, tx *sql.Tx, actor Actor, s Sanction) (string, []int64, error) {
	var id int64
	var issued, summary string
	var until *string
	err := tx.QueryRowContext(ctx, `SELECT id, issued_at, display_until, summary FROM sanctions WHERE vendor_id = ? AND kind = ? AND reference = ?`,
		s.VendorID, s.Kind, s.Reference).Scan(&id, &issued, &until, &summary)
	detail := map[string]any{"kind": s.Kind, "reference": s.Reference, "issued_at": FormatOutput(s.IssuedAt),
		"display_until": outPtr(s.DisplayUntil), "summary": s.Summary}
	if errors.Is(err, sql.ErrNoRows) {
		res, err := tx.ExecContext(ctx, `INSERT INTO sanctions(vendor_id, kind, issued_at, display_until, reference, summary, created_by, created_at)
			VALUES (?,?,?,?,?,?,?,?)`, s.VendorID, s.Kind, formatTime(s.IssuedAt), formatTimePtr(s.DisplayUntil), s.Reference, s.Summary,
			actor.String(), formatTime(db.now()))
		if err != nil {
			return "", nil, fmt.Errorf("registry: insert sanction: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return "", nil, err
		}
		if err := db.audit(ctx, tx, actor.String(), "sanction.create", s.VendorUSCC, detail); err != nil {
			return "", nil, err
		}
		return ResultCreated, []int64{s.VendorID}, db.afterSanctionStored(ctx, tx, actor, id, s)
	}
	if err != nil {
		return "", nil, err
	}
	if issued == formatTime(s.IssuedAt) && summary == s.Summary && timePtrEqual(parseStoredPtr(until), s.DisplayUntil) {
		return ResultUnchanged, nil, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sanctions SET issued_at = ?, display_until = ?, summary = ? WHERE id = ?`,
		formatTime(s.IssuedAt), formatTimePtr(s.DisplayUntil), s.Summary, id); err != nil {
		return "", nil, err
	}
	detail["before"] = map[string]any{"issued_at": issued, "display_until": until, "summary": summary}
	if err := db.audit(ctx, tx, actor.String(), "sanction.update", s.VendorUSCC, detail); err != nil {
		return "", nil, err
	}
	return ResultUpdated, []int64{s.VendorID}, db.afterSanctionStored(ctx, tx, actor, id, s)
}

// afterSanctionStored runs inside the transaction (or import savepoint)
// that stored sanction id: a blacklist entry is published out of cycle
// (docs/SCORING.md "Publication"), whichever path stored it.
func (db *DB) afterSanctionStored(ctx context.Context, tx *sql.Tx, actor Actor, id int64, s Sanction) error {
	if s.Kind != "blacklist" {
		return nil
	}
	return db.publishOutOfCycle(ctx, tx, actor, s.VendorID, id, s.VendorUSCC, s.Reference)
}

// CreateSanction records a regulator decision and queues the vendor for
// re-evaluation, so it feeds the evaluation at once.
func (db *DB) CreateSanction(ctx context.Context, actor Actor, in SanctionInput) (Sanction, error) {
	if !actor.IsRegulator() && actor.Kind != "cli" {
		return Sanction{}, ErrForbidden
	}
	var s Sanction
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if s, err = db.prepareSanction(ctx, tx, in); err != nil {
			return err
		}
		_, ids, err := db.upsertSanction(ctx, tx, actor, s)
		if err != nil {
			return err
		}
		return db.markForEvaluation(ctx, tx, ids)
	})
	if err == nil {
		db.signalMarks()
	}
	return s, err
}

// EndSanction ends a sanction's display early: how is "lifted" (a regulator
// lifts a blacklist entry or any sanction) or "repaired" (credit repair
// approved). The reason is audited and the vendor re-evaluated.
func (db *DB) EndSanction(ctx context.Context, actor Actor, id int64, how, reason string) error {
	var verr ValidationError
	if !slices.Contains([]string{"lifted", "repaired"}, how) {
		verr.Add("how", i18n.T("field.oneof", "lifted, repaired"))
	}
	if strings.TrimSpace(reason) == "" {
		verr.Add("reason", i18n.T("field.reason_required"))
	}
	if err := verr.Err(); err != nil {
		return err
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var vendorID int64
		var uscc string
		err := tx.QueryRowContext(ctx, `SELECT s.vendor_id, v.uscc FROM sanctions s JOIN vendors v ON v.id = s.vendor_id
			WHERE s.id = ? AND s.lifted_at IS NULL AND s.repaired_at IS NULL`, id).Scan(&vendorID, &uscc)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("registry: sanction #%d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		col := "lifted_at"
		if how == "repaired" {
			col = "repaired_at"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sanctions SET `+col+` = ? WHERE id = ?`, formatTime(db.now()), id); err != nil {
			return err
		}
		if err := db.audit(ctx, tx, actor.String(), "sanction."+how, uscc, map[string]any{"sanction": id, "reason": MaskPersonalNumbers(strings.TrimSpace(reason))}); err != nil {
			return err
		}
		return db.markForEvaluation(ctx, tx, []int64{vendorID})
	})
	if err == nil {
		db.signalMarks()
	}
	return err
}

// SanctionsOfVendor lists a vendor's sanctions, newest first.
func (db *DB) SanctionsOfVendor(ctx context.Context, vendorID int64) ([]Sanction, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT s.id, s.vendor_id, v.uscc, s.kind, s.issued_at, s.display_until, s.reference, s.summary,
		s.repaired_at, s.lifted_at FROM sanctions s JOIN vendors v ON v.id = s.vendor_id WHERE s.vendor_id = ? ORDER BY s.issued_at DESC, s.id DESC`, vendorID)
	if err != nil {
		return nil, fmt.Errorf("registry: sanctions: %w", err)
	}
	defer rows.Close()
	var out []Sanction
	for rows.Next() {
		var s Sanction
		var issued string
		var until, repaired, lifted *string
		if err := rows.Scan(&s.ID, &s.VendorID, &s.VendorUSCC, &s.Kind, &issued, &until, &s.Reference, &s.Summary, &repaired, &lifted); err != nil {
			return nil, err
		}
		s.IssuedAt, s.DisplayUntil, s.RepairedAt, s.LiftedAt = parseStored(issued), parseStoredPtr(until), parseStoredPtr(repaired), parseStoredPtr(lifted)
		out = append(out, s)
	}
	return out, rows.Err()
}

// sanctionColumns of a sanctions CSV (docs/CONTRACT.md).
var (
	sanctionColumnsRequired = []string{"vendor_uscc", "kind", "issued_at", "reference", "summary"}
	sanctionColumnsOptional = []string{"display_until"}
)

// ImportSanctions reads a sanctions CSV (regulator decisions migrated from
// an earlier system); re-importing vendor, kind and reference updates it.
func (db *DB) ImportSanctions(ctx context.Context, r io.Reader, opt ImportOptions) (ImportReport, error) {
	opt.RepeatsUpdate = true
	return db.runImport(ctx, r, sanctionColumnsRequired, sanctionColumnsOptional, opt, func(ctx context.Context, tx *sql.Tx, row csvRow) (RowOutcome, error) {
		in := SanctionInput{VendorUSCC: row.Get("vendor_uscc"), Kind: row.Get("kind"), IssuedAt: row.Get("issued_at"),
			DisplayUntil: row.Get("display_until"), Reference: row.Get("reference"), Summary: row.Get("summary")}
		s, err := db.prepareSanction(ctx, tx, in)
		out := RowOutcome{Key: NormalizeUSCC(in.VendorUSCC) + "/" + in.Kind + "/" + in.Reference}
		if err != nil {
			return out, err
		}
		out.Result, out.touched, err = db.upsertSanction(ctx, tx, opt.Actor, s)
		return out, err
	})
}

// SanctionCSVHeader is the header of a sanctions file, for templates.
func SanctionCSVHeader() []string {
	return append(append([]string{}, sanctionColumnsRequired...), sanctionColumnsOptional...)
}
