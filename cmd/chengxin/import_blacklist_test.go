package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"chengxin/registry"
)

// `chengxin import sanctions` with a blacklist entry publishes the vendor's
// worse grade at once (CONTRACT "Out-of-cycle publication"), in its
// publication history with the entry as the cause.
func TestImportBlacklistPublishesAtOnce(t *testing.T) {
	ctx := context.Background()
	db := tempDB(t)
	code := registry.MustUSCC("91120101MA0000003")
	vendors := writeFile(t, "vendors.csv", "uscc,name,legal_rep,phone,address,districts,categories\n"+
		code+",天津丙家政有限公司,王一,022-1,天津市和平区,120101,cleaning\n")
	if r := runCLI(t, ctx, "", nil, "import", "vendors", vendors, "-db", db); r.code != 0 {
		t.Fatalf("import vendors: %+v", r)
	}
	if r := runCLI(t, ctx, "", nil, "publish", "-db", db, "-as-of", time.Now().Add(-time.Minute).Format(time.RFC3339)); r.code != 0 {
		t.Fatalf("publish: %+v", r)
	}
	sanctions := writeFile(t, "sanctions.csv", "vendor_uscc,kind,issued_at,reference,summary\n"+
		code+",blacklist,"+time.Now().In(registry.Shanghai).Format("2006-01-02")+",津市监信〔2026〕5号,拒不履行生效判决\n")
	if r := runCLI(t, ctx, "", nil, "import", "sanctions", sanctions, "-db", db); r.code != 0 || r.stdout != "created 1, updated 0, unchanged 0, rejected 0\n" {
		t.Fatalf("import sanctions: %+v", r)
	}
	store := openStore(t, db)
	defer store.Close()
	v, err := store.FindVendorByUSCC(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	p, err := store.FindPublished(ctx, v.ID)
	if err != nil || p.Grade != "D" {
		t.Fatalf("published after the import: %+v %v", p, err)
	}
	h, err := store.PublicationHistory(ctx, v.ID, 10)
	if err != nil || len(h) != 2 || h[0].Cause != registry.CauseBlacklist || !strings.Contains(h[0].Reference, "5号") {
		t.Errorf("history = %+v %v", h, err)
	}
}
