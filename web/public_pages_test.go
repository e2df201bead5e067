package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"testing"

	"chengxin/registry"
)

// The profile a citizen opens is the page stored with the vendor's
// document: gzip as stored for a client that takes it, uncompressed
// otherwise, and byte for byte the page a server without stored pages
// renders from the same document — before and after changes, and after
// a page of another program was left in the table.
func TestStoredProfilePageIsTheRenderedPage(t *testing.T) {
	e := publicEnv(t)
	ctx := context.Background()
	plain := e.secondProcess()
	plain.PublicDocuments().SetPageRenderer(nil) // renders every page on request
	stored, rendered := e.client(), e.client()
	rendered.srv = plain
	codes := []string{pubAnxin, pubJieliang, pubHTML, pubChong}

	same := func(when string) {
		t.Helper()
		for _, code := range codes {
			path := "/vendors/" + code
			gz := stored.getWith(path, map[string]string{"Accept-Encoding": "gzip, deflate, br"})
			wantStatus(t, gz, http.StatusOK)
			if gz.Header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("%s %s: Content-Encoding %q, want the stored gzip", when, code, gz.Header.Get("Content-Encoding"))
			}
			zr, err := gzip.NewReader(bytes.NewReader([]byte(gz.Body)))
			if err != nil {
				t.Fatalf("%s %s: %v", when, code, err)
			}
			unzipped, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("%s %s: %v", when, code, err)
			}
			raw := stored.get(path)
			wantStatus(t, raw, http.StatusOK)
			want := rendered.get(path)
			wantStatus(t, want, http.StatusOK)
			if raw.Header.Get("Content-Encoding") != "" {
				t.Errorf("%s %s: Content-Encoding %q to a client that did not ask", when, code, raw.Header.Get("Content-Encoding"))
			}
			if string(unzipped) != want.Body || raw.Body != want.Body {
				t.Fatalf("%s %s: stored page differs from the rendered one\nstored:   %.300s\nrendered: %.300s", when, code, raw.Body, want.Body)
			}
			if raw.Header.Get("ETag") != want.Header.Get("ETag") || gz.Header.Get("ETag") == raw.Header.Get("ETag") {
				t.Errorf("%s %s: ETags stored %q, gzip %q, rendered %q: want stored = rendered, gzip its own", when, code,
					raw.Header.Get("ETag"), gz.Header.Get("ETag"), want.Header.Get("ETag"))
			}
			for _, r := range []*resp{gz, raw} {
				if vary := r.Header.Values("Vary"); !containsToken(vary, "Accept-Encoding") {
					t.Errorf("%s %s: Vary %q lacks Accept-Encoding", when, code, vary)
				}
			}
			again := stored.getWith(path, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": gz.Header.Get("ETag")})
			if again.Code != http.StatusNotModified {
				t.Errorf("%s %s: revalidating the gzip page: %d, want 304", when, code, again.Code)
			}
		}
	}
	same("at first")
	if n := e.count("public_pages"); n != len(codes) {
		t.Fatalf("%d stored pages, want one per vendor (%d)", n, len(codes))
	}

	v, err := e.db.FindVendorByUSCC(ctx, pubAnxin)
	if err != nil {
		t.Fatal(err)
	}
	reg := registry.Actor{Kind: "user", Name: "reg", Role: registry.RoleRegulator}
	if err := e.db.SetOverride(ctx, reg, v.ID, "C", "涉嫌虚假宣传，调查期间", "2025-05-01"); err != nil {
		t.Fatal(err)
	}
	same("after an override")
	if r := stored.get("/vendors/" + pubAnxin); !r.Has("override") {
		t.Error("the stored page does not show the override")
	}

	in := vendorInput(pubJieliang, "天津南开洁亮保洁服务有限公司（更名）")
	in.Districts, in.Categories = []string{"120104"}, []string{"cleaning"}
	in.RegisteredAt, in.InsuranceValidUntil = "2022-01-10", "2027-12-31"
	if _, _, err := e.db.UpdateVendor(ctx, registry.CLIActor, in); err != nil {
		t.Fatal(err)
	}
	same("after a vendor edit")

	// Pages left by another build of the program are rendered again.
	if _, err := e.rawDB().Exec(`UPDATE public_pages SET renderer = 'an earlier release'`); err != nil {
		t.Fatal(err)
	}
	same("after an upgrade")

	// Other languages are rendered on request, and are not stored.
	en, enWant := stored.get("/vendors/"+pubAnxin+"?lang=en"), rendered.get("/vendors/"+pubAnxin+"?lang=en")
	if en.Body != enWant.Body || en.Header.Get("Content-Encoding") != "" {
		t.Error("the English page differs from the rendered one")
	}
	if n := e.countWhere("public_pages", "lang <> 'zh'"); n != 0 {
		t.Errorf("%d pages stored in other languages", n)
	}
}

func containsToken(values []string, token string) bool {
	for _, v := range values {
		for _, part := range bytes.Split([]byte(v), []byte(",")) {
			if string(bytes.TrimSpace(part)) == token {
				return true
			}
		}
	}
	return false
}
