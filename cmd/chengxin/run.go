package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"chengxin/registry"
)

// exitError carries a specific exit status: 1 work failed or input rejected, 2 usage.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func usageError(format string, args ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, args...)}
}

// errRejected is returned when some input was rejected (exit 1, report already printed).
var errRejected = &exitError{code: 1}

// env bundles what every subcommand gets from run.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
}

type command struct {
	name, args, summary string
	run                 func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "[-addr 127.0.0.1:8080]", "run the web app", cmdServe},
		{"demo", "[-addr …] [-vendors 600] [-seed 1]", "a fresh demo database with synthetic data, then serve", cmdDemo},
		{"migrate", "[-status]", "apply or list database migrations", cmdMigrate},
		{"user", "add -username U -role regulator|association|vendor [-org USCC]", "add a console user (password on stdin)", cmdUser},
		{"token", "add -name N -scope ingest", "create an API token (printed once, alone on the last line)", cmdToken},
		{"import", "orgs|vendors|complaints|callbacks|volumes|sanctions FILE.csv [-org USCC]", "import a CSV file; one line per rejected row, then a summary (a blacklist entry publishes the vendor's worse grade at once)", cmdImport},
		{"rescore", "[-as-of DATE] [-rules FILE -dry-run]", "evaluate every vendor; with a candidate rules file and -dry-run print the grade transition matrix", cmdRescore},
		{"publish", "[-as-of DATE]", "a publication run: evaluate, then apply the publication rules (one run per month)", cmdPublish},
		{"explain", "USCC [-as-of DATE] [-json]", "one vendor's evaluation with components, evidence and reasons", cmdExplain},
		{"gen", "-vendors N -events M [-seed S]", "write a synthetic city into an empty database (benchmarks)", cmdGen},
		{"backup", "-to FILE", "a consistent online copy of the database (safe while the server writes)", cmdBackup},
		{"audit", "verify [-checkpoint FILE] | checkpoint", "check the audit log's hash chain (and kept checkpoints); sign a checkpoint of its head", cmdAudit},
	}
}

// run is the whole program: it parses args, builds the logger and dispatches.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr,
		log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel(getenv("CHENGXIN_LOG_LEVEL"))}))}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		printUsage(stdout)
		if len(args) == 0 {
			return usageError("a command is required")
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	printUsage(stderr)
	return usageError("unknown command %q", args[0])
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Chengxin (诚信) — integrity registry for home-service vendors.")
	fmt.Fprintln(w, "\nUsage: chengxin COMMAND [flags] [args]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n           %s\n", c.name, c.args, c.summary)
	}
	fmt.Fprintln(w, "\nEvery command takes -db PATH (env CHENGXIN_DB, default ./chengxin.db) and applies pending")
	fmt.Fprintln(w, "migrations first. PATH is an SQLite file, or a PostgreSQL database given as a URL:")
	fmt.Fprintln(w, "postgres://USER:PASSWORD@HOST:5432/DBNAME?sslmode=require (serve, demo, publish and audit then")
	fmt.Fprintln(w, "also need -signing-key FILE; backup is for SQLite, use pg_dump). Run `chengxin COMMAND -h`")
	fmt.Fprintln(w, "for a command's flags.")
	fmt.Fprintln(w, "Exit status: 0 success, 1 the work failed or input was rejected, 2 usage error.")
}

func logLevel(s string) slog.Level {
	var l slog.Level
	if l.UnmarshalText([]byte(s)) != nil {
		return slog.LevelInfo
	}
	return l
}

// newFlagSet makes a flag set that reports usage errors instead of exiting,
// with the common -db flag.
func newFlagSet(e *env, name, argsUsage string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("chengxin "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: chengxin %s %s\n\nFlags:\n", name, argsUsage)
		fs.PrintDefaults()
	}
	db := fs.String("db", envOr(e.getenv, "CHENGXIN_DB", "./chengxin.db"), "the database: an SQLite file path, or a PostgreSQL URL such as postgres://USER:PASSWORD@HOST:5432/DBNAME?sslmode=require (env CHENGXIN_DB)")
	return fs, db
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// parseArgs parses flags that may come before or after positional arguments
// and returns the positionals.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, &exitError{code: 0}
			}
			return nil, usageError("%v", err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// openDB opens the database and applies migrations, logging what it applied.
func openDB(ctx context.Context, e *env, path string) (*registry.DB, error) {
	db, err := registry.Open(ctx, path)
	if err != nil {
		return nil, &exitError{code: 1, msg: err.Error()}
	}
	return db, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
