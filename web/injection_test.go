package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"chengxin/publicity"
	"chengxin/registry"
	"chengxin/registry/registrytest"
)

// injections are the hostile values the sweep sends: SQL and FTS5 syntax,
// LIKE wildcards, NUL, invalid UTF-8, full-width text, numbers that
// overflow, paths and 10 KB strings.
var injections = []string{
	`' OR 1=1 --`,
	`"; DROP TABLE vendors; --`,
	`') UNION SELECT password_hash FROM users --`,
	`*`, `NEAR(a b)`, `"unterminated`, `a OR b`, `^`, `name:家政*`,
	"\x00", `%`, `_`, `%_%\`,
	"\xff\xfe\xc3\x28", // invalid UTF-8
	"ＡＢＣ１２３　家政", "\u202e\u200b",
	"-1", "9223372036854775807", "99999999999999999999", "0x10",
	"../../../etc/passwd", "//evil.example/", "done.vendor_created",
	strings.Repeat("x' OR '1'='1", 853), // 10 KB
	strings.Repeat("家", 3414),           // 10 KB
}

// pageParams are read by every HTML page (the language middleware and the
// flash message); being the same code everywhere, they get a few values
// per route.
var pageParams = []string{"lang", "done"}

var pageParamValues = []string{`' OR 1=1 --`, "\x00", "\xff\xfe", "en;q=0.9", "done.x' OR 1=1", strings.Repeat("家", 3414)}

// routeParams lists, per GET route, the query parameters its handler reads
// (grep c.QueryParam in web/*.go); TestInjectionParamsListed keeps it
// complete.
var routeParams = map[string][]string{
	"/":                          nil,
	"/vendors":                   {"q", "category", "district", "grade", "sort", "page"},
	"/vendors/:uscc":             nil,
	"/vendors/:uscc/badge.svg":   nil,
	"/vendors/:uscc/qr.svg":      nil,
	"/vendors/:uscc/sticker":     nil,
	"/orgs":                      nil,
	"/orgs/:uscc":                {"page"},
	"/lists/red":                 {"page"},
	"/lists/black":               nil,
	"/methodology":               nil,
	"/open-data/vendors.csv":     nil,
	"/api/v1/vendors":            {"q", "category", "district", "grade", "sort", "page", "per_page"},
	"/api/v1/vendors/:uscc":      nil,
	"/api/v1/openapi.json":       nil,
	"/api/v1/checkpoints":        {"before"},
	"/api/v1/checkpoints/key":    nil,
	"/api/v1/checkpoints/latest": nil,
	"/transparency":              nil,
	"/healthz":                   nil,
	"/readyz":                    nil,
	"/metrics":                   nil,
	"/static/*":                  {"v"},

	"/console/login":                         {"next"},
	"/console/invite/:token":                 nil,
	"/console":                               nil,
	"/console/vendors":                       {"q", "district", "category", "status", "page"},
	"/console/vendors/new":                   nil,
	"/console/vendors/:uscc":                 {"cpage"},
	"/console/vendors/:uscc/edit":            nil,
	"/console/orgs":                          {"q"},
	"/console/users":                         nil,
	"/console/audit":                         {"before", "actor", "action", "subject", "verify"},
	"/console/tokens":                        nil,
	"/console/invitations":                   nil,
	"/console/members":                       {"status"},
	"/console/members/new":                   nil,
	"/console/members/import":                {"kind"},
	"/console/members/import/template/:kind": nil,
	"/console/imports":                       {"kind"},
	"/console/imports/template/:kind":        nil,
	"/console/rules":                         nil,
	"/console/me":                            nil,
	"/console/me/memberships":                nil,
	"/console/reviews":                       nil,
	"/console/dashboard":                     {"category", "district"},
	"/console/publications":                  nil,
	"/console/publications/:id":              {"page"},
	"/console/pending":                       {"objected", "page"},
	"/console/dashboard.csv":                 {"category", "district"},
}

// htmlRoute reports whether a route answers with a page (so the page
// parameters apply).
func htmlRoute(path string) bool {
	return !strings.HasPrefix(path, "/api/") && !strings.HasPrefix(path, "/static/") && !slices.Contains(
		[]string{"/healthz", "/readyz", "/metrics", "/open-data/vendors.csv", "/vendors/:uscc/badge.svg", "/vendors/:uscc/qr.svg"}, path)
}

// getRoutes walks the router's table for the GET routes.
func getRoutes(t *testing.T, e *env) []string {
	t.Helper()
	seen := map[string]bool{}
	var out []string
	for _, r := range e.srv.Echo().Routes() {
		if r.Method != http.MethodGet || seen[r.Path] {
			continue
		}
		seen[r.Path] = true
		out = append(out, r.Path)
	}
	sort.Strings(out)
	if len(out) < 30 {
		t.Fatalf("only %d GET routes in the table: %v", len(out), out)
	}
	return out
}

// queryParamUse finds the literal parameter names the web package reads.
var queryParamUse = regexp.MustCompile(`QueryParam\("([a-z_]+)"\)`)

// Every GET route is in routeParams, and every parameter the code reads is
// listed for some route.
func TestInjectionParamsListed(t *testing.T) {
	e := newEnv(t)
	for _, p := range getRoutes(t, e) {
		if _, ok := routeParams[p]; !ok {
			t.Errorf("GET %s is not in routeParams: list the query parameters its handler reads", p)
		}
	}
	listed := map[string]bool{}
	for _, ps := range routeParams {
		for _, p := range ps {
			listed[p] = true
		}
	}
	for _, p := range pageParams {
		listed[p] = true
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range queryParamUse.FindAllStringSubmatch(string(src), -1) {
			found++
			if !listed[m[1]] {
				t.Errorf("%s reads query parameter %q, which no route in routeParams lists", f, m[1])
			}
		}
	}
	if found < 20 {
		t.Fatalf("found only %d QueryParam uses: the scanner is broken", found)
	}
}

// dbFingerprint is what must not change under GET requests: every table's
// row count (sessions aside: signing in is how the sweep gets its clients),
// the schema, the audit chain's head and the registry's rows.
func dbFingerprint(t *testing.T, e *env) map[string]string {
	t.Helper()
	out := map[string]string{}
	schema := sha256.Sum256([]byte(registrytest.Schema(t, e.db)))
	out["schema"] = hex.EncodeToString(schema[:])
	for _, table := range registrytest.Tables(t, e.db) {
		// Sessions change with every visit, and public documents are built
		// by whichever read first finds one not current.
		if table != "sessions" && table != "public_documents" && table != "public_documents_state" && table != "public_pages" && table != "public_hits" && table != "public_profiles" {
			out["count "+table] = fmt.Sprint(e.count(`"` + table + `"`))
		}
	}
	var head string
	if err := registrytest.SQL(t, e.db).QueryRow(`SELECT coalesce((SELECT id || ' ' || hash FROM audit_log ORDER BY id DESC LIMIT 1), '')`).Scan(&head); err != nil {
		t.Fatal(err)
	}
	out["audit head"] = head
	for table, cols := range map[string]string{
		"vendors":   "id, uscc, name, status, legal_rep, phone, address, updated_at",
		"orgs":      "id, uscc, name, kind, district, updated_at",
		"users":     "id, username, role, password_hash",
		"sanctions": "id, vendor_id, kind, reference, summary, lifted_at, repaired_at",
	} {
		h := sha256.New()
		rows, err := registrytest.SQL(t, e.db).Query(`SELECT ` + cols + ` FROM ` + table + ` ORDER BY id`)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		vals := make([]any, strings.Count(cols, ",")+1)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			fmt.Fprintf(h, "%#v\n", vals)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		out["rows "+table] = hex.EncodeToString(h.Sum(nil))
	}
	return out
}

// sqlLeak matches database error text that must never reach a response.
var sqlLeak = regexp.MustCompile(`(?i)sql logic error|syntax error near|no such (table|column|function)|fts5: |unrecognized token|malformed match|unterminated string|database is locked`)

// TestInjectionSweep requests every GET route, anonymously and as each
// role allowed on it, with hostile values in every query parameter its
// handler reads and in every path parameter: no answer is a 5xx or shows a
// database error, JSON endpoints answer JSON, and the database is exactly
// as it was afterwards.
func TestInjectionSweep(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	reg := registry.Actor{Kind: "user", Name: "reg1", Role: registry.RoleRegulator}
	if _, err := e.db.CreateSanction(ctx, reg, registry.SanctionInput{VendorUSCC: vendorUSCC, Kind: "warning", IssuedAt: "2025-01-10",
		Reference: "津市监警〔2025〕1号", Summary: "未按约定时间提供服务"}); err != nil {
		t.Fatal(err)
	}
	e.activeMember(e.org.ID, vendorUSCC)
	if _, err := e.db.EvaluateVendor(ctx, e.vendor.ID, e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	e.createVendor(registry.MustUSCC("91120103MA05QNJ02"), "天津河西保洁服务中心")
	if _, err := publicity.Publish(ctx, e.db, registry.CLIActor, e.clk.Now()); err != nil { // run #1, for /console/publications/:id
		t.Fatal(err)
	}
	if _, _, err := e.db.MakeCheckpoint(ctx); err != nil { // so /api/v1/checkpoints/latest has one
		t.Fatal(err)
	}

	// The routes run in parallel, each with its own clients, signed in
	// before the sweep (signing in is audited).
	routes := getRoutes(t, e)
	clients := map[string]map[string]*client{}
	for _, route := range routes {
		clients[route] = sweepClients(e, route)
	}
	before := dbFingerprint(t, e)
	var requests atomic.Int64
	t.Run("routes", func(t *testing.T) {
		for _, route := range routes {
			t.Run(route, func(t *testing.T) {
				t.Parallel()
				sweepRoute(t, route, clients[route], &requests)
			})
		}
	})

	after := dbFingerprint(t, e)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s changed under GET requests: %s → %s", k, v, after[k])
		}
	}
	t.Logf("%d requests", requests.Load())
}

