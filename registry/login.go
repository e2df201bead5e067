package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sign-in throttling rule (README, "Sign-in throttling"). Every attempt is
// counted before its password is checked; an attempt still being checked
// counts as a failure, so parallel requests cannot outrun the limits.
const (
	// LoginWindow is how long a failure counts.
	LoginWindow = 15 * time.Minute
	// LoginPairLimit failures of one account from one address lock that
	// address out of that account for the rest of the window.
	LoginPairLimit = 5
	// LoginAddressLimit failures from one address, whatever the accounts,
	// lock that address out.
	LoginAddressLimit = 20
	// LoginAccountSlowAfter failures of one account from all addresses
	// together start slowing it: each further attempt must wait
	// LoginAccountDelay(n) after the previous one. It never locks, and a
	// browser that signed in to the account before is not slowed.
	LoginAccountSlowAfter = 10
	// LoginAccountMaxDelay caps the slowing.
	LoginAccountMaxDelay = time.Minute
	// LoginDeviceTTL is how long a browser stays known to an account.
	LoginDeviceTTL = 90 * 24 * time.Hour
	// loginDevicesPerUser bounds the known browsers kept per account.
	loginDevicesPerUser = 20
	// maxAccountKey bounds the stored username: longer input is never a
	// username (64 at most), so its first 65 characters still count together.
	maxAccountKey = 65
)

// LoginAccountDelay is the spacing the account-wide ceiling imposes after n
// failures within the window: none below LoginAccountSlowAfter, then 1 s,
// 2 s, 4 s… doubling up to LoginAccountMaxDelay.
func LoginAccountDelay(n int) time.Duration {
	if n < LoginAccountSlowAfter {
		return 0
	}
	d := time.Second << min(n-LoginAccountSlowAfter, 16)
	return min(d, LoginAccountMaxDelay)
}

// ThrottledError refuses a sign-in attempt before its password is checked.
type ThrottledError struct {
	// RetryAfter is when the same attempt may succeed the throttle.
	RetryAfter time.Duration
	// Reason is "account_address", "address" or "account".
	Reason string
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("registry: sign-in throttled (%s), retry after %s", e.Reason, e.RetryAfter.Round(time.Second))
}

// AsThrottled returns the ThrottledError inside err, if any.
func AsThrottled(err error) (*ThrottledError, bool) {
	var t *ThrottledError
	ok := errors.As(err, &t)
	return t, ok
}

// LoginAttempt is an attempt admitted by the throttle; finish it with
// FinishLogin once its password has been checked.
type LoginAttempt struct {
	ID      int64
	Account string
	IP      string
}

// LoginAccountKey is how a typed username is counted: trimmed, lower case
// (usernames are case-insensitive), at most 65 characters.
func LoginAccountKey(username string) string {
	k := strings.ToLower(strings.TrimSpace(username))
	if r := []rune(k); len(r) > maxAccountKey {
		k = string(r[:maxAccountKey])
	}
	return k
}

