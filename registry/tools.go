package registry

import (
	"database/sql"
	"fmt"
	"net/url"
)

// OpenSQLForTools opens a connection pool of its own to the database file
// at path, with the settings of the store's readers. It is for tests
// (registrytest: checking what was stored, tampering with it on purpose)
// and for measurement tools, never for the application: everything the
// application reads or writes goes through DB's methods, so that the
// schema has one owner (docs/ARCHITECTURE.md, "Storage"; a test outside
// this package fails when production code opens SQL). The caller closes
// the pool.
func OpenSQLForTools(path string) (*sql.DB, error) {
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("registry: open for tools: a file path is required, got %q", path)
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+pragmas)
	if err != nil {
		return nil, fmt.Errorf("registry: open %s for tools: %w", path, err)
	}
	return db, nil
}
