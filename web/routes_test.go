package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"chengxin/registry"
)

// publicConsole are the console routes anyone may open.
var publicConsole = map[string]bool{
	"GET /console/login":          true,
	"POST /console/login":         true,
	"GET /console/invite/:token":  true,
	"POST /console/invite/:token": true,
}

var allRoles = []string{registry.RoleRegulator, registry.RoleAssociation, registry.RoleVendor}

type consoleRoute struct{ method, path string }

// consoleRoutes walks the router's table for the protected console routes.
func consoleRoutes(t *testing.T, e *env) []consoleRoute {
	t.Helper()
	seen := map[string]bool{}
	var out []consoleRoute
	for _, r := range e.srv.Echo().Routes() {
		switch r.Method {
		case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		default:
			continue // echo's internal not-found routes
		}
		if r.Path != "/console" && !strings.HasPrefix(r.Path, "/console/") {
			continue
		}
		key := r.Method + " " + r.Path
		if publicConsole[key] || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, consoleRoute{r.Method, r.Path})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path+out[i].method < out[j].path+out[j].method })
	if len(out) < 10 {
		t.Fatalf("only %d console routes in the table: %v", len(out), out)
	}
	return out
}

// concrete substitutes route parameters: a registered USCC for :uscc, "x" otherwise.
func concrete(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		switch {
		case p == ":uscc":
			parts[i] = vendorUSCC
		case strings.HasPrefix(p, ":"), p == "*":
			parts[i] = "x"
		}
	}
	return strings.Join(parts, "/")
}

func TestRoutesConsoleRoles(t *testing.T) {
	e := newEnv(t)
	routes := consoleRoutes(t, e)
	clients := map[string]*client{}
	for _, role := range allRoles {
		clients[role] = e.as(role)
	}
	for _, rt := range routes {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			roles, ok := e.srv.RouteRoles(rt.method, rt.path)
			if !ok || len(roles) == 0 {
				t.Fatalf("console route %s %s declares no roles (register it with s.console)", rt.method, rt.path)
			}
			for _, r := range roles {
				if !slices.Contains(allRoles, r) {
					t.Errorf("unknown role %q", r)
				}
			}
			path := concrete(rt.path)

			// Anonymous: refused, never served.
			anon := e.client()
			var r *resp
			if rt.method == http.MethodGet {
				r = anon.get(path)
				wantRedirect(t, r, "/console/login")
			} else {
				anon.get("/console/login") // an anonymous CSRF token, to get past the CSRF check
				r = anon.do(newForm(rt.method, path, url.Values{"csrf": {anon.csrf}}))
				if r.Code != http.StatusSeeOther && r.Code != http.StatusForbidden {
					t.Fatalf("anonymous %s %s: status %d, want 303 or 403", rt.method, path, r.Code)
				}
				if r.Code == http.StatusSeeOther && !strings.HasPrefix(r.Location(), "/console/login") {
					t.Fatalf("anonymous %s %s: redirected to %q", rt.method, path, r.Location())
				}
				// Without any token as well.
				r = e.client().do(newForm(rt.method, path, url.Values{}))
				if r.Code < 300 {
					t.Fatalf("anonymous %s %s without token: status %d", rt.method, path, r.Code)
				}
			}

			for _, role := range allRoles {
				c := clients[role]
				allowed := slices.Contains(roles, role)
				if allowed && rt.method != http.MethodGet {
					continue // state-changing routes are exercised by the flow tests
				}
				var r *resp
				if rt.method == http.MethodGet {
					r = c.get(path)
				} else {
					r = c.do(newForm(rt.method, path, url.Values{"csrf": {c.csrf}}))
				}
				switch {
				case !allowed && r.Code != http.StatusForbidden:
					t.Errorf("%s on %s %s: status %d, want 403", role, rt.method, path, r.Code)
				case !allowed:
					wantContains(t, role+" 403 page", r.TestID("error-message"), "没有权限")
				case r.Code == http.StatusForbidden || r.Code >= 500:
					t.Errorf("%s (allowed) on %s %s: status %d", role, rt.method, path, r.Code)
				}
			}
		})
	}
	// The sessions survived the walk (no route logged anyone out).
	for role, c := range clients {
		if r := c.get("/console"); r.Code != http.StatusSeeOther || strings.HasPrefix(r.Location(), "/console/login") {
			t.Errorf("%s session lost after the walk: %d %s", role, r.Code, r.Location())
		}
	}
}

// TestRoutesAnonymousRedirectKeepsTarget: the login redirect remembers the page.
func TestRoutesAnonymousRedirectKeepsTarget(t *testing.T) {
	e := newEnv(t)
	r := e.client().get("/console/vendors?q=abc")
	wantRedirect(t, r, "/console/login?next=")
	u, err := url.Parse(r.Location())
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Query().Get("next"); got != "/console/vendors?q=abc" {
		t.Errorf("next = %q", got)
	}
}

func newForm(method, path string, form url.Values) *http.Request {
	req, _ := http.NewRequest(method, "http://example.com"+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// TestTrailingSlashRedirectStaysLocal: the trailing-slash redirect cannot be
// turned into an open redirect.
func TestTrailingSlashRedirectStaysLocal(t *testing.T) {
	e := newEnv(t)
	r := e.client().get("/console/vendors/")
	if r.Code != http.StatusMovedPermanently || r.Location() != "/console/vendors" {
		t.Errorf("/console/vendors/ → %d %q", r.Code, r.Location())
	}
	for _, p := range []string{"//evil.example/", "///evil.example/", "/\\evil.example/", "/%2f%2fevil.example/", "/%5Cevil.example/"} {
		r := e.client().get(p)
		loc := r.Location()
		if strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") || strings.Contains(loc, "://") {
			t.Errorf("%s redirects off-site to %q", p, loc)
		}
	}
}
