package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"chengxin/registry"
	"chengxin/web"
)

// logLines decodes the JSON log lines with a given message.
func logLines(t *testing.T, logs *lockedBuffer, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

// TestNotFoundIsNotAnError: the JSON API's 404 for an unknown vendor (the
// black-box finding) and the pages' 404s are 404 in the metrics and logged
// at INFO, never ERROR or 500.
func TestNotFoundIsNotAnError(t *testing.T) {
	logs := &lockedBuffer{}
	e := newEnv(t, func(c *web.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	})
	unknown := registry.MustUSCC("91120110MA0NQPE01")
	c := e.client()
	for range 3 {
		wantStatus(t, c.get("/api/v1/vendors/"+unknown), http.StatusNotFound)
	}
	wantStatus(t, c.get("/vendors/"+unknown), http.StatusNotFound)
	wantStatus(t, c.get("/no/such/page"), http.StatusNotFound)
	m := e.scrape()
	for _, want := range []string{
		`chengxin_http_requests_total{code="404",method="GET",route="/api/v1/vendors/:uscc"} 3`,
		`chengxin_http_requests_total{code="404",method="GET",route="/vendors/:uscc"} 1`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s:\n%s", want, grepLines(m, "404"))
		}
	}
	if strings.Contains(m, `code="500"`) {
		t.Errorf("a 500 was counted:\n%s", grepLines(m, `code="500"`))
	}
	lines := logLines(t, logs, "request")
	if len(lines) != 5 {
		t.Fatalf("%d request lines, want 5:\n%s", len(lines), logs)
	}
	for _, l := range lines {
		if l["level"] != "INFO" || l["status"] != float64(404) {
			t.Errorf("logged %v %v, want INFO 404", l["level"], l["status"])
		}
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("errors logged:\n%s", logs)
	}
}

// TestClientClosedIs499: a request whose client went away before the answer
// is counted and logged as 499, a warning, not a 500.
func TestClientClosedIs499(t *testing.T) {
	logs := &lockedBuffer{}
	e := newEnv(t, func(c *web.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	})
	reg := e.as(registry.RoleRegulator)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the client hung up before the server read the session
	req := httptest.NewRequest(http.MethodGet, "/console/vendors", nil).WithContext(ctx)
	r := reg.do(req)
	if r.Code != web.StatusClientClosed {
		t.Errorf("status %d, want 499", r.Code)
	}
	if m := e.scrape(); !strings.Contains(m, `chengxin_http_requests_total{code="499",method="GET",route="/console/vendors"} 1`) ||
		strings.Contains(m, `code="500"`) {
		t.Errorf("metrics:\n%s", grepLines(m, "/console/vendors"))
	}
	lines := logLines(t, logs, "request")
	last := lines[len(lines)-1]
	if last["status"] != float64(499) || last["level"] != "WARN" {
		t.Errorf("logged %v %v, want WARN 499", last["level"], last["status"])
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("errors logged:\n%s", logs)
	}
}

// TestRequestIDFromTrustedProxiesOnly: X-Request-ID is kept only when the
// TCP peer is a trusted proxy and the id is sane.
func TestRequestIDFromTrustedProxiesOnly(t *testing.T) {
	_, proxies, _ := net.ParseCIDR("10.0.0.0/8")
	e := newEnv(t, func(c *web.Config) { c.TrustedProxies = []*net.IPNet{proxies} })
	get := func(peer, id string) string {
		c := e.client()
		c.remoteAddr = peer
		return c.getWith("/healthz", map[string]string{"X-Request-ID": id}).Header.Get("X-Request-ID")
	}
	if got := get("192.0.2.7:1", "forged-id-123"); got == "forged-id-123" || len(got) != 16 {
		t.Errorf("untrusted peer: id %q kept", got)
	}
	for _, id := range []string{"abc-123", "2f1c7e9a-4b1d-4c55-9d1a-0e6f1a2b3c4d", "req:42/edge=1"} {
		if got := get("10.1.2.3:1", id); got != id {
			t.Errorf("trusted proxy: id %q became %q", id, got)
		}
	}
	for _, id := range []string{"bad id", "a\"b", "<script>", strings.Repeat("a", 65), "日志", "a\tb"} {
		if got := get("10.1.2.3:1", id); got == id || len(got) != 16 {
			t.Errorf("trusted proxy, insane id %q kept as %q", id, got)
		}
	}
}

// brokenPipe is a connection the client closed after the first n bytes:
// later writes fail as a socket's would.
type brokenPipe struct {
	header http.Header
	n      int
	status int
}

func (w *brokenPipe) Header() http.Header { return w.header }
func (w *brokenPipe) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *brokenPipe) Write(b []byte) (int, error) {
	if w.n <= 0 {
		return 0, syscall.EPIPE
	}
	k := min(len(b), w.n)
	w.n -= k
	if k < len(b) {
		return k, syscall.EPIPE
	}
	return k, nil
}
func (w *brokenPipe) Flush() {}

// TestOpenDataClientLeavesMidFile: a download of the open data that the
// client abandons part way is a client close (499, a warning), not an
// error in the log.
func TestOpenDataClientLeavesMidFile(t *testing.T) {
	logs := &lockedBuffer{}
	e := newEnv(t, func(c *web.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	})
	for i := 0; i < 300; i++ { // more than one buffer of CSV
		code := fmt.Sprintf("91120101MA%07d", i)
		e.createVendor(code+string(registry.USCCCheckChar(code)), fmt.Sprintf("天津测试家政服务有限公司%03d", i))
	}
	w := &brokenPipe{header: http.Header{}, n: 100}
	e.srv.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/open-data/vendors.csv", nil))
	if w.status != http.StatusOK {
		t.Fatalf("status %d, want 200 before the client left", w.status)
	}
	lines := logLines(t, logs, "request")
	if len(lines) == 0 {
		t.Fatalf("no request logged at info or above:\n%s", logs)
	}
	if last := lines[len(lines)-1]; last["status"] != float64(web.StatusClientClosed) || last["level"] != "WARN" {
		t.Errorf("logged %v %v, want WARN 499", last["level"], last["status"])
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("errors logged:\n%s", logs)
	}
	if m := e.scrape(); !strings.Contains(m, `code="499",method="GET",route="/open-data/vendors.csv"`) {
		t.Errorf("metrics:\n%s", grepLines(m, "vendors.csv"))
	}
}
