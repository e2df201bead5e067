//go:build unix

package registry

import (
	"errors"
	"os"
	"syscall"
)

// acquireRunLock takes the host-wide lock that a process holds while it
// performs a publication run: an exclusive flock(2) on "<db>-publish.lock".
// The kernel drops it when the holder exits, however it exits, so a run
// row left "running" while the lock is free belongs to a dead process and
// can be resumed at once. It returns errRunLockHeld when another process
// (or another run in this one) holds the lock.
func acquireRunLock(dbPath string) (*runLock, error) {
	f, err := os.OpenFile(dbPath+"-publish.lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
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
