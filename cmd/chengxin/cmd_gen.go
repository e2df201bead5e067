package main

import (
	"context"
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"

	"chengxin/registry"
	"chengxin/registry/synth"
)

func cmdGen(ctx context.Context, e *env, args []string) error {
	fs, dbPath := newFlagSet(e, "gen", "-vendors N -events M [-seed S]")
	vendors := fs.Int("vendors", 0, "number of synthetic vendors")
	events := fs.Int("events", 0, "total hotline records (complaints, callbacks, monthly volumes)")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same city")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	stop, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stop()
	if *vendors < 1 || *events < 0 {
		fs.Usage()
		return usageError("gen: -vendors must be at least 1 and -events not negative")
	}
	db, err := openDB(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	opt := synth.Options{Vendors: *vendors, Events: *events, Seed: *seed}
	if isTerminal(e.stderr) {
		bar := progressbar.NewOptions(*events+*vendors*4, progressbar.OptionSetWriter(e.stderr),
			progressbar.OptionSetDescription("generating"), progressbar.OptionShowCount(),
			progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
		opt.Progress = func(rows int) { bar.Set(rows) }
		defer bar.Finish()
	}
	start := time.Now()
	st, err := synth.Generate(ctx, db, registry.Actor{Kind: "system", Name: "gen"}, opt)
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	took := time.Since(start)
	fmt.Fprintf(e.stdout, "vendors %d, organisations %d, complaints %d, callbacks %d, volumes %d, records %d in %s (%.0f records/s)\n",
		st.Vendors, st.Orgs, st.Complaints, st.Callbacks, st.Volumes, st.Records(), took.Round(time.Millisecond),
		float64(st.Records())/took.Seconds())
	return nil
}
