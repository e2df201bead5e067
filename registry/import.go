package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"

	"chengxin/i18n"
)

// RowError is one problem with one row: the file's line number (the header
// is line 1), the column and the message.
type RowError struct {
	Line  int
	Field string
	Text  i18n.Text
}

// RowOutcome is what happened (or, in a preview, would happen) to one row.
type RowOutcome struct {
	Line    int
	Key     string // the natural key (USCC)
	Name    string
	Result  string // created, updated, unchanged, invited, rejected
	Errors  []RowError
	NoLogin bool    // an invited vendor has no console login; regulators were asked to issue one
	invite  string  // a login invitation token issued for a new vendor
	touched []int64 // vendors whose evidence the row changed
}

// Invitation is a vendor login invitation created during an import.
type Invitation struct {
	USCC, Name, Token string
}

// ImportReport summarises an import.
type ImportReport struct {
	Created, Updated, Unchanged, Invited, Rejected int
	Errors                                         []RowError   // every rejected row's problems, in file order
	Rows                                           []RowOutcome // every row, when ImportOptions.KeepRows
	Invitations                                    []Invitation // in a dry run, without tokens
}

// Summary is the report's last line, as docs/CONTRACT.md specifies.
func (r ImportReport) Summary() string {
	s := fmt.Sprintf("created %d, updated %d, unchanged %d, rejected %d", r.Created, r.Updated, r.Unchanged, r.Rejected)
	if r.Invited > 0 {
		s += fmt.Sprintf(", invited %d", r.Invited)
	}
	return s
}

// ImportOptions control an import.
type ImportOptions struct {
	Actor Actor
	// OrgID makes every imported vendor a member of this organisation.
	OrgID int64
	// LinkExisting (association onboarding) invites already-registered
	// vendors without changing their records (the membership is private
	// until the vendor accepts it) and makes new ones active members with a
	// login invitation; otherwise an existing USCC is updated from the row.
	LinkExisting bool
	// DryRun validates and applies every row inside a transaction that is
	// rolled back: an exact preview that stores nothing.
	DryRun bool
	// KeepRows fills ImportReport.Rows (previews); large files leave it off.
	KeepRows bool
	// Progress, when set, is called every 1,000 rows with the rows read so far.
	Progress func(rows int)
	// OnError, when set, receives each rejected row's problems as they are
	// found instead of collecting them in the report (large files).
	OnError func(RowError)
	// RepeatsUpdate lets a later row with the same key update an earlier one
	// (hotline records: the last one wins) instead of rejecting it.
	RepeatsUpdate bool
}

// importBatch is how many rows share one transaction, so the writer is never
// held for long.
const importBatch = 500

// rowApplier stores one row inside tx and says what it did.
type rowApplier func(ctx context.Context, tx *sql.Tx, row csvRow) (outcome RowOutcome, err error)

