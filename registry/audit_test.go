package registry_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"chengxin/registry"
	"chengxin/registry/registrytest"
)

// auditFixture makes n audit entries (vendor creations) and returns the database path.
func auditFixture(t *testing.T, n int) (*registry.DB, string) {
	t.Helper()
	ctx := context.Background()
	db, clk := openDB(t)
	for i := 0; i < n; i++ {
		if _, err := db.CreateVendor(ctx, cli, vendorIn(usccN(400+i))); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
	}
	return db, db.DSN()
}

// rawDB opens the database directly, bypassing the registry.
func rawDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	raw, err := registry.OpenSQLForTools(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func TestVerifyAuditIntact(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	if brk, n, err := db.VerifyAudit(ctx); brk != nil || n != 0 || err != nil {
		t.Fatalf("empty log: %+v, %d, %v", brk, n, err)
	}
	org, err := db.CreateOrg(ctx, cli, orgIn(orgUSCC(31)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateVendor(ctx, cli, vendorIn(usccN(501))); err != nil {
		t.Fatal(err)
	}
	in := vendorIn(usccN(501))
	in.Name = "改名后的家政公司"
	if _, _, err := db.UpdateVendor(ctx, regulator, in); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetVendorStatus(ctx, regulator, usccN(501), registry.VendorSuspended, "检查"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.OnboardMember(ctx, association, org.ID, vendorIn(usccN(502))); err != nil { // 3 entries
		t.Fatal(err)
	}
	brk, n, err := db.VerifyAudit(ctx)
	if brk != nil || err != nil || n != 7 {
		t.Fatalf("VerifyAudit = %+v, %d, %v; want nil, 7", brk, n, err)
	}
	es, err := db.FindAudit(ctx, registry.AuditFilter{})
	if err != nil || len(es) != 7 {
		t.Fatalf("FindAudit = %d, %v", len(es), err)
	}
	wantActions := []string{"org.create", "vendor.create", "vendor.update", "vendor.status", "vendor.create", "membership.add", "invitation.create"}
	for i, e := range es { // newest first
		if want := wantActions[len(wantActions)-1-i]; e.Action != want || e.ID != int64(7-i) {
			t.Errorf("entry %d: #%d %s, want #%d %s", i, e.ID, e.Action, 7-i, want)
		}
	}
	if es[6].PrevHash != "" {
		t.Errorf("first entry's prev_hash %q, want empty", es[6].PrevHash)
	}
	for i := 0; i < 6; i++ {
		if es[i].PrevHash != es[i+1].Hash {
			t.Errorf("entry #%d prev_hash does not link to #%d", es[i].ID, es[i+1].ID)
		}
	}
	// Filters and keyset paging.
	if got, _ := db.FindAudit(ctx, registry.AuditFilter{Action: "vendor."}); len(got) != 4 {
		t.Errorf("action prefix vendor.: %d entries, want 4", len(got))
	}
	if got, _ := db.FindAudit(ctx, registry.AuditFilter{Actor: "user:reg1"}); len(got) != 2 {
		t.Errorf("actor user:reg1: %d entries, want 2", len(got))
	}
	if got, _ := db.FindAudit(ctx, registry.AuditFilter{BeforeID: 3, Limit: 1}); len(got) != 1 || got[0].ID != 2 {
		t.Errorf("BeforeID 3 Limit 1: %+v", got)
	}
	if got, _ := db.FindAudit(ctx, registry.AuditFilter{Action: "vendor_"}); len(got) != 0 {
		t.Errorf("LIKE wildcard in action matched %d entries", len(got))
	}
}

func TestAuditHashFormula(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := auditFixture(t, 3)
	es, err := db.FindAudit(ctx, registry.AuditFilter{})
	if err != nil || len(es) != 3 {
		t.Fatalf("FindAudit = %d, %v", len(es), err)
	}
	for _, e := range es {
		// The documented formula, computed independently: SHA-256 over prev_hash,
		// id, at, actor, action, subject and detail, each followed by "\n".
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s\n%d\n%s\n%s\n%s\n%s\n%s\n", e.PrevHash, e.ID, e.At, e.Actor, e.Action, e.Subject, e.Detail)))
		want := hex.EncodeToString(sum[:])
		if e.Hash != want {
			t.Errorf("entry #%d hash %s, want %s", e.ID, e.Hash, want)
		}
		if got := registry.AuditHash(e.PrevHash, e.ID, e.At, e.Actor, e.Action, e.Subject, e.Detail); got != want {
			t.Errorf("AuditHash(#%d) = %s, want %s", e.ID, got, want)
		}
		if _, err := time.Parse(time.RFC3339, e.At); err != nil || !strings.HasSuffix(e.At, "Z") {
			t.Errorf("entry #%d at %q is not RFC 3339 UTC", e.ID, e.At)
		}
	}
	if es[2].At != "2025-03-15T02:00:00Z" || es[0].At != "2025-03-15T02:02:00Z" {
		t.Errorf("times %q, %q do not follow the clock", es[2].At, es[0].At)
	}
	// A known vector, so the formula cannot drift unnoticed.
	sum := sha256.Sum256([]byte("\n1\n2025-03-15T02:00:00Z\ncli\nvendor.create\nX\n{}\n"))
	if got := registry.AuditHash("", 1, "2025-03-15T02:00:00Z", "cli", "vendor.create", "X", "{}"); got != hex.EncodeToString(sum[:]) {
		t.Errorf("AuditHash vector = %s", got)
	}
}

func TestAuditTriggers(t *testing.T) {
	t.Parallel()
	_, path := auditFixture(t, 2)
	raw := rawDB(t, path)
	for _, stmt := range []string{
		`UPDATE audit_log SET detail = '{}' WHERE id = 1`,
		`UPDATE audit_log SET hash = '' WHERE id = 2`,
		`DELETE FROM audit_log WHERE id = 2`,
		`DELETE FROM audit_log`,
	} {
		_, err := raw.Exec(stmt)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want the append-only trigger to abort it", stmt, err)
		}
	}
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM audit_log`).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d entries left, %v", n, err)
	}
}

func TestVerifyAuditTampered(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name   string
		stmts  []string
		wantID int64
		wantN  int64
		reason string
	}{
		{"detail edited", []string{`UPDATE audit_log SET detail = '{"name":"forged"}' WHERE id = 3`}, 3, 3, "content"},
		{"actor edited", []string{`UPDATE audit_log SET actor = 'system' WHERE id = 1`}, 1, 1, "content"},
		{"entry and its hash rewritten", []string{`UPDATE audit_log SET detail = '{}' WHERE id = 2`,
			`UPDATE audit_log SET hash = 'x' WHERE id = 2`}, 2, 2, "content"},
		{"middle entry deleted", []string{`DELETE FROM audit_log WHERE id = 3`}, 4, 3, "missing"},
		{"first entry deleted", []string{`DELETE FROM audit_log WHERE id = 1`}, 2, 1, "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, path := auditFixture(t, 5)
			if brk, n, err := db.VerifyAudit(ctx); brk != nil || n != 5 || err != nil {
				t.Fatalf("before tampering: %+v, %d, %v", brk, n, err)
			}
			registrytest.AllowTampering(t, db)
			raw := rawDB(t, path)
			for _, s := range tt.stmts {
				if _, err := raw.Exec(s); err != nil {
					t.Fatalf("%s: %v", s, err)
				}
			}
			brk, n, err := db.VerifyAudit(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if brk == nil || brk.ID != tt.wantID || n != tt.wantN || !strings.Contains(brk.Reason, tt.reason) {
				t.Errorf("VerifyAudit = %+v, %d; want break at #%d (%s) after %d", brk, n, tt.wantID, tt.reason, tt.wantN)
			}
		})
	}
	t.Run("rehashed entry breaks the next link", func(t *testing.T) {
		// A forger who recomputes the edited entry's hash is caught at the next entry.
		db, path := auditFixture(t, 5)
		es, _ := db.FindAudit(ctx, registry.AuditFilter{})
		e := es[len(es)-2] // #2
		forged := `{"name":"forged"}`
		h := registry.AuditHash(e.PrevHash, e.ID, e.At, e.Actor, e.Action, e.Subject, forged)
		registrytest.AllowTampering(t, db)
		raw := rawDB(t, path)
		if _, err := raw.Exec(`UPDATE audit_log SET detail = ?, hash = ? WHERE id = ?`, forged, h, e.ID); err != nil {
			t.Fatal(err)
		}
		brk, _, err := db.VerifyAudit(ctx)
		if err != nil || brk == nil || brk.ID != 3 || !strings.Contains(brk.Reason, "prev_hash") {
			t.Errorf("VerifyAudit = %+v, %v; want break at #3 (prev_hash)", brk, err)
		}
	})
}