// sweepClients are the clients a route is swept as: anonymous and, for
// console routes, each role allowed on it; public routes do not read the
// session, and one signed-in client shows it.
func sweepClients(e *env, route string) map[string]*client {
	who := []string{"anonymous"}
	if roles, ok := e.srv.RouteRoles(http.MethodGet, route); ok {
		who = append(who, roles...)
	} else if !publicConsole["GET "+route] {
		who = append(who, registry.RoleRegulator)
	}
	clients := map[string]*client{}
	for _, name := range who {
		if name == "anonymous" {
			clients[name] = e.client()
		} else {
			clients[name] = e.as(name)
		}
	}
	return clients
}

// sweepRoute sends the hostile requests of one route.
func sweepRoute(t *testing.T, route string, clients map[string]*client, requests *atomic.Int64) {
	var who []string
	for name, c := range clients {
		c.t = t
		who = append(who, name)
	}
	sort.Strings(who)
	params := routeParams[route]
	base := sweepPath(route)
	urls := []string{base}
	for _, p := range params {
		for _, v := range injections {
			urls = append(urls, base+"?"+url.Values{p: {v}}.Encode())
		}
	}
	if htmlRoute(route) {
		for _, p := range pageParams {
			for _, v := range pageParamValues {
				urls = append(urls, base+"?"+url.Values{p: {v}}.Encode())
			}
		}
		params = append(slices.Clone(params), pageParams...)
	}
	// All parameters hostile at once.
	for _, v := range injections[:min(8, len(injections)*len(params))] {
		q := url.Values{}
		for _, p := range params {
			q.Set(p, v)
		}
		urls = append(urls, base+"?"+q.Encode())
	}
	// Path parameters.
	parts := strings.Split(route, "/")
	for i, part := range parts {
		if !strings.HasPrefix(part, ":") && part != "*" {
			continue
		}
		for _, v := range injections {
			hostile := slices.Clone(parts)
			hostile[i] = url.PathEscape(v)
			urls = append(urls, sweepPath(strings.Join(hostile, "/")))
		}
	}
	ok := 0 // 200s to the clients allowed on the route
	for _, name := range who {
		c := clients[name]
		for _, u := range urls {
			r := c.get(u)
			requests.Add(1)
			if r.Code == http.StatusOK && (name != "anonymous" || len(who) == 1) {
				ok++
			}
			if r.Code >= 500 {
				t.Fatalf("%s: GET %s: %d\n%s", name, trimURL(u), r.Code, r)
			}
			if m := sqlLeak.FindString(r.Body); m != "" {
				t.Fatalf("%s: GET %s shows a database error (%q)", name, trimURL(u), m)
			}
			if r.Code >= 300 && r.Code < 400 {
				if loc := r.Location(); r.Code != http.StatusNotModified &&
					(!strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\")) {
					t.Fatalf("%s: GET %s redirects off-site to %q", name, trimURL(u), loc)
				}
				continue
			}
			if strings.HasPrefix(route, "/api/") {
				if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || !json.Valid([]byte(r.Body)) {
					t.Fatalf("%s: GET %s: %d %q, not JSON", name, trimURL(u), r.Code, r.Header.Get("Content-Type"))
				}
				if r.Code != http.StatusOK && r.Code != http.StatusBadRequest && r.Code != http.StatusNotFound {
					t.Fatalf("%s: GET %s: %d", name, trimURL(u), r.Code)
				}
			}
		}
	}
	// The sweep reached the handlers (the console home only
	// redirects; a made-up invitation is not found; /metrics answers only
	// a scraper with the metrics token, see metrics_test.go).
	if ok == 0 && route != "/console" && route != "/console/invite/:token" && route != "/metrics" {
		t.Errorf("no request was answered 200: the sweep does not reach the handler")
	}
	for role, c := range clients {
		if role == "anonymous" {
			continue
		}
		if r := c.get("/console"); r.Code != http.StatusSeeOther || strings.HasPrefix(r.Location(), "/console/login") {
			t.Errorf("%s session lost in the sweep: %d %s", role, r.Code, r.Location())
		}
	}
}

