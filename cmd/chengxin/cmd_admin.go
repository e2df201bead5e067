package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"chengxin/registry"
)

func cmdMigrate(ctx context.Context, e *env, args []string) error {
	fs, dbPath := newFlagSet(e, "migrate", "[-status]")
	status := fs.Bool("status", false, "list migrations and when each was applied")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	ms, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if *status {
			at := m.AppliedAt
			if at == "" {
				at = "pending"
			}
			fmt.Fprintf(e.stdout, "%s\t%s\n", m.Name, at)
		}
	}
	if !*status {
		fmt.Fprintf(e.stdout, "database %s is at migration %s\n", registry.RedactDSN(*dbPath), ms[len(ms)-1].Name)
	}
	return nil
}

func cmdUser(ctx context.Context, e *env, args []string) error {
	fs, dbPath := newFlagSet(e, "user", "add -username U -role regulator|association|vendor [-org USCC]  (password on stdin)")
	username := fs.String("username", "", "login name")
	role := fs.String("role", "", "regulator, association or vendor")
	org := fs.String("org", "", "USCC of the association (role association) or of the vendor (role vendor)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "add" {
		fs.Usage()
		return usageError("user: the only subcommand is add")
	}
	if *username == "" || *role == "" {
		fs.Usage()
		return usageError("user add: -username and -role are required")
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return usageError("user add: the password is read from stdin (one line)")
	}
	password := strings.TrimRight(line, "\r\n")
	db, err := openDB(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.CreateUser(ctx, registry.CLIActor, registry.UserInput{Username: *username, Password: password, Role: *role, OrgUSCC: *org})
	if v, ok := registry.AsValidation(err); ok {
		for _, f := range v.SortedFields() {
			fmt.Fprintf(e.stderr, "%s: %s\n", f, v.Fields[f].In("en"))
		}
		return errRejected
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created %s user %s\n", u.Role, u.Username)
	return nil
}

func cmdImport(ctx context.Context, e *env, args []string) error {
	fs, dbPath := newFlagSet(e, "import", "orgs|vendors|complaints|callbacks|volumes|sanctions FILE.csv [-org USCC]")
	org := fs.String("org", "", "make every imported vendor a member of this organisation (USCC)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		fs.Usage()
		return usageError("import: KIND and FILE are required")
	}
	kind, path := pos[0], pos[1]
	if !slices.Contains(importKinds, kind) {
		return usageError("import: unknown kind %q (%s)", kind, strings.Join(importKinds, ", "))
	}
	if *org != "" && kind != "vendors" {
		return usageError("import: -org applies to vendors only")
	}
	f, err := os.Open(path)
	if err != nil {
		return &exitError{code: 1, msg: err.Error()}
	}
	defer f.Close()
	db, err := openDB(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	opt := registry.ImportOptions{Actor: registry.CLIActor}
	if *org != "" {
		o, err := db.FindOrgByUSCC(ctx, *org)
		if err != nil {
			return &exitError{code: 1, msg: fmt.Sprintf("import: no organisation %s", *org)}
		}
		opt.OrgID = o.ID
	}
	progress := newProgress(e, f)
	opt.Progress = progress.rows
	// Rejected rows are reported as they are found, so a huge file never
	// collects its errors in memory.
	opt.OnError = func(re registry.RowError) {
		progress.clear()
		fmt.Fprintf(e.stdout, "row %d: %s: %s\n", re.Line, re.Field, re.Text.In("en"))
	}
	rep, err := importerFor(db, kind)(ctx, progress.reader(), opt)
	progress.done()
	if fe, ok := registry.AsFileError(err); ok {
		fmt.Fprintf(e.stdout, "file rejected: %s\n", fe.Text.In("en"))
		return errRejected
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, rep.Summary())
	if rep.Rejected > 0 {
		return errRejected
	}
	return nil
}

func cmdToken(ctx context.Context, e *env, args []string) error {
	fs, dbPath := newFlagSet(e, "token", "add -name N -scope ingest")
	name := fs.String("name", "", "a name for the token, e.g. the sending system (letters, digits, . _ -)")
	scope := fs.String("scope", "", "what the token may do: ingest")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "add" {
		fs.Usage()
		return usageError("token: the only subcommand is add")
	}
	if *name == "" || *scope == "" {
		fs.Usage()
		return usageError("token add: -name and -scope are required")
	}
	db, err := openDB(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	secret, _, err := db.CreateToken(ctx, registry.CLIActor, *name, *scope)
	if v, ok := registry.AsValidation(err); ok {
		for _, f := range v.SortedFields() {
			fmt.Fprintf(e.stderr, "%s: %s\n", f, v.Fields[f].In("en"))
		}
		return errRejected
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "token %q created with scope %s; it is shown only now, store it safely\n", *name, *scope)
	fmt.Fprintln(e.stdout, secret)
	return nil
}

// importKinds are the record types `chengxin import` reads.
var importKinds = []string{"orgs", "vendors", "complaints", "callbacks", "volumes", "sanctions"}

type importFunc func(context.Context, io.Reader, registry.ImportOptions) (registry.ImportReport, error)

func importerFor(db *registry.DB, kind string) importFunc {
	switch kind {
	case "orgs":
		return db.ImportOrgs
	case "vendors":
		return db.ImportVendors
	case "complaints":
		return db.ImportComplaints
	case "callbacks":
		return db.ImportCallbacks
	case "volumes":
		return db.ImportVolumes
	default:
		return db.ImportSanctions
	}
}
