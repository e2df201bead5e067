package main

import (
	"context"
	"fmt"
	"time"

	"chengxin/registry"
)

func cmdBackup(ctx context.Context, e *env, args []string) error {
	fs, dbPath := newFlagSet(e, "backup", "-to FILE")
	to := fs.String("to", "", "the backup file to write (must not exist)")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if registry.IsPostgresDSN(*dbPath) {
		return usageError("backup: -to copies an SQLite database; %s is PostgreSQL: back it up with pg_dump "+
			"(pg_dump -Fc -f FILE URL, restored with pg_restore; see the README, \"Running with PostgreSQL\")", registry.RedactDSN(*dbPath))
	}
	if *to == "" {
		fs.Usage()
		return usageError("backup: -to FILE is required")
	}
	db, err := openDB(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if err := db.Backup(ctx, *to); err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	fmt.Fprintf(e.stdout, "backed up %s to %s in %s\n", *dbPath, *to, time.Since(start).Round(time.Millisecond))
	return nil
}
