//go:build unix

package web_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system) the test process has used:
// what a request costs in work, whatever else the machine is doing.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
