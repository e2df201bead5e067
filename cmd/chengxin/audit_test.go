package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"chengxin/registry"
	"chengxin/registry/registrytest"
)

// addUsers writes one audit entry per user.
func addUsers(t *testing.T, db string, names ...string) {
	t.Helper()
	for _, n := range names {
		if r := runCLI(t, context.Background(), "a-long-password\n", nil, "user", "add", "-db", db, "-username", n, "-role", "regulator"); r.code != 0 {
			t.Fatalf("user add %s: %+v", n, r)
		}
	}
}

// checkpointCLI runs `audit checkpoint` and returns the checkpoint and its JSON.
func checkpointCLI(t *testing.T, db string) (registry.Checkpoint, string) {
	t.Helper()
	r := runCLI(t, context.Background(), "", nil, "audit", "checkpoint", "-db", db)
	if r.code != 0 || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("audit checkpoint: %+v", r)
	}
	var cp registry.Checkpoint
	if err := json.Unmarshal([]byte(r.stdout), &cp); err != nil {
		t.Fatalf("audit checkpoint printed %q: %v", r.stdout, err)
	}
	return cp, r.stdout
}

// rehashFrom rewrites entry id's detail and recomputes the chain after it,
// directly in the database with the triggers dropped, as an attacker would.
func rehashFrom(t *testing.T, path string, id int64, detail string) {
	t.Helper()
	store := openStore(t, path)
	defer store.Close()
	registrytest.AllowTampering(t, store)
	raw := registrytest.SQL(t, store)
	if _, err := raw.Exec(`UPDATE audit_log SET detail = ? WHERE id = ?`, detail, id); err != nil {
		t.Fatal(err)
	}
	rows, err := raw.Query(`SELECT id, at, actor, action, subject, detail FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var es []registry.AuditEntry
	for rows.Next() {
		var e registry.AuditEntry
		rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Subject, &e.Detail)
		es = append(es, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	prev := ""
	for _, e := range es {
		h := registry.AuditHash(prev, e.ID, e.At, e.Actor, e.Action, e.Subject, e.Detail)
		if _, err := raw.Exec(`UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?`, prev, h, e.ID); err != nil {
			t.Fatal(err)
		}
		prev = h
	}
}

// The CLI side of checkpoints: `audit checkpoint` prints what the API
// serves; `audit verify -checkpoint` accepts it (one object or a saved
// array), then, after one entry is rewritten and the chain re-hashed,
// plain verification still passes while verification against the kept
// checkpoints fails, names the entries and bounds where the change lies;
// no new checkpoint is signed over the rewritten history.
func TestAuditCheckpointCLI(t *testing.T) {
	ctx := context.Background()
	db := tempDB(t)
	if r := runCLI(t, ctx, "", nil, "audit", "checkpoint", "-db", db); r.code != 1 || !strings.Contains(r.stderr, "audit log is empty") {
		t.Fatalf("a checkpoint of an empty log: %+v", r)
	}
	addUsers(t, db, "alice")
	cp1, json1 := checkpointCLI(t, db)
	if cp1.ID != 1 {
		t.Fatalf("first checkpoint %+v", cp1)
	}
	if st, err := os.Stat(signingKeyFile(t, db)); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file (beside an SQLite database, else named by CHENGXIN_SIGNING_KEY): %v %v", st, err)
	}
	addUsers(t, db, "bob", "carol")
	cp3, json3 := checkpointCLI(t, db)
	addUsers(t, db, "dave")
	cp4, _ := checkpointCLI(t, db)
	if cp3.ID != 3 || cp4.ID != 4 {
		t.Fatalf("checkpoints %d and %d, want 3 and 4", cp3.ID, cp4.ID)
	}
	one := writeFile(t, "cp3.json", json3)
	page, _ := json.Marshal([]registry.Checkpoint{cp4, cp3, cp1}) // as GET /api/v1/checkpoints lists them
	all := writeFile(t, "page.json", string(page))

	r := runCLI(t, ctx, "", nil, "audit", "verify", "-db", db, "-checkpoint", one)
	if r.code != 0 || !strings.Contains(r.stdout, "ok: 4 entries verified\n") ||
		!strings.Contains(r.stdout, "checkpoint 3 ("+cp3.At+", key "+cp3.KeyID+"): signature valid; entry 3 has this hash") {
		t.Fatalf("verify a good checkpoint: %+v", r)
	}
	if r := runCLI(t, ctx, json1, nil, "audit", "verify", "-db", db, "-checkpoint", "-"); r.code != 0 {
		t.Fatalf("verify a checkpoint from stdin: %+v", r)
	}

	rehashFrom(t, db, 2, `{"role":"regulator","note":"forged"}`)

	if r := runCLI(t, ctx, "", nil, "audit", "verify", "-db", db); r.code != 0 || r.stdout != "ok: 4 entries verified\n" {
		t.Fatalf("plain verify after a re-hash (it cannot see the attack): %+v", r)
	}
	r = runCLI(t, ctx, "", nil, "audit", "verify", "-db", db, "-checkpoint", one)
	if r.code != 1 || !strings.Contains(r.stdout, "entry 3 differs from its checkpoint of "+cp3.At) {
		t.Fatalf("verify against an earlier checkpoint: %+v", r)
	}
	r = runCLI(t, ctx, "", nil, "audit", "verify", "-db", db, "-checkpoint", all)
	for _, want := range []string{"checkpoint 1 (", "entry 1 has this hash", "entry 3 differs", "entry 4 differs",
		"the first entry that differs lies between entries 2 and 3"} {
		if r.code != 1 || !strings.Contains(r.stdout, want) {
			t.Errorf("verify a saved page: stdout lacks %q: %+v", want, r)
		}
	}
	if r := runCLI(t, ctx, "", nil, "audit", "checkpoint", "-db", db); r.code != 1 || !strings.Contains(r.stderr, "broken at entry 4") {
		t.Errorf("signing over the rewritten history: %+v", r)
	}
}

// A checkpoint with a tampered signature, or checked against another key,
// is refused; -public-key takes the key in the forms the API and openssl
// give; verify never makes a key.
func TestAuditVerifyCheckpointKeys(t *testing.T) {
	ctx := context.Background()
	db := tempDB(t)
	addUsers(t, db, "alice", "bob")
	cp, js := checkpointCLI(t, db)
	k, err := registry.LoadSigningKey(signingKeyFile(t, db))
	if err != nil {
		t.Fatal(err)
	}
	keyJSON, _ := json.Marshal(registry.CheckpointKeyInfo{KeyID: k.ID, Algorithm: "ed25519", PublicKey: base64.StdEncoding.EncodeToString(k.Public)})
	good := writeFile(t, "cp.json", js)
	for name, key := range map[string]string{"JSON file": writeFile(t, "key.json", string(keyJSON)), "base64": base64.StdEncoding.EncodeToString(k.Public)} {
		if r := runCLI(t, ctx, "", nil, "audit", "verify", "-db", db, "-checkpoint", good, "-public-key", key); r.code != 0 {
			t.Errorf("-public-key as %s: %+v", name, r)
		}
	}
	sig, _ := base64.StdEncoding.DecodeString(cp.Signature)
	sig[0] ^= 0x80
	bad := cp
	bad.Signature = base64.StdEncoding.EncodeToString(sig)
	badJSON, _ := json.Marshal(bad)
	r := runCLI(t, ctx, "", nil, "audit", "verify", "-db", db, "-checkpoint", writeFile(t, "bad.json", string(badJSON)))
	if r.code != 1 || !strings.Contains(r.stdout, "checkpoint 2: refused: checkpoint 2: the signature does not verify") {
		t.Errorf("a tampered signature: %+v", r)
	}
	other := tempDB(t)
	addUsers(t, other, "eve")
	checkpointCLI(t, other)
	r = runCLI(t, ctx, "", nil, "audit", "verify", "-db", db, "-checkpoint", good, "-signing-key", signingKeyFile(t, other))
	if r.code != 1 || !strings.Contains(r.stdout, "not by key") {
		t.Errorf("another registry's key: %+v", r)
	}
	missing := filepath.Join(t.TempDir(), "missing.signing-key")
	r = runCLI(t, ctx, "", nil, "audit", "verify", "-db", db, "-checkpoint", good, "-signing-key", missing)
	if r.code != 1 || !strings.Contains(r.stderr, "no signing key at "+missing) {
		t.Errorf("no key: %+v", r)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Error("verify made a key")
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-checkpoint", writeFile(t, "vendor.json", `{"uscc":"x"}`)}, 1, "not a checkpoint"},
		{[]string{"-public-key", "abc"}, 2, "-public-key needs -checkpoint"},
		{[]string{"-checkpoint", good, "-public-key", "not-a-key"}, 2, "public key"},
	} {
		r := runCLI(t, ctx, "", nil, append([]string{"audit", "verify", "-db", db}, tc.args...)...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("audit verify %v: %+v, want exit %d with %q", tc.args, r, tc.code, tc.want)
		}
	}
	if r := runCLI(t, ctx, "", nil, "audit", "sign", "-db", db); r.code != 2 {
		t.Errorf("unknown subcommand: %+v", r)
	}
}

// The scheduler's daily checkpoint: signs the head and logs it, is silent on
// an empty log, and logs an error rather than signing over a rewritten
// history.
func TestDailyCheckpoint(t *testing.T) {
	ctx := context.Background()
	path := tempDB(t)
	db := openStore(t, path)
	defer db.Close()
	var logs strings.Builder
	e := &env{getenv: func(string) string { return "" }, stdout: io.Discard, stderr: &logs,
		log: slog.New(slog.NewTextHandler(&logs, nil))}
	dailyCheckpoint(ctx, e, db)
	if logs.Len() != 0 {
		t.Errorf("an empty log: %s", logs.String())
	}
	addUsers(t, path, "alice", "bob")
	dailyCheckpoint(ctx, e, db)
	cp, err := db.LatestCheckpoint(ctx)
	if err != nil || cp.ID != 2 || !strings.Contains(logs.String(), "scheduler: audit checkpoint") {
		t.Fatalf("daily checkpoint %+v %v; log %s", cp, err, logs.String())
	}
	addUsers(t, path, "carol")
	rehashFrom(t, path, 1, `{"forged":true}`)
	logs.Reset()
	dailyCheckpoint(ctx, e, db)
	if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "broken at entry 2") {
		t.Errorf("over a rewritten history: %s", logs.String())
	}
}
