// Package web is Chengxin's HTTP edge: the echo server, every route (in
// routes.go), middleware for sessions, CSRF, roles and security headers, the
// handlers and the mapping of errors to pages and JSON.
package web

import (
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"chengxin/publicity"
	"chengxin/registry"
)

// Config configures the server.
type Config struct {
	DB     *registry.DB
	Logger *slog.Logger
	// Now is the clock (defaults to time.Now).
	Now func() time.Time
	// SecureCookies marks cookies Secure (set when served behind TLS).
	SecureCookies bool
	// TrustedProxies are CIDR ranges whose X-Forwarded-For is believed, and
	// only these (no loopback or private range is trusted unless listed);
	// empty means the client address is the TCP peer (per-IP throttling
	// cannot be bypassed by a forged header).
	TrustedProxies []*net.IPNet
	// BaseURL is the public origin of links meant to leave the site
	// (invitations, QR codes, stickers). Empty means http://Addr; a request's
	// Host header is never used.
	BaseURL string
	// Addr is the listen address, the origin of such links when BaseURL is
	// empty (an unspecified host such as ":8080" or "0.0.0.0:8080" reads as
	// localhost).
	Addr string
	// MetricsToken, when set, lets a scraper read /metrics on this listener
	// with "Authorization: Bearer TOKEN"; without it /metrics is served only
	// by MetricsHandler on a listener of its own.
	MetricsToken string
	// HeaderTimeout cuts off clients that send request headers too slowly
	// (slow-loris); default 10 s.
	HeaderTimeout time.Duration
	// Schedule is this process's scheduler, which the methodology page
	// shows (the next publication run); nil when the scheduler is off and
	// cron starts the runs.
	Schedule *publicity.Schedule
	// PageCacheBytes bounds the in-memory cache of rendered public pages:
	// 0 means DefaultPageCacheBytes, a negative value turns it off (pages
	// are then rendered from the stored documents on every request).
	PageCacheBytes int
}

// Server is the HTTP application.
type Server struct {
	e   *echo.Echo
	db  *registry.DB
	log *slog.Logger
	now func() time.Time
	cfg Config
	// pwChecks bounds concurrent password checks.
	pwChecks passwordChecks
	pwWait   time.Duration
	metrics  *metrics
	rates    ratesCache
	// uploadSlots bounds each user's concurrent uploads.
	uploadSlots *uploadSlots
	docs        *publicity.Documents // the public documents the site reads (and stores pages with)
	// routeRoles records the roles allowed on each console route, by "METHOD path".
	routeRoles map[string][]string
}

// New builds the server and its routes.
func New(cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.PageCacheBytes == 0 {
		cfg.PageCacheBytes = DefaultPageCacheBytes
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)
	s := &Server{e: e, db: cfg.DB, log: cfg.Logger, now: cfg.Now, cfg: cfg,
		pwChecks: newPasswordChecks(), pwWait: passwordWait, routeRoles: map[string][]string{},
		metrics: newMetrics(), uploadSlots: newUploadSlots()}
	if cfg.DB != nil {
		s.metrics.reg.MustRegister(storeCollectors(cfg.DB)...)
	}
	e.HTTPErrorHandler = s.handleError
	s.routes()
	return s
}

// ServeHTTP makes the server an http.Handler.
// HEAD is answered like GET (echo routes GET only), so link checkers and
// `curl -I` get a page's real status and headers: the router sees a copy of
// the request saying GET, while net/http, which holds the original, sends
// no body.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		r = r.Clone(r.Context())
		r.Method = http.MethodGet
	}
	s.e.ServeHTTP(w, r)
}

// PublicDocuments are the stored public documents the site reads, with the
// site as their page renderer: the process's document builder
// (Documents.Keep) should be this one, so that it stores pages too.
func (s *Server) PublicDocuments() *publicity.Documents { return s.docs }

// Echo exposes the router (tests walk its route table).
func (s *Server) Echo() *echo.Echo { return s.e }

// RouteRoles returns the roles allowed on a console route ("GET /console/vendors").
func (s *Server) RouteRoles(method, path string) ([]string, bool) {
	r, ok := s.routeRoles[method+" "+path]
	return r, ok
}

// HTTPServer wraps the handler with timeouts that cut off slow clients.
func (s *Server) HTTPServer(addr string) *http.Server {
	header := s.cfg.HeaderTimeout
	if header <= 0 {
		header = 10 * time.Second
	}
	return &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: header,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// ipExtractor is how a request's client address is found. Without trusted
// proxies it is the TCP peer. With them, X-Forwarded-For is read from the
// right, past peers in the listed ranges only: echo's XFF extractor also
// trusts every loopback, link-local and private address unless told not to,
// which would let any client on the LAN (or a local process) forge its
// address past the per-IP sign-in throttle.
func ipExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
