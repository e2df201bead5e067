package registry

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"sync"
)

// errRunLockHeld means a live process is performing a publication run.
var errRunLockHeld = errors.New("publication run lock is held")

// runLock is a held publication-run lock; see acquireRunLock.
type runLock struct {
	file *os.File  // SQLite: the flock'd file
	conn *sql.Conn // PostgreSQL: the session holding the advisory lock
	once sync.Once
}

// release drops the lock; it is safe to call more than once and on nil.
func (l *runLock) release() {
	if l == nil {
		return
	}
	l.once.Do(func() {
		if l.file != nil {
			l.file.Close()
		}
		if l.conn != nil {
			// Unlock explicitly: closing a *sql.Conn returns the session to the
			// pool, where the lock would otherwise live on.
			l.conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(?)`, pgRunLock)
			l.conn.Close()
		}
	})
}
