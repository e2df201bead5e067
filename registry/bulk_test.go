package registry_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"chengxin/internal/testdb"
	"chengxin/registry"
	"chengxin/registry/registrytest"
)

// bulkLoad writes a small city through a bulk loader: organisations,
// vendors with districts, categories and memberships, complaints (open and
// closed, summaries with tabs, newlines, backslashes, quotes and a phone
// number to mask), callbacks, volumes and marks (some vendors marked twice).
// first numbers the rows, so that a second load adds new ones.
func bulkLoad(t *testing.T, b *registry.BulkLoader, first int, markAlso []int64) []int64 {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	districts, cats := registry.Districts(), registry.Categories()
	org, err := b.Org(registry.Org{USCC: registry.MustUSCC(fmt.Sprintf("5112010%010d", first)), Name: fmt.Sprintf("协会%d", first),
		Kind: "association", District: districts[0].Code, ContactPhone: "022-23456789"})
	must(err)
	summaries := []string{"", "上门迟到\t两小时", "line one\nline two\r\nthree", `back\slash "quoted" 'single'`,
		"客户电话 13812345678 已回访", "\\N", "逗号,分号;竖线|"}
	var ids []int64
	for i := first; i < first+12; i++ {
		v := registry.Vendor{USCC: usccN(40000 + i), Name: fmt.Sprintf("天津批量%d家政有限公司", i), LegalRep: "张三", Phone: "022-12345678",
			Address: "天津市和平区南京路1号", LicenceNo: fmt.Sprintf("JZ%06d", i), RegisteredAt: t0.AddDate(-2, 0, -i),
			Districts: []string{districts[i%len(districts)].Code}, Categories: []string{cats[i%len(cats)].Code}}
		if i%2 == 0 {
			lv := t0.AddDate(1, 0, i)
			v.LicenceValidUntil, v.InsuranceValidUntil = &lv, &lv
			v.Districts = append(v.Districts, districts[(i+1)%len(districts)].Code)
			v.Categories = append(v.Categories, cats[(i+1)%len(cats)].Code)
		}
		id, err := b.Vendor(v)
		must(err)
		ids = append(ids, id)
		if i%3 != 0 {
			must(b.Membership(org, id, t0.AddDate(-1, 0, -i)))
		}
		for k := 0; k < 9; k++ {
			at := t0.Add(-time.Duration(i*100+k) * time.Hour)
			c := registry.Complaint{WorkOrderNo: fmt.Sprintf("BULK-C-%d-%d", i, k), VendorID: id, ReceivedAt: at, Channel: registry.Channels[k%len(registry.Channels)],
				Category: v.Categories[0], Severity: "general", Status: "open", DeadlineAt: at.AddDate(0, 0, 5),
				ServiceOrderNo: fmt.Sprintf("SO-%d-%d", i, k), Summary: summaries[(i+k)%len(summaries)]}
			if k%2 == 0 {
				closed := at.Add(time.Duration(k+1) * time.Hour)
				c.Status, c.Outcome, c.ClosedAt = "closed", "substantiated", &closed
			}
			must(b.Complaint(c))
			must(b.Callback(registry.Callback{WorkOrderNo: fmt.Sprintf("BULK-B-%d-%d", i, k), VendorID: id, CalledAt: at.Add(time.Minute),
				Result: []string{"satisfied", "dissatisfied", "unreachable"}[k%3]}))
			must(b.Volume(registry.Volume{VendorID: id, Month: t0.AddDate(0, -k, 0).Format("2006-01"), Source: []string{"dispatch", "vendor_report"}[k%2],
				Orders: int64(i*10 + k)}))
		}
		must(b.Mark(id))
		if i%4 == 0 {
			must(b.Mark(id)) // twice in one load
		}
	}
	for _, id := range markAlso { // marked in an earlier load too
		must(b.Mark(id))
	}
	return ids
}

