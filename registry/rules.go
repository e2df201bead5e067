package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"chengxin/scoring"
)

// CurrentRules returns the adopted rules version, HSCS-1.0 until another is
// adopted.
func (db *DB) CurrentRules(ctx context.Context) (scoring.Rules, error) {
	var body string
	err := db.read.QueryRowContext(ctx, `SELECT body FROM rules_versions WHERE active = 1`).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return scoring.DefaultRules(), nil
	}
	if err != nil {
		return scoring.Rules{}, fmt.Errorf("registry: current rules: %w", err)
	}
	r, err := scoring.ParseRules([]byte(body))
	if err != nil {
		return r, fmt.Errorf("registry: stored rules do not parse: %w", err)
	}
	return r, nil
}

// AdoptRules makes r the rules every later evaluation uses. Stored
// evaluations keep the version and hash they were made with. A version name
// already used for different rules is refused.
func (db *DB) AdoptRules(ctx context.Context, actor Actor, r scoring.Rules) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if def := scoring.DefaultRules(); r.Version == def.Version && r.Hash() != def.Hash() {
		return fmt.Errorf("registry: rules version %s is the built-in model; name changed rules differently: %w", r.Version, ErrConflict)
	}
	body, err := marshalRules(r)
	if err != nil {
		return err
	}
	hash := r.Hash()
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var old string
		err := tx.QueryRowContext(ctx, `SELECT hash FROM rules_versions WHERE version = ?`, r.Version).Scan(&old)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.ExecContext(ctx, `INSERT INTO rules_versions(version, hash, body, created_at) VALUES (?,?,?,?)`,
				r.Version, hash, body, formatTime(db.now())); err != nil {
				return err
			}
		case err != nil:
			return err
		case old != hash:
			return fmt.Errorf("registry: rules version %s already exists with other values (%s); name the new rules differently: %w", r.Version, old, ErrConflict)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE rules_versions SET active = 0 WHERE active = 1`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE rules_versions SET active = 1, adopted_at = ?, adopted_by = ? WHERE version = ?`,
			formatTime(db.now()), actor.String(), r.Version); err != nil {
			return err
		}
		// Every vendor is re-evaluated under the new rules by the evaluator.
		if _, err := tx.ExecContext(ctx, `INSERT INTO reeval_marks(vendor_id, marked_at) SELECT id, ? FROM vendors WHERE true
			ON CONFLICT(vendor_id) DO NOTHING`, formatTime(db.now())); err != nil {
			return err
		}
		return db.audit(ctx, tx, actor.String(), "rules.adopt", "rules:"+r.Version, map[string]any{"hash": hash})
	})
	if err == nil {
		db.signalMarks()
	}
	return err
}

// RulesByVersion returns the rules of a version: HSCS-1.0's defaults, or a
// stored version (cached; a version's values never change).
func (db *DB) RulesByVersion(ctx context.Context, version string) (scoring.Rules, error) {
	if def := scoring.DefaultRules(); version == def.Version {
		return def, nil
	}
	if r, ok := db.rulesCache.Load(version); ok {
		return r.(scoring.Rules), nil
	}
	var body string
	err := db.read.QueryRowContext(ctx, `SELECT body FROM rules_versions WHERE version = ?`, version).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return scoring.Rules{}, fmt.Errorf("registry: rules %s: %w", version, ErrNotFound)
	}
	if err != nil {
		return scoring.Rules{}, err
	}
	r, err := scoring.ParseRules([]byte(body))
	if err != nil {
		return r, fmt.Errorf("registry: stored rules %s: %w", version, err)
	}
	db.rulesCache.Store(version, r)
	return r, nil
}

// RulesAdoption is the rules version in force and since when.
type RulesAdoption struct {
	Rules scoring.Rules
	// Since is when the version was adopted; for the built-in HSCS-1.0
	// that was never replaced, when the registry began (its first
	// migration, or its first publication run if that is earlier: a
	// database restored or migrated from an earlier system).
	Since     time.Time
	AdoptedBy string // "" for the built-in version
	Builtin   bool
}

// RulesInForce returns the rules version in force with its adoption.
func (db *DB) RulesInForce(ctx context.Context) (RulesAdoption, error) {
	var a RulesAdoption
	var body string
	var at, by *string
	err := db.read.QueryRowContext(ctx, `SELECT body, adopted_at, adopted_by FROM rules_versions WHERE active = 1`).Scan(&body, &at, &by)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		a.Rules, a.Builtin = scoring.DefaultRules(), true
		var first *string
		if err := db.read.QueryRowContext(ctx, `SELECT min(t) FROM (SELECT min(applied_at) AS t FROM schema_migrations
			UNION ALL SELECT min(as_of) FROM publication_runs) firsts`).Scan(&first); err != nil {
			return a, fmt.Errorf("registry: rules in force: %w", err)
		}
		if first != nil {
			a.Since = parseStored(*first)
		}
		return a, nil
	case err != nil:
		return a, fmt.Errorf("registry: rules in force: %w", err)
	}
	if a.Rules, err = scoring.ParseRules([]byte(body)); err != nil {
		return a, fmt.Errorf("registry: stored rules do not parse: %w", err)
	}
	if at != nil {
		a.Since = parseStored(*at)
	}
	if by != nil {
		a.AdoptedBy = *by
	}
	return a, nil
}