// BeginLogin counts a sign-in attempt for username from ip, or refuses it
// with a *ThrottledError. The check and the count are one write
// transaction on the single writer (BEGIN IMMEDIATE, which SQLite also
// serialises between processes), so no two attempts see the same count.
// knownDevice says the browser signed in to this account before (see
// KnownLoginDevice): it is exempt from the account-wide slowing only.
func (db *DB) BeginLogin(ctx context.Context, username, ip string, knownDevice bool) (LoginAttempt, error) {
	a := LoginAttempt{Account: LoginAccountKey(username), IP: ip}
	now := db.Now().UnixMilli()
	cutoff := now - LoginWindow.Milliseconds()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_attempts WHERE at_ms <= ?`, cutoff); err != nil {
			return err
		}
		for _, l := range []struct {
			reason, where string
			limit         int
			args          []any
		}{
			{"account_address", `account = ? AND ip = ?`, LoginPairLimit, []any{a.Account, a.IP}},
			{"address", `ip = ?`, LoginAddressLimit, []any{a.IP}},
		} {
			t, err := limitFailures(ctx, tx, now, l.reason, l.limit, l.where, l.args...)
			if err != nil {
				return err
			}
			if t != nil {
				return t
			}
		}
		if !knownDevice {
			var n int
			var last sql.NullInt64
			if err := tx.QueryRowContext(ctx, `SELECT count(*), max(at_ms) FROM login_attempts WHERE account = ?`, a.Account).
				Scan(&n, &last); err != nil {
				return err
			}
			if wait := last.Int64 + LoginAccountDelay(n).Milliseconds() - now; n >= LoginAccountSlowAfter && wait > 0 {
				return &ThrottledError{RetryAfter: time.Duration(wait) * time.Millisecond, Reason: "account"}
			}
		}
		return tx.QueryRowContext(ctx, `INSERT INTO login_attempts(account, ip, at_ms) VALUES (?, ?, ?) RETURNING id`, a.Account, a.IP, now).Scan(&a.ID)
	})
	if _, ok := AsThrottled(err); ok {
		return a, err
	}
	if err != nil {
		return a, fmt.Errorf("registry: count sign-in attempt: %w", err)
	}
	return a, nil
}

// limitFailures refuses when the attempts matching where (within the
// window; older rows are gone) number limit or more, with the wait until the
// oldest of the last limit leaves the window.
func limitFailures(ctx context.Context, tx *sql.Tx, now int64, reason string, limit int, where string, args ...any) (*ThrottledError, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM login_attempts WHERE `+where, args...).Scan(&n); err != nil {
		return nil, err
	}
	if n < limit {
		return nil, nil
	}
	var at int64
	if err := tx.QueryRowContext(ctx, `SELECT at_ms FROM login_attempts WHERE `+where+` ORDER BY at_ms LIMIT 1 OFFSET ?`,
		append(args, n-limit)...).Scan(&at); err != nil {
		return nil, err
	}
	wait := max(at+LoginWindow.Milliseconds()-now, 1000)
	return &ThrottledError{RetryAfter: time.Duration(wait) * time.Millisecond, Reason: reason}, nil
}

// Login outcomes for FinishLogin.
const (
	LoginFailed    = "failed"    // wrong username or password: the attempt keeps counting
	LoginSucceeded = "succeeded" // the account's failures from this address are forgotten
	LoginUnchecked = "unchecked" // the password was never checked (server busy): not counted
)

// FinishLogin records what became of an admitted attempt.
func (db *DB) FinishLogin(ctx context.Context, a LoginAttempt, outcome string) error {
	var q string
	var args []any
	switch outcome {
	case LoginFailed:
		q, args = `UPDATE login_attempts SET outcome = 'failed' WHERE id = ?`, []any{a.ID}
	case LoginSucceeded:
		q, args = `DELETE FROM login_attempts WHERE account = ? AND ip = ?`, []any{a.Account, a.IP}
	case LoginUnchecked:
		q, args = `DELETE FROM login_attempts WHERE id = ?`, []any{a.ID}
	default:
		return fmt.Errorf("registry: finish sign-in: unknown outcome %q", outcome)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("registry: finish sign-in: %w", err)
	}
	return nil
}

// KnownLoginDevice reports whether token is a live known-browser cookie of
// the account named username.
func (db *DB) KnownLoginDevice(ctx context.Context, token, username string) (bool, error) {
	if token == "" {
		return false, nil
	}
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM login_devices d JOIN users u ON u.id = d.user_id
		WHERE d.token_hash = ? AND lower(u.username) = ? AND d.expires_at > ? AND u.disabled = 0`,
		hashToken(token), foldUsername(strings.TrimSpace(username)), formatTime(db.now())).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("registry: known device: %w", err)
	}
	return n > 0, nil
}

// RememberLoginDevice issues a known-browser token for u (only its hash is
// stored), keeping the newest few per account.
func (db *DB) RememberLoginDevice(ctx context.Context, u User) (string, error) {
	token := randomToken()
	now := db.now()
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_devices WHERE expires_at <= ?`, formatTime(now)); err != nil {
			return err
		}
		hash := hashToken(token)
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_devices(token_hash, user_id, created_at, expires_at) VALUES (?,?,?,?)`,
			hash, u.ID, formatTime(now), formatTime(now.Add(LoginDeviceTTL))); err != nil {
			return err
		}
		// Keep this device and the newest others, up to the limit.
		_, err := tx.ExecContext(ctx, `DELETE FROM login_devices WHERE user_id = ? AND token_hash <> ? AND token_hash NOT IN
			(SELECT token_hash FROM login_devices WHERE user_id = ? AND token_hash <> ? ORDER BY created_at DESC, token_hash DESC LIMIT ?)`,
			u.ID, hash, u.ID, hash, loginDevicesPerUser-1)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("registry: remember device: %w", err)
	}
	return token, nil
}
