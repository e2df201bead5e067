package registry

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"chengxin/i18n"
)

var monthPattern = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

// prepareComplaint validates a complaint; the key is its work order number.
func prepareComplaint(ctx context.Context, r *vendorResolver, tp timeParser, in ComplaintInput) (Complaint, string, error) {
	var verr ValidationError
	c := Complaint{WorkOrderNo: strings.TrimSpace(in.WorkOrderNo), Channel: strings.TrimSpace(in.Channel),
		Category: strings.TrimSpace(in.Category), Severity: strings.TrimSpace(in.Severity), Status: strings.TrimSpace(in.Status),
		Outcome: strings.TrimSpace(in.Outcome), ServiceOrderNo: strings.TrimSpace(in.ServiceOrderNo)}
	checkKey(&verr, "work_order_no", c.WorkOrderNo)
	c.VendorID, _ = r.resolve(ctx, &verr, in.VendorUSCC)
	received := tp.parse(&verr, "received_at", in.ReceivedAt, true, true)
	checkEnum(&verr, "channel", c.Channel, Channels, true)
	if c.Category == "" {
		verr.Add("category", i18n.T("field.required"))
	} else if _, ok := CategoryByCode(c.Category); !ok {
		verr.Add("category", i18n.T("input.category", c.Category))
	}
	if c.Severity == "" {
		c.Severity = "general"
	}
	checkEnum(&verr, "severity", c.Severity, Severities, true)
	checkEnum(&verr, "status", c.Status, ComplaintStatuses, true)
	deadline := tp.parse(&verr, "deadline_at", in.DeadlineAt, true, false)
	closed := tp.parse(&verr, "closed_at", in.ClosedAt, false, true)
	switch c.Status {
	case "closed":
		checkEnum(&verr, "outcome", c.Outcome, Outcomes, true)
		if closed == nil && !verr.Has("closed_at") {
			verr.Add("closed_at", i18n.T("record.closed_needs", "closed_at"))
		}
	case "open":
		if c.Outcome != "" {
			verr.Add("outcome", i18n.T("record.open_has", "outcome"))
		}
		if closed != nil {
			verr.Add("closed_at", i18n.T("record.open_has", "closed_at"))
		}
	}
	if received != nil {
		c.ReceivedAt = *received
		if closed != nil && closed.Before(*received) {
			verr.Add("closed_at", i18n.T("record.before_received"))
		}
		if deadline != nil && deadline.Before(*received) {
			verr.Add("deadline_at", i18n.T("record.before_received"))
		}
	}
	if deadline != nil {
		c.DeadlineAt = *deadline
	}
	if c.Status == "closed" {
		c.ClosedAt = closed
	}
	if c.ServiceOrderNo != "" {
		if len([]rune(c.ServiceOrderNo)) > MaxShortTextLen {
			verr.Add("service_order_no", i18n.T("field.too_long", MaxShortTextLen))
		} else if !isPrintable(c.ServiceOrderNo) {
			verr.Add("service_order_no", i18n.T("field.printable"))
		}
	}
	summary := strings.TrimSpace(in.Summary)
	if len([]rune(summary)) > MaxSummaryLen {
		verr.Add("summary", i18n.T("field.too_long", MaxSummaryLen))
	}
	c.Summary = MaskPersonalNumbers(summary)
	return c, c.WorkOrderNo, verr.Err()
}

// prepareCallback validates a callback; the key is its work order number.
func prepareCallback(ctx context.Context, r *vendorResolver, tp timeParser, in CallbackInput) (Callback, string, error) {
	var verr ValidationError
	cb := Callback{WorkOrderNo: strings.TrimSpace(in.WorkOrderNo), Result: strings.TrimSpace(in.Result)}
	checkKey(&verr, "work_order_no", cb.WorkOrderNo)
	cb.VendorID, _ = r.resolve(ctx, &verr, in.VendorUSCC)
	if t := tp.parse(&verr, "called_at", in.CalledAt, true, true); t != nil {
		cb.CalledAt = *t
	}
	checkEnum(&verr, "result", cb.Result, CallbackResults, true)
	return cb, cb.WorkOrderNo, verr.Err()
}

// prepareVolume validates a monthly volume; the key is USCC/YYYY-MM/source.
func prepareVolume(ctx context.Context, r *vendorResolver, tp timeParser, in VolumeInput) (Volume, string, error) {
	var verr ValidationError
	v := Volume{Month: strings.TrimSpace(in.Month), Source: strings.TrimSpace(in.Source)}
	var code string
	v.VendorID, code = r.resolve(ctx, &verr, in.VendorUSCC)
	switch {
	case v.Month == "":
		verr.Add("month", i18n.T("field.required"))
	case !monthPattern.MatchString(v.Month):
		verr.Add("month", i18n.T("record.month"))
	case v.Month > tp.now.In(Shanghai).Format("2006-01"):
		verr.Add("month", i18n.T("field.future"))
	}
	switch {
	case in.Orders == nil:
		verr.Add("orders", i18n.T("field.required"))
	case *in.Orders < 0 || *in.Orders > MaxOrders:
		verr.Add("orders", i18n.T("record.orders", MaxOrders))
	default:
		v.Orders = *in.Orders
	}
	checkEnum(&verr, "source", v.Source, VolumeSources, true)
	return v, code + "/" + v.Month + "/" + v.Source, verr.Err()
}

