package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
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
	secureCookies                 *bool
	evaluateAt, publishAt         *string
	publishDay                    *int
	scheduler                     *bool
	signingKey                    *string
}

func addServeFlags(fs *flag.FlagSet, e *env) serveFlags {
	return serveFlags{
		addr:           fs.String("addr", envOr(e.getenv, "CHENGXIN_ADDR", "127.0.0.1:8080"), "listen address (env CHENGXIN_ADDR)"),
		trustedProxies: fs.String("trusted-proxies", e.getenv("CHENGXIN_TRUSTED_PROXIES"), "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is trusted (env CHENGXIN_TRUSTED_PROXIES)"),
		baseURL:        fs.String("base-url", e.getenv("CHENGXIN_BASE_URL"), "public origin for links shown to users, e.g. https://chengxin.example.gov.cn (env CHENGXIN_BASE_URL)"),
		secureCookies:  fs.Bool("secure-cookies", e.getenv("CHENGXIN_SECURE_COOKIES") == "1", "mark cookies Secure and send HSTS; set when served over HTTPS (env CHENGXIN_SECURE_COOKIES=1)"),
		evaluateAt:     fs.String("evaluate-at", envOr(e.getenv, "CHENGXIN_EVALUATE_AT", "01:00"), "daily evaluation of every vendor, HH:MM Asia/Shanghai (env CHENGXIN_EVALUATE_AT)"),
		publishAt:      fs.String("publish-at", envOr(e.getenv, "CHENGXIN_PUBLISH_AT", "02:00"), "monthly publication run, HH:MM Asia/Shanghai (env CHENGXIN_PUBLISH_AT)"),
		publishDay:     fs.Int("publish-day", 1, "day of the month of the publication run, 1–28"),
		signingKey:     signingKeyFlag(fs, e),
		scheduler:      fs.Bool("scheduler", !slices.Contains([]string{"off", "false", "0", "no"}, strings.ToLower(e.getenv("CHENGXIN_SCHEDULER"))), "run the daily evaluation and monthly publication in this process; -scheduler=false when cron runs `chengxin rescore` and `publish` instead, or another serve process schedules (env CHENGXIN_SCHEDULER=off)"),
	}
}

// useSigningKey names the checkpoint key's file for db and loads it,
// creating it on first use, so that a key that cannot be read or made stops
// the process at start rather than at the first publication run.
func (f serveFlags) useSigningKey(e *env, db *registry.DB, dbPath string) error {
	path, err := signingKeyPath(dbPath, *f.signingKey)
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

// config reads the web app's flags; the methodology page is told this
// process's publication schedule, or that cron starts the runs.
func (f serveFlags) config(e *env, db *registry.DB) (web.Config, error) {
	cfg := web.Config{DB: db, Logger: e.log, SecureCookies: *f.secureCookies, BaseURL: *f.baseURL}
	if *f.scheduler {
		s, err := f.schedule()
		if err != nil {
			return cfg, err
		}
		cfg.Schedule = &s
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

func cmdServe(ctx context.Context, e *env, args []string) error {
	fs, dbPath := newFlagSet(e, "serve", "[-addr 127.0.0.1:8080]")
	sf := addServeFlags(fs, e)
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if _, err := signingKeyPath(*dbPath, *sf.signingKey); err != nil {
		return err
	}
	db, err := openDB(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := sf.useSigningKey(e, db, *dbPath); err != nil {
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
	go db.RunEvaluator(ctx, time.Second, e.log)
	if *sf.scheduler {
		go runScheduler(ctx, e, db, sched)
	} else {
		e.log.Info("scheduler off: run `chengxin rescore` daily and `chengxin publish` monthly from cron")
	}
	return serve(ctx, e, web.New(cfg), *sf.addr, nil)
}

// serve listens on addr and serves until ctx is cancelled, then shuts down
// gracefully. ready, if set, is called with the bound address.
func serve(ctx context.Context, e *env, srv *web.Server, addr string, ready func(string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return &exitError{code: 1, msg: fmt.Sprintf("listen %s: %v", addr, err)}
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
