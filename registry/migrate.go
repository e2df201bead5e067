package registry

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"chengxin/migrations"
)

// Migration is one embedded migration file and whether it has been applied.
type Migration struct {
	Name      string
	AppliedAt string // RFC 3339, empty when pending
}

func migrationNames() ([]string, error) {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}

func (db *DB) ensureMigrationTable(ctx context.Context) error {
	_, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`)
	if err != nil {
		return fmt.Errorf("registry: migrations table: %w", err)
	}
	return nil
}

// Migrate applies every pending migration in name order, each in its own
// transaction together with its record in schema_migrations, and returns the
// names it applied.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	if err := db.ensureMigrationTable(ctx); err != nil {
		return nil, err
	}
	names, err := migrationNames()
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, name := range names {
		body, err := migrations.FS.ReadFile(name)
		if err != nil {
			return applied, err
		}
		done := false
		err = db.inTx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				done = true
				return nil
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("registry: migration %s: %w", name, err)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(name, applied_at) VALUES (?, ?)`, name, formatTime(db.now()))
			return err
		})
		if err != nil {
			return applied, err
		}
		if !done {
			applied = append(applied, strings.TrimSuffix(name, ".sql"))
		}
	}
	return applied, nil
}

// MigrationStatus lists every embedded migration with its applied time.
func (db *DB) MigrationStatus(ctx context.Context) ([]Migration, error) {
	names, err := migrationNames()
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT name, applied_at FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("registry: migration status: %w", err)
	}
	defer rows.Close()
	at := map[string]string{}
	for rows.Next() {
		var n, a string
		if err := rows.Scan(&n, &a); err != nil {
			return nil, err
		}
		at[n] = a
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]Migration, 0, len(names))
	for _, n := range names {
		out = append(out, Migration{Name: strings.TrimSuffix(n, ".sql"), AppliedAt: at[n]})
	}
	return out, nil
}
