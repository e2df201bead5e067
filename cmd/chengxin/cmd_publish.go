package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"chengxin/publicity"
	"chengxin/registry"
	"chengxin/scoring"
)

func cmdPublish(ctx context.Context, e *env, args []string) error {
	fs, dbPath := newFlagSet(e, "publish", "[-as-of DATE]")
	asOfFlag := fs.String("as-of", "", "the run's instant (YYYY-MM-DD, midnight Asia/Shanghai, or RFC 3339); default now")
	keyFlag := signingKeyFlag(fs, e)
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	keyPath, err := signingKeyPath("publish", *dbPath, *keyFlag)
	if err != nil {
		return err
	}
	asOf, err := parseDate("as-of", *asOfFlag)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetSigningKeyPath(keyPath)
	if asOf.IsZero() {
		asOf = db.Now()
	}
	for {
		res, err := publicity.Publish(ctx, db, registry.CLIActor, asOf)
		if publicity.IsRefusal(err) {
			return &exitError{code: 1, msg: fmt.Sprintf("publish %s: %v", registry.Period(asOf), err)}
		}
		if errors.Is(err, publicity.ErrCheckpointAfterRun) {
			printRun(e, res)
			return &exitError{code: 1, msg: err.Error()}
		}
		if err != nil {
			return err
		}
		printRun(e, res)
		if !res.Resumed || res.Run.Period == registry.Period(asOf) {
			return nil
		}
		// A crashed run of an earlier period was finished first; now the one asked for.
	}
}

// printRun reports a finished publication run and its actions.
func printRun(e *env, res publicity.RunResult) {
	verb := "published"
	if res.Resumed {
		verb = "resumed and published"
	}
	fmt.Fprintf(e.stdout, "%s period %s as of %s: %d vendors in %s\n", verb, res.Run.Period, registry.FormatOutput(res.Run.AsOf),
		res.Vendors, res.Took.Round(time.Millisecond))
	var actions []string
	for a := range res.Actions {
		actions = append(actions, string(a))
	}
	sort.Strings(actions)
	for _, a := range actions {
		fmt.Fprintf(e.stdout, "  %-18s %d\n", a, res.Actions[scoring.PublicationAction(a)])
	}
	if cp := res.Checkpoint; cp.ID > 0 {
		fmt.Fprintf(e.stdout, "audit checkpoint: entry %d, hash %s, key %s\n", cp.ID, cp.Hash, cp.KeyID)
	}
}
