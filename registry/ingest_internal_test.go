package registry

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// A batch commits after ingestYieldAfter records while another write waits
// for the writer, and in transactions of ingestTxSize otherwise; either way
// every record is stored once and the audit chain holds.
func TestIngestYieldsToWaitingWriters(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "y.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v, err := db.CreateVendor(ctx, CLIActor, VendorInput{USCC: MustUSCC("91120101MA0YLD001"), Name: "让行家政服务有限公司", LegalRep: "张明",
		Phone: "022-1", Address: "天津", Districts: []string{"120101"}, Categories: []string{"cleaning"}})
	if err != nil {
		t.Fatal(err)
	}
	const n = 1000
	batch := func(prefix string) []CallbackInput {
		out := make([]CallbackInput, n)
		for i := range out {
			out[i] = CallbackInput{WorkOrderNo: fmt.Sprintf("%s-%04d", prefix, i), VendorUSCC: v.USCC,
				CalledAt: time.Now().Add(-time.Hour).Format(time.RFC3339), Result: "satisfied"}
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		waiting int64
		wantTx  int64
	}{
		{"nobody waits", 0, n / ingestTxSize},
		{"a writer waits", 1, n / ingestYieldAfter},
	} {
		db.stats.waiting.Store(tc.waiting) // as if a request were blocked on the writer
		before := db.stats.writeTx.Load()
		sum, err := db.IngestCallbacks(ctx, CLIActor, batch(tc.name[:1]), nil)
		db.stats.waiting.Store(0)
		if err != nil || sum.Count(ResultCreated) != n {
			t.Fatalf("%s: %d created, %v", tc.name, sum.Count(ResultCreated), err)
		}
		if got := db.stats.writeTx.Load() - before; got != tc.wantTx {
			t.Errorf("%s: %d transactions, want %d", tc.name, got, tc.wantTx)
		}
	}
	if brk, _, err := db.VerifyAudit(ctx); err != nil || brk != nil {
		t.Errorf("VerifyAudit: %v %v", brk, err)
	}
}
