package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"

	"chengxin/registry"
	"chengxin/web"
)

// badValues are what the walk puts in every form field, query parameter and
// path parameter: empty, blanks, signs and overflows, impossible dates,
// NUL, invalid UTF-8, 9 KB of text, markup and SQL.
var badValues = []string{
	"", " ", "x", "-1", "0", "99999999999999999999", "1e309", "NaN", "2025-13-45", "9999-12-31T99:99:99Z",
	"\x00", "\xff\xfe", strings.Repeat("家", 3000), "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd",
}

// walkValues are the bad values the walk uses: all of them, or under the
// race detector (every request several times slower) one of each kind.
func walkValues() []string {
	if raceEnabled {
		return []string{"", "x", "-1", "99999999999999999999", "2025-13-45", "\x00", "\xff\xfe", strings.Repeat("家", 3000)}
	}
	return badValues
}

// badPathValues replace each path parameter in turn.
var badPathValues = []string{"x", "0", "-1", "99999999999999999999", "\x00", "..", "' OR 1=1 --", "\xff\xfe",
	strings.Repeat("家", 300), "91120101MA05ABCD0", "%"}

// lockedBuffer is a log sink safe for concurrent handlers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// countingHandler records the status of every response it serves, by
// method (HEAD counts as GET, as the router sees it) and code.
type countingHandler struct {
	h      http.Handler
	mu     sync.Mutex
	counts map[string]int // "GET 404"
	total  int
}

func (h *countingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, r)
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	h.mu.Lock()
	h.counts[method+" "+strconv.Itoa(rec.Code)]++
	h.total++
	h.mu.Unlock()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// metricLine matches one request counter of the exposition format.
var metricLine = regexp.MustCompile(`^chengxin_http_requests_total\{code="(\d+)",method="([A-Z]+)",route="[^"]*"\} (\d+)$`)

// requestCounts sums the request counter by method and code.
func requestCounts(t *testing.T, e *env) map[string]int {
	t.Helper()
	out := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(e.scrape()))
	for sc.Scan() {
		if m := metricLine.FindStringSubmatch(sc.Text()); m != nil {
			n, _ := strconv.Atoi(m[3])
			out[m[2]+" "+m[1]] += n
		}
	}
	return out
}

// walkForm is a form found on a page: its action (as a pattern over the
// route table) and its fields with their values as served.
type walkForm struct {
	action string
	fields url.Values
}

// walker sends the requests of the walk and keeps the findings.
type walker struct {
	t       *testing.T
	e       *env
	counter *countingHandler
	forms   []walkForm
	ids     map[string]string // route → concrete path of the valid request
	mu      sync.Mutex
	fails   []string
}

func (w *walker) fail(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.fails) < 40 {
		w.fails = append(w.fails, fmt.Sprintf(format, args...))
	}
}

// send issues req as c (re-signing-in a role whose session the request
// ended) and checks the answer is not a server error.
func (w *walker) send(who string, c *client, req *http.Request) *resp {
	r := c.do(req)
	if r.Code >= 500 {
		body := r.TestID("error-message")
		if body == "" && len(r.Body) < 300 {
			body = r.Body
		}
		w.fail("%s: %s %s → %d %s", who, req.Method, trimURL(req.URL.String()), r.Code, body)
	}
	if who != "anonymous" && who != "hotline" && c.jar["cx_session"] == nil {
		// The request signed the role out (logout): sign in again, through
		// the counter so the metrics comparison stays exact.
		nc := &client{t: w.t, srv: w.counter, jar: map[string]*http.Cookie{}, remoteAddr: c.remoteAddr, header: http.Header{}}
		lr := nc.follow(nc.tryLogin(roleUser[who], password))
		if nc.jar["cx_session"] == nil || lr.Code != http.StatusOK {
			w.t.Fatalf("%s could not sign in again: %d", who, lr.Code)
		}
		*c = *nc
	}
	return r
}

