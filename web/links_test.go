package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"chengxin/registry"
	"chengxin/web"
)

// TestLinksIgnoreHost: links meant to leave the site — the invitation link,
// the sticker's printed address and its QR code — come from -base-url, else
// from the listen address, and never from a forged Host header.
func TestLinksIgnoreHost(t *testing.T) {
	const forged = "evil.example"
	for _, tc := range []struct {
		name string
		cfg  func(*web.Config)
		base string
	}{
		{"base-url", func(c *web.Config) { c.BaseURL, c.Addr = "https://chengxin.example.gov.cn/", "127.0.0.1:8080" }, "https://chengxin.example.gov.cn"},
		{"addr", func(c *web.Config) { c.Addr = "127.0.0.1:9000" }, "http://127.0.0.1:9000"},
		{"unspecified addr", func(c *web.Config) { c.Addr = "0.0.0.0:8080" }, "http://localhost:8080"},
		{"ipv6 any", func(c *web.Config) { c.Addr = "[::]:8080" }, "http://localhost:8080"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.cfg)
			if _, err := e.db.Rescore(context.Background(), registry.RescoreOptions{}); err != nil {
				t.Fatal(err)
			}
			reg := e.as(registry.RoleRegulator)
			reg.header.Set("X-Forwarded-Host", forged)
			v := e.createVendor(registry.MustUSCC("91120110MA0DLNGF5"), "东丽区邀请测试家政")
			reg.get("/console/vendors/" + v.USCC)
			req := newForm(http.MethodPost, "/console/vendors/"+v.USCC+"/invite", map[string][]string{"csrf": {reg.csrf}})
			req.Host = forged
			r := reg.do(req)
			wantStatus(t, r, http.StatusOK)
			links := r.InputValues("invite-link")
			if len(links) != 1 || !strings.HasPrefix(links[0], tc.base+"/console/invite/") {
				t.Errorf("invitation link %v, want %s/console/invite/…", links, tc.base)
			}

			sticker := func(host string) *resp {
				req := httptest.NewRequest(http.MethodGet, "/vendors/"+vendorUSCC+"/sticker", nil)
				req.Host = host
				return e.client().do(req)
			}
			s := sticker(forged)
			wantStatus(t, s, http.StatusOK)
			wantContains(t, "sticker", s.Body, tc.base+"/vendors/"+vendorUSCC)
			if strings.Contains(s.Body, forged) || strings.Contains(r.Body, forged) {
				t.Error("the forged host appears on a page")
			}
			qr := func(host string) string {
				req := httptest.NewRequest(http.MethodGet, "/vendors/"+vendorUSCC+"/qr.svg", nil)
				req.Host = host
				return e.client().do(req).Body
			}
			if a, b := qr(forged), qr("example.com"); a != b || !strings.HasPrefix(a, "<svg") {
				t.Error("the QR code changes with the Host header")
			}
		})
	}
}
