package registry_test

import (
	"context"
	"testing"
	"time"

	"chengxin/registry"
)

// A predecessor's complaints count for its successor, in a single
// evaluation and in a full rescore alike; links cannot loop.
func TestPredecessorRecordsCount(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	reg := registry.Actor{Kind: "user", Name: "r", Role: registry.RoleRegulator}
	mk := func(code, name string) registry.Vendor {
		v, err := db.CreateVendor(ctx, reg, registry.VendorInput{USCC: registry.MustUSCC(code), Name: name, LegalRep: "王", Phone: "022-1",
			Address: "天津", Districts: []string{"120101"}, Categories: []string{"cleaning"}, RegisteredAt: "2022-01-01"})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	old, succ := mk("91120101MA0PRED01", "旧公司"), mk("91120101MA0PRED02", "新公司")
	now := db.Now()
	at := func(d int) string { return now.AddDate(0, 0, -d).Format(time.RFC3339) }
	if _, err := db.IngestComplaints(ctx, reg, []registry.ComplaintInput{{WorkOrderNo: "P-1", VendorUSCC: old.USCC, ReceivedAt: at(40),
		Channel: "phone", Category: "cleaning", Severity: "serious", Status: "closed", Outcome: "substantiated", DeadlineAt: at(37), ClosedAt: at(38)}}, nil); err != nil {
		t.Fatal(err)
	}
	before, err := db.EvaluateVendor(ctx, succ.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.LinkPredecessor(ctx, reg, succ.ID, old.USCC, "同一经营者注销后重新登记"); err != nil {
		t.Fatal(err)
	}
	after, err := db.EvaluateVendor(ctx, succ.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if before.Evidence.ComplaintsCounted != 0 || after.Evidence.ComplaintsCounted != 1 || after.Score >= before.Score {
		t.Fatalf("predecessor's complaint not counted: before %+v after %+v", before.Evidence, after.Evidence)
	}
	if _, err := db.Rescore(ctx, registry.RescoreOptions{AsOf: now}); err != nil {
		t.Fatal(err)
	}
	stored, err := db.LatestEvaluation(ctx, succ.ID)
	if err != nil || stored.Score != after.Score || stored.Evidence.ComplaintsCounted != 1 {
		t.Fatalf("rescore disagrees: %+v %v", stored.Evidence, err)
	}
	for _, bad := range []struct {
		vendor int64
		code   string
	}{{old.ID, succ.USCC}, {succ.ID, succ.USCC}, {mk("91120101MA0PRED03", "第三家").ID, old.USCC}} {
		err := db.LinkPredecessor(ctx, reg, bad.vendor, bad.code, "试试")
		if v, ok := registry.AsValidation(err); !ok || !v.Has("predecessor") {
			t.Errorf("link %d ← %s: %v, want a predecessor error", bad.vendor, bad.code, err)
		}
	}
	ps, err := db.Predecessors(ctx, succ.ID)
	if err != nil || len(ps) != 1 || ps[0].USCC != old.USCC {
		t.Errorf("predecessors = %+v %v", ps, err)
	}
}
