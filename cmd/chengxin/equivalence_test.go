package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"chengxin/internal/testdb"
	"chengxin/registry"
	"chengxin/registry/registrytest"
	"chengxin/web"
)

// equivVendors is the size of the equivalence test's city.
const equivVendors = 300

// equivCity is one engine's copy of the city.
type equivCity struct {
	engine string
	db     *registry.DB
	srv    *web.Server
	// session is a signed-in regulator's cookie token; csrf the session's
	// CSRF token, which is random and appears in the console's forms.
	session, csrf string
}

// equivExtraVendors are names the generated city lacks: Latin letters in
// both cases, full-width letters, Greek, Cyrillic and letters whose case
// folding differs between Unicode's tables and a locale's, so that name
// search's case folding is compared on both engines.
var equivExtraVendors = []string{
	"天津ABC家政服务有限公司",
	"天津abc保洁有限公司",
	"Tianjin HomeCare 家政",
	"ＡＢＣ全角家政有限公司",
	"ＡＢc混合保洁",
	"ΣΟΦΙΑ月嫂中心",
	"σοφια育儿嫂",
	"ПЕТРОВ家政",
	"İSTANBUL保姆",
	"Straße保洁 STRASSE",
	"ǅemal钟点工",
	"ǈ小时工Ǉ",
	"Ωmega养老护理",
	"ΚΑΛΗΜΕΡΑ Kalimera",
	"Ⅻ月嫂Ⅻ",
	"ⓐⓑⓒ家政",
	"Ꭺ切罗基家政",
	"Ǳ保洁",
	"天津 DŽ 家政",
	"K开尔文保洁",
	"Å埃保洁",
}