// TestRouteWalk walks every route of the router's table with malformed
// path parameters, query parameters and bodies, as anonymous, as each role
// and (for the ingest API) with a token: no answer is a 5xx, the metrics
// count exactly the statuses the clients got, and no 4xx is logged as an
// error.
func TestRouteWalk(t *testing.T) {
	logs := &lockedBuffer{}
	e := newEnv(t, func(c *web.Config) {
		c.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	ctx := context.Background()
	counter := &countingHandler{h: e.srv, counts: map[string]int{}}
	w := &walker{t: t, e: e, counter: counter, ids: map[string]string{}}

	// Fixtures the valid requests point at.
	spare, err := e.db.CreateUser(ctx, registry.CLIActor, registry.UserInput{Username: "spare1", Password: password, Role: registry.RoleRegulator})
	if err != nil {
		t.Fatal(err)
	}
	_, spareToken, err := e.db.CreateToken(ctx, registry.CLIActor, "spare-token", registry.ScopeIngest)
	if err != nil {
		t.Fatal(err)
	}
	hotlineSecret, _, err := e.db.CreateToken(ctx, registry.CLIActor, "hotline", registry.ScopeIngest)
	if err != nil {
		t.Fatal(err)
	}
	invited := e.createVendor(registry.MustUSCC("91120110MA0DLNGF5"), "东丽区邀请测试家政")
	inviteToken, err := e.db.CreateInvitation(ctx, registry.CLIActor, invited.USCC)
	if err != nil {
		t.Fatal(err)
	}
	invs, _ := e.db.FindInvitations(ctx, registry.InvitationFilter{})
	sanction, err := e.db.CreateSanction(ctx, registry.CLIActor, registry.SanctionInput{VendorUSCC: vendorUSCC, Kind: "warning",
		IssuedAt: "2025-03-01", Reference: "津市监警〔2025〕9号", Summary: "未按约定时间提供服务"})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := e.db.SubmitReply(ctx, registry.Actor{Kind: "user", Name: "vendor1", Role: registry.RoleVendor}, e.vendor.ID, "我们已改进服务流程。")
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]string{
		"/console/sanctions/:id":   strconv.FormatInt(sanction.ID, 10),
		"/console/reviews/:id":     strconv.FormatInt(reply.ID, 10),
		"/console/users/:id":       strconv.FormatInt(spare.ID, 10),
		"/console/tokens/:id":      strconv.FormatInt(spareToken.ID, 10),
		"/console/invitations/:id": strconv.FormatInt(invs[0].ID, 10),
		"/console/invite/:token":   inviteToken,
	}
	validPath := func(route string) string {
		for prefix, v := range params {
			if strings.HasPrefix(route, prefix) {
				return strings.Replace(sweepPath(route), "/x", "/"+url.PathEscape(v), 1)
			}
		}
		return sweepPath(route)
	}

	clients := map[string]*client{"anonymous": e.client(), "hotline": e.client()}
	clients["anonymous"].remoteAddr = "192.0.2.201:1"
	clients["hotline"].header.Set("Authorization", "Bearer "+hotlineSecret)
	for i, role := range allRoles {
		c := e.login(roleUser[role])
		c.remoteAddr = fmt.Sprintf("192.0.2.%d:1", 210+i)
		clients[role] = c
	}
	for _, c := range clients {
		c.srv = counter
	}

	// Forms, as the pages of each role serve them.
	routes := e.srv.Echo().Routes()
	for _, r := range routes {
		if r.Method != http.MethodGet || r.Path == "/console/logout" {
			continue
		}
		for _, who := range []string{"anonymous", registry.RoleRegulator, registry.RoleAssociation, registry.RoleVendor} {
			page := clients[who].get(validPath(r.Path))
			for _, f := range findAll(page.root(), byTag("form")) {
				method, _ := attr(f, "method")
				if !strings.EqualFold(method, "post") {
					continue
				}
				action, vals := formFields(f)
				if action == "" {
					action = validPath(r.Path)
				}
				w.forms = append(w.forms, walkForm{action: action, fields: vals})
			}
		}
	}

	before := requestCounts(t, e)
	counter.counts, counter.total = map[string]int{}, 0
	seen := map[string]bool{}
	var walked []echoRoute
	for _, r := range routes {
		switch r.Method {
		case http.MethodGet, http.MethodPost:
		default:
			continue
		}
		key := r.Method + " " + r.Path
		if seen[key] {
			continue
		}
		seen[key] = true
		walked = append(walked, echoRoute{r.Method, r.Path, validPath(r.Path)})
	}
	// Each client walks every route in its own goroutine (as browsers would).
	var wg sync.WaitGroup
	for who, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.t = t
			for _, r := range walked {
				if who == "hotline" && !strings.HasPrefix(r.path, "/api/") {
					continue
				}
				w.walkRoute(who, c, r.method, r.path, r.valid)
			}
		}()
	}
	wg.Wait()
	after := requestCounts(t, e)

	for _, f := range w.fails {
		t.Error(f)
	}
	// The metrics saw exactly what the clients saw.
	for k, n := range counter.counts {
		if got := after[k] - before[k]; got != n {
			t.Errorf("metrics count %d × %s, the clients got %d", got, k, n)
		}
	}
	for k := range after {
		if _, ok := counter.counts[k]; !ok && after[k] != before[k] {
			t.Errorf("metrics count %d × %s the clients never got", after[k]-before[k], k)
		}
	}
	// One log line per request, errors only for 5xx (there are none).
	lines, errorLines := 0, 0
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l struct {
			Level, Msg string
			Status     int
		}
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue
		}
		if l.Level == "ERROR" {
			errorLines++
			if errorLines < 5 {
				t.Errorf("logged as an error: %.300s", sc.Text())
			}
		}
		if l.Msg == "request" {
			lines++
			if l.Status >= 400 && l.Status < 500 && l.Level != "INFO" && l.Level != "WARN" {
				t.Errorf("a %d logged at %s", l.Status, l.Level)
			}
		}
	}
	if lines < counter.total {
		t.Errorf("%d request log lines for %d requests", lines, counter.total)
	}
	codes := make([]string, 0, len(counter.counts))
	for k, n := range counter.counts {
		codes = append(codes, fmt.Sprintf("%s×%d", k, n))
	}
	sort.Strings(codes)
	t.Logf("%d routes (%d forms found), %d bad values, %d requests: %s", len(walked), len(w.forms), len(walkValues()),
		counter.total, strings.Join(codes, " "))
}

