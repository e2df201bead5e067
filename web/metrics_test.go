package web_test

import (
	"context"
	"strings"
	"testing"

	"chengxin/registry"
)

// /metrics exposes request counts by route, ingest counts, and the store's
// writer and run counters.
func TestMetrics(t *testing.T) {
	e := newEnv(t)
	if _, err := e.db.Rescore(context.Background(), registry.RescoreOptions{}); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	c.get("/healthz")
	r := c.get("/metrics")
	for _, want := range []string{`chengxin_http_requests_total{code="200",method="GET",route="/healthz"}`,
		"chengxin_sqlite_write_transactions_total", "chengxin_sqlite_writer_wait_seconds_total", "chengxin_rescore_runs_total 1",
		"chengxin_publication_runs_total 0"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if r.Header.Get("X-Request-ID") == "" {
		t.Error("no request id")
	}
}
