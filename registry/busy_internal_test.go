package registry

import (
	"context"
	"path/filepath"
	"testing"
)

// The writer waits longer for another process's write lock (a publication
// run's one transaction) than readers wait for anything, and the store's
// other settings are the same on both.
func TestWriterWaitsLongerForTheLock(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "busy.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pragma := func(name, p string) int {
		t.Helper()
		var n int
		q := db.read
		if name == "writer" {
			q = db.write
		}
		if err := q.QueryRowContext(ctx, "PRAGMA "+p).Scan(&n); err != nil {
			t.Fatalf("%s: PRAGMA %s: %v", name, p, err)
		}
		return n
	}
	for _, c := range []struct {
		name                 string
		busy, cache, foreign int
	}{{"writer", 30000, -16384, 1}, {"reader", 5000, -512, 1}} {
		if got := pragma(c.name, "busy_timeout"); got != c.busy {
			t.Errorf("%s busy_timeout = %d, want %d", c.name, got, c.busy)
		}
		if got := pragma(c.name, "cache_size"); got != c.cache {
			t.Errorf("%s cache_size = %d, want %d", c.name, got, c.cache)
		}
		if got := pragma(c.name, "foreign_keys"); got != c.foreign {
			t.Errorf("%s foreign_keys = %d, want %d", c.name, got, c.foreign)
		}
	}
}
