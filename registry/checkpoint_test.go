package registry_test

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"chengxin/registry"
	"chengxin/registry/registrytest"
)

// mustCheckpoint makes a checkpoint and fails the test on error.
func mustCheckpoint(t *testing.T, db *registry.DB) (registry.Checkpoint, bool) {
	t.Helper()
	cp, created, err := db.MakeCheckpoint(context.Background())
	if err != nil {
		t.Fatalf("MakeCheckpoint: %v", err)
	}
	return cp, created
}

func publicKey(t *testing.T, db *registry.DB) ed25519.PublicKey {
	t.Helper()
	info, err := db.CheckpointKey()
	if err != nil {
		t.Fatal(err)
	}
	pub, err := registry.ParsePublicKey(info.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// A checkpoint signs the chain's head with a key kept beside the database
// (mode 0600, made on first use); the same head is signed once; the list
// runs newest first.
func TestCheckpointSignsHead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	if _, _, err := db.MakeCheckpoint(ctx); !errors.Is(err, registry.ErrAuditEmpty) {
		t.Fatalf("a checkpoint of an empty log: %v", err)
	}
	if _, err := db.LatestCheckpoint(ctx); !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("latest of none: %v", err)
	}
	for i := 0; i < 3; i++ {
		if _, err := db.CreateVendor(ctx, cli, vendorIn(usccN(800+i))); err != nil {
			t.Fatal(err)
		}
	}
	keyPath := db.SigningKeyPath()
	if want := db.Path() + ".signing-key"; db.Path() != "" && keyPath != want {
		t.Errorf("key path %q, want %q", keyPath, want)
	}
	cp, created := mustCheckpoint(t, db)
	head, _ := db.FindAudit(ctx, registry.AuditFilter{Limit: 1})
	if !created || cp.ID != head[0].ID || cp.Hash != head[0].Hash {
		t.Fatalf("checkpoint %+v (created %v), head %d %s", cp, created, head[0].ID, head[0].Hash)
	}
	if at, err := time.Parse(time.RFC3339, cp.At); err != nil || !strings.HasSuffix(cp.At, "+08:00") || !at.Equal(t0) {
		t.Errorf("at %q, want %s in +08:00", cp.At, t0)
	}
	st, err := os.Stat(keyPath)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	pub := publicKey(t, db)
	if cp.KeyID != registry.KeyID(pub) || len(cp.KeyID) != 16 {
		t.Errorf("key id %q, want %q", cp.KeyID, registry.KeyID(pub))
	}
	if err := registry.VerifyCheckpointSignature(cp, pub); err != nil {
		t.Fatal(err)
	}
	// The message is the documented one; any Ed25519 tool checks it.
	sig, _ := base64.StdEncoding.DecodeString(cp.Signature)
	msg := "chengxin-checkpoint/v1\n" + itoa(cp.ID) + "\n" + cp.Hash + "\n" + cp.At + "\n"
	if !ed25519.Verify(pub, []byte(msg), sig) {
		t.Error("the signature does not cover the documented message")
	}
	again, created := mustCheckpoint(t, db)
	if created || again != cp {
		t.Errorf("a second checkpoint of the same head: %+v created %v", again, created)
	}
	if _, err := db.CreateVendor(ctx, cli, vendorIn(usccN(810))); err != nil {
		t.Fatal(err)
	}
	next, created := mustCheckpoint(t, db)
	if !created || next.ID != cp.ID+1 {
		t.Errorf("after one more entry: %+v created %v", next, created)
	}
	list, err := db.FindCheckpoints(ctx, 0, 0)
	if err != nil || len(list) != 2 || list[0] != next || list[1] != cp {
		t.Errorf("list %+v %v", list, err)
	}
	if list, _ := db.FindCheckpoints(ctx, next.ID, 0); len(list) != 1 || list[0] != cp {
		t.Errorf("before %d: %+v", next.ID, list)
	}
	if latest, err := db.LatestCheckpoint(ctx); err != nil || latest != next {
		t.Errorf("latest %+v %v", latest, err)
	}
	// Reopening finds the same key.
	db2, err := registry.Open(ctx, db.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if db.Path() == "" { // PostgreSQL: the process names the key's file
		db2.SetSigningKeyPath(db.SigningKeyPath())
	}
	if info, _ := db2.CheckpointKey(); info.KeyID != cp.KeyID {
		t.Errorf("reopened key %s, want %s", info.KeyID, cp.KeyID)
	}
}

// rewriteAndRehash does what anyone with write access to the database file
// can: drop the triggers, edit entry id and recompute every hash from there,
// so that the chain verifies again.
func rewriteAndRehash(t *testing.T, db *registry.DB, id int64, detail string) {
	t.Helper()
	registrytest.AllowTampering(t, db)
	raw := rawDB(t, db.DSN())
	if _, err := raw.Exec(`UPDATE audit_log SET detail = ? WHERE id = ?`, detail, id); err != nil {
		t.Fatal(err)
	}
	rows, err := raw.Query(`SELECT id, at, actor, action, subject, detail FROM audit_log WHERE id >= ? ORDER BY id`, id)
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
	var prev string
	if err := raw.QueryRow(`SELECT coalesce((SELECT hash FROM audit_log WHERE id = ?), '')`, id-1).Scan(&prev); err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		h := registry.AuditHash(prev, e.ID, e.At, e.Actor, e.Action, e.Subject, e.Detail)
		if _, err := raw.Exec(`UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?`, prev, h, e.ID); err != nil {
			t.Fatal(err)
		}
		prev = h
	}
}

