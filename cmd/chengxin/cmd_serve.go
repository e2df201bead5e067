package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"chengxin/publicity"
	"chengxin/registry"
	"chengxin/web"
)

// serveFlags are the web app's settings, shared by serve and demo.
type serveFlags struct {
	addr, trustedProxies, baseURL *string
	metricsAddr, metricsToken     *string
	secureCookies                 *bool
	evaluateAt, publishAt         *string
	publishDay                    *int
	scheduler                     *bool
	signingKey                    *string
	pageCacheMB                   *int
}

func addServeFlags(fs *flag.FlagSet, e *env) serveFlags {
	return serveFlags{
		addr:           fs.String("addr", envOr(e.getenv, "CHENGXIN_ADDR", "127.0.0.1:8080"), "listen address (env CHENGXIN_ADDR)"),
		trustedProxies: fs.String("trusted-proxies", e.getenv("CHENGXIN_TRUSTED_PROXIES"), "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is trusted (env CHENGXIN_TRUSTED_PROXIES)"),
		baseURL:        fs.String("base-url", e.getenv("CHENGXIN_BASE_URL"), "public origin of links that leave the site (invitations, QR codes, stickers), e.g. https://chengxin.example.gov.cn; unset: http://ADDR, never the request's Host (env CHENGXIN_BASE_URL)"),
		metricsAddr:    fs.String("metrics-addr", metricsAddrDefault(e.getenv), "separate listener for /metrics (Prometheus); empty or \"off\" disables it (env CHENGXIN_METRICS_ADDR)"),
		metricsToken:   fs.String("metrics-token", e.getenv("CHENGXIN_METRICS_TOKEN"), "also serve /metrics on the main listener to requests with \"Authorization: Bearer TOKEN\" (env CHENGXIN_METRICS_TOKEN)"),
		secureCookies:  fs.Bool("secure-cookies", e.getenv("CHENGXIN_SECURE_COOKIES") == "1", "mark cookies Secure and send HSTS; set when served over HTTPS (env CHENGXIN_SECURE_COOKIES=1)"),
		evaluateAt:     fs.String("evaluate-at", envOr(e.getenv, "CHENGXIN_EVALUATE_AT", "01:00"), "daily evaluation of every vendor, HH:MM Asia/Shanghai (env CHENGXIN_EVALUATE_AT)"),
		publishAt:      fs.String("publish-at", envOr(e.getenv, "CHENGXIN_PUBLISH_AT", "02:00"), "monthly publication run, HH:MM Asia/Shanghai (env CHENGXIN_PUBLISH_AT)"),
		publishDay:     fs.Int("publish-day", 1, "day of the month of the publication run, 1–28"),
		signingKey:     signingKeyFlag(fs, e),
		pageCacheMB:    fs.Int("page-cache-mb", 16, "memory for rendered public pages, MiB; 0 turns the cache off (every page is rendered from its stored document)"),
		scheduler:      fs.Bool("scheduler", !slices.Contains([]string{"off", "false", "0", "no"}, strings.ToLower(e.getenv("CHENGXIN_SCHEDULER"))), "run the daily evaluation and monthly publication in this process; -scheduler=false when cron runs `chengxin rescore` and `publish` instead, or another serve process schedules (env CHENGXIN_SCHEDULER=off)"),
	}
}

// useSigningKey names the checkpoint key's file for db and loads it,
// creating it on first use, so that a key that cannot be read or made stops
// the process at start rather than at the first publication run.
func (f serveFlags) useSigningKey(e *env, db *registry.DB, cmd, dbPath string) error {
	path, err := signingKeyPath(cmd, dbPath, *f.signingKey)
	if err != nil {
		return err
	}
	db.SetSigningKeyPath(path)
	k, err := db.SigningKey()
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	e.log.Info("audit checkpoints are signed", "key_id", k.ID, "key_file", k.Path)
	return nil
}

// schedule reads the scheduler flags.
func (f serveFlags) schedule() (publicity.Schedule, error) {
	var s publicity.Schedule
	var err error
	if s.EvaluateAt, err = parseClock("evaluate-at", *f.evaluateAt); err != nil {
		return s, err
	}
	if s.PublishAt, err = parseClock("publish-at", *f.publishAt); err != nil {
		return s, err
	}
	s.PublishDay = *f.publishDay
	if err := s.Validate(); err != nil {
		return s, usageError("%v", err)
	}
	return s, nil
}

// metricsAddrDefault is the -metrics-addr default: CHENGXIN_METRICS_ADDR
// ("off" disables), else loopback port 9090.
func metricsAddrDefault(getenv func(string) string) string {
	if v := getenv("CHENGXIN_METRICS_ADDR"); v != "" {
		return metricsAddrOff(v)
	}
	return "127.0.0.1:9090"
}

// metricsAddrOff is addr, or "" for the words that turn the listener off
// ("off", "none", "false", "0"): the flag takes them as the variable does.
func metricsAddrOff(addr string) string {
	switch strings.ToLower(addr) {
	case "off", "none", "false", "0":
		return ""
	}
	return addr
}

