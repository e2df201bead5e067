package registry

import (
	"context"
	"fmt"
)

// AuditActions lists the distinct actions in the audit log, sorted. It
// walks the action index one distinct value at a time (a loose index scan),
// so its cost grows with the number of actions, not of entries.
func (db *DB) AuditActions(ctx context.Context) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `WITH RECURSIVE a(action) AS (
			SELECT min(action) FROM audit_log
			UNION ALL
			SELECT (SELECT min(action) FROM audit_log WHERE action > a.action) FROM a WHERE a.action IS NOT NULL)
		SELECT action FROM a WHERE action IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("registry: audit actions: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