// The attack checkpoints exist for: rewrite one entry and re-hash the whole
// chain after it. The plain chain verification passes; every checkpoint
// taken after the entry fails and names its entry; checkpoints from before
// it still match, which bounds where the change lies; and no new
// checkpoint is signed over the rewritten history.
func TestCheckpointExposesRewrittenHistory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := auditFixture(t, 3)
	early, _ := mustCheckpoint(t, db) // entry 3
	for i := 0; i < 4; i++ {
		if _, err := db.CreateVendor(ctx, cli, vendorIn(usccN(900+i))); err != nil {
			t.Fatal(err)
		}
	}
	middle, _ := mustCheckpoint(t, db) // entry 7
	if _, err := db.CreateVendor(ctx, cli, vendorIn(usccN(950))); err != nil {
		t.Fatal(err)
	}
	late, _ := mustCheckpoint(t, db) // entry 8
	pub := publicKey(t, db)
	for _, cp := range []registry.Checkpoint{early, middle, late} {
		if err := db.CheckCheckpoint(ctx, cp, pub); err != nil {
			t.Fatalf("before the attack, checkpoint %d: %v", cp.ID, err)
		}
	}

	rewriteAndRehash(t, db, 5, `{"name":"伪造的家政公司"}`)

	if brk, n, err := db.VerifyAudit(ctx); brk != nil || err != nil || n != 8 {
		t.Fatalf("plain verification after a re-hash: %+v %d %v (it cannot see the attack)", brk, n, err)
	}
	if err := db.CheckCheckpoint(ctx, early, pub); err != nil {
		t.Errorf("the checkpoint from before the rewritten entry: %v", err)
	}
	for _, cp := range []registry.Checkpoint{middle, late} {
		err := db.CheckCheckpoint(ctx, cp, pub)
		var mm *registry.CheckpointMismatchError
		if !errors.As(err, &mm) || mm.Checkpoint.ID != cp.ID || mm.LogHash == cp.Hash || mm.LogHash == "" {
			t.Fatalf("checkpoint %d after the attack: %v", cp.ID, err)
		}
		if want := "entry " + itoa(cp.ID) + " differs"; !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not say %q", err, want)
		}
	}
	_, _, err := db.MakeCheckpoint(ctx)
	var broken *registry.BrokenChainError
	if !errors.As(err, &broken) || broken.ID != late.ID {
		t.Fatalf("signing over the rewritten history: %v", err)
	}
	if n := count(t, db, "checkpoints"); n != 3 {
		t.Errorf("%d checkpoints stored, want 3", n)
	}
}

