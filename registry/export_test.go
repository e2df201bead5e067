package registry

import "database/sql"

// ReadPoolForTest is the store's read pool, for this package's external
// tests: checking what was stored and writing rows no method writes.
func (db *DB) ReadPoolForTest() *sql.DB { return db.read }
