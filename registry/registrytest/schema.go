package registrytest

import (
	"fmt"
	"strings"
	"testing"

	"chengxin/registry"
)

// Tables lists the ordinary tables of db's database, sorted by name, on
// either engine: on SQLite every table created by CREATE TABLE (FTS5's shadow
// tables included, its virtual tables not), on PostgreSQL every base table of
// the current schema.
func Tables(tb testing.TB, db *registry.DB) []string {
	tb.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE TABLE%' ORDER BY name`
	if registry.IsPostgresDSN(db.DSN()) {
		q = `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	text := strings.TrimSuffix(rowsText(tb, db, q), "\n")
	if text == "" {
		return nil
	}
	return strings.Split(text, "\n")
}

// Schema describes db's schema as text, on either engine: two databases
// with the same tables, columns, constraints, indexes, triggers and views
// describe alike, and any DDL changes the description.
func Schema(tb testing.TB, db *registry.DB) string {
	tb.Helper()
	if !registry.IsPostgresDSN(db.DSN()) {
		return rowsText(tb, db, `SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name`)
	}
	var b strings.Builder
	for _, q := range []string{
		`SELECT table_name, column_name, data_type, coalesce(column_default, ''), is_nullable, coalesce(collation_name, '')
			FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
		`SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
			FROM pg_constraint WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2`,
		`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`,
		`SELECT t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
			WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace ORDER BY 1, 2`,
		`SELECT viewname, definition FROM pg_views WHERE schemaname = current_schema() ORDER BY viewname`,
	} {
		b.WriteString(rowsText(tb, db, q))
		b.WriteString("--\n")
	}
	return b.String()
}

// rowsText runs q and returns its rows, one a line, columns tab-separated.
func rowsText(tb testing.TB, db *registry.DB, q string) string {
	tb.Helper()
	rows, err := SQL(tb, db).Query(q)
	if err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		tb.Fatal(err)
	}
	vals := make([]string, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var b strings.Builder
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
		fmt.Fprintln(&b, strings.Join(vals, "\t"))
	}
	if err := rows.Err(); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	return b.String()
}