// bulkDump reads every table a bulk load writes, in a fixed order, as text
// (created_at and updated_at are the clock's time on both sides).
func bulkDump(t *testing.T, db *registry.DB) map[string][]string {
	t.Helper()
	queries := map[string]string{
		"orgs":              `SELECT id, uscc, name, kind, district, contact_phone, created_at, updated_at FROM orgs ORDER BY id`,
		"vendors":           `SELECT id, uscc, name, name_pinyin, legal_rep, phone, address, licence_no, licence_valid_until, insurance_valid_until, registered_at, status, created_at, updated_at FROM vendors ORDER BY id`,
		"vendor_districts":  `SELECT vendor_id, district FROM vendor_districts ORDER BY vendor_id, district`,
		"vendor_categories": `SELECT vendor_id, category FROM vendor_categories ORDER BY vendor_id, category`,
		"memberships":       `SELECT id, org_id, vendor_id, status, since, until, updated_at FROM memberships ORDER BY id`,
		"complaints":        `SELECT id, work_order_no, vendor_id, received_at, channel, category, severity, status, outcome, deadline_at, closed_at, service_order_no, summary, late_excused, updated_at FROM complaints ORDER BY id`,
		"callbacks":         `SELECT id, work_order_no, vendor_id, called_at, result, updated_at FROM callbacks ORDER BY id`,
		"volumes":           `SELECT vendor_id, month, source, orders, updated_at FROM volumes ORDER BY vendor_id, month, source`,
		"reeval_marks":      `SELECT vendor_id, marked_at FROM reeval_marks ORDER BY vendor_id`,
		// The order of the notes within one load may differ; which vendors were noted may not.
		"public_changes": `SELECT vendor_id FROM public_changes ORDER BY vendor_id`,
		"audit_log":      `SELECT action, subject, detail FROM audit_log ORDER BY id`,
	}
	out := map[string][]string{}
	for table, q := range queries {
		rows, err := registrytest.SQL(t, db).Query(q)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for i, v := range vals {
				if i > 0 {
					b.WriteByte('|')
				}
				switch v := v.(type) {
				case nil:
					b.WriteString("NULL")
				case []byte:
					fmt.Fprintf(&b, "%q", v)
				default:
					fmt.Fprintf(&b, "%q", fmt.Sprint(v))
				}
			}
			out[table] = append(out[table], b.String())
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return out
}

// The bulk path stores the same rows, with the same ids, whether it sends
// them with COPY (PostgreSQL) or one INSERT at a time, across several
// commits and two loads (the second marking vendors the first marked).
// On SQLite both loads take the INSERT path, at different commit sizes.
func TestBulkCopyMatchesInserts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	load := func(useCopy bool, commitEvery int) map[string][]string {
		db, _ := openDB(t)
		var marked []int64
		for n, first := range []int{1, 100} {
			b, err := db.NewBulkLoaderForTest(ctx, cli, useCopy, commitEvery)
			if err != nil {
				t.Fatal(err)
			}
			if want := useCopy && testdb.Postgres(); b.UsesCopyForTest() != want {
				t.Fatalf("load uses COPY: %v, want %v", b.UsesCopyForTest(), want)
			}
			ids := bulkLoad(t, b, first, marked)
			if err := b.Close(fmt.Sprintf("test load %d", n)); err != nil {
				t.Fatal(err)
			}
			marked = ids[:5]
		}
		return bulkDump(t, db)
	}
	copied := load(true, 37)
	inserted := load(false, 50_000)
	for _, table := range []string{"orgs", "vendors", "vendor_districts", "vendor_categories", "memberships", "complaints",
		"callbacks", "volumes", "reeval_marks", "public_changes", "audit_log"} {
		c, i := copied[table], inserted[table]
		if len(i) == 0 && table != "public_changes" {
			t.Errorf("%s: nothing stored", table)
		}
		if !reflect.DeepEqual(c, i) {
			t.Errorf("%s differs: %d rows copied, %d inserted", table, len(c), len(i))
			for k := 0; k < min(len(c), len(i)); k++ {
				if c[k] != i[k] {
					t.Errorf("  first difference, row %d:\n  copy   %s\n  insert %s", k, c[k], i[k])
					break
				}
			}
		}
	}
	if n := len(copied["complaints"]); n != 2*12*9 {
		t.Errorf("%d complaints stored, want %d", n, 2*12*9)
	}
	if n := len(copied["reeval_marks"]); n != 24 {
		t.Errorf("%d vendors marked, want 24", n)
	}
	if testdb.Postgres() {
		// Close leaves planner statistics and a visibility map behind.
		db, _ := openDB(t)
		b, err := db.NewBulkLoader(ctx, cli)
		if err != nil {
			t.Fatal(err)
		}
		bulkLoad(t, b, 1, nil)
		if err := b.Close("vacuumed"); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"callbacks", "complaints", "volumes", "vendors", "reeval_marks"} {
			var vacuumed, analyzed bool
			err := registrytest.SQL(t, db).QueryRow(`SELECT last_vacuum IS NOT NULL, last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = ?`, table).
				Scan(&vacuumed, &analyzed)
			if err != nil || !vacuumed || !analyzed {
				t.Errorf("%s after a bulk load: vacuumed %v, analyzed %v (%v)", table, vacuumed, analyzed, err)
			}
		}
	}
	for _, row := range copied["complaints"] {
		if strings.Contains(row, "13812345678") {
			t.Errorf("summary stored unmasked: %s", row)
		}
	}
}

// A bad row (a work-order number used twice) fails the load — on
// PostgreSQL at the commit that sends it, on SQLite at the call — and
// leaves nothing of its transaction behind; the store takes writes after.
func TestBulkBadRowFailsLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	b, err := db.NewBulkLoader(ctx, cli)
	if err != nil {
		t.Fatal(err)
	}
	v, err := b.Vendor(registry.Vendor{USCC: usccN(41000), Name: "天津重复家政有限公司", RegisteredAt: t0.AddDate(-1, 0, 0),
		Districts: []string{registry.Districts()[0].Code}, Categories: []string{registry.Categories()[0].Code}})
	if err != nil {
		t.Fatal(err)
	}
	cb := registry.Callback{WorkOrderNo: "BULK-DUP-1", VendorID: v, CalledAt: t0.Add(-time.Hour), Result: "satisfied"}
	err = b.Callback(cb)
	if err == nil {
		err = b.Callback(cb)
	}
	if err == nil {
		err = b.Close("dup")
	} else {
		b.Abort()
	}
	if err == nil || !strings.Contains(err.Error(), "callback") {
		t.Fatalf("load with a duplicate work-order number: %v, want an error naming callbacks", err)
	}
	var n int
	if err := registrytest.SQL(t, db).QueryRow(`SELECT count(*) FROM vendors`).Scan(&n); err != nil || n != 0 {
		t.Errorf("vendors after the failed load: %d (%v), want 0", n, err)
	}
	if _, err := db.CreateVendor(ctx, cli, vendorIn(usccN(41001))); err != nil {
		t.Fatalf("a write after the failed load: %v", err)
	}
	if err := registrytest.SQL(t, db).QueryRow(`SELECT count(*) FROM callbacks`).Scan(&n); err != nil || n != 0 {
		t.Errorf("callbacks after the failed load: %d (%v), want 0", n, err)
	}
}
