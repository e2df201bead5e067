//go:build !unix

package web_test

import "time"

// processCPU is not measured here; the timing test compares wall time only.
func processCPU() (time.Duration, bool) { return 0, false }
