package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"chengxin/registry"
)

// apiGet fetches a JSON document and decodes it.
func apiGet(t *testing.T, e *env, path string) (*resp, map[string]any) {
	t.Helper()
	r := e.client().get(path)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s: Content-Type %q, status %d\n%s", path, ct, r.Code, r)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, r.Body)
	}
	return r, m
}

// wantAPINotFound asserts a JSON 404 with code not_found.
func wantAPINotFound(t *testing.T, e *env, path string) {
	t.Helper()
	r, m := apiGet(t, e, path)
	if r.Code != http.StatusNotFound {
		t.Errorf("%s: status %d, want 404", path, r.Code)
	}
	errObj, _ := m["error"].(map[string]any)
	if errObj == nil || errObj["code"] != "not_found" || errObj["message"] == "" || errObj["message"] == nil {
		t.Errorf("%s: body %s, want {\"error\":{\"code\":\"not_found\",…}}", path, r.Body)
	}
}

func TestAPIVendor(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// A second organisation whose membership is suspended: not public.
	org2, err := e.db.CreateOrg(ctx, registry.CLIActor, registry.OrgInput{USCC: registry.MustUSCC("51120102MJ0000022"),
		Name: "河东区家政商会", Kind: "chamber", District: "120102"})
	if err != nil {
		t.Fatal(err)
	}
	e.member(e.org, registry.MemberActive)
	e.member(org2, registry.MemberSuspended)

	for _, code := range []string{vendorUSCC, strings.ToLower(vendorUSCC), fullWidth(vendorUSCC), fullWidth(strings.ToLower(vendorUSCC)), " " + vendorUSCC + " "} {
		path := "/api/v1/vendors/" + url.PathEscape(code)
		r, m := apiGet(t, e, path)
		if r.Code != http.StatusOK {
			t.Errorf("%q: status %d\n%s", code, r.Code, r.Body)
			continue
		}
		if m["uscc"] != vendorUSCC || m["name"] != e.vendor.Name || m["status"] != "active" {
			t.Errorf("%q: uscc %v name %v status %v", code, m["uscc"], m["name"], m["status"])
		}
		if g, ok := m["grade"]; !ok || g != nil {
			t.Errorf("%q: grade = %v (present %v), want null", code, g, ok)
		}
		for _, k := range []string{"score", "published_at", "rules_version"} {
			if v, ok := m[k]; !ok || v != nil {
				t.Errorf("%q: %s = %v (present %v), want null", code, k, v, ok)
			}
		}
		if d, _ := m["districts"].([]any); len(d) != 1 || d[0] != "120101" {
			t.Errorf("%q: districts = %v", code, m["districts"])
		}
		if c, _ := m["categories"].([]any); len(c) != 1 || c[0] != "cleaning" {
			t.Errorf("%q: categories = %v", code, m["categories"])
		}
		ms, _ := m["memberships"].([]any)
		if len(ms) != 1 {
			t.Fatalf("%q: memberships = %v, want only the active one", code, m["memberships"])
		}
		mm, _ := ms[0].(map[string]any)
		if mm["org_uscc"] != orgUSCC || mm["org_name"] != e.org.Name || !strings.HasSuffix(mm["since"].(string), "+08:00") {
			t.Errorf("%q: membership = %v", code, mm)
		}
		for _, private := range []string{"phone", "address", "legal_rep", "022-2345"} {
			if strings.Contains(r.Body, private) {
				t.Errorf("%q: the public record contains %q", code, private)
			}
		}
	}

	wantAPINotFound(t, e, "/api/v1/vendors/"+registry.MustUSCC("91120101MA05QQQQ1"))
	for _, bad := range []string{"abc", "91120101MA05ABCD1Z9", vendorUSCC[:17], vendorUSCC + "0", url.PathEscape("中文代码"),
		url.PathEscape("9112010'OR'1'='1"), "%00", strings.Repeat("9", 500)} {
		wantAPINotFound(t, e, "/api/v1/vendors/"+bad)
	}
	// Unknown API paths are JSON too.
	for _, p := range []string{"/api/v1/nothing", "/api/v2/vendors", "/api/v1/vendors/" + vendorUSCC + "/nothing"} {
		wantAPINotFound(t, e, p)
	}
}

func TestHealth(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		r, _ := apiGet(t, e, p)
		wantStatus(t, r, http.StatusOK)
	}
	e.db.Close()
	r, m := apiGet(t, e, "/readyz")
	wantStatus(t, r, http.StatusServiceUnavailable)
	if m["status"] == "ready" {
		t.Errorf("readyz body %v", m)
	}
	r, _ = apiGet(t, e, "/healthz")
	wantStatus(t, r, http.StatusOK)
}

// TestNotFound: unknown pages are a Chinese 404 page, unknown API paths JSON.
func TestNotFound(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/no/such/page", "/console/nothing", "/vendors-typo"} {
		r := e.client().get(p)
		wantStatus(t, r, http.StatusNotFound)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: Content-Type %q", p, ct)
		}
		if r.HTMLLang() != "zh-CN" || r.H1() != "页面不存在" {
			t.Errorf("%s: lang %q h1 %q", p, r.HTMLLang(), r.H1())
		}
		wantContains(t, p, r.TestID("error-message"), "没有找到您要的内容")
	}
	r := e.client().get("/no/such/page?lang=en")
	if r.H1() != "Page not found" {
		t.Errorf("English 404 h1 = %q", r.H1())
	}
	wantAPINotFound(t, e, "/api/nothing")
}
