package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// StagedImportTTL is how long an uploaded file waits for its confirmation.
const StagedImportTTL = time.Hour

// StagedImport is an uploaded CSV file between its preview and confirmation.
type StagedImport struct {
	ID       string
	UserID   int64
	Kind     string
	Filename string
	Content  []byte
}

// StageImport keeps an uploaded file for its owner's confirmation and drops
// stale ones. It is not audited: nothing is stored in the registry yet.
func (db *DB) StageImport(ctx context.Context, userID int64, kind, filename string, content []byte) (string, error) {
	id := randomToken()
	now := db.now()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM staged_imports WHERE created_at < ?`, formatTime(now.Add(-StagedImportTTL))); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO staged_imports(id, user_id, kind, filename, content, created_at) VALUES (?,?,?,?,?,?)`,
			id, userID, kind, filename, content, formatTime(now))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("registry: stage import: %w", err)
	}
	return id, nil
}

// TakeStagedImport returns and deletes a staged file owned by userID, or
// ErrNotFound when it is unknown, someone else's or expired.
func (db *DB) TakeStagedImport(ctx context.Context, id string, userID int64, kind string) (StagedImport, error) {
	var s StagedImport
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id, user_id, kind, filename, content FROM staged_imports
			WHERE id = ? AND user_id = ? AND kind = ? AND created_at >= ?`, id, userID, kind, formatTime(db.now().Add(-StagedImportTTL))).
			Scan(&s.ID, &s.UserID, &s.Kind, &s.Filename, &s.Content)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM staged_imports WHERE id = ?`, id)
		return err
	})
	return s, err
}
