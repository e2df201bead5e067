package registry_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"chengxin/i18n"
	"chengxin/internal/testdb"
	"chengxin/registry"
)

func TestMain(m *testing.M) {
	registry.BcryptCost = bcrypt.MinCost
	os.Exit(m.Run())
}

// t0 is the fixed "now" of every test: 2025-03-15 10:00 in Tianjin.
var t0 = time.Date(2025, 3, 15, 10, 0, 0, 0, registry.Shanghai)

// Actors used across the tests.
var (
	regulator   = registry.Actor{Kind: "user", Name: "reg1", Role: registry.RoleRegulator}
	association = registry.Actor{Kind: "user", Name: "assoc1", Role: registry.RoleAssociation}
	cli         = registry.CLIActor
)

// testClock is a settable clock injected as db.Now.
type testClock struct{ now time.Time }

func (c *testClock) Now() time.Time          { return c.now }
func (c *testClock) Advance(d time.Duration) { c.now = c.now.Add(d) }

// openDB opens a fresh database file in t.TempDir with the fixed clock.
func openDB(t *testing.T) (*registry.DB, *testClock) {
	t.Helper()
	db, err := registry.Open(context.Background(), testdb.DSN(t, "test.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if db.SigningKeyPath() == "" { // PostgreSQL: no file to keep it beside
		db.SetSigningKeyPath(filepath.Join(t.TempDir(), "signing-key"))
	}
	clk := &testClock{now: t0}
	db.Now = clk.Now
	return db, clk
}

// usccN is a valid code numbered n (Heping district prefix).
func usccN(n int) string { return registry.MustUSCC(fmt.Sprintf("9112010%010d", n)) }

// wrongCheck returns code with its check character replaced by a wrong one
// from the alphabet, and the right check character.
func wrongCheck(code string) (string, byte) {
	want := code[17]
	bad := byte('0')
	if want == '0' {
		bad = '1'
	}
	return code[:17] + string(bad), want
}

// vendorIn is a valid vendor input.
func vendorIn(uscc string) registry.VendorInput {
	return registry.VendorInput{
		USCC: uscc, Name: "海河示例家政服务有限公司", LegalRep: "张明", Phone: "022-2345 6789",
		Address: "天津市和平区示例路 1 号", Districts: []string{"120101"}, Categories: []string{"cleaning"},
	}
}

// count returns a table's row count.
func count(t *testing.T, db *registry.DB, table string) int {
	t.Helper()
	var n int
	if err := db.ReadPoolForTest().QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// auditFor lists audit entries for an action prefix and subject, newest first.
func auditFor(t *testing.T, db *registry.DB, action, subject string) []registry.AuditEntry {
	t.Helper()
	es, err := db.FindAudit(context.Background(), registry.AuditFilter{Action: action, Subject: subject})
	if err != nil {
		t.Fatalf("FindAudit: %v", err)
	}
	return es
}

// fieldErrors asserts err is a ValidationError and returns its English messages.
func fieldErrors(t *testing.T, err error) map[string]string {
	t.Helper()
	v, ok := registry.AsValidation(err)
	if !ok {
		t.Fatalf("want a ValidationError, got %T %v", err, err)
	}
	return v.Messages(i18n.EN)
}

// wantField asserts err is a ValidationError on field whose English message contains substr.
func wantField(t *testing.T, err error, field, substr string) {
	t.Helper()
	msgs := fieldErrors(t, err)
	msg, ok := msgs[field]
	if !ok {
		t.Fatalf("want an error on %q, got %v", field, msgs)
	}
	if !strings.Contains(msg, substr) {
		t.Errorf("error on %q = %q, want it to contain %q", field, msg, substr)
	}
}

func mustNotFound(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
}
