package registry_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"chengxin/registry"
)

func TestClaimJobOnceUntilLeaseEnds(t *testing.T) {
	ctx := context.Background()
	db, clk := openDB(t)
	other, err := registry.Open(ctx, db.DSN()) // a second process on the same database
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.Now = clk.Now
	const lease = time.Hour
	if _, err := db.Job(ctx, registry.JobDailyEvaluation, "2025-03-15"); !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("Job before any claim: %v, want ErrNotFound", err)
	}
	if ok, err := db.ClaimJob(ctx, registry.JobDailyEvaluation, "2025-03-15", lease); err != nil || !ok {
		t.Fatalf("first claim = %v, %v; want true", ok, err)
	}
	if ok, err := other.ClaimJob(ctx, registry.JobDailyEvaluation, "2025-03-15", lease); err != nil || ok {
		t.Fatalf("second claim within the lease = %v, %v; want false", ok, err)
	}
	if ok, err := other.ClaimJob(ctx, registry.JobDailyEvaluation, "2025-03-16", lease); err != nil || !ok {
		t.Fatalf("another day's claim = %v, %v; want true", ok, err)
	}
	clk.Advance(lease + time.Second) // the first claimer died without finishing
	if ok, err := other.ClaimJob(ctx, registry.JobDailyEvaluation, "2025-03-15", lease); err != nil || !ok {
		t.Fatalf("claim after the lease = %v, %v; want true (taken over)", ok, err)
	}
	if err := other.FinishJob(ctx, registry.JobDailyEvaluation, "2025-03-15"); err != nil {
		t.Fatal(err)
	}
	if c, err := db.Job(ctx, registry.JobDailyEvaluation, "2025-03-15"); err != nil || !c.Done || !c.ClaimedAt.Equal(clk.Now().Truncate(time.Second)) || c.ClaimedBy == "" {
		t.Fatalf("Job after the take-over and finish = %+v, %v; want done, claimed now", c, err)
	}
	if c, err := db.Job(ctx, registry.JobDailyEvaluation, "2025-03-16"); err != nil || c.Done {
		t.Fatalf("Job of claimed, unfinished work = %+v, %v; want not done", c, err)
	}
	clk.Advance(2 * lease)
	if ok, err := db.ClaimJob(ctx, registry.JobDailyEvaluation, "2025-03-15", lease); err != nil || ok {
		t.Fatalf("claim of finished work = %v, %v; want false", ok, err)
	}
}