// echoRoute is a route of the table with the path of its valid request.
type echoRoute struct{ method, path, valid string }

// walkRoute sends one route's requests as one client.
func (w *walker) walkRoute(who string, c *client, method, route, valid string) {
	roles, console := w.e.srv.RouteRoles(method, route)
	paths := []string{valid}
	parts := strings.Split(route, "/")
	for i, p := range parts {
		if !strings.HasPrefix(p, ":") && p != "*" {
			continue
		}
		for _, v := range badPathValues {
			bad := strings.Split(valid, "/")
			if i < len(bad) {
				bad[i] = url.PathEscape(v)
				paths = append(paths, strings.Join(bad, "/"))
			}
		}
	}
	allowed := !console || slices.Contains(roles, who)
	for _, p := range paths {
		switch method {
		case http.MethodGet:
			w.send(who, c, httptest.NewRequest(http.MethodGet, p, nil))
			if p == valid && allowed {
				for _, q := range append(slices.Clone(routeParams[route]), "page", "lang") {
					for _, v := range walkValues() {
						w.send(who, c, httptest.NewRequest(http.MethodGet, p+"?"+url.Values{q: {v}}.Encode(), nil))
					}
				}
				w.send(who, c, httptest.NewRequest(http.MethodHead, p, nil))
			}
		case http.MethodPost:
			w.posts(who, c, route, p, p == valid && allowed)
		}
	}
}

