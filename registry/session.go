package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SessionTTL is how long a console session lasts.
const SessionTTL = 12 * time.Hour

// Session is a logged-in console session.
type Session struct {
	User      User
	CSRFToken string
	ExpiresAt time.Time
}

// CreateSession starts a session for u and returns the cookie token (only its
// hash is stored) and the session.
func (db *DB) CreateSession(ctx context.Context, u User) (string, Session, error) {
	token := randomToken()
	now := db.now()
	s := Session{User: u, CSRFToken: randomToken(), ExpiresAt: now.Add(SessionTTL)}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < ?`, formatTime(now)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions(token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?,?,?,?,?)`,
			hashToken(token), u.ID, s.CSRFToken, formatTime(now), formatTime(s.ExpiresAt)); err != nil {
			return err
		}
		return db.audit(ctx, tx, UserActor(u).String(), "session.login", "user:"+u.Username, nil)
	})
	if err != nil {
		return "", s, fmt.Errorf("registry: create session: %w", err)
	}
	return token, s, nil
}

// FindSession returns the live session for a cookie token, or ErrNotFound.
func (db *DB) FindSession(ctx context.Context, token string) (Session, error) {
	var s Session
	var expires, created string
	var org, vendor sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT s.csrf_token, s.expires_at, u.id, u.username, u.role, u.org_id, u.vendor_id, u.created_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND u.disabled = 0`, hashToken(token)).
		Scan(&s.CSRFToken, &expires, &s.User.ID, &s.User.Username, &s.User.Role, &org, &vendor, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	if err != nil {
		return s, fmt.Errorf("registry: find session: %w", err)
	}
	s.ExpiresAt = parseStored(expires)
	if !s.ExpiresAt.After(db.now()) {
		return s, ErrNotFound
	}
	s.User.OrgID, s.User.VendorID, s.User.CreatedAt = org.Int64, vendor.Int64, parseStored(created)
	return s, nil
}

// DeleteSession ends a session (logout).
func (db *DB) DeleteSession(ctx context.Context, token string, u User) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hashToken(token)); err != nil {
			return err
		}
		return db.audit(ctx, tx, UserActor(u).String(), "session.logout", "user:"+u.Username, nil)
	})
}
