package registry_test

import (
	"context"
	"errors"
	"testing"

	"chengxin/internal/testdb"
	"chengxin/registry"
)

func TestIsText(t *testing.T) {
	for s, want := range map[string]bool{"": true, "天津 ABC": true, "a\x00b": false, "\xff": false, "\xe5\xae": false, "\u3000": true} {
		if got := registry.IsText(s); got != want {
			t.Errorf("IsText(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestNotTextRefusedOnPostgres: PostgreSQL cannot hold or compare a NUL
// byte or invalid UTF-8; the store says ErrNotText rather than pass the
// server's error on.
func TestNotTextRefusedOnPostgres(t *testing.T) {
	db, _ := openDB(t)
	_, err := db.FindAudit(context.Background(), registry.AuditFilter{Subject: "a\x00b"})
	if !testdb.Postgres() {
		if err != nil {
			t.Fatalf("SQLite: %v", err)
		}
		return
	}
	if !errors.Is(err, registry.ErrNotText) {
		t.Fatalf("FindAudit with a NUL byte: %v, want ErrNotText", err)
	}
}
