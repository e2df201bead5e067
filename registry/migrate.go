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

// migrationFiles is the engine's migration files: one numbered sequence,
// with SQLite's files in migrations/ and PostgreSQL's, under the same names,
// in migrations/postgres/. The file name is what schema_migrations records.
func (db *DB) migrationFiles() (fs.FS, []string, error) {
	var files fs.FS = migrations.FS
	if db.pg {
		sub, err := fs.Sub(migrations.Postgres, "postgres")
		if err != nil {
			return nil, nil, err
		}
		files = sub
	}
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(names)
	return files, names, nil
}

// ensureMigrationTable creates schema_migrations; in a write transaction, so
// processes starting together on PostgreSQL take turns (the write lock)
// instead of racing on CREATE TABLE.
func (db *DB) ensureMigrationTable(ctx context.Context) error {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("registry: migrations table: %w", err)
	}
	return nil
}

// Migrate applies every pending migration in name order, each in its own
// write transaction together with its record in schema_migrations, and
// returns the names it applied. Each transaction checks the record first, so
// several processes starting together apply each migration once.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	if err := db.ensureMigrationTable(ctx); err != nil {
		return nil, err
	}
	files, names, err := db.migrationFiles()
	if err != nil {
		return nil, err
	}
	var applied []string
	for _, name := range names {
		body, err := fs.ReadFile(files, name)
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
	_, names, err := db.migrationFiles()
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
