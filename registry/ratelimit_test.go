package registry_test

import (
	"context"
	"testing"
	"time"

	"chengxin/registry"
)

func TestTakeTokenBurstThenRate(t *testing.T) {
	ctx := context.Background()
	db, clk := openDB(t)
	_, tok, err := db.CreateToken(ctx, cli, "hotline", "ingest")
	if err != nil {
		t.Fatal(err)
	}
	r := registry.TokenRate{PerSecond: 100, Burst: 200}
	for i := range 200 {
		if d, err := db.TakeToken(ctx, tok.ID, r); err != nil || d != 0 {
			t.Fatalf("request %d of the burst: wait %v, err %v", i+1, d, err)
		}
	}
	d, err := db.TakeToken(ctx, tok.ID, r)
	if err != nil || d <= 0 || d > time.Second {
		t.Fatalf("request 201: wait %v, err %v; want a short wait", d, err)
	}
	clk.Advance(time.Second) // 100 more
	for i := range 100 {
		if d, err := db.TakeToken(ctx, tok.ID, r); err != nil || d != 0 {
			t.Fatalf("request %d after a second: wait %v, err %v", i+1, d, err)
		}
	}
	if d, _ := db.TakeToken(ctx, tok.ID, r); d <= 0 {
		t.Fatalf("request 101 after a second went through")
	}
}
