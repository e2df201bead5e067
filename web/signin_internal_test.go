package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"chengxin/internal/testdb"
	"chengxin/registry"
	"chengxin/registry/registrytest"
)

// TestPasswordChecksBounded: with every password-check slot taken, an
// admitted sign-in waits briefly, then answers 503 with Retry-After and is
// not counted against the account; once a slot frees it is checked.
func TestPasswordChecksBounded(t *testing.T) {
	db, err := registry.Open(context.Background(), testdb.DSN(t, "busy.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := New(Config{DB: db})
	s.pwChecks = make(passwordChecks, 1)
	s.pwChecks <- struct{}{} // someone else's check holds the only slot
	s.pwWait = 100 * time.Millisecond
	const token = "0123456789abcdef0123456789abcdef0123456789a"
	post := func() *httptest.ResponseRecorder {
		form := url.Values{"username": {"nobody"}, "password": {"wrong-password"}, "csrf": {token}}
		req := httptest.NewRequest(http.MethodPost, "/console/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: csrfCookie, Value: token})
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec
	}
	start := time.Now()
	rec := post()
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("busy: %d, Retry-After %q; want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
	if waited := time.Since(start); waited < s.pwWait {
		t.Errorf("answered after %s, before the %s wait", waited, s.pwWait)
	}
	var n int
	registrytest.SQL(t, db).QueryRow(`SELECT count(*) FROM login_attempts`).Scan(&n)
	if n != 0 {
		t.Errorf("%d attempts counted for an unchecked sign-in", n)
	}
	<-s.pwChecks
	if rec := post(); rec.Code != http.StatusUnauthorized {
		t.Fatalf("free slot: %d, want 401", rec.Code)
	}
}
