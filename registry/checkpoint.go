package registry

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Checkpoint is a signed head of the audit chain (docs/CONTRACT.md "Audit log"):
// the audit entry ID whose Hash was the head at instant At, signed by the
// key KeyID. Whoever keeps a copy can later prove the history up to ID was
// not rewritten: a rewritten and re-hashed log gives entry ID another hash.
type Checkpoint struct {
	ID        int64  `json:"id"`
	Hash      string `json:"hash"`
	At        string `json:"at"`
	KeyID     string `json:"key_id"`
	Signature string `json:"signature"` // base64 of the 64-byte Ed25519 signature
}

// CheckpointKeyInfo is the public half of the signing key, as served by
// GET /api/v1/checkpoints/key.
type CheckpointKeyInfo struct {
	KeyID     string `json:"key_id"`
	Algorithm string `json:"algorithm"`  // "ed25519"
	PublicKey string `json:"public_key"` // base64 of the raw 32-byte key
}

// CheckpointPageSize is how many checkpoints a page lists.
const CheckpointPageSize = 100

// CheckpointMessage is what a checkpoint's signature covers: the UTF-8 bytes
// of "chengxin-checkpoint/v1\n" + id + "\n" + hash + "\n" + at + "\n".
func CheckpointMessage(id int64, hash, at string) []byte {
	return []byte("chengxin-checkpoint/v1\n" + strconv.FormatInt(id, 10) + "\n" + hash + "\n" + at + "\n")
}

// ErrAuditEmpty means there is no audit entry to checkpoint yet.
var ErrAuditEmpty = errors.New("registry: the audit log is empty: nothing to checkpoint")

// BrokenChainError refuses to sign a head whose history does not verify.
type BrokenChainError struct{ AuditBreak }

func (e *BrokenChainError) Error() string {
	return fmt.Sprintf("registry: the audit chain is broken at entry %d (%s): no checkpoint is signed over it", e.ID, e.Reason)
}

var hashPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// VerifyCheckpointSignature checks a checkpoint's form and its signature
// under pub, whose key id it must name.
func VerifyCheckpointSignature(cp Checkpoint, pub ed25519.PublicKey) error {
	switch {
	case cp.ID <= 0:
		return fmt.Errorf("checkpoint: id %d is not an audit entry", cp.ID)
	case !hashPattern.MatchString(cp.Hash):
		return fmt.Errorf("checkpoint %d: hash %q is not 64 lowercase hex digits", cp.ID, cp.Hash)
	case cp.KeyID != KeyID(pub):
		return fmt.Errorf("checkpoint %d: signed by key %s, not by key %s", cp.ID, cp.KeyID, KeyID(pub))
	}
	if _, err := time.Parse(time.RFC3339, cp.At); err != nil {
		return fmt.Errorf("checkpoint %d: at %q is not RFC 3339", cp.ID, cp.At)
	}
	sig, err := base64.StdEncoding.DecodeString(cp.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("checkpoint %d: the signature is not the base64 of %d bytes", cp.ID, ed25519.SignatureSize)
	}
	if !ed25519.Verify(pub, CheckpointMessage(cp.ID, cp.Hash, cp.At), sig) {
		return fmt.Errorf("checkpoint %d: the signature does not verify: the checkpoint was altered or not made with key %s", cp.ID, cp.KeyID)
	}
	return nil
}

// SetSigningKeyPath names the signing key file (default: the SQLite database
// path followed by ".signing-key"; none on PostgreSQL).
func (db *DB) SetSigningKeyPath(path string) {
	db.keyMu.Lock()
	defer db.keyMu.Unlock()
	db.keyPath, db.key = path, nil
}

// SigningKeyPath is the signing key file's path.
func (db *DB) SigningKeyPath() string {
	db.keyMu.Lock()
	defer db.keyMu.Unlock()
	return db.keyPath
}

// SigningKey loads the signing key, creating its file on first use.
func (db *DB) SigningKey() (*SigningKey, error) {
	db.keyMu.Lock()
	defer db.keyMu.Unlock()
	if db.key == nil {
		if db.keyPath == "" {
			// A PostgreSQL database has no file to keep the key beside.
			return nil, fmt.Errorf("%w: name its file with -signing-key (or CHENGXIN_SIGNING_KEY)", ErrNoSigningKey)
		}
		k, err := LoadOrCreateSigningKey(db.keyPath)
		if err != nil {
			return nil, err
		}
		db.key = k
	}
	return db.key, nil
}

// CheckpointKey returns the public half of the signing key (creating the
// key on first use).
func (db *DB) CheckpointKey() (CheckpointKeyInfo, error) {
	k, err := db.SigningKey()
	if err != nil {
		return CheckpointKeyInfo{}, err
	}
	return CheckpointKeyInfo{KeyID: k.ID, Algorithm: "ed25519", PublicKey: base64.StdEncoding.EncodeToString(k.Public)}, nil
}

