package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Chengxin stores its data in one of two engines (CONTRACT, "Storage
// engines"): SQLite, named by a file path, and PostgreSQL, named by a
// postgres:// URL. The SQL is shared; what differs beyond spelling (which
// pgdriver.go translates) is kept in this file, one function per concern:
// opening, write serialisation, the publication-run lock, month arithmetic,
// checkpoints and backup.

// IsPostgresDSN reports whether dsn names a PostgreSQL database
// (postgres:// or postgresql:// URL). Anything else is an SQLite file path.
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Engine names the storage engine in use: "sqlite" or "postgres".
func (db *DB) Engine() string {
	if db.pg {
		return "postgres"
	}
	return "sqlite"
}

// Advisory lock keys (PostgreSQL): any constants unique to Chengxin.
const (
	// pgWriteLock is taken by every write transaction, so writers are
	// serialised across processes exactly as SQLite serialises them: the
	// code's read-then-write steps (the audit chain's head, the run record,
	// throttle counts) were written for one writer at a time.
	pgWriteLock int64 = 0x636e_7800_0001
	// pgRunLock is held, at session level, by the process performing a
	// publication run; PostgreSQL drops it when that process's connection
	// ends, however it ends.
	pgRunLock int64 = 0x636e_7800_0002
)

// openPostgres opens the PostgreSQL engine: one writer connection per process
// (as with SQLite) and a pool of readers.
func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	write, err := sql.Open(pgDriverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("registry: open writer: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	read, err := sql.Open(pgDriverName, dsn)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("registry: open readers: %w", err)
	}
	n := readPoolSize()
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	db := newDB(write, read, "", true)
	if err := write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("registry: open %s: %w", RedactDSN(dsn), err)
	}
	return db, nil
}

// RedactDSN returns dsn fit for logs and messages: a PostgreSQL URL with its
// password (in the user part or a password query parameter) masked, or
// "postgres://(unparsable URL)" when it does not parse; an SQLite path as
// given.
func RedactDSN(dsn string) string {
	if !IsPostgresDSN(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn[:strings.Index(dsn, "://")+3] + "(unparsable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	if q := u.Query(); len(q) > 0 {
		masked := false
		for k := range q {
			if strings.Contains(strings.ToLower(k), "password") {
				q.Set(k, "xxxxx")
				masked = true
			}
		}
		if masked {
			u.RawQuery = q.Encode()
		}
	}
	return u.String()
}

// beginWrite starts a write transaction: BEGIN IMMEDIATE on SQLite's writer
// connection; on PostgreSQL a transaction that first takes the write lock.
func (db *DB) beginWrite(ctx context.Context) (*sql.Tx, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil || !db.pg {
		return tx, err
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, pgWriteLock); err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
}

// acquireRunLock takes the lock a process holds while it performs a
// publication run (flock beside an SQLite file; a session advisory lock on
// PostgreSQL). It returns errRunLockHeld when another process or run holds it.
func (db *DB) acquireRunLock(ctx context.Context) (*runLock, error) {
	if !db.pg {
		return acquireFileRunLock(db.path)
	}
	conn, err := db.read.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("registry: publication lock: %w", err)
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(?)`, pgRunLock).Scan(&ok); err != nil {
		conn.Close()
		return nil, fmt.Errorf("registry: publication lock: %w", err)
	}
	if !ok {
		conn.Close()
		return nil, errRunLockHeld
	}
	return &runLock{conn: conn}, nil
}

// monthShanghai is SQL for the Asia/Shanghai calendar month (YYYY-MM) of a
// stored UTC time column, at the fixed +08:00 the rest of the code uses.
func (db *DB) monthShanghai(col string) string {
	if db.pg {
		return `to_char((` + col + `)::timestamptz AT TIME ZONE INTERVAL '+08:00', 'YYYY-MM')`
	}
	return `strftime('%Y-%m', ` + col + `, '+8 hours')`
}

// likeFoldingASCII is the LIKE operator that ignores the case of ASCII
// letters: SQLite's LIKE does, PostgreSQL's ILIKE does on "C" text.
func (db *DB) likeFoldingASCII() string {
	if db.pg {
		return "ILIKE"
	}
	return "LIKE"
}

// errNotOnPostgres is returned by SQLite-only maintenance on PostgreSQL.
var errNotOnPostgres = errors.New("not available on PostgreSQL (see the README's PostgreSQL section)")
