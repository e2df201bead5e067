package web_test

import (
	"log/slog"
	"net"
	"testing"

	"chengxin/web"
)

// TestTrustedProxiesOnlyThoseListed: with -trusted-proxies given,
// X-Forwarded-For is believed past the listed ranges only. echo's extractor
// trusts loopback, link-local and private addresses by default; a client on
// the LAN or on the host must not be able to forge its address (the per-IP
// sign-in throttle and the logs use it).
func TestTrustedProxiesOnlyThoseListed(t *testing.T) {
	var nets []*net.IPNet
	for _, c := range []string{"10.0.0.5/32", "fd00:1::/64"} {
		_, n, err := net.ParseCIDR(c)
		if err != nil {
			t.Fatal(err)
		}
		nets = append(nets, n)
	}
	cases := []struct {
		name, peer, xff, want string
	}{
		{"listed proxy", "10.0.0.5:5000", "203.0.113.9", "203.0.113.9"},
		{"listed IPv6 proxy", "[fd00:1::7]:5000", "203.0.113.9", "203.0.113.9"},
		{"no header", "10.0.0.5:5000", "", "10.0.0.5"},
		{"private peer not listed", "192.168.1.20:5000", "203.0.113.9", "192.168.1.20"},
		{"same /8 not listed", "10.0.0.6:5000", "203.0.113.9", "10.0.0.6"},
		{"loopback peer not listed", "127.0.0.1:5000", "203.0.113.9", "127.0.0.1"},
		{"IPv6 loopback not listed", "[::1]:5000", "203.0.113.9", "::1"},
		{"link-local peer not listed", "169.254.10.1:5000", "203.0.113.9", "169.254.10.1"},
		{"public peer", "198.51.100.4:5000", "203.0.113.9", "198.51.100.4"},
		// The proxy appends the address it saw; whatever the client wrote
		// before it is not believed, private or not.
		{"forged private hop", "10.0.0.5:5000", "203.0.113.9, 192.168.1.20", "192.168.1.20"},
		{"forged loopback hop", "10.0.0.5:5000", "203.0.113.9, 127.0.0.1", "127.0.0.1"},
		{"two listed hops", "10.0.0.5:5000", "203.0.113.9, fd00:1::2", "203.0.113.9"},
	}
	for _, trusted := range []bool{true, false} {
		logs := &lockedBuffer{}
		e := newEnv(t, func(c *web.Config) {
			c.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			if trusted {
				c.TrustedProxies = nets
			}
		})
		for _, tc := range cases {
			c := e.client()
			c.remoteAddr = tc.peer
			h := map[string]string{}
			if tc.xff != "" {
				h["X-Forwarded-For"] = tc.xff
			}
			if r := c.getWith("/healthz", h); r.Code != 200 {
				t.Fatalf("%s: /healthz %d", tc.name, r.Code)
			}
			lines := logLines(t, logs, "request")
			if len(lines) == 0 {
				t.Fatalf("%s: no request logged", tc.name)
			}
			want := tc.want
			if !trusted {
				host, _, _ := net.SplitHostPort(tc.peer)
				want = host // no proxies: always the TCP peer
			}
			if got := lines[len(lines)-1]["ip"]; got != want {
				t.Errorf("trusted=%v %s: peer %s, X-Forwarded-For %q: client %v, want %s", trusted, tc.name, tc.peer, tc.xff, got, want)
			}
		}
	}
}
