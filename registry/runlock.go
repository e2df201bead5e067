package registry

import (
	"errors"
	"os"
	"sync"
)

// errRunLockHeld means a live process is performing a publication run.
var errRunLockHeld = errors.New("publication run lock is held")

// runLock is a held publication-run lock; see acquireRunLock.
type runLock struct {
	file *os.File
	once sync.Once
}

// release drops the lock; it is safe to call more than once and on nil.
func (l *runLock) release() {
	if l == nil {
		return
	}
	l.once.Do(func() { l.file.Close() })
}