// runImport drives any CSV record type: header check, per-row savepoints so a
// rejected row stores nothing, batched commits, and the report.
func (db *DB) runImport(ctx context.Context, r io.Reader, required, optional []string, opt ImportOptions, apply rowApplier) (ImportReport, error) {
	var rep ImportReport
	f, err := openCSV(r, required, optional)
	if err != nil {
		return rep, err
	}
	var seen map[string]int // keys seen, unless a later row may update an earlier one
	if !opt.RepeatsUpdate {
		seen = map[string]int{}
	}
	var tx *sql.Tx
	var touched []int64
	inBatch, rows := 0, 0
	finish := func() error {
		if tx == nil {
			return nil
		}
		defer func() { tx, touched = nil, touched[:0] }()
		if opt.DryRun {
			return tx.Rollback()
		}
		if err := db.markForEvaluation(ctx, tx, touched); err != nil {
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		if len(touched) > 0 {
			db.signalMarks()
		}
		return nil
	}
	defer func() {
		if tx != nil {
			tx.Rollback()
		}
	}()
	for {
		row, err := f.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rep, &FileError{Text: i18n.T("csv.unreadable", err.Error())}
		}
		if row.Blank {
			continue
		}
		rows++
		if tx == nil {
			if tx, err = db.beginWrite(ctx); err != nil {
				return rep, fmt.Errorf("registry: import: %w", err)
			}
		}
		out := db.importRow(ctx, tx, row, seen, apply)
		switch out.Result {
		case ResultCreated:
			rep.Created++
		case ResultUpdated:
			rep.Updated++
		case ResultUnchanged:
			rep.Unchanged++
		case ResultInvited:
			rep.Invited++
		case ResultRejected:
			rep.Rejected++
			if opt.OnError != nil {
				for _, e := range out.Errors {
					opt.OnError(e)
				}
			} else {
				rep.Errors = append(rep.Errors, out.Errors...)
			}
		}
		touched = append(touched, out.touched...)
		if out.inviteToken != "" {
			inv := Invitation{USCC: out.Key, Name: out.Name, Token: out.inviteToken}
			if opt.DryRun {
				inv.Token = "" // rolled back: the token would not work
			}
			rep.Invitations = append(rep.Invitations, inv)
		}
		if opt.KeepRows {
			rep.Rows = append(rep.Rows, out.RowOutcome)
		}
		if out.fatal != nil {
			return rep, out.fatal
		}
		if inBatch++; inBatch >= importBatch && !opt.DryRun {
			if err := finish(); err != nil {
				return rep, fmt.Errorf("registry: import commit: %w", err)
			}
			inBatch = 0
		}
		if opt.Progress != nil && rows%1000 == 0 {
			opt.Progress(rows)
		}
	}
	if rows == 0 && rep.Rejected == 0 {
		return rep, &FileError{Text: i18n.T("csv.no_rows")}
	}
	if err := finish(); err != nil {
		return rep, fmt.Errorf("registry: import commit: %w", err)
	}
	if opt.Progress != nil {
		opt.Progress(rows)
	}
	return rep, nil
}

type rowResult struct {
	RowOutcome
	inviteToken string
	fatal       error
}

// importRow applies one row inside a savepoint, turning validation errors
// into row errors and rolling the row back when it is rejected.
func (db *DB) importRow(ctx context.Context, tx *sql.Tx, row csvRow, seen map[string]int, apply rowApplier) rowResult {
	res := rowResult{RowOutcome: RowOutcome{Line: row.Line}}
	reject := func(field string, t i18n.Text) rowResult {
		res.Result = ResultRejected
		res.Errors = append(res.Errors, RowError{Line: row.Line, Field: field, Text: t})
		return res
	}
	if row.Problem.Key != "" {
		return reject("-", row.Problem)
	}
	if len(row.NotText) > 0 {
		for _, col := range row.NotText {
			reject(col, i18n.T("csv.not_text", row.file.encoding))
		}
		return res
	}
	if _, err := tx.ExecContext(ctx, `SAVEPOINT import_row`); err != nil {
		res.fatal = err
		return res
	}
	out, err := apply(ctx, tx, row)
	res.RowOutcome, res.Line = out, row.Line
	if err == nil && out.Key != "" && seen != nil {
		if first, dup := seen[out.Key]; dup {
			err = &ValidationError{Fields: map[string]i18n.Text{"uscc": i18n.T("csv.duplicate_row", first)}}
		} else {
			seen[out.Key] = row.Line
		}
	}
	if err != nil {
		if _, rbErr := tx.ExecContext(ctx, `ROLLBACK TO import_row; RELEASE import_row`); rbErr != nil {
			res.fatal = rbErr
			return res
		}
		res.Result, res.Errors, res.invite, res.touched = ResultRejected, nil, "", nil
		if v, ok := AsValidation(err); ok {
			for _, field := range v.SortedFields() {
				res.Errors = append(res.Errors, RowError{Line: row.Line, Field: field, Text: v.Fields[field]})
			}
			return res
		}
		if errors.Is(err, ErrNotFound) {
			return reject("uscc", i18n.T("csv.not_found"))
		}
		res.fatal = err
		return res
	}
	if _, err := tx.ExecContext(ctx, `RELEASE import_row`); err != nil {
		res.fatal = err
	}
	res.inviteToken = out.invite
	return res
}
