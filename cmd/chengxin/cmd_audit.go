package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"chengxin/registry"
)

// signingKeyFlag adds -signing-key (env CHENGXIN_SIGNING_KEY).
func signingKeyFlag(fs *flag.FlagSet, e *env) *string {
	return fs.String("signing-key", e.getenv("CHENGXIN_SIGNING_KEY"),
		"file of the Ed25519 key that signs audit checkpoints, made on first use with mode 0600 (env CHENGXIN_SIGNING_KEY; default: the database path + \".signing-key\"; required with PostgreSQL)")
}

// signingKeyPath is the checkpoint key's file: the flag's, else beside an
// SQLite database. A PostgreSQL database has no file to put it beside, so
// command cmd refuses to start without the flag (a usage error, exit 2).
func signingKeyPath(cmd, dbPath, flagValue string) (string, error) {
	switch {
	case flagValue != "":
		return flagValue, nil
	case registry.IsPostgresDSN(dbPath):
		return "", usageError("%s: with a PostgreSQL database, -signing-key FILE (or env CHENGXIN_SIGNING_KEY) is required: "+
			"audit checkpoints are signed with a key kept in a file, never in the database, and a PostgreSQL database has no file "+
			"to keep it beside; give every process that shares the database the same key file (made on first use)", cmd)
	}
	return dbPath + ".signing-key", nil
}

