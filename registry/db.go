// Package registry is Chengxin's system of record: vendors, organisations,
// memberships, users, sessions, the audit log and imports, kept in SQLite
// (modernc.org/sqlite) behind one writer connection and a pool of readers.
package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DB is the store. All writes go through the single writer connection, so
// SQLite never sees two writers; reads use a separate pool.
type DB struct {
	write *sql.DB
	read  *sql.DB
	path  string        // the SQLite file; "" on PostgreSQL
	pg    bool          // the PostgreSQL engine (engine.go)
	dsn   string        // as given to Open
	marks chan struct{} // signalled after commits that mark vendors for re-evaluation
	// tokenUse limits last_used_at writes of API tokens.
	tokenUse *tokenUseCache
	// limiter holds the API token rate limits of an SQLite database.
	limiter tokenLimiter
	// rulesCache holds parsed rules versions by name.
	rulesCache sync.Map
	// readStmts holds the prepared statements of hot reads, by SQL text.
	readStmts sync.Map
	stats     Stats
	// keyPath names the checkpoint signing key's file; key is it, loaded
	// on first use (see SigningKey).
	keyMu   sync.Mutex
	keyPath string
	key     *SigningKey
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// pragmas apply to every connection. A reader's page cache is small (512
// KiB): the many readers each keep their own, a request reads a handful of
// pages, and the operating system's file cache holds the database once
// for all of them; measured at 100,000 vendors, 16 MiB per reader held
// 300 MB more and served cold reads no faster, and 2 MiB → 512 KiB took
// another 35 MB off peak RSS with cold JSON reads unchanged (BENCHMARKS.md).
// The one writer, which rescoring, publication and the document builder
// keep busy, gets 16 MiB (writerPragmas).
const pragmas = "_pragma=busy_timeout(5000)&" + sharedPragmas + "&_pragma=cache_size(-512)"

// sharedPragmas apply to readers and the writer alike.
const sharedPragmas = "_pragma=journal_mode(WAL)&_pragma=foreign_keys(ON)&_pragma=synchronous(FULL)"

// writerPragmas are the writer connection's. It waits up to 30 s for the
// write lock another process holds: a publication run applies every
// vendor in one transaction (whole or not at all), which at 100,000
// vendors outlasted the readers' 5 s and failed an ingest batch with
// "database is locked". A reader that stores what it built waits 500 ms
// at most (its context ends the wait: publicity.Documents).
const writerPragmas = "_pragma=busy_timeout(30000)&" + sharedPragmas + "&_pragma=cache_size(-16384)"

// Open opens the database named by dsn — an SQLite file path (created if
// needed) or a postgres:// URL — and applies pending migrations. Never pass
// ":memory:": each pooled connection would see its own empty database.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db, err := openEngine(ctx, dsn)
	if err != nil {
		return nil, err
	}
	db.dsn = dsn
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.fillPinyinKeys(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func openEngine(ctx context.Context, dsn string) (*DB, error) {
	if IsPostgresDSN(dsn) {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}

// openSQLite opens an SQLite file: one writer connection and a read pool.
func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("registry: open: a file path is required, got %q", path)
	}
	file := "file:" + (&url.URL{Path: path}).EscapedPath() + "?"
	write, err := sql.Open("sqlite", file+writerPragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("registry: open writer: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	read, err := sql.Open("sqlite", file+pragmas)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("registry: open readers: %w", err)
	}
	n := readPoolSize()
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	db := newDB(write, read, path, false)
	if err := write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("registry: open %s: %w", path, err)
	}
	return db, nil
}

// readPoolSize is the read pool's size: a full rescore holds five readers
// (one per record stream) for its whole run; the rest serve pages meanwhile.
func readPoolSize() int { return max(10, runtime.NumCPU()*4) }

func newDB(write, read *sql.DB, path string, pg bool) *DB {
	db := &DB{write: write, read: read, path: path, pg: pg, marks: make(chan struct{}, 1),
		tokenUse: &tokenUseCache{last: map[int64]time.Time{}}, Now: time.Now}
	if path != "" {
		db.keyPath = path + ".signing-key"
	}
	return db
}

// prepared returns the read pool's prepared statement for query, preparing
// it on first use: reads on every public request (stored documents) are
// not parsed again each time.
func (db *DB) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := db.readStmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.read.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.readStmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	db.readStmts.Range(func(_, st any) bool { st.(*sql.Stmt).Close(); return true })
	return errors.Join(db.read.Close(), db.write.Close())
}

// DSN is what Open was given: the SQLite file's path or the PostgreSQL URL.
func (db *DB) DSN() string { return db.dsn }

// Path is the SQLite database file's path ("" on PostgreSQL).
func (db *DB) Path() string { return db.path }

// Ping checks that the database answers a query (readiness).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// now returns the clock's time in UTC, truncated to seconds.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Second) }

// inTx runs fn in a write transaction (BEGIN IMMEDIATE on the writer) and
// commits when it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return db.inTxWaiting(ctx, false, fn)
}

// inTxUrgent is inTx for a small write someone is waiting on (a single
// hotline record): while it waits for the writer, large ingest batches
// commit early and let it in (see ingestYieldAfter).
func (db *DB) inTxUrgent(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return db.inTxWaiting(ctx, true, fn)
}

func (db *DB) inTxWaiting(ctx context.Context, urgent bool, fn func(tx *sql.Tx) error) error {
	start := time.Now()
	if urgent {
		db.stats.waiting.Add(1)
	}
	tx, err := db.beginWrite(ctx)
	if urgent {
		db.stats.waiting.Add(-1)
	}
	db.stats.writeTx.Add(1)
	db.stats.writerWaitNs.Add(int64(time.Since(start)))
	return runTx(tx, err, fn)
}

// runTx runs fn in the transaction tx that began with err, committing when
// fn returns nil and rolling back otherwise.
func runTx(tx *sql.Tx, err error, fn func(tx *sql.Tx) error) error {
	if err != nil {
		return fmt.Errorf("registry: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("registry: commit: %w", err)
	}
	return nil
}

// Checkpoint copies the write-ahead log into the database file and truncates
// it. Large writes (a rescore, a bulk load) call it when they finish, so
// readers do not search a long log afterwards.
func (db *DB) Checkpoint(ctx context.Context) error {
	if db.pg {
		return nil // PostgreSQL manages its own write-ahead log
	}
	if _, err := db.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("registry: checkpoint: %w", err)
	}
	return nil
}

// Backup writes a consistent copy of the live database to path (which must
// not exist) with VACUUM INTO: a snapshot at one instant, taken while
// writers go on, that any SQLite (and `chengxin serve -db path`) opens.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.pg {
		return fmt.Errorf("registry: backup -to: %w; use pg_dump", errNotOnPostgres)
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("registry: backup: %s already exists", path)
	}
	if _, err := db.read.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("registry: backup to %s: %w", path, err)
	}
	return nil
}

// IntegrityCheck runs SQLite's integrity check and returns its findings
// ("ok" when the file is sound).
func (db *DB) IntegrityCheck(ctx context.Context) (string, error) {
	if db.pg {
		return "", fmt.Errorf("registry: integrity check: %w", errNotOnPostgres)
	}
	rows, err := db.read.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return "", err
		}
		out = append(out, s)
	}
	return strings.Join(out, "\n"), rows.Err()
}
