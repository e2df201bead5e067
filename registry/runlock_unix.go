//go:build unix

package registry

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// acquireFileRunLock takes the host-wide lock that a process holds while it
// performs a publication run: an exclusive flock(2) on "<db>-publish.lock".
// The kernel drops it when the holder exits, however it exits, so a run
// row left "running" while the lock is free belongs to a dead process and
// can be resumed at once. It returns errRunLockHeld when another process
// (or another run in this one) holds the lock.
func acquireFileRunLock(dbPath string) (*runLock, error) {
	// Read-only is enough for flock, and 0644 lets processes of other users
	// that can write the database take the lock too.
	f, err := os.OpenFile(dbPath+"-publish.lock", os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("registry: publication lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errRunLockHeld
		}
		return nil, err
	}
	return &runLock{file: f}, nil
}
