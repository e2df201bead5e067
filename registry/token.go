package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"chengxin/i18n"
)

// Token scopes.
const ScopeIngest = "ingest"

// TokenPrefix starts every API token, so leaked tokens are easy to recognise.
const TokenPrefix = "cx_"

var tokenNamePattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// APIToken is an API token's record; the secret itself is never stored.
type APIToken struct {
	ID         int64
	Name       string
	Scope      string
	CreatedBy  string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// ErrBadToken is returned for an unknown or revoked token.
var ErrBadToken = errors.New("registry: invalid API token")

// CreateToken issues a token and returns the secret, which is shown once.
func (db *DB) CreateToken(ctx context.Context, actor Actor, name, scope string) (string, APIToken, error) {
	var verr ValidationError
	if !tokenNamePattern.MatchString(name) {
		verr.Add("name", i18n.T("token.name"))
	}
	if scope != ScopeIngest {
		verr.Add("scope", i18n.T("token.scope"))
	}
	if err := verr.Err(); err != nil {
		return "", APIToken{}, err
	}
	secret := TokenPrefix + randomToken()
	t := APIToken{Name: name, Scope: scope, CreatedBy: actor.String(), CreatedAt: db.now()}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM api_tokens WHERE name = ?`, name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return &ValidationError{Fields: map[string]i18n.Text{"name": i18n.T("token.duplicate")}}
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens(name, scope, token_hash, created_by, created_at) VALUES (?,?,?,?,?) RETURNING id`,
			name, scope, hashToken(secret), t.CreatedBy, formatTime(t.CreatedAt)).Scan(&t.ID)
		if err != nil {
			return fmt.Errorf("registry: insert token %s: %w", name, err)
		}
		return db.audit(ctx, tx, actor.String(), "token.create", "token:"+name, map[string]any{"scope": scope})
	})
	return secret, t, err
}

// FindTokens lists every token, newest first.
func (db *DB) FindTokens(ctx context.Context) ([]APIToken, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, name, scope, created_by, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("registry: find tokens: %w", err)
	}
	defer rows.Close()
	var out []APIToken
	for rows.Next() {
		var t APIToken
		var created string
		var used, revoked *string
		if err := rows.Scan(&t.ID, &t.Name, &t.Scope, &t.CreatedBy, &created, &used, &revoked); err != nil {
			return nil, err
		}
		t.CreatedAt, t.LastUsedAt, t.RevokedAt = parseStored(created), parseStoredPtr(used), parseStoredPtr(revoked)
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken ends a token; it stops working at once.
func (db *DB) RevokeToken(ctx context.Context, actor Actor, id int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var name string
		err := tx.QueryRowContext(ctx, `SELECT name FROM api_tokens WHERE id = ? AND revoked_at IS NULL`, id).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("registry: token #%d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, formatTime(db.now()), id); err != nil {
			return err
		}
		db.tokenUse.forget(id)
		return db.audit(ctx, tx, actor.String(), "token.revoke", "token:"+name, nil)
	})
}

// tokenUseCache throttles last_used_at writes to one per token per minute.
type tokenUseCache struct {
	mu   sync.Mutex
	last map[int64]time.Time
}

func (c *tokenUseCache) due(id int64, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.Sub(c.last[id]) < time.Minute {
		return false
	}
	c.last[id] = now
	return true
}

func (c *tokenUseCache) forget(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.last, id)
}

// AuthenticateToken returns the live token for a secret and records its use
// (at most once a minute).
func (db *DB) AuthenticateToken(ctx context.Context, secret string) (APIToken, error) {
	var t APIToken
	var created string
	err := db.read.QueryRowContext(ctx, `SELECT id, name, scope, created_by, created_at FROM api_tokens
		WHERE token_hash = ? AND revoked_at IS NULL`, hashToken(secret)).Scan(&t.ID, &t.Name, &t.Scope, &t.CreatedBy, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return t, ErrBadToken
	}
	if err != nil {
		return t, fmt.Errorf("registry: authenticate token: %w", err)
	}
	t.CreatedAt = parseStored(created)
	if now := db.now(); db.tokenUse.due(t.ID, now) {
		// Best effort: a busy writer must not fail the request it authenticates.
		// Urgent, so a large ingest batch lets this one-row write in early.
		db.stats.waiting.Add(1)
		db.write.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, formatTime(now), t.ID)
		db.stats.waiting.Add(-1)
	}
	return t, nil
}

// TokenActor is the audit actor of an API token.
func TokenActor(t APIToken) Actor { return Actor{Kind: "token", Name: t.Name} }
