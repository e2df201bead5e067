package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"chengxin/registry"
	"chengxin/web"
)

// scrape reads the metrics the way the separate -metrics-addr listener
// serves them.
func (e *env) scrape() string {
	e.t.Helper()
	rec := httptest.NewRecorder()
	e.srv.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		e.t.Fatalf("metrics handler: %d", rec.Code)
	}
	return rec.Body.String()
}

// TestMetrics: the metrics carry request counts by route, ingest counts, and
// the store's writer and run counters.
func TestMetrics(t *testing.T) {
	e := newEnv(t)
	if _, err := e.db.Rescore(context.Background(), registry.RescoreOptions{}); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	r := c.get("/healthz")
	body := e.scrape()
	for _, want := range []string{`chengxin_http_requests_total{code="200",method="GET",route="/healthz"} 1`,
		"chengxin_sqlite_write_transactions_total", "chengxin_sqlite_writer_wait_seconds_total", "chengxin_rescore_runs_total 1",
		"chengxin_publication_runs_total 0", "go_goroutines"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if r.Header.Get("X-Request-ID") == "" {
		t.Error("no request id")
	}
}

// TestMetricsNotPublic: on the main listener /metrics is not found unless a
// token is configured, and then answers only to that token.
func TestMetricsNotPublic(t *testing.T) {
	e := newEnv(t)
	r := e.client().get("/metrics")
	wantStatus(t, r, http.StatusNotFound)
	if strings.Contains(r.Body, "chengxin_http_requests_total") {
		t.Fatal("metrics served to anyone")
	}

	e = newEnv(t, func(c *web.Config) { c.MetricsToken = "s3cret-scrape-token" })
	for _, auth := range []string{"", "Bearer wrong", "Bearer s3cret-scrape-tokenx", "Basic czNjcmV0LXNjcmFwZS10b2tlbg==", "s3cret-scrape-token"} {
		r := e.client().getWith("/metrics", map[string]string{"Authorization": auth})
		if r.Code != http.StatusUnauthorized || strings.Contains(r.Body, "chengxin_http_requests_total") {
			t.Errorf("Authorization %q: %d, want 401 without metrics", auth, r.Code)
		}
	}
	r = e.client().getWith("/metrics", map[string]string{"Authorization": "Bearer s3cret-scrape-token"})
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, `chengxin_http_requests_total{code="401",method="GET",route="/metrics"} 5`) {
		t.Errorf("the refused scrapes are not counted as 401:\n%s", grepLines(r.Body, "route=\"/metrics\""))
	}
}

// grepLines returns the lines of s containing sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
