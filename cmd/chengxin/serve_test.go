package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"chengxin/internal/testdb"
)

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeMetricsAndBaseURL: serve warns when -base-url is unset, serves
// /metrics on -metrics-addr and not on the main listener, and refuses a
// -base-url that is not an origin.
func TestServeMetricsAndBaseURL(t *testing.T) {
	ctx := context.Background()
	path := tempDB(t)
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	sctx, cancel := context.WithCancel(ctx)
	var errOut syncBuffer
	ended := make(chan error, 1)
	go func() {
		args := []string{"serve", "-db", path, "-addr", addr, "-metrics-addr", metricsAddr, "-scheduler=false"}
		ended <- run(sctx, args, cliGetenv(nil, args), strings.NewReader(""), io.Discard, &errOut)
	}()
	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if code, _ := get("http://" + addr + "/healthz"); code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not answer: %s", errOut.String())
		}
	}
	if code, _ := get("http://" + addr + "/metrics"); code != http.StatusNotFound {
		t.Errorf("/metrics on the main listener: %d, want 404", code)
	}
	code, body := get("http://" + metricsAddr + "/metrics")
	if code != http.StatusOK || !regexp.MustCompile(`chengxin_http_requests_total\{code="404",method="GET",route="/metrics"\} 1`).MatchString(body) {
		t.Errorf("/metrics on -metrics-addr: %d\n%.500s", code, body)
	}
	if code, _ := get("http://" + metricsAddr + "/healthz"); code != http.StatusNotFound {
		t.Errorf("the metrics listener serves more than /metrics: %d", code)
	}
	cancel()
	if err := <-ended; err != nil {
		t.Fatal(err)
	}
	if log := errOut.String(); !strings.Contains(log, "-base-url is not set") || !strings.Contains(log, "http://"+addr) ||
		!strings.Contains(log, "serving metrics") || !strings.Contains(log, "engine="+testdb.Engine()) {
		t.Errorf("log lacks the base-url warning or the metrics address:\n%s", log)
	}

	for _, bad := range []string{"chengxin.example.gov.cn", "ftp://x.example", "https://x.example/path", "https://"} {
		if r := runCLI(t, ctx, "", nil, "serve", "-db", path, "-addr", freeAddr(t), "-base-url", bad); r.code != 2 {
			t.Errorf("-base-url %q: exit %d, want 2 (%s)", bad, r.code, r.stderr)
		}
	}
}

// TestMetricsAddrOff: -metrics-addr takes the words that turn the listener
// off as CHENGXIN_METRICS_ADDR does ("-metrics-addr off" listened on "off").
func TestMetricsAddrOff(t *testing.T) {
	for _, off := range []string{"", "off", "OFF", "none", "false", "0"} {
		if got := metricsAddrOff(off); got != "" {
			t.Errorf("metricsAddrOff(%q) = %q, want off", off, got)
		}
		env := func(string) string { return off }
		if got := metricsAddrDefault(env); off != "" && got != "" {
			t.Errorf("CHENGXIN_METRICS_ADDR=%q: default %q, want off", off, got)
		}
	}
	if got := metricsAddrOff("127.0.0.1:9191"); got != "127.0.0.1:9191" {
		t.Errorf("an address is kept: %q", got)
	}
	if got := metricsAddrDefault(func(string) string { return "" }); got != "127.0.0.1:9090" {
		t.Errorf("default without the variable: %q", got)
	}
}
