package registry

import (
	"math/rand/v2"
	"testing"
	"time"
)

// The fast path must agree with time.Parse on every stored time, and refuse
// anything else so the slow path handles it.
func TestParseUTCFastAgreesWithTimeParse(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 10000; i++ {
		want := time.Unix(rng.Int64N(4_000_000_000), 0).UTC()
		s := formatTime(want)
		got, ok := parseUTCFast(s)
		if !ok || !got.Equal(want) {
			t.Fatalf("%s: got %v %v", s, got, ok)
		}
	}
	for _, s := range []string{"2026-11-01T01:00:00+08:00", "2026-13-01T01:00:00Z", "2026-11-01 01:00:00Z", "2026-11-01T01:00:0xZ", ""} {
		if _, ok := parseUTCFast(s); ok {
			t.Errorf("%q took the fast path", s)
		}
	}
}
