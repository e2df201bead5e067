// Package migrations holds Chengxin's forward-only SQL migrations, embedded in
// the binary and applied in file-name order by registry.Migrate, each in its
// own transaction.
//
// There is one numbered sequence for both storage engines: every SQLite
// migration NNNN_name.sql in this folder has a PostgreSQL counterpart of the
// same name in postgres/, which leaves a PostgreSQL database with the same
// tables, columns, indexes and triggers (postgres/0001_registry.sql explains
// the translation). A database records the names it has applied, so both
// engines record the same names.
package migrations

import "embed"

// FS holds the SQLite migrations, NNNN_name.sql.
//
//go:embed *.sql
var FS embed.FS

// Postgres holds the PostgreSQL migrations, postgres/NNNN_name.sql: one for
// each file in FS, with the same name.
//
//go:embed postgres/*.sql
var Postgres embed.FS
