package web_test

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"chengxin/registry"
	"chengxin/web"
)

// xss is stored in every free-text field people can fill in; no page may
// show it unescaped.
const xss = `<script>alert("x")</script><img src=x onerror=alert(1)>`

func TestStoredXSSEscapedEverywhere(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	reg := registry.Actor{Kind: "user", Name: "reg9", Role: registry.RoleRegulator}
	ven := registry.Actor{Kind: "user", Name: "ven9", Role: registry.RoleVendor}
	code := registry.MustUSCC("91120101MA0XYY001")
	in := vendorInput(code, "天津"+xss+"家政")
	in.Address, in.LegalRep, in.LicenceNo = "地址"+xss, "王"+xss, "JZ"+xss[:20]
	v, err := e.db.CreateVendor(ctx, reg, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.CreateOrg(ctx, reg, registry.OrgInput{USCC: registry.MustUSCC("51120101MA0XYY001"), Name: "协会" + xss,
		Kind: "association", District: "120101", ContactPhone: "022-1"}); err != nil {
		t.Fatal(err)
	}
	e.activeMember(e.org.ID, code)
	if _, err := e.db.CreateSanction(ctx, reg, registry.SanctionInput{VendorUSCC: code, Kind: "blacklist", IssuedAt: "2025-01-10",
		Reference: "ref" + xss[:30], Summary: "摘要" + xss}); err != nil {
		t.Fatal(err)
	}
	c, err := e.db.SubmitReply(ctx, ven, v.ID, "回应"+xss)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.DecideCase(ctx, reg, c.ID, registry.DecisionApprove, "理由"+xss, ""); err != nil {
		t.Fatal(err)
	}
	if err := e.db.SetOverride(ctx, reg, v.ID, "C", "原因"+xss, "2025-12-31"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.EvaluateVendor(ctx, v.ID, e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	anon := e.client()
	regC := e.as(registry.RoleRegulator)
	assoc := e.as(registry.RoleAssociation)
	pages := []struct {
		c    *client
		path string
	}{
		{anon, "/vendors/" + code}, {anon, "/vendors?q=天津"}, {anon, "/orgs"}, {anon, "/lists/black"},
		{anon, "/vendors/" + code + "/sticker"}, {anon, "/vendors/" + code + "/badge.svg"}, {anon, "/api/v1/vendors/" + code},
		{regC, "/console/vendors"}, {regC, "/console/vendors/" + code}, {regC, "/console/orgs"}, {regC, "/console/audit"},
		{regC, "/console/reviews"}, {assoc, "/console/members"},
	}
	for _, p := range pages {
		r := p.c.getWith(p.path, map[string]string{"Cache-Control": "no-cache"})
		if r.Code != http.StatusOK {
			t.Errorf("%s: %d", p.path, r.Code)
			continue
		}
		if strings.Contains(r.Body, "<script>alert") || strings.Contains(r.Body, "<img src=x") {
			t.Errorf("%s shows the payload unescaped", p.path)
		}
		// The payload is there, as text (so the check above means something).
		if !strings.Contains(r.Body, "&lt;script&gt;alert") && !strings.Contains(r.Body, `\u003cscript\u003ealert`) {
			t.Errorf("%s does not show the stored text at all", p.path)
		}
	}
}

// A client that sends its headers too slowly is cut off.
func TestSlowHeadersAreCutOff(t *testing.T) {
	e := newEnv(t)
	srv := web.New(web.Config{DB: e.db, HeaderTimeout: 300 * time.Millisecond}).HTTPServer("127.0.0.1:0")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n")) // and never the blank line
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	_, err = bufio.NewReader(conn).ReadString('\n')
	if err == nil && time.Since(start) > 3*time.Second {
		t.Fatal("the slow client was not cut off")
	}
	if time.Since(start) > 3*time.Second {
		t.Fatalf("cut off only after %s", time.Since(start))
	}
}