// MakeCheckpoint signs the audit chain's head now and stores the checkpoint;
// when the head is already checkpointed it returns that checkpoint (created
// false). It refuses to sign unless the history since the latest checkpoint
// extends it: that entry still has its hash and every entry after it
// verifies (the whole chain for the first checkpoint). The long check runs
// on the read pool; only entries written meanwhile are checked under the
// write lock, so ingest is never held up.
func (db *DB) MakeCheckpoint(ctx context.Context) (cp Checkpoint, created bool, err error) {
	key, err := db.SigningKey()
	if err != nil {
		return cp, false, err
	}
	fromID, fromHash := int64(0), ""
	if last, err := db.LatestCheckpoint(ctx); err == nil {
		hash, err := db.AuditEntryHash(ctx, last.ID)
		switch {
		case errors.Is(err, ErrNotFound):
			return cp, false, &BrokenChainError{AuditBreak{ID: last.ID, Reason: "the entry checkpointed at " + last.At + " is missing"}}
		case err != nil:
			return cp, false, err
		case hash != last.Hash:
			return cp, false, &BrokenChainError{AuditBreak{ID: last.ID, Reason: "the entry no longer has the hash its checkpoint of " + last.At + " signed"}}
		}
		fromID, fromHash = last.ID, last.Hash
	} else if !errors.Is(err, ErrNotFound) {
		return cp, false, err
	}
	brk, _, head, err := walkChain(ctx, db.read, fromID, fromHash, 0)
	if err != nil {
		return cp, false, err
	}
	if brk != nil {
		return cp, false, &BrokenChainError{*brk}
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		// Entries appended since the walk: check them and sign the newest.
		brk, _, newest, err := walkChain(ctx, tx, head.ID, head.Hash, 0)
		if err != nil {
			return err
		}
		if brk != nil {
			return &BrokenChainError{*brk}
		}
		headID, headHash := newest.ID, newest.Hash
		if headID == 0 {
			return ErrAuditEmpty
		}
		err = tx.QueryRowContext(ctx, `SELECT id, hash, at, key_id, signature FROM checkpoints WHERE id = ?`, headID).
			Scan(&cp.ID, &cp.Hash, &cp.At, &cp.KeyID, &cp.Signature)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		at := FormatOutput(db.now())
		cp = Checkpoint{ID: headID, Hash: headHash, At: at, KeyID: key.ID,
			Signature: base64.StdEncoding.EncodeToString(key.sign(CheckpointMessage(headID, headHash, at)))}
		if _, err := tx.ExecContext(ctx, `INSERT INTO checkpoints(id, hash, at, key_id, signature) VALUES (?,?,?,?,?)`,
			cp.ID, cp.Hash, cp.At, cp.KeyID, cp.Signature); err != nil {
			return fmt.Errorf("registry: store checkpoint: %w", err)
		}
		created = true
		return nil
	})
	return cp, created, err
}

// LatestCheckpoint returns the newest checkpoint, or ErrNotFound.
func (db *DB) LatestCheckpoint(ctx context.Context) (Checkpoint, error) {
	cps, err := db.FindCheckpoints(ctx, 0, 1)
	if err != nil {
		return Checkpoint{}, err
	}
	if len(cps) == 0 {
		return Checkpoint{}, ErrNotFound
	}
	return cps[0], nil
}

// FindCheckpoints lists checkpoints newest first: those of entries before
// the entry before (0: from the newest), at most limit (1–100).
func (db *DB) FindCheckpoints(ctx context.Context, before int64, limit int) ([]Checkpoint, error) {
	if limit <= 0 || limit > CheckpointPageSize {
		limit = CheckpointPageSize
	}
	query, args := `SELECT id, hash, at, key_id, signature FROM checkpoints ORDER BY id DESC LIMIT ?`, []any{limit}
	if before > 0 {
		query, args = `SELECT id, hash, at, key_id, signature FROM checkpoints WHERE id < ? ORDER BY id DESC LIMIT ?`, []any{before, limit}
	}
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("registry: find checkpoints: %w", err)
	}
	defer rows.Close()
	out := []Checkpoint{}
	for rows.Next() {
		var cp Checkpoint
		if err := rows.Scan(&cp.ID, &cp.Hash, &cp.At, &cp.KeyID, &cp.Signature); err != nil {
			return nil, err
		}
		out = append(out, cp)
	}
	return out, rows.Err()
}

// AuditEntryHash returns the stored hash of audit entry id, or ErrNotFound.
func (db *DB) AuditEntryHash(ctx context.Context, id int64) (string, error) {
	var hash string
	err := db.read.QueryRowContext(ctx, `SELECT hash FROM audit_log WHERE id = ?`, id).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("registry: audit entry %d: %w", id, ErrNotFound)
	}
	return hash, err
}

// CheckpointMismatchError says the log disagrees with a checkpoint whose
// signature is valid: the history up to its entry was rewritten (or the
// entry removed), however well the chain itself verifies.
type CheckpointMismatchError struct {
	Checkpoint Checkpoint
	LogHash    string // the log's hash of the entry; "" when it is missing
}

func (e *CheckpointMismatchError) Error() string {
	cp := e.Checkpoint
	if e.LogHash == "" {
		return fmt.Sprintf("entry %d, checkpointed at %s, is missing from the log: the history was cut", cp.ID, cp.At)
	}
	return fmt.Sprintf("entry %d differs from its checkpoint of %s: the log has hash %s, the checkpoint %s: the history up to entry %d was rewritten",
		cp.ID, cp.At, e.LogHash, cp.Hash, cp.ID)
}

// CheckCheckpoint checks a kept checkpoint: its signature under pub, then
// that the log's entry with its id has its hash (*CheckpointMismatchError
// otherwise).
func (db *DB) CheckCheckpoint(ctx context.Context, cp Checkpoint, pub ed25519.PublicKey) error {
	if err := VerifyCheckpointSignature(cp, pub); err != nil {
		return err
	}
	hash, err := db.AuditEntryHash(ctx, cp.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if hash != cp.Hash {
		return &CheckpointMismatchError{Checkpoint: cp, LogHash: hash}
	}
	return nil
}
