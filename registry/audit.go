package registry

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// AuditEntry is one line of the append-only audit log.
type AuditEntry struct {
	ID       int64
	At       string // RFC 3339 UTC
	Actor    string // "user:NAME", "cli", "token:NAME", "system"
	Action   string // "vendor.create", "membership.status", …
	Subject  string // usually a USCC or "user:NAME"
	Detail   string // JSON object
	PrevHash string
	Hash     string
}

// AuditHash computes an entry's hash: hex SHA-256 of prev_hash, id, at, actor,
// action, subject and detail, each followed by a newline. Auditors can
// recompute it with any SHA-256 tool (documented in the README).
func AuditHash(prevHash string, id int64, at, actor, action, subject, detail string) string {
	h := sha256.New()
	for _, f := range []string{prevHash, strconv.FormatInt(id, 10), at, actor, action, subject, detail} {
		h.Write([]byte(f))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// audit appends an entry inside tx. detail is marshalled to JSON (nil → {}).
func (db *DB) audit(ctx context.Context, tx dbtx, actor, action, subject string, detail any) error {
	var detailJSON = "{}"
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return fmt.Errorf("registry: audit detail: %w", err)
		}
		detailJSON = string(b)
	}
	var prevID int64
	var prevHash string
	st, cached := tx.(*stmtTx)
	if cached && st.auditTail {
		prevID, prevHash = st.auditID, st.auditHash
	} else {
		err := tx.QueryRowContext(ctx, `SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&prevID, &prevHash)
		if err != nil && err != sql.ErrNoRows {
			return fmt.Errorf("registry: audit tail: %w", err)
		}
	}
	id := prevID + 1
	at := formatTime(db.now())
	hash := AuditHash(prevHash, id, at, actor, action, subject, detailJSON)
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log(id, at, actor, action, subject, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, at, actor, action, subject, detailJSON, prevHash, hash)
	if err != nil {
		return fmt.Errorf("registry: audit %s %s: %w", action, subject, err)
	}
	if cached {
		st.auditID, st.auditHash, st.auditTail = id, hash, true
	}
	return nil
}

// AuditBreak describes the first entry whose chain does not verify.
type AuditBreak struct {
	ID     int64
	Reason string
}

// VerifyAudit walks the whole log in id order and returns the first broken
// entry, or nil when the chain is intact. It also returns the number checked.
func (db *DB) VerifyAudit(ctx context.Context) (*AuditBreak, int64, error) {
	brk, n, _, err := walkChain(ctx, db.read, 0, "", 0)
	return brk, n, err
}

// walkChain checks the entries after afterID (whose hash is afterHash) in id
// order, up to uptoID (0: to the end): each follows the one before, links to
// its hash and hashes to its own. It returns the first broken entry, the
// number read and the last entry (its id and hash; afterID and afterHash
// when there is none).
func walkChain(ctx context.Context, q querier, afterID int64, afterHash string, uptoID int64) (*AuditBreak, int64, AuditEntry, error) {
	query, args := `SELECT id, at, actor, action, subject, detail, prev_hash, hash FROM audit_log WHERE id > ? ORDER BY id`, []any{afterID}
	if uptoID > 0 {
		query, args = `SELECT id, at, actor, action, subject, detail, prev_hash, hash FROM audit_log WHERE id > ? AND id <= ? ORDER BY id`, []any{afterID, uptoID}
	}
	last := AuditEntry{ID: afterID, Hash: afterHash}
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, last, fmt.Errorf("registry: verify audit: %w", err)
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Subject, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, n, last, err
		}
		n++
		switch {
		case e.ID != last.ID+1:
			return &AuditBreak{ID: e.ID, Reason: fmt.Sprintf("entry %d follows %d: an entry is missing", e.ID, last.ID)}, n, last, nil
		case e.PrevHash != last.Hash:
			return &AuditBreak{ID: e.ID, Reason: "prev_hash does not match the previous entry's hash"}, n, last, nil
		case AuditHash(e.PrevHash, e.ID, e.At, e.Actor, e.Action, e.Subject, e.Detail) != e.Hash:
			return &AuditBreak{ID: e.ID, Reason: "hash does not match the entry's content"}, n, last, nil
		}
		last = e
	}
	if err := rows.Err(); err != nil {
		return nil, n, last, err
	}
	if uptoID > 0 && last.ID != uptoID {
		return &AuditBreak{ID: last.ID + 1, Reason: fmt.Sprintf("entry %d is missing", last.ID+1)}, n, last, nil
	}
	return nil, n, last, nil
}

// AuditFilter selects audit entries; empty fields match everything.
type AuditFilter struct {
	Actor, Action, Subject string
	BeforeID               int64 // keyset pagination: entries with id < BeforeID
	Limit                  int
}

// FindAudit lists entries newest first.
func (db *DB) FindAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	where, args := []string{"1=1"}, []any{}
	if f.Actor != "" {
		where, args = append(where, "actor = ?"), append(args, f.Actor)
	}
	if f.Action != "" {
		where, args = append(where, "action "+db.likeFoldingASCII()+" ? ESCAPE '\\'"), append(args, escapeLike(f.Action)+"%")
	}
	if f.Subject != "" {
		where, args = append(where, "subject = ?"), append(args, f.Subject)
	}
	if f.BeforeID > 0 {
		where, args = append(where, "id < ?"), append(args, f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	args = append(args, limit)
	rows, err := db.read.QueryContext(ctx, `SELECT id, at, actor, action, subject, detail, prev_hash, hash
		FROM audit_log WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("registry: find audit: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Subject, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// escapeLike escapes LIKE wildcards so user text matches literally.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
