package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"chengxin/internal/testdb"
	"chengxin/registry"
)

// The examples in deploy/: the systemd units pass systemd-analyze verify,
// and nginx and Caddy, with the example configs as written (only the ports
// changed to free ones), balance over two serve processes on one database
// and keep answering when one of them dies. Skipped, with the reason, where
// the tool is not installed; nothing is installed here.

const deployDir = "../../deploy"

// TestSystemdUnits checks both units with systemd-analyze verify (the
// binary's path replaced by an executable that exists here).
func TestSystemdUnits(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"chengxin.service", "chengxin@.service"} {
		b, err := os.ReadFile(filepath.Join(deployDir, name))
		if err != nil {
			t.Fatal(err)
		}
		unit := string(b)
		if !strings.Contains(unit, "ExecStart=/usr/local/bin/chengxin serve") {
			t.Fatalf("%s: ExecStart is not /usr/local/bin/chengxin serve", name)
		}
		for _, opt := range []string{"NoNewPrivileges=yes", "ProtectSystem=strict", "User=chengxin", "EnvironmentFile=/etc/chengxin/chengxin.env"} {
			if !strings.Contains(unit, "\n"+opt+"\n") {
				t.Errorf("%s lacks %s", name, opt)
			}
		}
		unit = strings.ReplaceAll(unit, "/usr/local/bin/chengxin", self)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(unit), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(sa, "verify", "--man=no", "./chengxin.service", "./chengxin@8081.service")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "chengxin") {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// startServe starts `chengxin serve` on addr over dsn and waits for /healthz.
func startServe(t *testing.T, bin, dsn, key, addr string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "serve", "-db", dsn, "-addr", addr, "-signing-key", key,
		"-metrics-addr=", "-trusted-proxies", "127.0.0.1/32", "-scheduler=false")
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	waitFor(t, 30*time.Second, "serve on "+addr, func() (bool, string) {
		r, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false, err.Error()
		}
		r.Body.Close()
		return r.StatusCode == 200, r.Status
	})
	return cmd
}

// proxyBackends builds the binary, fills one database and starts two serve
// processes over it: the example configs' 127.0.0.1:8081 and :8082.
func proxyBackends(t *testing.T) (a, b string, killA func()) {
	t.Helper()
	bin := buildBinary(t, t.TempDir())
	dir := t.TempDir()
	key := filepath.Join(dir, "signing-key")
	if _, err := registry.LoadOrCreateSigningKey(key); err != nil {
		t.Fatal(err)
	}
	dsn := testdb.DSN(t, "proxy.db")
	if r := runCLI(t, context.Background(), "", map[string]string{"CHENGXIN_SIGNING_KEY": key},
		"gen", "-db", dsn, "-vendors", "20", "-events", "500"); r.code != 0 {
		t.Fatalf("gen: %d\n%s", r.code, r.stderr)
	}
	a, b = freeAddr(t), freeAddr(t)
	ca := startServe(t, bin, dsn, key, a)
	startServe(t, bin, dsn, key, b)
	return a, b, func() { ca.Process.Kill(); ca.Wait() }
}

// exampleConfig reads a deploy/ file with its ports moved to free ones.
func exampleConfig(t *testing.T, name, a, b, front string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(deployDir, name))
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	for _, want := range []string{"127.0.0.1:8081", "127.0.0.1:8082", "8088", "/healthz"} {
		if !strings.Contains(s, want) {
			t.Fatalf("deploy/%s no longer mentions %s: update this test", name, want)
		}
	}
	_, port, _ := strings.Cut(front, ":")
	return strings.NewReplacer("127.0.0.1:8081", a, "127.0.0.1:8082", b, "8088", port).Replace(s)
}

// throughProxy checks the proxy answers /healthz and public JSON from both
// backends, and still does after one backend is killed.
func throughProxy(t *testing.T, front string, killA func()) {
	t.Helper()
	base := "http://" + front
	waitFor(t, 30*time.Second, "proxy on "+front, func() (bool, string) {
		r, err := http.Get(base + "/healthz")
		if err != nil {
			return false, err.Error()
		}
		r.Body.Close()
		return r.StatusCode == 200, r.Status
	})
	get := func(round int) {
		for _, p := range []string{"/healthz", "/api/v1/vendors", "/"} {
			r, err := http.Get(base + p)
			if err != nil {
				t.Fatalf("round %d GET %s: %v", round, p, err)
			}
			io.Copy(io.Discard, r.Body)
			r.Body.Close()
			if r.StatusCode != 200 {
				t.Fatalf("round %d GET %s through the proxy: %s", round, p, r.Status)
			}
		}
	}
	for i := range 6 {
		get(i)
	}
	killA()
	for i := range 10 {
		get(100 + i)
	}
}

func TestNginxExample(t *testing.T) {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		t.Skip("nginx not installed: the nginx example is not exercised (install nginx to run it)")
	}
	a, b, killA := proxyBackends(t)
	front := freeAddr(t)
	dir := t.TempDir()
	site := exampleConfig(t, "nginx.conf", a, b, front)
	if err := os.WriteFile(filepath.Join(dir, "chengxin.conf"), []byte(site), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"logs", "tmp"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	mainConf := `pid ` + dir + `/nginx.pid;
error_log ` + dir + `/logs/error.log;
events {}
http {
    access_log off;
    client_body_temp_path ` + dir + `/tmp/body;
    proxy_temp_path ` + dir + `/tmp/proxy;
    fastcgi_temp_path ` + dir + `/tmp/fastcgi;
    uwsgi_temp_path ` + dir + `/tmp/uwsgi;
    scgi_temp_path ` + dir + `/tmp/scgi;
    include ` + dir + `/chengxin.conf;
}
`
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(mainConf), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(nginx, "-t", "-p", dir, "-c", filepath.Join(dir, "nginx.conf")).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
	cmd := exec.Command(nginx, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-g", "daemon off;")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	throughProxy(t, front, killA)
}

func TestCaddyExample(t *testing.T) {
	caddy, err := exec.LookPath("caddy")
	if err != nil {
		t.Skip("caddy not installed: the Caddyfile example is not exercised (install caddy to run it)")
	}
	a, b, killA := proxyBackends(t)
	front := freeAddr(t)
	dir := t.TempDir()
	// No admin endpoint and no certificates in a test.
	conf := "{\n\tadmin off\n\tauto_https off\n}\n\n" + exampleConfig(t, "Caddyfile", a, b, front)
	path := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(caddy, "validate", "--config", path, "--adapter", "caddyfile").CombinedOutput(); err != nil {
		t.Fatalf("caddy validate: %v\n%s", err, out)
	}
	cmd := exec.Command(caddy, "run", "--config", path, "--adapter", "caddyfile")
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	throughProxy(t, front, killA)
}
