package web

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"chengxin/registry"
)

// metrics are the server's Prometheus collectors, in a registry of its own
// (tests build many servers in one process).
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	ingested *prometheus.CounterVec
}

// storeCollectors export the store's counters.
func storeCollectors(db *registry.DB) []prometheus.Collector {
	stat := func() registry.StatsSnapshot { return db.Stats() }
	return []prometheus.Collector{
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "chengxin_sqlite_write_transactions_total",
			Help: "Write transactions begun on the single writer connection."}, func() float64 { return float64(stat().WriteTransactions) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "chengxin_sqlite_writer_wait_seconds_total",
			Help: "Time spent waiting for the writer connection."}, func() float64 { return stat().WriterWait.Seconds() }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "chengxin_rescore_runs_total",
			Help: "Full evaluation runs."}, func() float64 { return float64(stat().Rescores) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "chengxin_rescore_last_duration_seconds",
			Help: "Duration of the latest full evaluation run."}, func() float64 { return stat().LastRescore.Seconds() }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "chengxin_publication_runs_total",
			Help: "Publication runs."}, func() float64 { return float64(stat().PublicationRuns) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "chengxin_publication_last_duration_seconds",
			Help: "Duration of the latest publication run."}, func() float64 { return stat().LastPublicationRun.Seconds() }),
	}
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chengxin_http_requests_total", Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "chengxin_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		ingested: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "chengxin_ingest_records_total", Help: "Ingested hotline records by kind and result status.",
		}, []string{"kind", "status"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.ingested,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe counts and times one answered request by its route pattern (never
// the raw path, so label cardinality stays bounded) and the status the client
// got.
func (m *metrics) observe(route, method string, status int, took time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(took.Seconds())
}

func (m *metrics) observeIngest(route string, sum registry.IngestSummary) {
	kind := route[len("/api/v1/"):]
	for _, r := range sum.Results {
		m.ingested.WithLabelValues(kind, r.Status).Inc()
	}
}

// MetricsHandler serves the Prometheus metrics, for a listener of their own
// (-metrics-addr) that only the monitoring network reaches.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
}

// handleMetrics serves /metrics on the main listener only to a scraper that
// presents the configured token (Authorization: Bearer); without a token
// configured the route does not exist there, so anyone cannot read request
// rates, error counts or runtime figures.
func (s *Server) handleMetrics(c echo.Context) error {
	if s.cfg.MetricsToken == "" {
		return echo.ErrNotFound
	}
	got, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(s.cfg.MetricsToken)) != 1 {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
		return echo.NewHTTPError(http.StatusUnauthorized, "error.unauthorized")
	}
	s.MetricsHandler().ServeHTTP(c.Response(), c.Request())
	return nil
}
