//go:build !unix

package registry

import "errors"

// acquireFileRunLock has no host-wide lock on this platform: a crashed run is
// resumed only after staleRunAfter.
func acquireFileRunLock(string) (*runLock, error) {
	return nil, errors.ErrUnsupported
}
