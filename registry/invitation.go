package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"chengxin/i18n"
)

// InvitationTTL is how long a vendor login invitation stays valid.
const InvitationTTL = 14 * 24 * time.Hour

// ErrHasLogin refuses an invitation for a vendor that already has a login,
// when it is issued and when it is used: a vendor has one login.
var ErrHasLogin = fmt.Errorf("registry: the vendor already has a login: %w", ErrConflict)

// Invitation statuses, as listed.
const (
	InvitationOpen       = "open"       // may be used
	InvitationUsed       = "used"       // created the vendor's login
	InvitationRevoked    = "revoked"    // revoked before use
	InvitationExpired    = "expired"    // not used within InvitationTTL
	InvitationSuperseded = "superseded" // the vendor got its login another way
)

// InvitationRow is one invitation as the console lists it (never the token).
type InvitationRow struct {
	ID                   int64
	VendorUSCC           string
	VendorName           string
	OrgID                int64 // the issuing association; 0 for a regulator or the CLI
	OrgName              string
	CreatedBy            string
	CreatedAt, ExpiresAt time.Time
	UsedAt, RevokedAt    *time.Time
	UsedBy, RevokedBy    string
	Status               string
}

// CreateInvitation issues a one-time vendor login invitation (regulator
// console); ErrHasLogin when the vendor already has a login.
func (db *DB) CreateInvitation(ctx context.Context, actor Actor, vendorUSCC string) (string, error) {
	var token string
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		v, err := findVendor(ctx, tx, NormalizeUSCC(vendorUSCC))
		if err != nil {
			return err
		}
		token, err = db.createInvitation(ctx, tx, actor, v, 0)
		return err
	})
	return token, err
}

// vendorHasLogin reports whether an enabled login exists for the vendor. A
// vendor has at most one: a disabled login can be replaced through a new
// invitation (a lost password, staff who left), and is then not re-enabled.
func vendorHasLogin(ctx context.Context, q querier, vendorID int64) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE vendor_id = ? AND disabled = 0`, vendorID).Scan(&n)
	return n > 0, err
}

func (db *DB) createInvitation(ctx context.Context, tx *sql.Tx, actor Actor, v Vendor, orgID int64) (string, error) {
	has, err := vendorHasLogin(ctx, tx, v.ID)
	if err != nil {
		return "", err
	}
	if has {
		return "", fmt.Errorf("registry: invitation for %s: %w", v.USCC, ErrHasLogin)
	}
	token := randomToken()
	now := db.now()
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO invitations(token_hash, vendor_id, org_id, created_by, created_at, expires_at) VALUES (?,?,?,?,?,?) RETURNING id`,
		hashToken(token), v.ID, nullID(orgID), actor.String(), formatTime(now), formatTime(now.Add(InvitationTTL))).Scan(&id)
	if err != nil {
		return "", fmt.Errorf("registry: invitation for %s: %w", v.USCC, err)
	}
	return token, db.audit(ctx, tx, actor.String(), "invitation.create", v.USCC,
		map[string]any{"invitation": id, "expires_at": FormatOutput(now.Add(InvitationTTL))})
}

// FindInvitation returns the vendor an open invitation is for: ErrNotFound
// when the token is unknown, used, revoked or expired, ErrHasLogin when the
// vendor got a login meanwhile.
func (db *DB) FindInvitation(ctx context.Context, token string) (Vendor, error) {
	var vendorID int64
	err := db.read.QueryRowContext(ctx, `SELECT vendor_id FROM invitations
		WHERE token_hash = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?`,
		hashToken(token), formatTime(db.now())).Scan(&vendorID)
	if errors.Is(err, sql.ErrNoRows) {
		return Vendor{}, ErrNotFound
	}
	if err != nil {
		return Vendor{}, err
	}
	if has, err := vendorHasLogin(ctx, db.read, vendorID); err != nil {
		return Vendor{}, err
	} else if has {
		return Vendor{}, ErrHasLogin
	}
	return db.FindVendorByID(ctx, vendorID)
}

// AcceptInvitation creates the vendor's login from an open invitation and
// uses it up, in one transaction: a second use, a revoked or expired
// invitation, or a vendor that has a login by then is refused.
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
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM invitations WHERE token_hash = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?`,
			hashToken(token), formatTime(db.now())).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if has, err := vendorHasLogin(ctx, tx, v.ID); err != nil {
			return err
		} else if has {
			return ErrHasLogin
		}
		actor := Actor{Kind: "user", Name: username, Role: RoleVendor}
		if err := db.insertUser(ctx, tx, actor, &u, hash); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET used_at = ?, used_by = ? WHERE id = ?`, formatTime(db.now()), u.ID, id); err != nil {
			return err
		}
		return db.audit(ctx, tx, actor.String(), "invitation.accept", v.USCC, map[string]any{"invitation": id})
	})
	return u, err
}

