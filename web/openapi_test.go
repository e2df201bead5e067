package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"chengxin/publicity"
	"chengxin/registry"
	"chengxin/web"
)

// oaServer is a bare server (no fixtures) over a fresh database file.
func oaServer(t *testing.T) *web.Server {
	t.Helper()
	db := openDB(t, "openapi.db")
	return web.New(web.Config{DB: db})
}

// oaServed fetches GET /api/v1/openapi.json through the whole server
// and decodes it.
func oaServed(t *testing.T, srv *web.Server) (map[string]any, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /api/v1/openapi.json: status %d\n%s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	if dec.More() {
		t.Fatalf("openapi.json has trailing data after the document")
	}
	return doc, rec.Body.Bytes()
}

// obj and arr are checked accessors into the decoded document.
func oaObj(t *testing.T, v any, what string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s: want an object, got %T", what, v)
	}
	return m
}

func oaStrings(t *testing.T, v any, what string) []string {
	t.Helper()
	a, ok := v.([]any)
	if !ok {
		t.Fatalf("%s: want an array, got %T", what, v)
	}
	out := make([]string, 0, len(a))
	for _, x := range a {
		s, ok := x.(string)
		if !ok {
			t.Fatalf("%s: want strings, got %T", what, x)
		}
		out = append(out, s)
	}
	return out
}

func oaKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
	srv := oaServer(t)
	doc, body := oaServed(t, srv)
	if doc["openapi"] != "3.1.0" {
		t.Errorf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	info := oaObj(t, doc["info"], "info")
	for _, k := range []string{"title", "version", "description"} {
		if s, _ := info[k].(string); s == "" {
			t.Errorf("info.%s is empty", k)
		}
	}
	desc, _ := info["description"].(string)
	for _, want := range []string{"idempotent", "natural key", "durable", "superseded"} {
		if !strings.Contains(strings.ToLower(desc), want) {
			t.Errorf("info.description does not explain %q", want)
		}
	}
	onDisk, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, onDisk) {
		t.Errorf("the served document differs from web/openapi.json")
	}
	sec := oaObj(t, oaObj(t, doc["components"], "components")["securitySchemes"], "securitySchemes")
	tok := oaObj(t, sec["ingestToken"], "securitySchemes.ingestToken")
	if tok["type"] != "http" || tok["scheme"] != "bearer" {
		t.Errorf("ingestToken = %v, want an http bearer scheme", tok)
	}
}

// echoPath turns echo's /a/:b into OpenAPI's /a/{b}.
var oaEchoParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

func oaEchoPath(p string) string { return oaEchoParam.ReplaceAllString(p, "{$1}") }

var oaMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodOptions, http.MethodTrace}

// apiRoutes lists "METHOD /path" of every /api/v1 route the router has.
func oaAPIRoutes(routes []*echo.Route) map[string]bool {
	out := map[string]bool{}
	for _, r := range routes {
		if r.Path != "/api/v1" && !strings.HasPrefix(r.Path, "/api/v1/") {
			continue
		}
		if !slices.Contains(oaMethods, r.Method) || strings.Contains(r.Path, "*") {
			continue // a group's catch-all (echo_route_not_found), not an endpoint
		}
		out[r.Method+" "+oaEchoPath(r.Path)] = true
	}
	return out
}

func TestOpenAPIMatchesRouter(t *testing.T) {
	t.Parallel()
	srv := oaServer(t)
	doc, _ := oaServed(t, srv)
	routes := oaAPIRoutes(srv.Echo().Routes())
	if len(routes) == 0 {
		t.Fatal("the router has no /api/v1 routes")
	}
	documented := map[string]bool{}
	for path, item := range oaObj(t, doc["paths"], "paths") {
		for m := range oaObj(t, item, "paths."+path) {
			method := strings.ToUpper(m)
			if !slices.Contains(oaMethods, method) {
				continue // parameters, summary, …
			}
			documented[method+" "+path] = true
		}
	}
	for r := range routes {
		if !documented[r] {
			t.Errorf("route %s is not documented in web/openapi.json", r)
		}
	}
	for d := range documented {
		if !routes[d] {
			t.Errorf("web/openapi.json documents %s, which the router does not have", d)
		}
	}

	// Path parameters are declared, and every ingest route is secured and
	// documents its error answers.
	for r := range routes {
		if !documented[r] {
			continue
		}
		method, path, _ := strings.Cut(r, " ")
		op := oaObj(t, oaObj(t, doc["paths"], "paths")[path], path)[strings.ToLower(method)]
		opm := oaObj(t, op, r)
		for _, name := range oaEchoParam.FindAllStringSubmatch(strings.NewReplacer("{", ":", "}", "").Replace(path), -1) {
			if !oaDeclaresParam(t, doc, opm, name[1]) {
				t.Errorf("%s: path parameter %q is not declared", r, name[1])
			}
		}
		if method != http.MethodPost {
			continue
		}
		if !strings.Contains(oaJSON(opm["security"]), `"ingestToken"`) {
			t.Errorf("%s: not secured by ingestToken", r)
		}
		resps := oaObj(t, opm["responses"], r+" responses")
		for _, code := range []string{"200", "400", "401", "403", "413", "415", "429"} {
			if resps[code] == nil {
				t.Errorf("%s: response %s is not documented", r, code)
			}
		}
		if r429 := oaResolve(t, doc, resps["429"]); r429 != nil {
			hs, _ := r429["headers"].(map[string]any)
			if hs["Retry-After"] == nil {
				t.Errorf("%s: 429 does not document Retry-After", r)
			}
		}
		if r401 := oaResolve(t, doc, resps["401"]); r401 != nil {
			hs, _ := r401["headers"].(map[string]any)
			if hs["WWW-Authenticate"] == nil {
				t.Errorf("%s: 401 does not document WWW-Authenticate", r)
			}
		}
		body := oaResolve(t, doc, opm["requestBody"])
		content := oaObj(t, body["content"], r+" requestBody.content")
		if keys := oaKeys(content); !slices.Equal(keys, []string{"application/json", "application/x-ndjson"}) {
			t.Errorf("%s: request content types %v, want application/json and application/x-ndjson", r, keys)
		}
	}
}

func oaJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// resolve follows one local $ref (or returns v's object).
func oaResolve(t *testing.T, doc map[string]any, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	if ref, ok := m["$ref"].(string); ok {
		target, err := oaPointer(doc, ref)
		if err != nil {
			t.Errorf("$ref %q: %v", ref, err)
			return nil
		}
		return oaResolve(t, doc, target)
	}
	return m
}

func oaDeclaresParam(t *testing.T, doc map[string]any, op map[string]any, name string) bool {
	ps, _ := op["parameters"].([]any)
	for _, p := range ps {
		pm := oaResolve(t, doc, p)
		if pm != nil && pm["name"] == name && pm["in"] == "path" && pm["required"] == true {
			return true
		}
	}
	return false
}

// jsonPointer resolves a local reference ("#/a/b~1c") inside doc.
func oaPointer(doc any, ref string) (any, error) {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, oaErrNotLocal
	}
	if frag == "" {
		return doc, nil
	}
	if !strings.HasPrefix(frag, "/") {
		return nil, oaErrNotLocal
	}
	cur := doc
	for _, tok := range strings.Split(frag[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			next, ok := c[tok]
			if !ok {
				return nil, oaErrDangling
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, oaErrDangling
			}
			cur = c[i]
		default:
			return nil, oaErrDangling
		}
	}
	return cur, nil
}

type oaRefError string

func (e oaRefError) Error() string { return string(e) }

const (
	oaErrNotLocal oaRefError = "not a reference inside the document"
	oaErrDangling oaRefError = "does not resolve"
)

func TestOpenAPIRefsResolve(t *testing.T) {
	t.Parallel()
	doc, _ := oaServed(t, oaServer(t))
	n := 0
	var walk func(where string, v any)
	walk = func(where string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if k == "$ref" {
					n++
					ref, ok := c.(string)
					if !ok {
						t.Errorf("%s: $ref is %T, want a string", where, c)
						continue
					}
					if _, err := oaPointer(doc, ref); err != nil {
						t.Errorf("%s: $ref %q %v", where, ref, err)
					}
					continue
				}
				walk(where+"/"+k, c)
			}
		case []any:
			for i, c := range x {
				walk(where+"/"+strconv.Itoa(i), c)
			}
		}
	}
	walk("#", doc)
	if n < 10 {
		t.Errorf("only %d $refs: the document should use components.schemas", n)
	}
	// Every component schema is used somewhere.
	all := oaJSON(doc)
	for name := range oaObj(t, oaObj(t, doc["components"], "components")["schemas"], "schemas") {
		if !strings.Contains(all, `"#/components/schemas/`+name+`"`) {
			t.Errorf("components.schemas.%s is never referenced", name)
		}
	}
}

