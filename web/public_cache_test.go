package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"chengxin/registry"
	"chengxin/views"
)

var maxAge = regexp.MustCompile(`(?:^|[ ,])(?:s-)?max(?:-)?age=(\d+)`)

// storedFresh reports whether a browser may reuse a response without asking
// the server (a positive max-age or immutable, without no-cache or no-store).
func storedFresh(cc string) bool {
	if strings.Contains(cc, "no-cache") || strings.Contains(cc, "no-store") {
		return false
	}
	if strings.Contains(cc, "immutable") {
		return true
	}
	for _, m := range maxAge.FindAllStringSubmatch(cc, -1) {
		if n, _ := strconv.Atoi(m[1]); n > 0 {
			return true
		}
	}
	return false
}

// Everything public that shows a grade is revalidated on every use, so an
// override or a publication shows at once, also in a badge embedded in
// another site; the ETag keeps a repeat load a cheap 304. The QR code only
// encodes the profile's fixed address and may be kept.
func TestPublicGradesRevalidate(t *testing.T) {
	e := publicEnv(t)
	ctx := context.Background()
	c := e.client()
	showGrade := []string{"/vendors/" + pubAnxin + "/badge.svg", "/vendors/" + pubAnxin, "/vendors/" + pubAnxin + "/sticker",
		"/api/v1/vendors/" + pubAnxin, "/api/v1/vendors?q=" + url.QueryEscape("安心"), "/vendors?q=" + url.QueryEscape("安心"),
		"/", "/lists/red", "/orgs/" + orgUSCC, "/open-data/vendors.csv"}
	etags := map[string]string{}
	for _, p := range showGrade {
		r := c.get(p)
		wantStatus(t, r, http.StatusOK)
		cc := r.Header.Get("Cache-Control")
		if storedFresh(cc) || !strings.Contains(cc, "no-cache") {
			t.Errorf("%s: Cache-Control %q, want no-cache (revalidate every use)", p, cc)
		}
		if etags[p] = r.Header.Get("ETag"); etags[p] == "" {
			t.Errorf("%s: no ETag to revalidate with", p)
		}
		if r2 := c.getWith(p, map[string]string{"If-None-Match": etags[p]}); r2.Code != http.StatusNotModified || r2.Body != "" {
			t.Errorf("%s: revalidation of an unchanged response: %d", p, r2.Code)
		}
	}
	qr := c.get("/vendors/" + pubAnxin + "/qr.svg")
	wantStatus(t, qr, http.StatusOK)

	v, err := e.db.FindVendorByUSCC(ctx, pubAnxin)
	if err != nil {
		t.Fatal(err)
	}
	reg := registry.Actor{Kind: "user", Name: "reg", Role: registry.RoleRegulator}
	if err := e.db.SetOverride(ctx, reg, v.ID, "C", "涉嫌虚假宣传，调查期间", "2025-05-01"); err != nil {
		t.Fatal(err)
	}
	// A browser revalidating an embedded image sends only If-None-Match;
	// the site notices the change within its catalog refresh interval.
	time.Sleep(300 * time.Millisecond)
	badge := "/vendors/" + pubAnxin + "/badge.svg"
	r := c.getWith(badge, map[string]string{"If-None-Match": etags[badge]})
	if r.Code != http.StatusOK || !strings.Contains(r.Body, ">C<") || r.Header.Get("ETag") == etags[badge] {
		t.Errorf("badge revalidated after an override: %d, ETag %q (was %q)\n%s", r.Code, r.Header.Get("ETag"), etags[badge], r.Body)
	}
	profile := "/vendors/" + pubAnxin
	if r := c.getWith(profile, map[string]string{"If-None-Match": etags[profile]}); r.Code != http.StatusOK || !r.Has("override") {
		t.Errorf("profile revalidated after an override: %d", r.Code)
	}
	if q2 := c.get("/vendors/" + pubAnxin + "/qr.svg"); q2.Body != qr.Body {
		t.Error("the QR code changed with an override: it may not be cached as it is")
	}
}

// The stylesheet is cached for a year only under its own content hash; a
// page of another release asking for another version gets it revalidated.
func TestStaticImmutableOnlyForItsHash(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	r := c.get("/static/app.css?v=" + views.CSSVersion)
	wantStatus(t, r, http.StatusOK)
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("current stylesheet: Cache-Control %q, want immutable", cc)
	}
	r = c.get("/static/app.css?v=0123456789ab")
	wantStatus(t, r, http.StatusOK)
	if cc := r.Header.Get("Cache-Control"); storedFresh(cc) {
		t.Errorf("stylesheet under another version: Cache-Control %q, want it revalidated", cc)
	}
}
