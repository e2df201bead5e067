package registry

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"chengxin/i18n"
)

// BcryptCost is the password hashing cost; tests lower it.
var BcryptCost = 12

// Password length limits in bytes (bcrypt ignores bytes past 72).
const (
	MinPasswordLen = 10
	MaxPasswordLen = 72
)

var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$`)

// User is a console account.
type User struct {
	ID        int64
	Username  string
	Role      string
	OrgID     int64 // association users
	VendorID  int64 // vendor users
	Disabled  bool
	CreatedAt time.Time
	// OrgName / VendorName / their USCCs are filled for listings.
	OrgName, OrgUSCC, VendorName, VendorUSCC string
}

// UserInput creates a user. OrgUSCC names the association (role association)
// or the vendor (role vendor).
type UserInput struct {
	Username string
	Password string
	Role     string
	OrgUSCC  string
}

// ErrBadCredentials is returned by Authenticate for any wrong username or password.
var ErrBadCredentials = errors.New("registry: wrong username or password")

func checkPassword(pw string, verr *ValidationError) {
	switch {
	case len(pw) < MinPasswordLen:
		verr.Add("password", i18n.T("user.password_short", MinPasswordLen))
	case len(pw) > MaxPasswordLen:
		verr.Add("password", i18n.T("user.password_long", MaxPasswordLen))
	}
}

// CreateUser adds a console account with a bcrypt-hashed password.
func (db *DB) CreateUser(ctx context.Context, actor Actor, in UserInput) (User, error) {
	var verr ValidationError
	if !usernamePattern.MatchString(in.Username) {
		verr.Add("username", i18n.T("field.username"))
	}
	checkPassword(in.Password, &verr)
	u := User{Username: in.Username, Role: in.Role}
	switch in.Role {
	case RoleRegulator:
	case RoleAssociation:
		o, err := db.FindOrgByUSCC(ctx, in.OrgUSCC)
		if err != nil {
			verr.Add("org", i18n.T("user.org_unknown"))
		}
		u.OrgID = o.ID
	case RoleVendor:
		v, err := db.FindVendorByUSCC(ctx, in.OrgUSCC)
		if err != nil {
			verr.Add("org", i18n.T("user.vendor_unknown"))
		} else if has, err := vendorHasLogin(ctx, db.read, v.ID); err != nil {
			return u, err
		} else if has {
			verr.Add("org", i18n.T("user.vendor_has_login"))
		}
		u.VendorID = v.ID
	default:
		verr.Add("role", i18n.T("field.oneof", "regulator, association, vendor"))
	}
	if err := verr.Err(); err != nil {
		return u, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), BcryptCost)
	if err != nil {
		return u, fmt.Errorf("registry: hash password: %w", err)
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		return db.insertUser(ctx, tx, actor, &u, string(hash))
	})
	return u, err
}

func (db *DB) insertUser(ctx context.Context, tx *sql.Tx, actor Actor, u *User, hash string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE lower(username) = ?`, foldUsername(u.Username)).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return &ValidationError{Fields: map[string]i18n.Text{"username": i18n.T("user.duplicate")}}
	}
	u.CreatedAt = db.now()
	err := tx.QueryRowContext(ctx, `INSERT INTO users(username, password_hash, role, org_id, vendor_id, created_at) VALUES (?,?,?,?,?,?) RETURNING id`,
		u.Username, hash, u.Role, nullID(u.OrgID), nullID(u.VendorID), formatTime(u.CreatedAt)).Scan(&u.ID)
	if err != nil {
		return fmt.Errorf("registry: insert user %s: %w", u.Username, err)
	}
	return db.audit(ctx, tx, actor.String(), "user.create", "user:"+u.Username, map[string]any{"role": u.Role, "org_id": u.OrgID, "vendor_id": u.VendorID})
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// dummyHashes holds, per bcrypt cost, the hash Authenticate compares
// against when the username is unknown, so that an unknown name costs
// exactly what a known one does and names cannot be told apart by timing.
var dummyHashes sync.Map // int → []byte

func dummyHash(cost int) []byte {
	if h, ok := dummyHashes.Load(cost); ok {
		return h.([]byte)
	}
	h, err := bcrypt.GenerateFromPassword([]byte("chengxin-dummy-password"), cost)
	if err != nil {
		panic(fmt.Sprintf("registry: dummy bcrypt hash at cost %d: %v", cost, err))
	}
	got, _ := dummyHashes.LoadOrStore(cost, h)
	return got.([]byte)
}

