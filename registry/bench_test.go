package registry_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"chengxin/registry"
	"chengxin/registry/synth"
)

// bnOpen opens a database in b.TempDir with a fixed clock at t0.
func bnOpen(b *testing.B) *registry.DB {
	b.Helper()
	db, err := registry.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return t0 }
	return db
}

// BenchmarkRescore rescores a synthetic city of 2,000 vendors and 200,000
// records; each iteration evaluates every vendor an hour after the last one
// (the daily-rescore path: most vendors are only confirmed, some stored).
func BenchmarkRescore(b *testing.B) {
	ctx := context.Background()
	b.StopTimer()
	db := bnOpen(b)
	const vendors = 2000
	setup := time.Now()
	st, err := synth.Generate(ctx, db, registry.SystemActor, synth.Options{Vendors: vendors, Events: 200_000, Seed: 7, Now: t0})
	if err != nil {
		b.Fatal(err)
	}
	first, err := db.Rescore(ctx, registry.RescoreOptions{AsOf: t0})
	if err != nil {
		b.Fatal(err)
	}
	if first.Vendors != vendors || first.Stored != vendors {
		b.Fatalf("first rescore: %d vendors, %d stored", first.Vendors, first.Stored)
	}
	b.Logf("setup %v: %d records; first rescore %v", time.Since(setup).Round(time.Millisecond), st.Records(), first.Took.Round(time.Millisecond))
	b.StartTimer()

	asOf, runs, stored := t0, 0, 0
	for b.Loop() {
		asOf = asOf.Add(time.Hour)
		s, err := db.Rescore(ctx, registry.RescoreOptions{AsOf: asOf})
		if err != nil {
			b.Fatal(err)
		}
		if s.Vendors != vendors {
			b.Fatalf("rescore evaluated %d vendors, want %d", s.Vendors, vendors)
		}
		runs++
		stored += s.Stored
	}
	b.ReportMetric(float64(runs*vendors)/b.Elapsed().Seconds(), "vendors/s")
	b.ReportMetric(float64(stored)/float64(runs), "stored/op")
}

// BenchmarkIngestComplaints ingests batches of 500 new complaints over 100 vendors.
func BenchmarkIngestComplaints(b *testing.B) {
	ctx := context.Background()
	b.StopTimer()
	db := bnOpen(b)
	var codes []string
	for i := 0; i < 100; i++ {
		v, err := db.CreateVendor(ctx, cli, vendorIn(usccN(9000+i)))
		if err != nil {
			b.Fatal(err)
		}
		codes = append(codes, v.USCC)
	}
	const batch = 500
	received, deadline := ingRFC(-5*24*time.Hour), ingRFC(2*24*time.Hour)
	b.StartTimer()

	n := 0
	for b.Loop() {
		recs := make([]registry.ComplaintInput, batch)
		for i := range recs {
			recs[i] = registry.ComplaintInput{WorkOrderNo: fmt.Sprintf("8890-BN-%09d", n), VendorUSCC: codes[n%len(codes)],
				ReceivedAt: received, Channel: "phone", Category: "cleaning", Status: "open", DeadlineAt: deadline}
			n++
		}
		sum, err := db.IngestComplaints(ctx, ingActor, recs, nil)
		if err != nil {
			b.Fatal(err)
		}
		if sum.Accepted != batch {
			b.Fatalf("accepted %d of %d: %+v", sum.Accepted, batch, sum.Results[0])
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
}
