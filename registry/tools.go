package registry

import (
	"database/sql"
	"fmt"
	"net/url"
)

// OpenSQLForTools opens a connection pool of its own to the database named by
// dsn (an SQLite file path, with the settings of the store's readers, or a
// PostgreSQL URL, through the driver that accepts the shared dialect). It is for tests
// (registrytest: checking what was stored, tampering with it on purpose)
// and for measurement tools, never for the application: everything the
// application reads or writes goes through DB's methods, so that the
// schema has one owner (docs/ARCHITECTURE.md, "Storage"; a test outside
// this package fails when production code opens SQL). The caller closes
// the pool.
func OpenSQLForTools(path string) (*sql.DB, error) {
	if IsPostgresDSN(path) {
		db, err := sql.Open(pgDriverName, path)
		if err != nil {
			return nil, fmt.Errorf("registry: open %s for tools: %w", RedactDSN(path), err)
		}
		return db, nil
	}
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("registry: open for tools: a file path is required, got %q", path)
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+pragmas)
	if err != nil {
		return nil, fmt.Errorf("registry: open %s for tools: %w", path, err)
	}
	return db, nil
}
