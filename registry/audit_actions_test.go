package registry_test

import (
	"context"
	"reflect"
	"testing"

	"chengxin/registry"
)

// AuditActions lists each action once, sorted, whatever the number of entries.
func TestAuditActions(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	if got, err := db.AuditActions(ctx); err != nil || len(got) != 0 {
		t.Fatalf("empty log: %v %v", got, err)
	}
	v, err := db.CreateVendor(ctx, cli, vendorIn(usccN(40)))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := db.CreateVendor(ctx, cli, vendorIn(usccN(41+i))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.CreateSanction(ctx, regulator, registry.SanctionInput{VendorUSCC: v.USCC, Kind: "warning", IssuedAt: "2025-03-01",
		Reference: "津市监警〔2025〕9号", Summary: "未按约定时间上门"}); err != nil {
		t.Fatal(err)
	}
	got, err := db.AuditActions(ctx)
	if want := []string{"sanction.create", "vendor.create"}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("AuditActions = %v, %v; want %v", got, err, want)
	}
}
