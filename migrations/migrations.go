// Package migrations holds Chengxin's forward-only SQL migrations, embedded in
// the binary and applied in file-name order by registry.Migrate, each in its
// own transaction.
package migrations

import "embed"

// FS holds the NNNN_name.sql files.
//
//go:embed *.sql
var FS embed.FS

// Postgres holds PostgreSQL's files, postgres/NNNN_name.sql: the same
// numbered sequence as FS, one file per migration, written for PostgreSQL.
//
//go:embed postgres/*.sql
var Postgres embed.FS
