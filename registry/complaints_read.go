package registry

import (
	"context"
	"fmt"
)

// ComplaintsOfVendor lists one page of a vendor's own complaints, newest
// first, with their private summaries (for the regulator's console only),
// and how many there are.
func (db *DB) ComplaintsOfVendor(ctx context.Context, vendorID int64, page, perPage int) ([]Complaint, int, error) {
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM complaints WHERE vendor_id = ?`, vendorID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("registry: count complaints: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT work_order_no, received_at, channel, category, severity, status, outcome, deadline_at,
		closed_at, service_order_no, summary, late_excused FROM complaints WHERE vendor_id = ?
		ORDER BY received_at DESC, work_order_no DESC LIMIT ? OFFSET ?`, vendorID, perPage, PageOffset(page, perPage))
	if err != nil {
		return nil, 0, fmt.Errorf("registry: complaints of vendor #%d: %w", vendorID, err)
	}
	defer rows.Close()
	var out []Complaint
	for rows.Next() {
		c := Complaint{VendorID: vendorID}
		var received, deadline string
		var closed *string
		if err := rows.Scan(&c.WorkOrderNo, &received, &c.Channel, &c.Category, &c.Severity, &c.Status, &c.Outcome, &deadline,
			&closed, &c.ServiceOrderNo, &c.Summary, &c.LateExcused); err != nil {
			return nil, 0, err
		}
		c.ReceivedAt, c.DeadlineAt, c.ClosedAt = parseStored(received), parseStored(deadline), parseStoredPtr(closed)
		out = append(out, c)
	}
	return out, total, rows.Err()
}