// jsonTags lists a struct type's JSON field names.
func oaJSONTags(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func TestOpenAPIRecordSchemasMatchCode(t *testing.T) {
	t.Parallel()
	doc, _ := oaServed(t, oaServer(t))
	schemas := oaObj(t, oaObj(t, doc["components"], "components")["schemas"], "schemas")
	records := []struct {
		schema   string
		typ      reflect.Type
		required []string // what registry/records_apply.go rejects when absent
	}{
		{"ComplaintRecord", reflect.TypeFor[registry.ComplaintInput](),
			[]string{"work_order_no", "vendor_uscc", "received_at", "channel", "category", "status", "deadline_at"}},
		{"CallbackRecord", reflect.TypeFor[registry.CallbackInput](),
			[]string{"work_order_no", "vendor_uscc", "called_at", "result"}},
		{"VolumeRecord", reflect.TypeFor[registry.VolumeInput](),
			[]string{"vendor_uscc", "month", "orders", "source"}},
	}
	for _, rec := range records {
		s := oaObj(t, schemas[rec.schema], rec.schema)
		props := oaObj(t, s["properties"], rec.schema+".properties")
		if got, want := oaKeys(props), oaJSONTags(rec.typ); !slices.Equal(got, want) {
			t.Errorf("%s.properties = %v, want the JSON fields of %s: %v", rec.schema, got, rec.typ, want)
		}
		if s["additionalProperties"] != false {
			t.Errorf("%s: additionalProperties = %v, want false", rec.schema, s["additionalProperties"])
		}
		req := oaStrings(t, s["required"], rec.schema+".required")
		sort.Strings(req)
		want := slices.Clone(rec.required)
		sort.Strings(want)
		if !slices.Equal(req, want) {
			t.Errorf("%s.required = %v, want %v", rec.schema, req, want)
		}
		// Numbers are integers where the Go field is.
		for i := 0; i < rec.typ.NumField(); i++ {
			f := rec.typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			p := oaResolve(t, doc, props[name])
			if p == nil {
				continue
			}
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			wantType := map[reflect.Kind]string{reflect.String: "string", reflect.Int64: "integer", reflect.Int: "integer"}[ft.Kind()]
			if got, _ := p["type"].(string); got != "" && got != wantType {
				t.Errorf("%s.%s: type %q, want %q", rec.schema, name, got, wantType)
			}
		}
	}

	// Enumerations come from the same lists the validation uses.
	enum := func(schema, prop string) []string {
		p := oaResolve(t, doc, oaObj(t, oaObj(t, schemas[schema], schema)["properties"], schema)[prop])
		return oaStrings(t, p["enum"], schema+"."+prop+".enum")
	}
	var cats []string
	for _, c := range registry.Categories() {
		cats = append(cats, c.Code)
	}
	for _, c := range []struct {
		schema, prop string
		want         []string
	}{
		{"ComplaintRecord", "channel", registry.Channels},
		{"ComplaintRecord", "severity", registry.Severities},
		{"ComplaintRecord", "status", registry.ComplaintStatuses},
		{"ComplaintRecord", "outcome", registry.Outcomes},
		{"ComplaintRecord", "category", cats},
		{"CallbackRecord", "result", registry.CallbackResults},
		{"VolumeRecord", "source", registry.VolumeSources},
		{"IngestResult", "status", []string{registry.ResultCreated, registry.ResultUpdated, registry.ResultUnchanged,
			registry.ResultRejected, registry.ResultSuperseded}},
	} {
		if got := enum(c.schema, c.prop); !slices.Equal(got, c.want) {
			t.Errorf("%s.%s enum = %v, want %v", c.schema, c.prop, got, c.want)
		}
	}
	month := oaResolve(t, doc, oaObj(t, oaObj(t, schemas["VolumeRecord"], "VolumeRecord")["properties"], "")["month"])
	if month["pattern"] != `^\d{4}-(0[1-9]|1[0-2])$` {
		t.Errorf("VolumeRecord.month pattern = %v", month["pattern"])
	}
	uscc := oaObj(t, schemas["USCC"], "USCC")
	pat, _ := uscc["pattern"].(string)
	re, err := regexp.Compile(pat)
	if err != nil {
		t.Fatalf("USCC pattern %q: %v", pat, err)
	}
	if good := registry.MustUSCC("91120101MA05ABCD1"); !re.MatchString(good) {
		t.Errorf("USCC pattern rejects %s", good)
	}
	for _, bad := range []string{"91120101MA05ABCD1", "91120101MA05ABCDIO", "9112010XMA05ABCD1P"} {
		if re.MatchString(bad) {
			t.Errorf("USCC pattern accepts %s", bad)
		}
	}

	// The response shapes follow the Go types too.
	for _, c := range []struct {
		schema string
		typ    reflect.Type
	}{
		{"IngestSummary", reflect.TypeFor[registry.IngestSummary]()},
		{"IngestResult", reflect.TypeFor[registry.IngestResult]()},
		{"Membership", reflect.TypeFor[publicity.Membership]()},
		{"Stats", reflect.TypeFor[publicity.VendorStats]()},
		{"Sanction", reflect.TypeFor[publicity.SanctionInfo]()},
		{"HistoryEntry", reflect.TypeFor[publicity.HistoryEntry]()},
	} {
		props := oaObj(t, oaObj(t, schemas[c.schema], c.schema)["properties"], c.schema+".properties")
		if got, want := oaKeys(props), oaJSONTags(c.typ); !slices.Equal(got, want) {
			t.Errorf("%s.properties = %v, want %v", c.schema, got, want)
		}
	}
	// Every field the public Vendor carries is documented and required
	// (encoding/json always emits it; there is no omitempty).
	vendor := oaObj(t, schemas["Vendor"], "Vendor")
	props := oaObj(t, vendor["properties"], "Vendor.properties")
	required := oaStrings(t, vendor["required"], "Vendor.required")
	vt := reflect.TypeFor[publicity.Vendor]()
	for i := 0; i < vt.NumField(); i++ {
		name, opts, _ := strings.Cut(vt.Field(i).Tag.Get("json"), ",")
		if name == "-" {
			continue // not encoded
		}
		if props[name] == nil {
			t.Errorf("Vendor.%s is not documented", name)
		}
		if !strings.Contains(opts, "omitempty") && !slices.Contains(required, name) {
			t.Errorf("Vendor.%s is always present but not required", name)
		}
	}
}