// posts sends a route's bodies: the form as served, each field with each
// bad value, the token in a header with no body, JSON, a multipart upload
// of garbage, and no token at all. fuzz=false sends only the form.
func (w *walker) posts(who string, c *client, route, path string, fuzz bool) {
	fields := url.Values{}
	for _, f := range w.forms {
		if f.action == path || strings.TrimSuffix(f.action, "?") == path {
			fields = f.fields
			break
		}
	}
	form := func(vals url.Values) *http.Request {
		v := url.Values{}
		for k, vs := range vals {
			v[k] = slices.Clone(vs)
		}
		if c.csrf != "" && !v.Has("csrf") {
			v.Set("csrf", c.csrf)
		} else if v.Has("csrf") {
			v.Set("csrf", c.csrf)
		}
		if ck := c.jar["cx_csrf"]; ck != nil && c.jar["cx_session"] == nil {
			v.Set("csrf", ck.Value)
		}
		return newFormPath(http.MethodPost, path, v)
	}
	if strings.HasPrefix(route, "/api/") {
		for _, body := range []string{"", "{", "[]", `{"work_order_no":1}`, "[1,2,3]", "null", "\xff\xfe", strings.Repeat("[", 10000)} {
			for _, ct := range []string{"application/json", "application/x-ndjson", "text/plain"} {
				req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
				req.Header.Set("Content-Type", ct)
				w.send(who, c, req)
			}
		}
		return
	}
	w.send(who, c, form(fields))
	if !fuzz {
		return
	}
	for k := range fields {
		if k == "csrf" {
			continue
		}
		for _, v := range walkValues() {
			f := url.Values{}
			for kk, vv := range fields {
				f[kk] = vv
			}
			f.Set(k, v)
			w.send(who, c, form(f))
		}
	}
	// Fields the form does not show (hand-made requests).
	for _, k := range []string{"id", "status", "reason", "kind", "stage", "decision", "grade", "until", "uscc", "page"} {
		if fields.Has(k) {
			continue
		}
		for _, v := range walkValues()[:6] {
			f := url.Values{}
			for kk, vv := range fields {
				f[kk] = vv
			}
			f.Set(k, v)
			w.send(who, c, form(f))
		}
	}
	// Token in the header, no body; JSON; a multipart upload of garbage; no token.
	req := httptest.NewRequest(http.MethodPost, path, nil)
	req.Header.Set("X-CSRF-Token", c.csrf)
	w.send(who, c, req)
	req = httptest.NewRequest(http.MethodPost, path, strings.NewReader(`{"status":"x","csrf":"`+c.csrf+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	w.send(who, c, req)
	for _, file := range [][]byte{nil, []byte("\xff\xfe\x00garbage,\"\n"), []byte("uscc,name\n" + strings.Repeat("x,y\n", 1000))} {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("csrf", c.csrf)
		mw.WriteField("kind", "complaints")
		for _, name := range []string{"file", "rules"} {
			if file != nil {
				fw, _ := mw.CreateFormFile(name, "x.csv")
				fw.Write(file)
			}
		}
		mw.Close()
		req = httptest.NewRequest(http.MethodPost, path, &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		w.send(who, c, req)
	}
	req = httptest.NewRequest(http.MethodPost, path, strings.NewReader("a=b"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w.send(who, c, req)
}

// newFormPath is newForm for a path that is already escaped.
func newFormPath(method, path string, form url.Values) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// formFields returns a form's action and the values it would submit as
// served (inputs with a value, checked boxes, selected options, textareas).
func formFields(f *html.Node) (string, url.Values) {
	action, _ := attr(f, "action")
	vals := url.Values{}
	for _, in := range findAll(f, byTag("input")) {
		name, _ := attr(in, "name")
		typ, _ := attr(in, "type")
		v, _ := attr(in, "value")
		_, checked := attr(in, "checked")
		if name == "" || typ == "file" || ((typ == "checkbox" || typ == "radio") && !checked) {
			continue
		}
		vals.Add(name, v)
	}
	for _, sel := range findAll(f, byTag("select")) {
		name, _ := attr(sel, "name")
		opts := findAll(sel, byTag("option"))
		picked := false
		for _, o := range opts {
			if _, ok := attr(o, "selected"); ok {
				v, _ := attr(o, "value")
				vals.Add(name, v)
				picked = true
			}
		}
		if !picked && len(opts) > 0 {
			v, _ := attr(opts[0], "value")
			vals.Add(name, v)
		}
	}
	for _, ta := range findAll(f, byTag("textarea")) {
		name, _ := attr(ta, "name")
		vals.Add(name, text(ta))
	}
	return action, vals
}