// InvitationFilter selects invitations: OrgID > 0 lists one association's.
type InvitationFilter struct {
	OrgID int64
	Limit int // default 200
}

// FindInvitations lists invitations newest first with their status.
func (db *DB) FindInvitations(ctx context.Context, f InvitationFilter) ([]InvitationRow, error) {
	if f.Limit <= 0 {
		f.Limit = 200
	}
	where, args := "", []any{}
	if f.OrgID > 0 {
		where, args = "WHERE i.org_id = ?", append(args, f.OrgID)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT i.id, v.uscc, v.name, coalesce(i.org_id, 0), coalesce(o.name, ''), i.created_by,
		i.created_at, i.expires_at, i.used_at, coalesce(u.username, ''), i.revoked_at, coalesce(i.revoked_by, ''),
		EXISTS (SELECT 1 FROM users x WHERE x.vendor_id = i.vendor_id AND x.disabled = 0 AND (i.used_by IS NULL OR x.id <> i.used_by))
		FROM invitations i JOIN vendors v ON v.id = i.vendor_id LEFT JOIN orgs o ON o.id = i.org_id
		LEFT JOIN users u ON u.id = i.used_by `+where+` ORDER BY i.id DESC LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("registry: find invitations: %w", err)
	}
	defer rows.Close()
	now := db.now()
	var out []InvitationRow
	for rows.Next() {
		var r InvitationRow
		var created, expires string
		var used, revoked *string
		var hasLogin bool
		if err := rows.Scan(&r.ID, &r.VendorUSCC, &r.VendorName, &r.OrgID, &r.OrgName, &r.CreatedBy, &created, &expires,
			&used, &r.UsedBy, &revoked, &r.RevokedBy, &hasLogin); err != nil {
			return nil, err
		}
		r.CreatedAt, r.ExpiresAt = parseStored(created), parseStored(expires)
		r.UsedAt, r.RevokedAt = parseStoredPtr(used), parseStoredPtr(revoked)
		switch {
		case r.UsedAt != nil:
			r.Status = InvitationUsed
		case r.RevokedAt != nil:
			r.Status = InvitationRevoked
		case !r.ExpiresAt.After(now):
			r.Status = InvitationExpired
		case hasLogin:
			r.Status = InvitationSuperseded
		default:
			r.Status = InvitationOpen
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RevokeInvitation ends an open invitation at once. orgID > 0 restricts it
// to that association's invitations (ErrNotFound for any other);
// ErrConflict when the invitation is no longer open.
func (db *DB) RevokeInvitation(ctx context.Context, actor Actor, id, orgID int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var uscc string
		var org sql.NullInt64
		var used, revoked sql.NullString
		var expires string
		err := tx.QueryRowContext(ctx, `SELECT v.uscc, i.org_id, i.used_at, i.revoked_at, i.expires_at
			FROM invitations i JOIN vendors v ON v.id = i.vendor_id WHERE i.id = ?`, id).Scan(&uscc, &org, &used, &revoked, &expires)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && orgID > 0 && org.Int64 != orgID) {
			return fmt.Errorf("registry: invitation #%d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if used.Valid || revoked.Valid || !parseStored(expires).After(db.now()) {
			return fmt.Errorf("registry: invitation #%d is no longer open: %w", id, ErrConflict)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET revoked_at = ?, revoked_by = ? WHERE id = ?`,
			formatTime(db.now()), actor.String(), id); err != nil {
			return err
		}
		return db.audit(ctx, tx, actor.String(), "invitation.revoke", uscc, map[string]any{"invitation": id})
	})
}

// VendorLogin returns the vendor's console username (its enabled login, else
// the newest disabled one) and whether it is disabled; "" when the vendor
// has no login.
func (db *DB) VendorLogin(ctx context.Context, vendorID int64) (string, bool, error) {
	var name string
	var disabled bool
	err := db.read.QueryRowContext(ctx, `SELECT username, disabled FROM users WHERE vendor_id = ? ORDER BY disabled, id DESC LIMIT 1`, vendorID).
		Scan(&name, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("registry: vendor login: %w", err)
	}
	return name, disabled, nil
}
