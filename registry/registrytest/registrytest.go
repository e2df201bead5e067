// Package registrytest gives tests outside package registry what the
// application never has: SQL over the store's database, to check what was
// stored and to tamper with it on purpose. Only _test.go files import it
// (registry's TestOnlyRegistryRunsSQL fails otherwise).
package registrytest

import (
	"database/sql"
	"sync"
	"testing"

	"chengxin/registry"
)

var (
	mu    sync.Mutex
	pools = map[*registry.DB]*sql.DB{}
)

// SQL returns a connection pool of its own to db's database file
// (registry.OpenSQLForTools), opened on first use and closed when tb ends.
func SQL(tb testing.TB, db *registry.DB) *sql.DB {
	tb.Helper()
	mu.Lock()
	defer mu.Unlock()
	if p, ok := pools[db]; ok {
		return p
	}
	p, err := registry.OpenSQLForTools(db.DSN())
	if err != nil {
		tb.Fatal(err)
	}
	pools[db] = p
	tb.Cleanup(func() {
		mu.Lock()
		delete(pools, db)
		mu.Unlock()
		p.Close()
	})
	return p
}

// AllowTampering drops the triggers that keep audit_log append-only, so a
// test can play the forger who rewrites history with direct database
// access.
func AllowTampering(tb testing.TB, db *registry.DB) {
	tb.Helper()
	stmts := []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}
	if registry.IsPostgresDSN(db.DSN()) {
		stmts = []string{`DROP TRIGGER audit_log_no_update ON audit_log`, `DROP TRIGGER audit_log_no_delete ON audit_log`}
	}
	for _, s := range stmts {
		if _, err := SQL(tb, db).Exec(s); err != nil {
			tb.Fatalf("%s: %v", s, err)
		}
	}
}
