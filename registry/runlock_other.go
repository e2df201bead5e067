//go:build !unix

package registry

import "errors"

// acquireRunLock has no host-wide lock on this platform: a crashed run is
// resumed only after staleRunAfter.
func acquireRunLock(string) (*runLock, error) {
	return nil, errors.ErrUnsupported
}
