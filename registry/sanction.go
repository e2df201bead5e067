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
	Reference    string     // the decision's document number (文书编号)
	Authority    string     // the issuing authority (作出决定机关); "" when a migrated record does not name it
	Summary      string
	RepairedAt   *time.Time
	LiftedAt     *time.Time
}

// OnDisplay reports whether the sanction is shown publicly at now: not
// lifted, not repaired, and its display window not over.
func (s Sanction) OnDisplay(now time.Time) bool {
	return s.LiftedAt == nil && s.RepairedAt == nil && !s.IssuedAt.After(now) && (s.DisplayUntil == nil || s.DisplayUntil.After(now))
}

// SanctionInput is a sanction as typed into a form or a CSV row.
type SanctionInput struct {
	VendorUSCC   string `json:"vendor_uscc"`
	Kind         string `json:"kind"`
	IssuedAt     string `json:"issued_at"`
	DisplayUntil string `json:"display_until"`
	Reference    string `json:"reference"`
	Authority    string `json:"authority"`
	Summary      string `json:"summary"`
	// RequireAuthority makes the issuing authority required: the console
	// form sets it; rows migrated from an earlier system may lack it.
	RequireAuthority bool `json:"-"`
}

func (db *DB) prepareSanction(ctx context.Context, q querier, in SanctionInput) (Sanction, error) {
	var verr ValidationError
	s := Sanction{Kind: strings.TrimSpace(in.Kind), Reference: cleanText(in.Reference), Authority: cleanText(in.Authority),
		Summary: cleanText(in.Summary)}
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
	if s.Authority != "" || in.RequireAuthority {
		checkKey(&verr, "authority", s.Authority)
	}
	switch {
	case s.Summary == "":
		verr.Add("summary", i18n.T("field.required"))
	case len([]rune(s.Summary)) > 500:
		verr.Add("summary", i18n.T("field.too_long", 500))
	case !isPrintable(s.Summary):
		verr.Add("summary", i18n.T("field.printable"))
	}
	s.Summary = MaskPersonalNumbers(s.Summary)     // public text: no personal numbers
	s.Authority = MaskPersonalNumbers(s.Authority) // public too
	return s, verr.Err()
}

