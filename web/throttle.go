package web

import (
	"sync"
	"time"
)

// Login throttling limits: failures within the window before further
// attempts are refused, per client address and per account.
const (
	throttleWindow     = 15 * time.Minute
	maxFailuresPerIP   = 20
	maxFailuresPerUser = 5
)

// loginThrottle counts failed logins per IP and per username in a sliding window.
type loginThrottle struct {
	mu       sync.Mutex
	now      func() time.Time
	failures map[string][]time.Time // "ip:1.2.3.4" / "user:alice"
}

func newLoginThrottle(now func() time.Time) *loginThrottle {
	return &loginThrottle{now: now, failures: map[string][]time.Time{}}
}

// recent drops failures older than the window and returns the rest.
func (t *loginThrottle) recent(key string) []time.Time {
	cutoff := t.now().Add(-throttleWindow)
	fs := t.failures[key]
	i := 0
	for i < len(fs) && !fs[i].After(cutoff) {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(t.failures, key)
	} else {
		t.failures[key] = fs
	}
	return fs
}

// Blocked reports whether a login from ip for username must be refused now,
// and when it may be tried again.
func (t *loginThrottle) Blocked(ip, username string) (bool, time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if fs := t.recent("ip:" + ip); len(fs) >= maxFailuresPerIP {
		return true, fs[len(fs)-maxFailuresPerIP].Add(throttleWindow)
	}
	if fs := t.recent("user:" + username); len(fs) >= maxFailuresPerUser {
		return true, fs[len(fs)-maxFailuresPerUser].Add(throttleWindow)
	}
	return false, time.Time{}
}

// Fail records a failed attempt.
func (t *loginThrottle) Fail(ip, username string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.failures["ip:"+ip] = append(t.recent("ip:"+ip), now)
	t.failures["user:"+username] = append(t.recent("user:"+username), now)
	if len(t.failures) > 100_000 { // bound memory under a spray attack
		for k := range t.failures {
			t.recent(k)
		}
	}
}

// Succeed clears the account's failures.
func (t *loginThrottle) Succeed(username string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, "user:"+username)
}
