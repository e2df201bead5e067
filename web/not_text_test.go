package web_test

import (
	"net/http"
	"strings"
	"testing"

	"chengxin/internal/testdb"
)

// TestNotTextIsBadRequest: a NUL byte or invalid UTF-8 in a console filter
// or a path parameter is never a server error. On PostgreSQL, which cannot
// store or compare such strings, the store refuses them (registry.ErrNotText)
// and the page and the API say so with 400 in the reader's language; SQLite
// compares them and finds nothing.
func TestNotTextIsBadRequest(t *testing.T) {
	e := newEnv(t)
	reg := e.login("reg1")
	for _, path := range []string{"/console/audit?actor=%00", "/console/orgs?q=a%00b", "/console/vendors?q=%FF%FE",
		"/console/vendors/%00"} {
		r := reg.get(path)
		switch {
		case !testdb.Postgres():
			if r.Code >= 500 {
				t.Errorf("GET %s: %d", path, r.Code)
			}
		case r.Code != http.StatusBadRequest || !strings.Contains(r.Body, "无法识别的字符"):
			t.Errorf("GET %s: %d, want 400 with the not-text message\n%s", path, r.Code, r)
		}
	}
	if !testdb.Postgres() {
		return
	}
	r := reg.get("/console/audit?lang=en&actor=%00")
	if r.Code != http.StatusBadRequest || !strings.Contains(r.Body, "not text") {
		t.Errorf("English page: %d\n%s", r.Code, r)
	}
}