func cmdAudit(ctx context.Context, e *env, args []string) error {
	fs, dbPath := newFlagSet(e, "audit", "verify [-checkpoint FILE [-public-key KEY]] | checkpoint")
	checkpointFile := fs.String("checkpoint", "", "verify: also check the checkpoints in FILE (JSON as served by /api/v1/checkpoints/…: one object or an array; - for stdin)")
	publicKey := fs.String("public-key", "", "verify -checkpoint: the registry's public key (a file or the text: base64, PEM, or the JSON of /api/v1/checkpoints/key); default: the key file's public half")
	keyPath := signingKeyFlag(fs, e)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "verify" && pos[0] != "checkpoint" {
		fs.Usage()
		return usageError("audit: the subcommands are verify and checkpoint")
	}
	if pos[0] == "checkpoint" && (*checkpointFile != "" || *publicKey != "") {
		return usageError("audit checkpoint: -checkpoint and -public-key belong to audit verify")
	}
	if *publicKey != "" && *checkpointFile == "" {
		return usageError("audit verify: -public-key needs -checkpoint FILE")
	}
	var kept []registry.Checkpoint
	if *checkpointFile != "" {
		if kept, err = readCheckpoints(e, *checkpointFile); err != nil {
			return err
		}
	}
	key, keyErr := signingKeyPath("audit "+pos[0], *dbPath, *keyPath)
	if keyErr != nil && (pos[0] == "checkpoint" || len(kept) > 0 && *publicKey == "") {
		return keyErr
	}
	db, err := openDB(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetSigningKeyPath(key)
	if pos[0] == "checkpoint" {
		return auditCheckpoint(ctx, e, db)
	}
	brk, n, err := db.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	failed := false
	if brk != nil {
		fmt.Fprintf(e.stdout, "broken at entry %d: %s (%d entries read)\n", brk.ID, brk.Reason, n)
		failed = true
	} else {
		fmt.Fprintf(e.stdout, "ok: %d entries verified\n", n)
	}
	if len(kept) > 0 {
		var pub ed25519.PublicKey
		if pub, err = verifyingKey(db, *publicKey); err != nil {
			return err
		}
		if !checkKept(ctx, e, db, kept, pub) {
			failed = true
		}
	}
	if failed {
		return errRejected
	}
	return nil
}

// auditCheckpoint signs the chain's head and prints the checkpoint as the
// API serves it.
func auditCheckpoint(ctx context.Context, e *env, db *registry.DB) error {
	cp, created, err := db.MakeCheckpoint(ctx)
	var broken *registry.BrokenChainError
	switch {
	case errors.Is(err, registry.ErrAuditEmpty), errors.As(err, &broken):
		return &exitError{code: 1, msg: err.Error()}
	case err != nil:
		return err
	}
	b, _ := json.Marshal(cp)
	fmt.Fprintln(e.stdout, string(b))
	if created {
		e.log.Info("audit checkpoint signed", "entry", cp.ID, "key_id", cp.KeyID)
	} else {
		e.log.Info("the chain's head was already checkpointed; printed that checkpoint", "entry", cp.ID)
	}
	return nil
}

// readCheckpoints reads one checkpoint or an array of them (a saved page).
func readCheckpoints(e *env, path string) ([]registry.Checkpoint, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(e.stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, &exitError{code: 1, msg: err.Error()}
	}
	data = bytes.TrimSpace(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var cps []registry.Checkpoint
	if len(data) > 0 && data[0] == '[' {
		err = dec.Decode(&cps)
	} else {
		var cp registry.Checkpoint
		err = dec.Decode(&cp)
		cps = append(cps, cp)
	}
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	if err != nil || len(cps) == 0 {
		return nil, &exitError{code: 1, msg: fmt.Sprintf("%s: not a checkpoint as /api/v1/checkpoints/latest serves it, nor an array of them: %v", path, err)}
	}
	return cps, nil
}

// verifyingKey is the public key given (a file or the text itself), else the
// public half of this registry's key file, which verify never creates.
func verifyingKey(db *registry.DB, given string) (ed25519.PublicKey, error) {
	if given != "" {
		text := given
		if b, err := os.ReadFile(given); err == nil {
			text = string(b)
		}
		pub, err := registry.ParsePublicKey(text)
		if err != nil {
			return nil, usageError("-public-key: %v", err)
		}
		return pub, nil
	}
	k, err := registry.LoadSigningKey(db.SigningKeyPath())
	if errors.Is(err, registry.ErrNoSigningKey) {
		return nil, &exitError{code: 1, msg: fmt.Sprintf("no signing key at %s: give -public-key with the registry's public key (GET /api/v1/checkpoints/key) or -signing-key", db.SigningKeyPath())}
	}
	if err != nil {
		return nil, &exitError{code: 1, msg: err.Error()}
	}
	return k.Public, nil
}

// checkKept checks each kept checkpoint and says where a rewrite lies: at or
// before the first checkpoint the log no longer matches, after the latest
// one below it that still matches.
func checkKept(ctx context.Context, e *env, db *registry.DB, kept []registry.Checkpoint, pub ed25519.PublicKey) bool {
	ok := true
	var firstBad, lastGoodBelow int64
	for _, cp := range kept {
		err := db.CheckCheckpoint(ctx, cp, pub)
		var mm *registry.CheckpointMismatchError
		switch {
		case err == nil:
			fmt.Fprintf(e.stdout, "checkpoint %d (%s, key %s): signature valid; entry %d has this hash\n", cp.ID, cp.At, cp.KeyID, cp.ID)
			continue
		case errors.As(err, &mm):
			fmt.Fprintf(e.stdout, "checkpoint %d (%s, key %s): signature valid; %s\n", cp.ID, cp.At, cp.KeyID, mm.Error())
			if firstBad == 0 || cp.ID < firstBad {
				firstBad = cp.ID
			}
		default:
			fmt.Fprintf(e.stdout, "checkpoint %d: refused: %v\n", cp.ID, err)
		}
		ok = false
	}
	if firstBad == 0 {
		return ok
	}
	for _, cp := range kept {
		if cp.ID < firstBad && cp.ID > lastGoodBelow && db.CheckCheckpoint(ctx, cp, pub) == nil {
			lastGoodBelow = cp.ID
		}
	}
	if lastGoodBelow > 0 {
		fmt.Fprintf(e.stdout, "history rewritten: the first entry that differs lies between entries %d and %d\n", lastGoodBelow+1, firstBad)
	} else {
		fmt.Fprintf(e.stdout, "history rewritten: the first entry that differs is entry %d or one before it\n", firstBad)
	}
	return false
}