// TestEnginesEquivalent builds the same city on SQLite and on PostgreSQL
// (the demo's generated city and story: records, three publication runs,
// sanctions, objections, replies, an override, a blacklisting; then a
// rescore) with one clock, and compares what each engine stored, what name
// search finds and every public and console response that a crawl of both
// servers reaches: all must be equal, byte for byte.
func TestEnginesEquivalent(t *testing.T) {
	if !testdb.Postgres() {
		t.Skipf("set %s to a PostgreSQL server URL to compare the engines", testdb.EnvPostgres)
	}
	if testing.Short() {
		t.Skip("builds two cities")
	}
	now := time.Date(2026, 11, 20, 10, 17, 0, 0, registry.Shanghai)
	key := filepath.Join(t.TempDir(), "signing-key")
	start := time.Now()
	lite := buildEquivCity(t, "sqlite", filepath.Join(t.TempDir(), "equiv.db"), key, now)
	t.Logf("sqlite city: %s", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	pg := buildEquivCity(t, "postgres", testdb.DSN(t, "equiv"), key, now)
	t.Logf("postgres city: %s", time.Since(start).Round(time.Millisecond))

	start = time.Now()
	compareTables(t, lite, pg)
	t.Logf("tables compared in %s", time.Since(start).Round(time.Millisecond))

	start = time.Now()
	compareNameSearch(t, lite, pg)
	t.Logf("name search compared in %s", time.Since(start).Round(time.Millisecond))

	start = time.Now()
	compareResponses(t, lite, pg)
	t.Logf("responses compared in %s", time.Since(start).Round(time.Millisecond))
}

// buildEquivCity opens dsn, plays the demo city at now and signs in a
// regulator.
func buildEquivCity(t *testing.T, engine, dsn, key string, now time.Time) *equivCity {
	t.Helper()
	ctx := context.Background()
	db, err := registry.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("%s: open: %v", engine, err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetSigningKeyPath(key)
	db.Now = func() time.Time { return now }
	if _, err := seedDemo(ctx, db, equivVendors, 11); err != nil {
		t.Fatalf("%s: demo city: %v", engine, err)
	}
	for i, name := range equivExtraVendors {
		in := vendorInputForEquiv(registry.MustUSCC(fmt.Sprintf("91120101EQ%07d", i+1)), name, i)
		if _, err := db.CreateVendor(ctx, registry.CLIActor, in); err != nil {
			t.Fatalf("%s: vendor %q: %v", engine, name, err)
		}
	}
	for {
		n, err := db.ProcessMarks(ctx, 500, now)
		if err != nil {
			t.Fatalf("%s: evaluate marks: %v", engine, err)
		}
		if n == 0 {
			break
		}
	}
	if _, err := db.Rescore(ctx, registry.RescoreOptions{AsOf: now}); err != nil {
		t.Fatalf("%s: rescore: %v", engine, err)
	}
	u, err := db.CreateUser(ctx, registry.CLIActor, registry.UserInput{Username: "equiv-regulator",
		Password: "correct horse battery staple", Role: registry.RoleRegulator})
	if err != nil {
		t.Fatalf("%s: user: %v", engine, err)
	}
	token, sess, err := db.CreateSession(ctx, u)
	if err != nil {
		t.Fatalf("%s: session: %v", engine, err)
	}
	srv := web.New(web.Config{DB: db, Now: db.Now, Addr: "127.0.0.1:8080"})
	return &equivCity{engine: engine, db: db, srv: srv, session: token, csrf: sess.CSRFToken}
}

func vendorInputForEquiv(uscc, name string, i int) registry.VendorInput {
	districts := []string{"120101", "120102", "120103", "120104"}
	categories := []string{"cleaning", "maternity", "eldercare", "nanny", "housekeeping"}
	return registry.VendorInput{USCC: uscc, Name: name, LegalRep: "张明", Phone: "022-2345 6789",
		Address: "天津市和平区示例路 1 号", Districts: []string{districts[i%len(districts)]},
		Categories: []string{categories[i%len(categories)]}}
}

// equivIgnored lists the columns whose values legitimately differ between
// two builds of one city, engine aside: each is random by design.
var equivIgnored = map[string][]string{
	// bcrypt hashes carry a random salt; the demo's passwords are random.
	"users": {"password_hash"},
	// the session's cookie token (stored hashed) and CSRF token are random.
	"sessions": {"token_hash", "csrf_token"},
	// The change feed's sequence numbers follow the order the rows of one
	// bulk load reach the database: PostgreSQL's loader sends memberships,
	// districts and categories by COPY after the vendors, SQLite's row by
	// row, so the same changes are numbered in another order. The feed is
	// internal (cache versions); which vendors changed, and how often, is
	// compared (the rows are sorted).
	"public_changes": {"seq"},
}

// equivPostgresOnly are columns only PostgreSQL's schema has: the name
// folded for search (migrations/postgres/0016), which SQLite keeps in its
// FTS5 index instead. Name search is compared by its answers.
var equivPostgresOnly = map[string][]string{"vendors": {"name_search"}}

// equivSkippedTables are tables compared by what they mean rather than row
// by row, with the reason.
var equivSkippedTables = map[string]string{
	// Applied when each database was created, at the wall clock's instant
	// (the PostgreSQL template is migrated once per test binary).
	"schema_migrations": "applied_at is the wall clock of migration",
}

// compareTables compares every table both engines have, row by row, as
// text, ignoring only equivIgnored's columns.
func compareTables(t *testing.T, a, b *equivCity) {
	t.Helper()
	ta, tb := tableNames(t, a), tableNames(t, b)
	var common []string
	for _, n := range ta {
		if slices.Contains(tb, n) {
			common = append(common, n)
		} else {
			t.Logf("table %s exists on %s only (engine-specific search index)", n, a.engine)
		}
	}
	for _, n := range tb {
		if !slices.Contains(ta, n) {
			t.Errorf("table %s exists on %s only", n, b.engine)
		}
	}
	rowsCompared := 0
	for _, table := range common {
		if why, ok := equivSkippedTables[table]; ok {
			t.Logf("table %s not compared: %s", table, why)
			continue
		}
		ra, ca := tableRows(t, a, table)
		rb, cb := tableRows(t, b, table)
		if !slices.Equal(ca, cb) {
			t.Errorf("table %s: columns differ:\n%s: %v\n%s: %v", table, a.engine, ca, b.engine, cb)
			continue
		}
		rowsCompared += len(ra)
		if len(ra) != len(rb) {
			t.Errorf("table %s: %d rows on %s, %d on %s", table, len(ra), a.engine, len(rb), b.engine)
		}
		shown := 0
		for i := range min(len(ra), len(rb)) {
			if ra[i] != rb[i] && shown < 3 {
				shown++
				t.Errorf("table %s, row %d differs:\n%s: %s\n%s: %s", table, i, a.engine, ra[i], b.engine, rb[i])
			}
		}
	}
	t.Logf("%d tables, %d rows compared", len(common), rowsCompared)
}

// tableNames lists the ordinary tables of a city's database.
func tableNames(t *testing.T, c *equivCity) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'`
	if c.engine == "postgres" {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`
	}
	rows, err := registrytest.SQL(t, c.db).Query(q)
	if err != nil {
		t.Fatalf("%s: tables: %v", c.engine, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// tableRows returns a table's rows as text, sorted, and its column names
// (sorted too: the two engines' migrations may add columns in another
// order).
func tableRows(t *testing.T, c *equivCity, table string) ([]string, []string) {
	t.Helper()
	rows, err := registrytest.SQL(t, c.db).Query(`SELECT * FROM ` + table)
	if err != nil {
		t.Fatalf("%s: %s: %v", c.engine, table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	order := make([]int, len(cols))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(i, j int) bool { return cols[order[i]] < cols[order[j]] })
	skip := func(col string) bool {
		return slices.Contains(equivIgnored[table], col) || slices.Contains(equivPostgresOnly[table], col)
	}
	var names []string
	for _, i := range order {
		if !slices.Contains(equivPostgresOnly[table], cols[i]) {
			names = append(names, cols[i])
		}
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out []string
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		for _, i := range order {
			if skip(cols[i]) {
				continue
			}
			sb.WriteString(cols[i])
			sb.WriteByte('=')
			sb.WriteString(equivValue(vals[i]))
			sb.WriteString(" | ")
		}
		out = append(out, sb.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out, names
}

// equivValue writes a column's value as text the same way whichever
// driver returned it.
func equivValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return strconv.Quote(string(v))
	case string:
		return strconv.Quote(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		if v {
			return "1"
		}
		return "0"
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	default:
		return fmt.Sprintf("%T(%v)", v, v)
	}
}

// equivQueries are the search queries compared: names and parts of them,
// Chinese words of one and two characters, pinyin, initials, category
// names and synonyms, Latin letters in mixed case, full-width, Greek and
// other folded letters, districts and codes, and words found nowhere.
var equivQueries = []string{
	"家", "政", "保", "洁", "月", "嫂", "天", "津", "司", "和", "河", "南", "王", "之", "中",
	"家政", "保洁", "月嫂", "天津", "公司", "有限", "服务", "和平", "河西", "南开", "滨海", "养老", "护理", "育儿", "钟点",
	"家政服务", "有限公司", "天津和平", "保洁有限公司",
	"jiazheng", "baojie", "yuesao", "tianjin", "JiaZheng", "BAOJIE", "jz", "bj", "tj", "ys", "tjhp",
	"保姆", "小时工", "母婴", "找保姆", "月嫂（母婴护理）", "cleaning", "Cleaning", "eldercare", "nanny",
	"abc", "ABC", "Abc", "aBc", "ａｂｃ", "ＡＢＣ", "ab", "AB", "a", "A", "c", "homecare", "HOMECARE", "Home", "tianjin home",
	"σοφια", "ΣΟΦΙΑ", "Σοφ", "σο", "Σ", "ς", "петров", "ПЕ", "п",
	"istanbul", "İstanbul", "İS", "ı", "i", "straße", "STRASSE", "strasse", "ß", "ẞ", "ss",
	"ǆ", "Ǆ", "ǅ", "ǆemal", "ǉ", "Ǉ", "ǈ", "ω", "Ω", "Ωm", "ωm", "kalimera", "καλη",
	"ⅻ", "Ⅻ", "ⓐ", "Ⓐ", "ⓐⓑ", "Ⓐⓑⓒ", "ꭺ", "Ꭺ", "ǳ", "Ǳ", "dž", "DŽ", "k", "K", "K", "å", "Å", "Å",
	"和平区", "河西区", "120101", "120103", "9112", "91120101EQ",
	"不存在的名字", "zzzz", "%", "_", "\\", "'", "\"", "*", "家 政", "保洁 天津", "  月嫂  ",
}

// compareNameSearch compares the ids name search returns for each query
// word, and for the query's words together.
func compareNameSearch(t *testing.T, a, b *equivCity) {
	t.Helper()
	ctx := context.Background()
	sa, sb := a.db.NewNameSearch(), b.db.NewNameSearch()
	n, nonEmpty := 0, 0
	for _, q := range equivQueries {
		words := strings.Fields(q)
		if len(words) == 0 {
			continue
		}
		ia, err := sa.VendorsNamedWithAll(ctx, words)
		if err != nil {
			t.Fatalf("%s: search %q: %v", a.engine, q, err)
		}
		ib, err := sb.VendorsNamedWithAll(ctx, words)
		if err != nil {
			t.Fatalf("%s: search %q: %v", b.engine, q, err)
		}
		slices.Sort(ia)
		slices.Sort(ib)
		n++
		if len(ia) > 0 {
			nonEmpty++
		}
		if !slices.Equal(ia, ib) {
			t.Errorf("name search %q: %s finds %d vendors, %s %d: %s", q, a.engine, len(ia), b.engine, len(ib), idsDiff(t, a, ia, ib))
		}
	}
	t.Logf("name search: %d queries compared, %d finding something", n, nonEmpty)
}

// idsDiff names the vendors one list has and the other lacks.
func idsDiff(t *testing.T, c *equivCity, x, y []int64) string {
	var onlyX, onlyY []int64
	for _, id := range x {
		if !slices.Contains(y, id) {
			onlyX = append(onlyX, id)
		}
	}
	for _, id := range y {
		if !slices.Contains(x, id) {
			onlyY = append(onlyY, id)
		}
	}
	vs, err := c.db.FindVendorsByID(context.Background(), append(append([]int64{}, onlyX...), onlyY...))
	if err != nil {
		t.Fatal(err)
	}
	names := func(ids []int64) []string {
		var out []string
		for _, id := range ids {
			out = append(out, vs[id].Name)
		}
		return out
	}
	return fmt.Sprintf("only first: %q; only second: %q", names(onlyX), names(onlyY))
}

// equivHeaders are the response headers compared besides status and body.
var equivHeaders = []string{"Content-Type", "Content-Disposition", "Cache-Control", "ETag", "Last-Modified", "Location", "Vary"}

// hrefRe finds links in pages (href and src attributes).
var hrefRe = regexp.MustCompile(`(?:href|src|action)="(/[^"]*)"`)

// compareResponses crawls both servers from the public and console entry
// points, following every link of the SQLite server's pages, and compares
// each response with the PostgreSQL server's.
func compareResponses(t *testing.T, a, b *equivCity) {
	t.Helper()
	ctx := context.Background()
	seeds := []string{"/", "/vendors", "/orgs", "/lists/red", "/lists/black", "/methodology", "/transparency",
		"/open-data/vendors.csv", "/api/v1/vendors", "/api/v1/vendors?per_page=100", "/api/v1/checkpoints",
		"/api/v1/checkpoints/latest", "/api/v1/checkpoints/key",
		"/console", "/console/vendors", "/console/orgs", "/console/users", "/console/invitations", "/console/audit",
		"/console/tokens", "/console/rules", "/console/reviews", "/console/dashboard", "/console/dashboard.csv",
		"/console/publications", "/console/pending", "/console/imports"}
	for _, q := range equivQueries {
		seeds = append(seeds, "/vendors?q="+url.QueryEscape(q), "/api/v1/vendors?q="+url.QueryEscape(q),
			"/console/vendors?q="+url.QueryEscape(q))
	}
	for page := 1; ; page++ {
		vs, _, err := a.db.FindVendors(ctx, registry.VendorFilter{Page: page, PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) == 0 {
			break
		}
		for _, v := range vs {
			u := "/vendors/" + v.USCC
			seeds = append(seeds, u, u+"/badge.svg", u+"/qr.svg", u+"/sticker", "/api/v1/vendors/"+v.USCC,
				"/console/vendors/"+v.USCC, "/console/vendors/"+v.USCC+"/edit")
		}
	}
	seen := map[string]bool{}
	perPath := map[string]int{}
	queue := slices.Clone(seeds)
	compared, differing, qrOnly := 0, 0, 0
	var bytesCompared int64
	var timeA, timeB time.Duration
	const maxResponses = 20000
	for len(queue) > 0 && compared < maxResponses {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		u, err := url.Parse(p)
		if err != nil {
			continue
		}
		// Pages with queries (filters, sorting, paging) multiply: follow at
		// most 150 per path beyond the seeds.
		if perPath[u.Path]++; u.RawQuery != "" && perPath[u.Path] > 150 && !slices.Contains(seeds, p) {
			continue
		}
		t0 := time.Now()
		ra := equivGet(t, a, p)
		timeA += time.Since(t0)
		t0 = time.Now()
		rb := equivGet(t, b, p)
		timeB += time.Since(t0)
		compared++
		bytesCompared += int64(len(ra.body))
		if qrDrawing(u.Path) {
			// go-qrcode v2.3.0 chooses among equally scored masks in the
			// order its goroutines finish, so one address may be drawn two
			// ways on one engine too (and the page's ETag with it): only
			// status and type are compared.
			qrOnly++
			ra.headers, rb.headers, ra.body, rb.body = ra.contentType, rb.contentType, "", ""
		}
		if d := ra.diff(rb); d != "" {
			if differing++; differing <= 10 {
				t.Errorf("GET %s differs (%s vs %s): %s", p, a.engine, b.engine, d)
			}
		}
		if !strings.Contains(ra.contentType, "html") {
			continue
		}
		for _, m := range hrefRe.FindAllStringSubmatch(ra.body, -1) {
			link := html.UnescapeString(m[1])
			if i := strings.IndexByte(link, '#'); i >= 0 {
				link = link[:i]
			}
			if link == "" || seen[link] || strings.HasPrefix(link, "/static/") || strings.HasPrefix(link, "/console/logout") ||
				strings.HasPrefix(link, "/console/invite/") || strings.Contains(link, "/template/") {
				continue
			}
			queue = append(queue, link)
		}
	}
	if differing > 10 {
		t.Errorf("… %d responses differ in all", differing)
	}
	t.Logf("responses: %d compared (%d MB per engine; %d QR drawings by status and type only), %d differing; %s took %s, %s took %s",
		compared, bytesCompared>>20, qrOnly, differing, a.engine, timeA.Round(time.Millisecond), b.engine, timeB.Round(time.Millisecond))
	if compared < equivVendors*7 {
		t.Errorf("only %d responses compared", compared)
	}
}

// qrDrawing reports whether path draws a QR code (the sticker only links
// to the drawing).
func qrDrawing(path string) bool {
	return strings.HasSuffix(path, "/qr.svg")
}

// equivResponse is what is compared of one response.
type equivResponse struct {
	status      int
	contentType string
	headers     string
	body        string
}

// equivGet asks c's server for path as the signed-in regulator (console)
// or an anonymous reader (everything else). The session's CSRF token is
// replaced by a placeholder: it is random by design.
func equivGet(t *testing.T, c *equivCity, path string) equivResponse {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = "192.0.2.10:40000"
	if strings.HasPrefix(path, "/console") {
		req.AddCookie(&http.Cookie{Name: "cx_session", Value: c.session})
	}
	rec := httptest.NewRecorder()
	c.srv.ServeHTTP(rec, req)
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var h strings.Builder
	for _, k := range equivHeaders {
		fmt.Fprintf(&h, "%s: %s\n", k, res.Header.Values(k))
	}
	return equivResponse{status: res.StatusCode, contentType: res.Header.Get("Content-Type"), headers: h.String(),
		body: strings.ReplaceAll(string(body), c.csrf, "CSRF")}
}

// diff describes how two responses differ, or "" when they are equal.
func (r equivResponse) diff(o equivResponse) string {
	if r.status != o.status {
		return fmt.Sprintf("status %d vs %d", r.status, o.status)
	}
	if r.headers != o.headers {
		return fmt.Sprintf("headers\n%s\nvs\n%s", r.headers, o.headers)
	}
	if r.body == o.body {
		return ""
	}
	i := 0
	for i < len(r.body) && i < len(o.body) && r.body[i] == o.body[i] {
		i++
	}
	from := max(0, i-200)
	return fmt.Sprintf("body (%d vs %d bytes) from byte %d:\n%s\nvs\n%s", len(r.body), len(o.body), from,
		clip(r.body[from:]), clip(o.body[from:]))
}

// clip shortens a long line for a message.
func clip(s string) string {
	if len(s) > 500 {
		return strings.ToValidUTF8(s[:500], "") + "…"
	}
	return s
}