// sweepPath fills a route's parameters with records that exist, so the
// handler gets as far as reading its query.
func sweepPath(route string) string {
	if strings.HasPrefix(route, "/orgs/") {
		return strings.Replace(route, ":uscc", orgUSCC, 1)
	}
	if strings.Contains(route, "/template/:kind") {
		kind := "complaints"
		if strings.HasPrefix(route, "/console/members/") {
			kind = "members"
		}
		return strings.Replace(route, ":kind", kind, 1)
	}
	if route == "/static/*" {
		return "/static/app.css"
	}
	if route == "/console/publications/:id" {
		return "/console/publications/1" // the sweep's one run
	}
	return concrete(route)
}

func trimURL(u string) string {
	if len(u) > 200 {
		return u[:200] + "…"
	}
	return u
}

// A page number whose offset overflows is past the end: before, the offset
// wrapped to a negative number and the first page was shown again under it
// (the search's own paging, and SQLite's OFFSET, which reads a negative
// value as 0).
func TestHugePageNumbersArePastTheEnd(t *testing.T) {
	e := newEnv(t)
	e.activeMember(e.org.ID, vendorUSCC)
	name := e.vendor.Name
	anon, reg := e.client(), e.as(registry.RoleRegulator)
	for _, page := range []string{"1", "9223372036854775807", "4611686018427387904", "368934881474191033", "368934881474191034"} {
		first := page == "1"
		for _, p := range []struct {
			c    *client
			path string
		}{
			{anon, "/vendors?q=家政&page="}, {anon, "/orgs/" + orgUSCC + "?page="}, {reg, "/console/vendors?page="},
			{anon, "/api/v1/vendors?per_page=2&page="},
		} {
			r := p.c.get(p.path + page)
			wantStatus(t, r, http.StatusOK)
			if got := strings.Contains(r.Body, name); got != first {
				t.Errorf("%s%s shows %s: %v, want %v", p.path, page, name, got, first)
			}
		}
	}
}