// upsertSanction stores a sanction keyed by vendor, kind and reference and
// tells the vendor in its console inbox.
func (db *DB) upsertSanction(ctx context.Context, tx *sql.Tx, actor Actor, s Sanction) (string, []int64, error) {
	var id int64
	var issued, summary, authority string
	var until *string
	err := tx.QueryRowContext(ctx, `SELECT id, issued_at, display_until, summary, authority FROM sanctions WHERE vendor_id = ? AND kind = ? AND reference = ?`,
		s.VendorID, s.Kind, s.Reference).Scan(&id, &issued, &until, &summary, &authority)
	detail := map[string]any{"kind": s.Kind, "reference": s.Reference, "authority": s.Authority, "issued_at": FormatOutput(s.IssuedAt),
		"display_until": outPtr(s.DisplayUntil), "summary": s.Summary}
	if errors.Is(err, sql.ErrNoRows) {
		err := tx.QueryRowContext(ctx, `INSERT INTO sanctions(vendor_id, kind, issued_at, display_until, reference, authority, summary, created_by, created_at)
			VALUES (?,?,?,?,?,?,?,?,?) RETURNING id`, s.VendorID, s.Kind, formatTime(s.IssuedAt), formatTimePtr(s.DisplayUntil), s.Reference, s.Authority, s.Summary,
			actor.String(), formatTime(db.now())).Scan(&id)
		if err != nil {
			return "", nil, fmt.Errorf("registry: insert sanction: %w", err)
		}
		if err := db.notifySanction(ctx, tx, s, false); err != nil {
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
	if issued == formatTime(s.IssuedAt) && summary == s.Summary && authority == s.Authority && timePtrEqual(parseStoredPtr(until), s.DisplayUntil) {
		return ResultUnchanged, nil, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE sanctions SET issued_at = ?, display_until = ?, summary = ?, authority = ? WHERE id = ?`,
		formatTime(s.IssuedAt), formatTimePtr(s.DisplayUntil), s.Summary, s.Authority, id); err != nil {
		return "", nil, err
	}
	if err := db.notifySanction(ctx, tx, s, true); err != nil {
		return "", nil, err
	}
	detail["before"] = map[string]any{"issued_at": issued, "display_until": until, "summary": summary, "authority": authority}
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

// notifySanction tells the vendor that a sanction or commendation was
// recorded (or changed) on its record, with the document number, the
// authority and, for a sanction, from when credit repair may be applied for.
func (db *DB) notifySanction(ctx context.Context, tx *sql.Tx, s Sanction, updated bool) error {
	authority := s.Authority
	if authority == "" {
		authority = "inbox.authority_unknown"
	}
	if s.Kind == "commendation" {
		key := "inbox.commendation"
		if updated {
			key = "inbox.commendation_updated"
		}
		return db.notify(ctx, tx, RoleVendor, s.VendorID, key, []any{s.Reference, authority}, "/console/me#sanctions")
	}
	key := "inbox.sanction"
	if updated {
		key = "inbox.sanction_updated"
	}
	if from := RepairEligibleFrom(s.Kind, s.IssuedAt); !db.now().Before(from) {
		key += "_repair_open" // a decision recorded late (migrated): repair may be applied for already
	}
	return db.notify(ctx, tx, RoleVendor, s.VendorID, key, []any{"sanction." + s.Kind, s.Reference, authority,
		LocalDate(RepairEligibleFrom(s.Kind, s.IssuedAt))}, "/console/me#sanctions")
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
		verr.Add("how", i18n.T("sanctions.choose_how"))
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
	rows, err := db.read.QueryContext(ctx, `SELECT s.id, s.vendor_id, v.uscc, s.kind, s.issued_at, s.display_until, s.reference, s.authority, s.summary,
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
		if err := rows.Scan(&s.ID, &s.VendorID, &s.VendorUSCC, &s.Kind, &issued, &until, &s.Reference, &s.Authority, &s.Summary, &repaired, &lifted); err != nil {
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
	sanctionColumnsOptional = []string{"display_until", "authority"}
)

// ImportSanctions reads a sanctions CSV (regulator decisions migrated from
// an earlier system); re-importing vendor, kind and reference updates it.
func (db *DB) ImportSanctions(ctx context.Context, r io.Reader, opt ImportOptions) (ImportReport, error) {
	opt.RepeatsUpdate = true
	return db.runImport(ctx, r, sanctionColumnsRequired, sanctionColumnsOptional, opt, func(ctx context.Context, tx *sql.Tx, row csvRow) (RowOutcome, error) {
		in := SanctionInput{VendorUSCC: row.Get("vendor_uscc"), Kind: row.Get("kind"), IssuedAt: row.Get("issued_at"),
			DisplayUntil: row.Get("display_until"), Reference: row.Get("reference"), Authority: row.Get("authority"), Summary: row.Get("summary")}
		s, err := db.prepareSanction(ctx, tx, in)
		out := RowOutcome{Key: NormalizeUSCC(in.VendorUSCC) + "/" + in.Kind + "/" + in.Reference}
		if err != nil {
			return out, err
		}
		out.Result, out.touched, err = db.upsertSanction(ctx, tx, opt.Actor, s)
		return out, err
	})
}

// LatestSanctionAuthority is the issuing authority of the most recently
// recorded sanction that names one ("" when none does): the console's
// sanction form offers it as the default, since one regulator's decisions
// mostly come from one authority.
func (db *DB) LatestSanctionAuthority(ctx context.Context) (string, error) {
	var a string
	err := db.read.QueryRowContext(ctx, `SELECT authority FROM sanctions WHERE authority <> '' ORDER BY id DESC LIMIT 1`).Scan(&a)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return a, err
}

// SanctionCSVHeader is the header of a sanctions file, for templates.
func SanctionCSVHeader() []string {
	return append(append([]string{}, sanctionColumnsRequired...), sanctionColumnsOptional...)
}
