package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"chengxin/i18n"
)

// SessionTTL is how long a console session lasts.
const SessionTTL = 12 * time.Hour

// InvitationTTL is how long a vendor login invitation stays valid.
const InvitationTTL = 14 * 24 * time.Hour

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

// CreateInvitation issues a one-time vendor login invitation (regulator console).
func (db *DB) CreateInvitation(ctx context.Context, actor Actor, vendorUSCC string) (string, error) {
	var token string
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		v, err := findVendor(ctx, tx, NormalizeUSCC(vendorUSCC))
		if err != nil {
			return err
		}
		token, err = db.createInvitation(ctx, tx, actor, v)
		return err
	})
	return token, err
}

func (db *DB) createInvitation(ctx context.Context, tx *sql.Tx, actor Actor, v Vendor) (string, error) {
	token := randomToken()
	now := db.now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO invitations(token_hash, vendor_id, created_by, created_at, expires_at) VALUES (?,?,?,?,?)`,
		hashToken(token), v.ID, actor.String(), formatTime(now), formatTime(now.Add(InvitationTTL))); err != nil {
		return "", fmt.Errorf("registry: invitation for %s: %w", v.USCC, err)
	}
	return token, db.audit(ctx, tx, actor.String(), "invitation.create", v.USCC, map[string]any{"expires_at": FormatOutput(now.Add(InvitationTTL))})
}

// FindInvitation returns the vendor an unused, unexpired invitation is for.
func (db *DB) FindInvitation(ctx context.Context, token string) (Vendor, error) {
	var vendorID int64
	err := db.read.QueryRowContext(ctx, `SELECT vendor_id FROM invitations WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
		hashToken(token), formatTime(db.now())).Scan(&vendorID)
	if errors.Is(err, sql.ErrNoRows) {
		return Vendor{}, ErrNotFound
	}
	if err != nil {
		return Vendor{}, err
	}
	return db.FindVendorByID(ctx, vendorID)
}

// AcceptInvitation creates the vendor's login from an invitation and uses it up.
func (db *DB) AcceptInvitation(ctx context.Context, token, username, password string) (User, error) {
	v, err := db.FindInvitation(ctx, token)
	if err != nil {
		return User{}, err
	}
	var verr ValidationError
	if !usernamePattern.MatchString(username) {
		verr.Add("username", i18n.T("field.username"))
	}
	checkPassword(password, &verr)
	if err := verr.Err(); err != nil {
		return User{}, err
	}
	hash, err := bcryptHash(password)
	if err != nil {
		return User{}, err
	}
	u := User{Username: username, Role: RoleVendor, VendorID: v.ID}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE invitations SET used_at = ? WHERE token_hash = ? AND used_at IS NULL`, formatTime(db.now()), hashToken(token))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrNotFound
		}
		return db.insertUser(ctx, tx, Actor{Kind: "user", Name: username, Role: RoleVendor}, &u, hash)
	})
	return u, err
}
