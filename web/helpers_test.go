package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/net/html"

	"chengxin/internal/testdb"
	"chengxin/registry"
	"chengxin/registry/registrytest"
	"chengxin/web"
)

func TestMain(m *testing.M) {
	registry.BcryptCost = bcrypt.MinCost
	os.Exit(m.Run())
}

// t0 is the fixed "now" of every test: 2025-03-15 10:00 in Tianjin.
var t0 = time.Date(2025, 3, 15, 10, 0, 0, 0, registry.Shanghai)

// password is every fixture account's password.
const password = "correct-horse-9"

// Fixture codes (valid GB 32100 check characters).
var (
	orgUSCC    = registry.MustUSCC("51120101MJ0000011")
	vendorUSCC = registry.MustUSCC("91120101MA05ABCD1")
)

// clock is a settable clock shared by the server and the store.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is one server over a fresh database (openDB) with an association, a vendor
// and one user per role ("reg1", "assoc1", "vendor1").
type env struct {
	t      *testing.T
	db     *registry.DB
	srv    *web.Server
	clk    *clock
	org    registry.Org
	vendor registry.Vendor
}

// roleUser names the fixture account of each role.
var roleUser = map[string]string{
	registry.RoleRegulator:   "reg1",
	registry.RoleAssociation: "assoc1",
	registry.RoleVendor:      "vendor1",
}