// upsertComplaint stores c, reporting created, updated or unchanged; an
// update keeps the previous values in the audit log. A regulator's
// late_excused flag survives updates from the hotline.
func (db *DB) upsertComplaint(ctx context.Context, tx dbtx, actor Actor, c Complaint) (string, []int64, error) {
	now := formatTime(db.now())
	// Insert first: most records are new, and a conflict costs one statement.
	res, err := tx.ExecContext(ctx, `INSERT INTO complaints(work_order_no, vendor_id, received_at, channel, category, severity,
		status, outcome, deadline_at, closed_at, service_order_no, summary, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT(work_order_no) DO NOTHING`,
		c.WorkOrderNo, c.VendorID, formatTime(c.ReceivedAt), c.Channel, c.Category, c.Severity, c.Status, c.Outcome,
		formatTime(c.DeadlineAt), formatTimePtr(c.ClosedAt), c.ServiceOrderNo, c.Summary, now)
	if err != nil {
		return "", nil, fmt.Errorf("registry: insert complaint %s: %w", c.WorkOrderNo, err)
	}
	if inserted(res) {
		return ResultCreated, []int64{c.VendorID}, db.audit(ctx, tx, actor.String(), "complaint.create", c.WorkOrderNo, complaintAudit(c))
	}
	var old Complaint
	var received, deadline, updated string
	var closed *string
	err = tx.QueryRowContext(ctx, `SELECT vendor_id, received_at, channel, category, severity, status, outcome, deadline_at,
		closed_at, service_order_no, summary, late_excused, updated_at FROM complaints WHERE work_order_no = ?`, c.WorkOrderNo).
		Scan(&old.VendorID, &received, &old.Channel, &old.Category, &old.Severity, &old.Status, &old.Outcome, &deadline,
			&closed, &old.ServiceOrderNo, &old.Summary, &old.LateExcused, &updated)
	if err != nil {
		return "", nil, fmt.Errorf("registry: find complaint %s: %w", c.WorkOrderNo, err)
	}
	old.WorkOrderNo, old.ReceivedAt, old.DeadlineAt, old.ClosedAt = c.WorkOrderNo, parseStored(received), parseStored(deadline), parseStoredPtr(closed)
	c.LateExcused = old.LateExcused
	if complaintEqual(old, c) {
		return ResultUnchanged, nil, nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE complaints SET vendor_id=?, received_at=?, channel=?, category=?, severity=?, status=?,
		outcome=?, deadline_at=?, closed_at=?, service_order_no=?, summary=?, updated_at=? WHERE work_order_no=?`,
		c.VendorID, formatTime(c.ReceivedAt), c.Channel, c.Category, c.Severity, c.Status, c.Outcome, formatTime(c.DeadlineAt),
		formatTimePtr(c.ClosedAt), c.ServiceOrderNo, c.Summary, now, c.WorkOrderNo)
	if err != nil {
		return "", nil, fmt.Errorf("registry: update complaint %s: %w", c.WorkOrderNo, err)
	}
	detail := map[string]any{"before": complaintAudit(old), "after": complaintAudit(c), "before_updated_at": updated}
	return ResultUpdated, uniqueIDs(old.VendorID, c.VendorID), db.audit(ctx, tx, actor.String(), "complaint.update", c.WorkOrderNo, detail)
}

// inserted reports whether an INSERT ... ON CONFLICT DO NOTHING added its row.
func inserted(res sql.Result) bool {
	n, err := res.RowsAffected()
	return err == nil && n == 1
}

func complaintEqual(a, b Complaint) bool {
	return a.VendorID == b.VendorID && a.ReceivedAt.Equal(b.ReceivedAt) && a.Channel == b.Channel && a.Category == b.Category &&
		a.Severity == b.Severity && a.Status == b.Status && a.Outcome == b.Outcome && a.DeadlineAt.Equal(b.DeadlineAt) &&
		timePtrEqual(a.ClosedAt, b.ClosedAt) && a.ServiceOrderNo == b.ServiceOrderNo && a.Summary == b.Summary
}

func timePtrEqual(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

// complaintAudit is what the audit log keeps of a complaint: every field that
// scoring reads (the private summary is left out).
func complaintAudit(c Complaint) map[string]any {
	return map[string]any{"vendor_id": c.VendorID, "received_at": FormatOutput(c.ReceivedAt), "channel": c.Channel,
		"category": c.Category, "severity": c.Severity, "status": c.Status, "outcome": c.Outcome,
		"deadline_at": FormatOutput(c.DeadlineAt), "closed_at": outPtr(c.ClosedAt), "service_order_no": c.ServiceOrderNo}
}

func uniqueIDs(a, b int64) []int64 {
	if a == b {
		return []int64{a}
	}
	return []int64{a, b}
}

// upsertCallback stores cb (created, updated or unchanged).
func (db *DB) upsertCallback(ctx context.Context, tx dbtx, actor Actor, cb Callback) (string, []int64, error) {
	now := formatTime(db.now())
	audit := func(c Callback) map[string]any {
		return map[string]any{"vendor_id": c.VendorID, "called_at": FormatOutput(c.CalledAt), "result": c.Result}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO callbacks(work_order_no, vendor_id, called_at, result, updated_at) VALUES (?,?,?,?,?)
		ON CONFLICT(work_order_no) DO NOTHING`, cb.WorkOrderNo, cb.VendorID, formatTime(cb.CalledAt), cb.Result, now)
	if err != nil {
		return "", nil, fmt.Errorf("registry: insert callback %s: %w", cb.WorkOrderNo, err)
	}
	if inserted(res) {
		return ResultCreated, []int64{cb.VendorID}, db.audit(ctx, tx, actor.String(), "callback.create", cb.WorkOrderNo, audit(cb))
	}
	var old Callback
	var called string
	if err := tx.QueryRowContext(ctx, `SELECT vendor_id, called_at, result FROM callbacks WHERE work_order_no = ?`, cb.WorkOrderNo).
		Scan(&old.VendorID, &called, &old.Result); err != nil {
		return "", nil, fmt.Errorf("registry: find callback %s: %w", cb.WorkOrderNo, err)
	}
	old.WorkOrderNo, old.CalledAt = cb.WorkOrderNo, parseStored(called)
	if old.VendorID == cb.VendorID && old.CalledAt.Equal(cb.CalledAt) && old.Result == cb.Result {
		return ResultUnchanged, nil, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE callbacks SET vendor_id=?, called_at=?, result=?, updated_at=? WHERE work_order_no=?`,
		cb.VendorID, formatTime(cb.CalledAt), cb.Result, now, cb.WorkOrderNo); err != nil {
		return "", nil, fmt.Errorf("registry: update callback %s: %w", cb.WorkOrderNo, err)
	}
	return ResultUpdated, uniqueIDs(old.VendorID, cb.VendorID), db.audit(ctx, tx, actor.String(), "callback.update", cb.WorkOrderNo,
		map[string]any{"before": audit(old), "after": audit(cb)})
}

// upsertVolume stores v (created, updated or unchanged) under key.
func (db *DB) upsertVolume(ctx context.Context, tx dbtx, actor Actor, v Volume, key string) (string, []int64, error) {
	now := formatTime(db.now())
	res, err := tx.ExecContext(ctx, `INSERT INTO volumes(vendor_id, month, source, orders, updated_at) VALUES (?,?,?,?,?)
		ON CONFLICT(vendor_id, month, source) DO NOTHING`, v.VendorID, v.Month, v.Source, v.Orders, now)
	if err != nil {
		return "", nil, fmt.Errorf("registry: insert volume %s: %w", key, err)
	}
	if inserted(res) {
		return ResultCreated, []int64{v.VendorID}, db.audit(ctx, tx, actor.String(), "volume.create", key, map[string]any{"orders": v.Orders})
	}
	var old int64
	if err := tx.QueryRowContext(ctx, `SELECT orders FROM volumes WHERE vendor_id = ? AND month = ? AND source = ?`, v.VendorID, v.Month, v.Source).Scan(&old); err != nil {
		return "", nil, fmt.Errorf("registry: find volume %s: %w", key, err)
	}
	if old == v.Orders {
		return ResultUnchanged, nil, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE volumes SET orders = ?, updated_at = ? WHERE vendor_id = ? AND month = ? AND source = ?`,
		v.Orders, now, v.VendorID, v.Month, v.Source); err != nil {
		return "", nil, fmt.Errorf("registry: update volume %s: %w", key, err)
	}
	return ResultUpdated, []int64{v.VendorID}, db.audit(ctx, tx, actor.String(), "volume.update", key, map[string]any{"before": old, "after": v.Orders})
}

// markForEvaluation queues vendors whose evidence changed (inside tx).
func (db *DB) markForEvaluation(ctx context.Context, tx dbtx, ids []int64) error {
	now := formatTime(db.now())
	ids = slices.Compact(slices.Sorted(slices.Values(ids))) // a batch touches each vendor many times
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO reeval_marks(vendor_id, marked_at) VALUES (?, ?)
			ON CONFLICT(vendor_id) DO UPDATE SET marked_at = excluded.marked_at`, id, now); err != nil {
			return fmt.Errorf("registry: mark vendor #%d: %w", id, err)
		}
	}
	return nil
}