// Authenticate checks a username and password. Every call performs exactly
// one bcrypt comparison at the current cost, whether the account exists,
// is disabled or the password is too long; all failures are
// ErrBadCredentials. A hash made at another cost than BcryptCost is
// replaced after a successful check.
func (db *DB) Authenticate(ctx context.Context, username, password string) (User, error) {
	var u User
	var hash, created string
	var org, vendor sql.NullInt64
	pw := []byte(password)
	if len(pw) > MaxPasswordLen {
		pw = pw[:MaxPasswordLen+1] // compared (and failed) at the same cost as any other
	}
	err := db.read.QueryRowContext(ctx, `SELECT id, username, password_hash, role, org_id, vendor_id, disabled, created_at
		FROM users WHERE lower(username) = ?`, foldUsername(username)).Scan(&u.ID, &u.Username, &hash, &u.Role, &org, &vendor, &u.Disabled, &created)
	if errors.Is(err, sql.ErrNoRows) {
		bcrypt.CompareHashAndPassword(dummyHash(BcryptCost), pw)
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, fmt.Errorf("registry: authenticate: %w", err)
	}
	stored := []byte(hash)
	cost, err := bcrypt.Cost(stored)
	if err != nil { // an unreadable stored hash: compare anyway, never accept
		bcrypt.CompareHashAndPassword(dummyHash(BcryptCost), pw)
		return User{}, ErrBadCredentials
	}
	if bcrypt.CompareHashAndPassword(stored, pw) != nil || len(password) > MaxPasswordLen || u.Disabled {
		return User{}, ErrBadCredentials
	}
	u.OrgID, u.VendorID, u.CreatedAt = org.Int64, vendor.Int64, parseStored(created)
	if cost != BcryptCost {
		if err := db.rehash(ctx, u, password); err != nil {
			return User{}, err
		}
	}
	return u, nil
}

// rehash stores u's password at the current cost (after a successful check),
// so every account's check costs the same as an unknown name's.
func (db *DB) rehash(ctx context.Context, u User, password string) error {
	h, err := bcryptHash(password)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, h, u.ID)
		return err
	})
}

// FindUsers lists all accounts with their organisation or vendor.
func (db *DB) FindUsers(ctx context.Context) ([]User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT u.id, u.username, u.role, coalesce(u.org_id, 0), coalesce(u.vendor_id, 0), u.disabled, u.created_at,
		coalesce(o.name, ''), coalesce(o.uscc, ''), coalesce(v.name, ''), coalesce(v.uscc, '')
		FROM users u LEFT JOIN orgs o ON o.id = u.org_id LEFT JOIN vendors v ON v.id = u.vendor_id ORDER BY u.role, lower(u.username), u.username`)
	if err != nil {
		return nil, fmt.Errorf("registry: find users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var u User
		var created string
		if err := rows.Scan(&u.ID, &u.Username, &u.Role, &u.OrgID, &u.VendorID, &u.Disabled, &created, &u.OrgName, &u.OrgUSCC, &u.VendorName, &u.VendorUSCC); err != nil {
			return nil, err
		}
		u.CreatedAt = parseStored(created)
		out = append(out, u)
	}
	return out, rows.Err()
}

// randomToken returns a URL-safe random token of 32 bytes.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is how tokens are stored: hex SHA-256.
func hashToken(token string) string {
	s := sha256.Sum256([]byte(token))
	return hex.EncodeToString(s[:])
}

func bcryptHash(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), BcryptCost)
	if err != nil {
		return "", fmt.Errorf("registry: hash password: %w", err)
	}
	return string(h), nil
}

// SetUserDisabled disables or re-enables the console account id. Disabling
// ends its sessions and forgets its known browsers in the same transaction,
// so it is signed out at once (every request checks the session); an actor
// cannot disable its own account. Audited as user.disable / user.enable.
func (db *DB) SetUserDisabled(ctx context.Context, actor Actor, id int64, disabled bool) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var username string
		var was bool
		var vendorID sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT username, disabled, vendor_id FROM users WHERE id = ?`, id).Scan(&username, &was, &vendorID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("registry: user #%d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if disabled && actor.Kind == "user" && strings.EqualFold(actor.Name, username) {
			return &ValidationError{Fields: map[string]i18n.Text{"user": i18n.T("user.disable_self")}}
		}
		if was == disabled {
			return nil
		}
		if !disabled && vendorID.Valid {
			has, err := vendorHasLogin(ctx, tx, vendorID.Int64)
			if err != nil {
				return err
			}
			if has {
				return &ValidationError{Fields: map[string]i18n.Text{"user": i18n.T("user.vendor_has_login")}}
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = ? WHERE id = ?`, disabled, id); err != nil {
			return err
		}
		detail := map[string]any{}
		action := "user.enable"
		if disabled {
			action = "user.disable"
			res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			detail["sessions_ended"] = n
			if _, err := tx.ExecContext(ctx, `DELETE FROM login_devices WHERE user_id = ?`, id); err != nil {
				return err
			}
		}
		return db.audit(ctx, tx, actor.String(), action, "user:"+username, detail)
	})
}

// foldUsername folds ASCII letters to lower case and nothing else: usernames
// compare case-insensitively in ASCII (SQLite's NOCASE), and SQL compares
// lower(username), which folds the same on both engines, with this.
func foldUsername(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
