package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"chengxin/publicity"
	"chengxin/registry"
	"chengxin/registry/synth"
)

// demoActor is written to the audit log for generated data.
var demoActor = registry.Actor{Kind: "system", Name: "demo"}

func cmdDemo(ctx context.Context, e *env, args []string) error {
	fs, dbPath := newFlagSet(e, "demo", "[-addr …] [-vendors 600] [-seed 1]")
	sf := addServeFlags(fs, e)
	vendors := fs.Int("vendors", 600, "number of synthetic vendors")
	seed := fs.Uint64("seed", 1, "random seed (the same seed on the same day gives the same city, grades and open data)")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if *vendors < 1 || *vendors > 1_000_000 {
		return usageError("demo: -vendors must be between 1 and 1000000")
	}
	path := *dbPath
	explicit := e.getenv("CHENGXIN_DB") != ""
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "db" {
			explicit = true
		}
	})
	if explicit {
		// Usage first: a PostgreSQL database needs the key file named.
		if _, err := signingKeyPath("demo", path, *sf.signingKey); err != nil {
			return err
		}
		empty, holds, err := registry.DatabaseEmpty(ctx, path)
		if err != nil {
			return &exitError{code: 1, msg: "demo: " + err.Error()}
		}
		if !empty && registry.IsPostgresDSN(path) {
			return &exitError{code: 1, msg: fmt.Sprintf("demo: the PostgreSQL database %s is not empty (it holds %s); "+
				"demo fills only an empty database: create a new one (createdb) or leave -db out for a temporary SQLite database", registry.RedactDSN(path), holds)}
		}
		if !empty {
			return &exitError{code: 1, msg: fmt.Sprintf("demo: %s already exists and is not empty; name a new file or leave -db out for a temporary database", path)}
		}
	} else {
		dir, err := os.MkdirTemp("", "chengxin-demo-")
		if err != nil {
			return err
		}
		// Removed when the demo ends, however it ends: SIGINT and SIGTERM
		// cancel ctx (main), serve returns, and this runs after db.Close.
		defer func() {
			if err := os.RemoveAll(dir); err != nil {
				e.log.Warn("demo: temporary directory not removed", "dir", dir, "err", err)
			}
		}()
		path = filepath.Join(dir, "chengxin.db")
	}
	db, err := openDB(ctx, e, path)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := sf.useSigningKey(e, db, "demo", path); err != nil {
		return err
	}
	start := time.Now()
	accounts, err := seedDemo(ctx, db, *vendors, *seed)
	if err != nil {
		return err
	}
	e.log.Info("demo data ready", "db", registry.RedactDSN(path), "vendors", *vendors, "took", time.Since(start).Round(time.Millisecond))
	for _, a := range accounts {
		fmt.Fprintf(e.stdout, "%s %s %s\n", a.role, a.username, a.password)
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
	}
	return serve(ctx, e, cfg, sf, scheduled, nil)
}

type demoAccount struct{ role, username, password string }

// demoEventsPerVendor is the size of a demo vendor's three-year history.
const demoEventsPerVendor = 150

// seedDemo fills an empty database with a synthetic city and demo logins.
// The city's present is the start of today (Asia/Shanghai): the records,
// the three monthly publication runs before it and the story of sanctions,
// objections, replies, an override and a blacklisting (demoStory) are all
// instants derived from it, played with the database's clock held at each
// one, so the same seed on the same day gives the same data, grades and
// open data. Only the passwords are random.
func seedDemo(ctx context.Context, db *registry.DB, vendors int, seed uint64) ([]demoAccount, error) {
	clock := db.Now
	day := synth.Day(clock())
	story := &demoStory{ctx: ctx, db: db, now: day, day: day, runs: demoRuns(day)}
	story.now = story.runs[0].Add(-time.Hour)
	db.Now = func() time.Time { return story.now }
	defer func() { db.Now = clock }()

	st, err := synth.Generate(ctx, db, demoActor, synth.Options{Vendors: vendors, Events: vendors * demoEventsPerVendor, Seed: seed, Now: day})
	if err != nil {
		return nil, err
	}
	// Every vendor is evaluated by the runs below and at the end; the
	// marks the bulk load left are not needed.
	for {
		ids, err := db.TakeMarks(ctx, 10000)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			break
		}
	}
	if err := story.play(st); err != nil {
		return nil, err
	}
	specs := []demoAccount{
		{role: registry.RoleRegulator, username: "regulator"},
		{role: registry.RoleAssociation, username: "association"},
		{role: registry.RoleVendor, username: "vendor"},
	}
	orgOf := map[string]string{registry.RoleAssociation: st.FirstAssociation, registry.RoleVendor: story.Login.USCC}
	for i := range specs {
		specs[i].password = randomPassword()
		_, err := db.CreateUser(ctx, demoActor, registry.UserInput{Username: specs[i].username, Password: specs[i].password,
			Role: specs[i].role, OrgUSCC: orgOf[specs[i].role]})
		if err != nil {
			return nil, fmt.Errorf("demo: user %s: %w", specs[i].username, err)
		}
	}
	return specs, nil
}

// randomPassword is 14 characters from an alphabet without look-alikes.
func randomPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 14)
	for i := range b {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[n.Int64()]
	}
	return string(b)
}

// demoRuns are the scheduled instants of the last three monthly runs at
// or before now.
func demoRuns(now time.Time) []time.Time {
	s := publicity.DefaultSchedule
	last := s.PublicationInstant(now)
	if last.After(now) {
		last = s.PublicationInstant(last.AddDate(0, -1, 0))
	}
	return []time.Time{s.PublicationInstant(last.AddDate(0, -2, 0)), s.PublicationInstant(last.AddDate(0, -1, 0)), last}
}
