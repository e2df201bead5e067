package registry_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"chengxin/registry"
)

func TestLoginAccountDelay(t *testing.T) {
	for n, want := range map[int]time.Duration{0: 0, 9: 0, 10: time.Second, 11: 2 * time.Second, 13: 8 * time.Second,
		15: 32 * time.Second, 16: time.Minute, 40: time.Minute, 1 << 20: time.Minute} {
		if got := registry.LoginAccountDelay(n); got != want {
			t.Errorf("LoginAccountDelay(%d) = %s, want %s", n, got, want)
		}
	}
}

func TestLoginAccountKey(t *testing.T) {
	long := ""
	for range 100 {
		long += "é"
	}
	for in, want := range map[string]string{" Reg1 ": "reg1", "REG.one": "reg.one", long: long[:65*2]} {
		if got := registry.LoginAccountKey(in); got != want {
			t.Errorf("LoginAccountKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestBeginLogin: the limits per (account, address) and per address, the
// window, and what each outcome does to the count.
func TestBeginLogin(t *testing.T) {
	ctx := context.Background()
	db, clk := openDB(t)
	begin := func(user, ip string) (registry.LoginAttempt, *registry.ThrottledError) {
		t.Helper()
		a, err := db.BeginLogin(ctx, user, ip, false)
		if te, ok := registry.AsThrottled(err); ok {
			return a, te
		}
		if err != nil {
			t.Fatal(err)
		}
		return a, nil
	}
	fail := func(a registry.LoginAttempt, outcome string) {
		t.Helper()
		if err := db.FinishLogin(ctx, a, outcome); err != nil {
			t.Fatal(err)
		}
	}

	// Pending attempts count like failures: 5 in flight fill the pair.
	var pending []registry.LoginAttempt
	for i := range registry.LoginPairLimit {
		a, te := begin("Alice", "10.0.0.1")
		if te != nil {
			t.Fatalf("attempt %d refused: %v", i, te)
		}
		pending = append(pending, a)
	}
	if _, te := begin("alice", "10.0.0.1"); te == nil || te.Reason != "account_address" || te.RetryAfter != registry.LoginWindow {
		t.Fatalf("6th attempt: %+v, want refused for the window", te)
	}
	// An attempt never checked (server busy) frees its place.
	fail(pending[0], registry.LoginUnchecked)
	a, te := begin("alice", "10.0.0.1")
	if te != nil {
		t.Fatalf("after an unchecked attempt: %v", te)
	}
	fail(a, registry.LoginFailed)
	// Another address is not affected; a success there forgets only its own failures.
	b, te := begin("alice", "10.0.0.2")
	if te != nil {
		t.Fatal(te)
	}
	fail(b, registry.LoginSucceeded)
	if _, te := begin("alice", "10.0.0.1"); te == nil {
		t.Fatal("the success elsewhere unlocked 10.0.0.1")
	}
	// A success from the address itself clears the pair (after the window here).
	clk.Advance(registry.LoginWindow - time.Second)
	if _, te := begin("alice", "10.0.0.1"); te == nil || te.RetryAfter != time.Second {
		t.Fatalf("one second before the window ends: %+v", te)
	}
	clk.Advance(time.Second)
	a, te = begin("alice", "10.0.0.1")
	if te != nil {
		t.Fatalf("after the window: %v", te)
	}
	fail(a, registry.LoginSucceeded)

	// Per address: 20 failures over any usernames.
	for i := range registry.LoginAddressLimit {
		a, te := begin(fmt.Sprintf("user%d", i), "10.0.0.3")
		if te != nil {
			t.Fatalf("address attempt %d refused: %v", i, te)
		}
		fail(a, registry.LoginFailed)
	}
	if _, te := begin("someone-else", "10.0.0.3"); te == nil || te.Reason != "address" {
		t.Fatalf("21st attempt from the address: %+v", te)
	}
	if err := db.FinishLogin(ctx, a, "maybe"); err == nil {
		t.Error("an unknown outcome was accepted")
	}
}

// TestBeginLoginAccountCeiling: from many addresses, the account is slowed,
// never locked, and a known browser is not slowed.
func TestBeginLoginAccountCeiling(t *testing.T) {
	ctx := context.Background()
	db, clk := openDB(t)
	for i := range registry.LoginAccountSlowAfter {
		a, err := db.BeginLogin(ctx, "bob", fmt.Sprintf("10.1.0.%d", i), false)
		if err != nil {
			t.Fatalf("attempt %d: %v", i, err)
		}
		db.FinishLogin(ctx, a, registry.LoginFailed)
	}
	_, err := db.BeginLogin(ctx, "bob", "10.1.1.1", false)
	te, ok := registry.AsThrottled(err)
	if !ok || te.Reason != "account" || te.RetryAfter != time.Second {
		t.Fatalf("11th attempt at once: %v, want slowed by 1 s", err)
	}
	if _, err := db.BeginLogin(ctx, "bob", "10.1.1.1", true); err != nil {
		t.Fatalf("known browser: %v", err)
	}
	clk.Advance(2 * time.Second) // 11 counted now: 2 s spacing
	if _, err := db.BeginLogin(ctx, "bob", "10.1.1.2", false); err != nil {
		t.Fatalf("after the spacing: %v", err)
	}
	_, err = db.BeginLogin(ctx, "bob", "10.1.1.3", false)
	if te, ok := registry.AsThrottled(err); !ok || te.RetryAfter != 4*time.Second {
		t.Fatalf("12 counted: %v, want 4 s", err)
	}
}

// TestBeginLoginSharedAcrossProcesses: two stores on one file (two serve
// processes) admit exactly the limit between them, however the attempts
// interleave.
func TestBeginLoginSharedAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	db, _ := openDB(t)
	other, err := registry.Open(ctx, db.DSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	other.Now = db.Now
	var mu sync.Mutex
	admitted, refused := 0, 0
	var wg sync.WaitGroup
	for i := range 60 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			store := db
			if i%2 == 1 {
				store = other
			}
			_, err := store.BeginLogin(ctx, "carol", "10.2.0.1", false)
			mu.Lock()
			defer mu.Unlock()
			if _, ok := registry.AsThrottled(err); ok {
				refused++
			} else if err != nil {
				t.Error(err)
			} else {
				admitted++
			}
		}()
	}
	wg.Wait()
	if admitted != registry.LoginPairLimit || refused != 60-registry.LoginPairLimit {
		t.Errorf("admitted %d, refused %d; want %d and %d", admitted, refused, registry.LoginPairLimit, 60-registry.LoginPairLimit)
	}
}

// TestLoginDevices: a known-browser token names one account, expires, and
// only the newest 20 per account are kept.
func TestLoginDevices(t *testing.T) {
	ctx := context.Background()
	db, clk := openDB(t)
	u, err := db.CreateUser(ctx, cli, registry.UserInput{Username: "dora", Password: "long enough password", Role: registry.RoleRegulator})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(ctx, cli, registry.UserInput{Username: "eve", Password: "long enough password", Role: registry.RoleRegulator}); err != nil {
		t.Fatal(err)
	}
	tok, err := db.RememberLoginDevice(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		token, user string
		want        bool
	}{{tok, "dora", true}, {tok, "DORA", true}, {tok, "eve", false}, {tok + "x", "dora", false}, {"", "dora", false}} {
		if got, err := db.KnownLoginDevice(ctx, tc.token, tc.user); err != nil || got != tc.want {
			t.Errorf("KnownLoginDevice(%q, %q) = %v, %v; want %v", tc.token, tc.user, got, err, tc.want)
		}
	}
	for range 25 {
		clk.Advance(time.Second)
		if _, err := db.RememberLoginDevice(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if ok, _ := db.KnownLoginDevice(ctx, tok, "dora"); ok {
		t.Error("the oldest of 26 devices is still known")
	}
	last, _ := db.RememberLoginDevice(ctx, u)
	clk.Advance(registry.LoginDeviceTTL)
	if ok, _ := db.KnownLoginDevice(ctx, last, "dora"); ok {
		t.Error("an expired device is still known")
	}
}