// config reads the web app's flags; the methodology page is told this
// process's publication schedule, or that cron starts the runs.
func (f serveFlags) config(e *env, db *registry.DB) (web.Config, error) {
	cfg := web.Config{DB: db, Logger: e.log, SecureCookies: *f.secureCookies, BaseURL: *f.baseURL,
		MetricsToken: *f.metricsToken, PageCacheBytes: *f.pageCacheMB << 20}
	if *f.pageCacheMB < 0 {
		return cfg, usageError("-page-cache-mb %d: want 0 (off) or more", *f.pageCacheMB)
	}
	if *f.pageCacheMB == 0 {
		cfg.PageCacheBytes = -1
	}
	if *f.scheduler {
		s, err := f.schedule()
		if err != nil {
			return cfg, err
		}
		cfg.Schedule = &s
	}
	if b := *f.baseURL; b != "" {
		u, err := url.Parse(b)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return cfg, usageError("-base-url %q: want an origin such as https://chengxin.example.gov.cn", b)
		}
	}
	for _, s := range strings.Split(*f.trustedProxies, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			return cfg, usageError("-trusted-proxies: %v", err)
		}
		cfg.TrustedProxies = append(cfg.TrustedProxies, n)
	}
	return cfg, nil
}

// defaultGCPercent is serve's garbage-collection target: the heap may grow
// by half over what is in use (Go's default: double). Most of serve's heap
// is the search catalogue, which lives as long as the process, so doubling
// it bought nothing: at 100,000 vendors peak RSS through the cold-read run
// fell from 287 to 242 MB with no measurable change in throughput
// (docs/BENCHMARKS.md).
const defaultGCPercent = 50

func cmdServe(ctx context.Context, e *env, args []string) error {
	fs, dbPath := newFlagSet(e, "serve", "[-addr 127.0.0.1:8080]")
	sf := addServeFlags(fs, e)
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (written at shutdown)")
	memProfile := fs.String("memprofile", "", "write a Go heap profile to this file at shutdown (memory the database engine holds is not in it)")
	gcPercent := fs.Int("gc-percent", defaultGCPercent, "how far, in percent, the Go heap may grow over the memory in use before the next collection (Go's GOGC, whose own default is 100); ignored when GOGC is set")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if *gcPercent < 10 {
		return usageError("-gc-percent %d: want 10 or more", *gcPercent)
	}
	if e.getenv("GOGC") == "" {
		debug.SetGCPercent(*gcPercent)
	}
	stop, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stop()
	defer func() {
		if err := writeHeapProfile(*memProfile); err != nil {
			e.log.Error("heap profile", "err", err)
		}
	}()
	if _, err := signingKeyPath("serve", *dbPath, *sf.signingKey); err != nil {
		return err
	}
	db, err := openDB(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	e.log.Info("database", "engine", db.Engine(), "db", registry.RedactDSN(*dbPath))
	if err := sf.useSigningKey(e, db, "serve", *dbPath); err != nil {
		return err
	}
	cfg, err := sf.config(e, db)
	if err != nil {
		return err
	}
	sched, err := sf.schedule()
	if err != nil {
		return err
	}
	var scheduled *publicity.Schedule
	if *sf.scheduler {
		scheduled = &sched
	} else {
		e.log.Info("scheduler off: run `chengxin rescore` daily and `chengxin publish` monthly from cron")
	}
	if cfg.BaseURL == "" {
		e.log.Warn("-base-url is not set: links that leave the site (invitations, QR codes, stickers, /transparency) will point at http://" +
			*sf.addr + "; set -base-url (CHENGXIN_BASE_URL) to the public origin")
	}
	return serve(ctx, e, cfg, sf, scheduled, nil)
}

// serve listens on -addr (and -metrics-addr) and serves until ctx is
// cancelled, then shuts down gracefully; meanwhile it runs the background
// work (startBackground; the scheduler when sched is set). ready, if set,
// is called with the bound address.
func serve(ctx context.Context, e *env, cfg web.Config, sf serveFlags, sched *publicity.Schedule, ready func(string)) error {
	addr := *sf.addr
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return &exitError{code: 1, msg: fmt.Sprintf("listen %s: %v", addr, err)}
	}
	cfg.Addr = ln.Addr().String()
	srv := web.New(cfg)
	bg := startBackground(ctx, e, cfg.DB, srv.PublicDocuments(), sched)
	defer bg.stop() // before the caller's db.Close
	if stop := serveMetrics(e, srv, *sf.metricsAddr); stop != nil {
		defer stop()
	}
	hs := srv.HTTPServer(addr)
	e.log.Info("serving", "addr", "http://"+ln.Addr().String())
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	e.log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// serveMetrics serves /metrics on a listener of its own and returns how to
// stop it (nil when addr is empty or cannot be bound: the web app still
// serves, without metrics, and says so).
func serveMetrics(e *env, srv *web.Server, addr string) func() {
	if addr = metricsAddrOff(addr); addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		e.log.Error("metrics not served: cannot listen on -metrics-addr", "addr", addr, "err", err)
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", srv.MetricsHandler())
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	go hs.Serve(ln)
	e.log.Info("serving metrics", "addr", "http://"+ln.Addr().String()+"/metrics")
	return func() { hs.Close() }
}
