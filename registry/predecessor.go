package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"chengxin/i18n"
	"chengxin/scoring"
)

// Predecessor is an earlier registration of the same business.
type Predecessor struct {
	VendorID   int64
	USCC, Name string
	Reason     string
	LinkedAt   time.Time
}

// LinkPredecessor records that the vendor is the same business as the
// vendor registered under predecessorUSCC: the predecessor's records count
// for the vendor from now on, and the link is public.
func (db *DB) LinkPredecessor(ctx context.Context, actor Actor, vendorID int64, predecessorUSCC, reason string) error {
	if !actor.IsRegulator() && actor.Kind != "cli" {
		return ErrForbidden
	}
	var verr ValidationError
	reason = caseText(&verr, "reason", reason, 500)
	if err := verr.Err(); err != nil {
		return err
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		pred, err := findVendor(ctx, tx, NormalizeUSCC(predecessorUSCC))
		if errors.Is(err, ErrNotFound) {
			return &ValidationError{Fields: map[string]i18n.Text{"predecessor": i18n.T("user.vendor_unknown")}}
		}
		if err != nil {
			return err
		}
		if pred.ID == vendorID {
			return &ValidationError{Fields: map[string]i18n.Text{"predecessor": i18n.T("predecessor.self")}}
		}
		// Refuse a cycle: the vendor must not already count among the predecessor's predecessors.
		chain, err := predecessorIDs(ctx, tx, pred.ID)
		if err != nil {
			return err
		}
		for _, id := range chain {
			if id == vendorID {
				return &ValidationError{Fields: map[string]i18n.Text{"predecessor": i18n.T("predecessor.cycle")}}
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM vendor_predecessors WHERE predecessor_id = ?`, pred.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &ValidationError{Fields: map[string]i18n.Text{"predecessor": i18n.T("predecessor.taken")}}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO vendor_predecessors(vendor_id, predecessor_id, reason, linked_by, linked_at) VALUES (?,?,?,?,?)`,
			vendorID, pred.ID, reason, actor.String(), formatTime(db.now())); err != nil {
			return err
		}
		if err := db.markForEvaluation(ctx, tx, []int64{vendorID}); err != nil {
			return err
		}
		return db.audit(ctx, tx, actor.String(), "vendor.predecessor", vendorUSCC(ctx, tx, vendorID), map[string]any{"predecessor": pred.USCC, "reason": reason})
	})
	if err == nil {
		db.signalMarks()
	}
	return err
}

// predecessorIDs lists every earlier registration behind a vendor (the
// predecessors of its predecessors too).
func predecessorIDs(ctx context.Context, q querier, vendorID int64) ([]int64, error) {
	var out []int64
	seen := map[int64]bool{vendorID: true}
	queue := []int64{vendorID}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		rows, err := q.QueryContext(ctx, `SELECT predecessor_id FROM vendor_predecessors WHERE vendor_id = ?`, id)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var p int64
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return nil, err
			}
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
				queue = append(queue, p)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Predecessors lists a vendor's linked earlier registrations.
func (db *DB) Predecessors(ctx context.Context, vendorID int64) ([]Predecessor, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT v.id, v.uscc, v.name, p.reason, p.linked_at FROM vendor_predecessors p
		JOIN vendors v ON v.id = p.predecessor_id WHERE p.vendor_id = ? ORDER BY p.linked_at`, vendorID)
	if err != nil {
		return nil, fmt.Errorf("registry: predecessors: %w", err)
	}
	defer rows.Close()
	var out []Predecessor
	for rows.Next() {
		var p Predecessor
		var at string
		if err := rows.Scan(&p.VendorID, &p.USCC, &p.Name, &p.Reason, &at); err != nil {
			return nil, err
		}
		p.LinkedAt = parseStored(at)
		out = append(out, p)
	}
	return out, rows.Err()
}

// addPredecessorRecords appends the records of every predecessor of the
// vendor to in (the scoring windows then apply as to the vendor's own).
func addPredecessorRecords(ctx context.Context, q querier, vendorID int64, in *scoring.Inputs) error {
	ids, err := predecessorIDs(ctx, q, vendorID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		p, err := loadRecords(ctx, q, id)
		if err != nil {
			return err
		}
		in.Callbacks = append(in.Callbacks, p.Callbacks...)
		in.Complaints = append(in.Complaints, p.Complaints...)
		in.Volumes = append(in.Volumes, p.Volumes...)
		in.Sanctions = append(in.Sanctions, p.Sanctions...)
	}
	return nil
}

// successorsWithPredecessors returns the vendors that have predecessors.
func (db *DB) successorsWithPredecessors(ctx context.Context) (map[int64]bool, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT DISTINCT vendor_id FROM vendor_predecessors`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}