// A checkpoint whose signature, hash, instant, id or key was changed is
// refused, and so is one under another key.
func TestCheckpointTamperedSignatureRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := auditFixture(t, 2)
	cp, _ := mustCheckpoint(t, db)
	pub := publicKey(t, db)
	other, _, _ := ed25519.GenerateKey(nil)
	flip := func(s string) string {
		b, _ := base64.StdEncoding.DecodeString(s)
		b[10] ^= 1
		return base64.StdEncoding.EncodeToString(b)
	}
	cases := []struct {
		name   string
		mutate func(*registry.Checkpoint)
		pub    ed25519.PublicKey
		want   string
	}{
		{"signature bit flipped", func(c *registry.Checkpoint) { c.Signature = flip(c.Signature) }, pub, "does not verify"},
		{"signature truncated", func(c *registry.Checkpoint) { c.Signature = c.Signature[:40] }, pub, "base64 of 64 bytes"},
		{"hash replaced", func(c *registry.Checkpoint) { c.Hash = strings.Repeat("0", 64) }, pub, "does not verify"},
		{"instant moved", func(c *registry.Checkpoint) { c.At = "2025-03-15T10:00:01+08:00" }, pub, "does not verify"},
		{"other entry", func(c *registry.Checkpoint) { c.ID-- }, pub, "does not verify"},
		{"hash in upper case", func(c *registry.Checkpoint) { c.Hash = strings.ToUpper(c.Hash) }, pub, "64 lowercase hex"},
		{"another key", func(c *registry.Checkpoint) {}, other, "not by key"},
		{"another key's id", func(c *registry.Checkpoint) { c.KeyID = registry.KeyID(other) }, other, "does not verify"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := cp
			tc.mutate(&c)
			err := db.CheckCheckpoint(ctx, c, tc.pub)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want …%s…", err, tc.want)
			}
		})
	}
	if err := db.CheckCheckpoint(ctx, cp, pub); err != nil {
		t.Errorf("the untouched checkpoint: %v", err)
	}
}

// The key file: refused when others may read it, named elsewhere with
// SetSigningKeyPath, and made once when processes start together.
func TestSigningKeyFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "keys", "chengxin.signing-key")
	if _, err := registry.LoadOrCreateSigningKey(path); err == nil {
		t.Fatal("a key in a directory that does not exist")
	}
	os.Mkdir(filepath.Dir(path), 0o700)
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := registry.LoadOrCreateSigningKey(path)
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = k.ID
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("processes starting together made different keys: %v", ids)
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("left %d files beside the key", len(entries))
	}
	os.Chmod(path, 0o644)
	if _, err := registry.LoadSigningKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a key others may read: %v", err)
	}
	os.Chmod(path, 0o600)
	k, err := registry.LoadSigningKey(path)
	if err != nil {
		t.Fatal(err)
	}
	db, _ := auditFixture(t, 1)
	db.SetSigningKeyPath(path)
	cp, _ := mustCheckpoint(t, db)
	if cp.KeyID != k.ID {
		t.Errorf("signed with %s, want the named key %s", cp.KeyID, k.ID)
	}
	if _, err := os.Stat(db.Path() + ".signing-key"); !os.IsNotExist(err) {
		t.Errorf("a key was made beside the database too: %v", err)
	}
	if _, err := registry.LoadSigningKey(filepath.Join(dir, "none")); !errors.Is(err, registry.ErrNoSigningKey) {
		t.Errorf("a missing key: %v", err)
	}
}

// Public keys are read in the three forms people have them in.
func TestParsePublicKey(t *testing.T) {
	t.Parallel()
	pub, _, _ := ed25519.GenerateKey(nil)
	raw := base64.StdEncoding.EncodeToString(pub)
	der, _ := x509.MarshalPKIXPublicKey(pub)
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	js, _ := json.Marshal(registry.CheckpointKeyInfo{KeyID: registry.KeyID(pub), Algorithm: "ed25519", PublicKey: raw})
	for name, text := range map[string]string{"base64": raw + "\n", "PEM": pemText, "JSON": string(js)} {
		got, err := registry.ParsePublicKey(text)
		if err != nil || !got.Equal(pub) {
			t.Errorf("%s: %v", name, err)
		}
	}
	badID, _ := json.Marshal(registry.CheckpointKeyInfo{KeyID: "0000000000000000", Algorithm: "ed25519", PublicKey: raw})
	for name, text := range map[string]string{"short": base64.StdEncoding.EncodeToString(pub[:16]), "wrong key id": string(badID),
		"not base64": "not a key", "RSA algorithm": `{"algorithm":"rsa","public_key":"` + raw + `"}`} {
		if _, err := registry.ParsePublicKey(text); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