// openDB opens a fresh database of its own for tb (testdb.DSN: an SQLite
// file named name in tb.TempDir(), or a new PostgreSQL database when
// CHENGXIN_TEST_POSTGRES is set), closed when tb ends.
func openDB(tb testing.TB, name string) *registry.DB {
	tb.Helper()
	db, err := registry.Open(context.Background(), testdb.DSN(tb, name))
	if err != nil {
		tb.Fatalf("registry.Open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if db.SigningKeyPath() == "" { // PostgreSQL: no file to keep it beside
		db.SetSigningKeyPath(filepath.Join(tb.TempDir(), "signing-key"))
	}
	return db
}

// reopen opens another handle on db's database, with its own connections,
// as another process would (same DSN, same signing key), closed when tb
// ends.
func reopen(tb testing.TB, db *registry.DB) *registry.DB {
	tb.Helper()
	other, err := registry.Open(context.Background(), db.DSN())
	if err != nil {
		tb.Fatalf("registry.Open: %v", err)
	}
	tb.Cleanup(func() { other.Close() })
	other.SetSigningKeyPath(db.SigningKeyPath())
	return other
}

func newEnv(t *testing.T, mods ...func(*web.Config)) *env {
	t.Helper()
	ctx := context.Background()
	db := openDB(t, "web.db")
	var err error
	clk := &clock{now: t0}
	db.Now = clk.Now
	cfg := web.Config{DB: db, Now: clk.Now}
	for _, m := range mods {
		m(&cfg)
	}
	e := &env{t: t, db: db, srv: web.New(cfg), clk: clk}
	e.org, err = db.CreateOrg(ctx, registry.CLIActor, registry.OrgInput{USCC: orgUSCC, Name: "天津市家庭服务业协会",
		Kind: "association", District: "120101", ContactPhone: "022-88886666"})
	if err != nil {
		t.Fatalf("CreateOrg: %v", err)
	}
	e.vendor = e.createVendor(vendorUSCC, "和平区示范家政服务有限公司")
	e.addUser(registry.RoleRegulator, "reg1", "")
	e.addUser(registry.RoleAssociation, "assoc1", orgUSCC)
	e.addUser(registry.RoleVendor, "vendor1", vendorUSCC)
	return e
}

// createVendor registers a vendor directly in the store (CLI actor).
func (e *env) createVendor(uscc, name string) registry.Vendor {
	e.t.Helper()
	in := vendorInput(uscc, name)
	v, err := e.db.CreateVendor(context.Background(), registry.CLIActor, in)
	if err != nil {
		e.t.Fatalf("CreateVendor %s: %v", uscc, err)
	}
	return v
}

func vendorInput(uscc, name string) registry.VendorInput {
	return registry.VendorInput{USCC: uscc, Name: name, LegalRep: "张明", Phone: "022-2345 6789",
		Address: "天津市和平区示例路 1 号", Districts: []string{"120101"}, Categories: []string{"cleaning"}}
}

func (e *env) addUser(role, username, of string) {
	e.t.Helper()
	_, err := e.db.CreateUser(context.Background(), registry.CLIActor,
		registry.UserInput{Username: username, Password: password, Role: role, OrgUSCC: of})
	if err != nil {
		e.t.Fatalf("CreateUser %s: %v", username, err)
	}
}

// count returns a table's row count.
func (e *env) count(table string) int {
	e.t.Helper()
	var n int
	if err := registrytest.SQL(e.t, e.db).QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		e.t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// auditActions lists the audit log's actions for a subject, oldest first.
func (e *env) auditActions(subject string) []string {
	e.t.Helper()
	es, err := e.db.FindAudit(context.Background(), registry.AuditFilter{Subject: subject, Limit: 500})
	if err != nil {
		e.t.Fatalf("FindAudit: %v", err)
	}
	var out []string
	for i := len(es) - 1; i >= 0; i-- {
		out = append(out, es[i].Action)
	}
	return out
}

// rawDB is a connection pool of its own to the database (registrytest.SQL),
// for what the store never does (tampering with stored rows).
func (e *env) rawDB() *sql.DB {
	e.t.Helper()
	return registrytest.SQL(e.t, e.db)
}

// client drives the server like a browser: it keeps cookies, remembers the
// last CSRF token a page carried, and sends from a fixed address.
type client struct {
	t          *testing.T
	srv        http.Handler
	jar        map[string]*http.Cookie
	remoteAddr string
	header     http.Header // sent with every request
	csrf       string      // the last "csrf" hidden field seen
}

func (e *env) client() *client {
	return &client{t: e.t, srv: e.srv, jar: map[string]*http.Cookie{}, remoteAddr: "192.0.2.10:40000", header: http.Header{}}
}

// login returns a client logged in as username (fixture password), holding
// the session's CSRF token.
func (e *env) login(username string) *client {
	e.t.Helper()
	c := e.client()
	r := c.tryLogin(username, password)
	if r.Code != http.StatusSeeOther {
		e.t.Fatalf("login %s: status %d, want 303; error %q", username, r.Code, r.TestID("login-error"))
	}
	if c.jar["cx_session"] == nil {
		e.t.Fatalf("login %s: no session cookie", username)
	}
	p := c.follow(r)
	if p.Code != http.StatusOK || c.csrf == "" {
		e.t.Fatalf("login %s: landing page %d, csrf %q", username, p.Code, c.csrf)
	}
	return c
}

// as logs in as the fixture account of role.
func (e *env) as(role string) *client { return e.login(roleUser[role]) }

// tryLogin opens the login page and submits the form it carries.
func (c *client) tryLogin(username, pw string) *resp {
	c.t.Helper()
	p := c.get("/console/login")
	if p.Code != http.StatusOK {
		c.t.Fatalf("GET /console/login: %d", p.Code)
	}
	return c.post("/console/login", url.Values{"username": {username}, "password": {pw}, "csrf": {p.CSRF()}})
}

// do sends req with the client's cookies, headers and address.
func (c *client) do(req *http.Request) *resp {
	c.t.Helper()
	req.RemoteAddr = c.remoteAddr
	for k, vs := range c.header {
		if req.Header.Get(k) == "" {
			req.Header[k] = vs
		}
	}
	for _, ck := range c.jar {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	rec := httptest.NewRecorder()
	c.srv.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	r := &resp{Code: res.StatusCode, Header: res.Header, Body: string(body), Cookies: res.Cookies()}
	for _, ck := range r.Cookies {
		if ck.MaxAge < 0 || (ck.Value == "" && ck.MaxAge == 0) {
			delete(c.jar, ck.Name)
		} else {
			c.jar[ck.Name] = ck
		}
	}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		if tok := r.CSRF(); tok != "" {
			c.csrf = tok
		}
	}
	return r
}

func (c *client) get(path string) *resp {
	c.t.Helper()
	return c.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// getWith sends a GET with extra headers.
func (c *client) getWith(path string, header map[string]string) *resp {
	c.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return c.do(req)
}

// post sends a form exactly as given (no CSRF token added).
func (c *client) post(path string, form url.Values) *resp {
	c.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// submit sends a form with the CSRF token of the last page seen.
func (c *client) submit(path string, form url.Values) *resp {
	c.t.Helper()
	if c.csrf == "" {
		c.t.Fatalf("submit %s: no CSRF token seen yet", path)
	}
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("csrf", c.csrf)
	return c.post(path, f)
}

// multipartBody builds a multipart form with fields and one file field "file".
func multipartBody(t *testing.T, fields url.Values, filename string, content []byte) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	if filename != "" {
		fw, err := w.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(content)
	}
	w.Close()
	return w.FormDataContentType(), buf.Bytes()
}

// upload posts a file as field "file" with the client's CSRF token.
func (c *client) upload(path, filename string, content []byte) *resp {
	c.t.Helper()
	ctype, body := multipartBody(c.t, url.Values{"csrf": {c.csrf}}, filename, content)
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	return c.do(req)
}

// follow follows redirects (GET) until a non-redirect answer.
func (c *client) follow(r *resp) *resp {
	c.t.Helper()
	for i := 0; i < 10 && r.Code >= 300 && r.Code < 400; i++ {
		r = c.get(r.Location())
	}
	return r
}

// resp is a recorded response with HTML helpers.
type resp struct {
	Code    int
	Header  http.Header
	Body    string
	Cookies []*http.Cookie
	doc     *html.Node
}

func (r *resp) Location() string { return r.Header.Get("Location") }

func (r *resp) String() string {
	b := r.Body
	if len(b) > 3000 {
		b = b[:3000] + "…"
	}
	return fmt.Sprintf("HTTP %d %v\n%s", r.Code, r.Header, b)
}

// Cookie returns the Set-Cookie of name, or nil.
func (r *resp) Cookie(name string) *http.Cookie {
	for _, c := range r.Cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (r *resp) root() *html.Node {
	if r.doc == nil {
		doc, err := html.Parse(strings.NewReader(r.Body))
		if err != nil {
			doc = &html.Node{Type: html.DocumentNode}
		}
		r.doc = doc
	}
	return r.doc
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// findAll returns the element nodes under n matching pred, in document order.
func findAll(n *html.Node, pred func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && pred(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func byTestID(id string) func(*html.Node) bool {
	return func(n *html.Node) bool { v, ok := attr(n, "data-testid"); return ok && v == id }
}

func byTag(tag string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == tag }
}

// text is a node's text content with whitespace collapsed.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// TestID returns the text of the first element with data-testid=id ("" when absent).
func (r *resp) TestID(id string) string {
	ns := findAll(r.root(), byTestID(id))
	if len(ns) == 0 {
		return ""
	}
	return text(ns[0])
}

// Has reports whether an element with data-testid=id exists.
func (r *resp) Has(id string) bool { return len(findAll(r.root(), byTestID(id))) > 0 }

// InputValues returns the values of the input elements inside data-testid=id.
func (r *resp) InputValues(id string) []string {
	var out []string
	for _, n := range findAll(r.root(), byTestID(id)) {
		for _, in := range findAll(n, byTag("input")) {
			v, _ := attr(in, "value")
			out = append(out, v)
		}
	}
	return out
}

// InputValue returns the value of the first input named name.
func (r *resp) InputValue(name string) string {
	ns := findAll(r.root(), func(n *html.Node) bool {
		v, ok := attr(n, "name")
		return n.Data == "input" && ok && v == name
	})
	if len(ns) == 0 {
		return ""
	}
	v, _ := attr(ns[0], "value")
	return v
}

// Form returns the action and the fields (inputs with a value, checked
// boxes, selected options) of the first form whose action starts with prefix.
func (r *resp) Form(prefix string) (string, url.Values) {
	for _, f := range findAll(r.root(), byTag("form")) {
		action, _ := attr(f, "action")
		if !strings.HasPrefix(action, prefix) {
			continue
		}
		vals := url.Values{}
		for _, in := range findAll(f, byTag("input")) {
			name, _ := attr(in, "name")
			typ, _ := attr(in, "type")
			v, _ := attr(in, "value")
			_, checked := attr(in, "checked")
			if name == "" || ((typ == "checkbox" || typ == "radio") && !checked) {
				continue
			}
			vals.Add(name, v)
		}
		for _, sel := range findAll(f, byTag("select")) {
			name, _ := attr(sel, "name")
			for _, o := range findAll(sel, byTag("option")) {
				if _, ok := attr(o, "selected"); ok {
					v, _ := attr(o, "value")
					vals.Add(name, v)
				}
			}
		}
		for _, ta := range findAll(f, byTag("textarea")) {
			name, _ := attr(ta, "name")
			vals.Add(name, text(ta))
		}
		return action, vals
	}
	return "", nil
}

// CSRF returns the page's hidden csrf field.
func (r *resp) CSRF() string { return r.InputValue("csrf") }

// HTMLLang is the html element's lang attribute.
func (r *resp) HTMLLang() string {
	ns := findAll(r.root(), byTag("html"))
	if len(ns) == 0 {
		return ""
	}
	v, _ := attr(ns[0], "lang")
	return v
}

// H1 is the text of the first h1.
func (r *resp) H1() string {
	ns := findAll(r.root(), byTag("h1"))
	if len(ns) == 0 {
		return ""
	}
	return text(ns[0])
}

// TableRows returns the cells' text of every body row of the table with data-testid=id.
func (r *resp) TableRows(id string) [][]string {
	var out [][]string
	for _, tbl := range findAll(r.root(), byTestID(id)) {
		for _, tb := range findAll(tbl, byTag("tbody")) {
			for _, tr := range findAll(tb, byTag("tr")) {
				var row []string
				for _, td := range findAll(tr, byTag("td")) {
					row = append(row, text(td))
				}
				out = append(out, row)
			}
		}
	}
	return out
}

// column returns cell i of every row.
func column(rows [][]string, i int) []string {
	var out []string
	for _, r := range rows {
		if i < len(r) {
			out = append(out, r[i])
		}
	}
	return out
}

// wantStatus fails the test unless r has status code.
func wantStatus(t *testing.T, r *resp, code int) {
	t.Helper()
	if r.Code != code {
		t.Fatalf("status %d, want %d\n%s", r.Code, code, r)
	}
}

// wantRedirect fails unless r is a 303 whose Location starts with prefix.
func wantRedirect(t *testing.T, r *resp, prefix string) {
	t.Helper()
	if r.Code != http.StatusSeeOther {
		t.Fatalf("status %d, want 303 to %s\n%s", r.Code, prefix, r)
	}
	if !strings.HasPrefix(r.Location(), prefix) {
		t.Fatalf("Location %q, want prefix %q", r.Location(), prefix)
	}
}

// wantContains fails unless s contains sub.
func wantContains(t *testing.T, what, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Errorf("%s = %q, want it to contain %q", what, s, sub)
	}
}

// vendorForm is a complete, valid vendor form.
func vendorForm(uscc, name string) url.Values {
	return url.Values{"uscc": {uscc}, "name": {name}, "legal_rep": {"王芳"}, "phone": {"022-5555 0101"},
		"address": {"天津市河西区友谊路 8 号"}, "districts": {"120101", "120103"}, "categories": {"cleaning", "housekeeping"}}
}

// wrongCheck replaces a code's check character with a wrong one and returns
// the right one too.
func wrongCheck(code string) (string, string) {
	bad := "0"
	if code[17] == '0' {
		bad = "1"
	}
	return code[:17] + bad, code[17:]
}
