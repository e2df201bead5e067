package registry

import (
	"context"
	"database/sql"
	"io"
	"strconv"

	"chengxin/i18n"
)

// CSV columns of the hotline's records (the API's fields).
var (
	complaintColumnsRequired = []string{"work_order_no", "vendor_uscc", "received_at", "channel", "category", "status", "deadline_at"}
	complaintColumnsOptional = []string{"severity", "outcome", "closed_at", "service_order_no", "summary"}
	callbackColumns          = []string{"work_order_no", "vendor_uscc", "called_at", "result"}
	volumeColumns            = []string{"vendor_uscc", "month", "orders", "source"}
)

// RecordCSVHeader returns the full header of a record file kind
// ("complaints", "callbacks", "volumes"), for templates.
func RecordCSVHeader(kind string) []string {
	switch kind {
	case "complaints":
		return append(append([]string{}, complaintColumnsRequired...), complaintColumnsOptional...)
	case "callbacks":
		return append([]string{}, callbackColumns...)
	case "volumes":
		return append([]string{}, volumeColumns...)
	}
	return nil
}

// recordImport runs a record CSV through the same validation and upserts as
// the API; times may also be local (YYYY-MM-DD [HH:MM[:SS]], Asia/Shanghai).
// A later row with the same key updates an earlier one, as in the API.
func recordImport[Rec any](ctx context.Context, db *DB, r io.Reader, required, optional []string, opt ImportOptions,
	prepare func(context.Context, *vendorResolver, timeParser, csvRow) (Rec, string, error),
	upsert upserter[Rec]) (ImportReport, error) {
	opt.RepeatsUpdate = true
	tp := timeParser{strict: false, now: db.now()}
	resolver := newVendorResolver(db, db.read)
	var stmts *stmtTx // the current transaction's prepared statements
	return db.runImport(ctx, r, required, optional, opt, func(ctx context.Context, tx *sql.Tx, row csvRow) (RowOutcome, error) {
		rec, key, err := prepare(ctx, resolver, tp, row)
		out := RowOutcome{Key: key}
		if err != nil {
			return out, err
		}
		if stmts == nil || stmts.tx != tx {
			stmts = newStmtTx(tx)
		}
		out.Result, out.touched, err = upsert(ctx, stmts, opt.Actor, rec, key)
		return out, err
	})
}

// ImportComplaints reads a complaints CSV.
func (db *DB) ImportComplaints(ctx context.Context, r io.Reader, opt ImportOptions) (ImportReport, error) {
	return recordImport(ctx, db, r, complaintColumnsRequired, complaintColumnsOptional, opt,
		func(ctx context.Context, res *vendorResolver, tp timeParser, row csvRow) (Complaint, string, error) {
			return prepareComplaint(ctx, res, tp, ComplaintInput{WorkOrderNo: row.Get("work_order_no"), VendorUSCC: row.Get("vendor_uscc"),
				ReceivedAt: row.Get("received_at"), Channel: row.Get("channel"), Category: row.Get("category"), Severity: row.Get("severity"),
				Status: row.Get("status"), Outcome: row.Get("outcome"), DeadlineAt: row.Get("deadline_at"), ClosedAt: row.Get("closed_at"),
				ServiceOrderNo: row.Get("service_order_no"), Summary: row.Get("summary")})
		},
		func(ctx context.Context, tx dbtx, a Actor, c Complaint, _ string) (string, []int64, error) {
			return db.upsertComplaint(ctx, tx, a, c)
		})
}

// ImportCallbacks reads a callbacks CSV.
func (db *DB) ImportCallbacks(ctx context.Context, r io.Reader, opt ImportOptions) (ImportReport, error) {
	return recordImport(ctx, db, r, callbackColumns, nil, opt,
		func(ctx context.Context, res *vendorResolver, tp timeParser, row csvRow) (Callback, string, error) {
			return prepareCallback(ctx, res, tp, CallbackInput{WorkOrderNo: row.Get("work_order_no"), VendorUSCC: row.Get("vendor_uscc"),
				CalledAt: row.Get("called_at"), Result: row.Get("result")})
		},
		func(ctx context.Context, tx dbtx, a Actor, cb Callback, _ string) (string, []int64, error) {
			return db.upsertCallback(ctx, tx, a, cb)
		})
}

// ImportVolumes reads a monthly volumes CSV.
func (db *DB) ImportVolumes(ctx context.Context, r io.Reader, opt ImportOptions) (ImportReport, error) {
	return recordImport(ctx, db, r, volumeColumns, nil, opt,
		func(ctx context.Context, res *vendorResolver, tp timeParser, row csvRow) (Volume, string, error) {
			in := VolumeInput{VendorUSCC: row.Get("vendor_uscc"), Month: row.Get("month"), Source: row.Get("source")}
			cell := row.Get("orders")
			if cell == "" {
				return prepareVolume(ctx, res, tp, in) // reports orders as required
			}
			n, err := strconv.ParseInt(cell, 10, 64)
			if err != nil {
				v, key, verr := prepareVolume(ctx, res, tp, in)
				ve, _ := AsValidation(verr)
				if ve == nil {
					ve = &ValidationError{}
				}
				ve.Add("orders", i18n.T("record.orders", MaxOrders))
				return v, key, ve
			}
			in.Orders = &n
			return prepareVolume(ctx, res, tp, in)
		},
		db.upsertVolume)
}
