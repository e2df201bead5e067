package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
)

// dataTables are the tables every way of putting data into Chengxin writes
// to (the CLI, the console, the API, demo and gen all create organisations,
// vendors, users or tokens, and audit them).
var dataTables = []string{"orgs", "vendors", "users", "api_tokens", "audit_log", "publication_runs"}

// DatabaseEmpty reports whether dsn names an empty database, one that demo
// may fill: for SQLite, a file that is absent or of size 0; for PostgreSQL,
// a database with no tables outside the system schemas, or with Chengxin's
// tables (migrated) but no data in them. When it is not empty, holds says
// what it holds, for a message. It changes nothing, and on PostgreSQL the
// database must exist.
func DatabaseEmpty(ctx context.Context, dsn string) (empty bool, holds string, err error) {
	if !IsPostgresDSN(dsn) {
		st, err := os.Stat(dsn)
		switch {
		case errors.Is(err, os.ErrNotExist):
			return true, "", nil
		case err != nil:
			return false, "", fmt.Errorf("registry: %w", err)
		case st.Size() > 0:
			return false, fmt.Sprintf("a file of %d bytes", st.Size()), nil
		}
		return true, "", nil
	}
	db, err := sql.Open(pgDriverName, dsn)
	if err != nil {
		return false, "", fmt.Errorf("registry: open %s: %w", RedactDSN(dsn), err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT table_schema || '.' || table_name FROM information_schema.tables
		WHERE table_schema NOT IN ('information_schema') AND table_schema NOT LIKE 'pg\_%' ORDER BY 1`)
	if err != nil {
		return false, "", fmt.Errorf("registry: %s: %w", RedactDSN(dsn), err)
	}
	tables := map[string]bool{}
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return false, "", err
		}
		_, table, _ := strings.Cut(name, ".")
		tables[table] = true
		names = append(names, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, "", err
	}
	if len(tables) == 0 {
		return true, "", nil
	}
	if !tables["schema_migrations"] {
		if len(names) > 3 {
			names = append(names[:3], "…")
		}
		return false, "tables that are not Chengxin's: " + strings.Join(names, ", "), nil
	}
	for _, t := range dataTables {
		if !tables[t] {
			continue
		}
		var has bool
		if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+t+`)`).Scan(&has); err != nil {
			return false, "", fmt.Errorf("registry: %s: %w", RedactDSN(dsn), err)
		}
		if has {
			return false, "Chengxin data (table " + t + " has rows)", nil
		}
	}
	return true, "", nil
}
