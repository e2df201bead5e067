package registry

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// NoteExpiredOverrides records a public change for every grade override
// whose end fell in (since, now], so public pages and lists, which are
// cached until something about a vendor changes, stop showing it at once.
// The override rows stay (the console keeps them as history); it returns
// how many were noted. serve's background evaluator calls it every second.
func (db *DB) NoteExpiredOverrides(ctx context.Context, since, now time.Time) (int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT vendor_id FROM grade_overrides WHERE until > ? AND until <= ?`,
		formatTime(since), formatTime(now))
	if err != nil {
		return 0, fmt.Errorf("registry: expired overrides: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return 0, err
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `INSERT INTO public_changes(vendor_id) VALUES (?)`, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("registry: note expired overrides: %w", err)
	}
	return len(ids), nil
}
