package web_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"chengxin/publicity"
	"chengxin/registry"
	"chengxin/web"
)

// jsonKeys decodes a JSON object and lists its keys, sorted.
func jsonKeys(t *testing.T, body string) []string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, body)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// The checkpoint routes answer exactly CONTRACT's shapes: the key, the
// latest checkpoint (404 JSON before the first) and the list, newest first,
// 100 a page with a Link to the next; a checkpoint's signature verifies
// with the served key over the documented message, computed here
// independently.
func TestCheckpointAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	anon := e.client()
	r := anon.get("/api/v1/checkpoints/latest")
	if r.Code != http.StatusNotFound || !strings.Contains(r.Body, `"code":"not_found"`) || !strings.Contains(r.Body, "No checkpoint has been made yet") { // the JSON API speaks English
		t.Fatalf("latest before any: %d %s", r.Code, r.Body)
	}
	if r := anon.get("/api/v1/checkpoints"); r.Code != 200 || strings.TrimSpace(r.Body) != "[]" {
		t.Fatalf("list before any: %d %s", r.Code, r.Body)
	}
	r = anon.get("/api/v1/checkpoints/key")
	if r.Code != 200 || !slices.Equal(jsonKeys(t, r.Body), []string{"algorithm", "key_id", "public_key"}) {
		t.Fatalf("key: %d %s", r.Code, r.Body)
	}
	var key registry.CheckpointKeyInfo
	json.Unmarshal([]byte(r.Body), &key)
	raw, err := base64.StdEncoding.DecodeString(key.PublicKey)
	if err != nil || len(raw) != ed25519.PublicKeySize || key.Algorithm != "ed25519" || key.KeyID != registry.KeyID(raw) {
		t.Fatalf("key %+v: %v", key, err)
	}
	if r.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Error("the key is not open to other origins")
	}

	var made []registry.Checkpoint
	for i := 0; i < 103; i++ {
		e.createVendor(ingestUSCC(100+i), "检查点测试家政服务有限公司"+strconv.Itoa(i))
		cp, created, err := e.db.MakeCheckpoint(ctx)
		if err != nil || !created {
			t.Fatalf("MakeCheckpoint %d: %v %v", i, created, err)
		}
		made = append(made, cp)
	}
	newest := made[len(made)-1]
	r = anon.get("/api/v1/checkpoints/latest")
	if r.Code != 200 || !slices.Equal(jsonKeys(t, r.Body), []string{"at", "hash", "id", "key_id", "signature"}) {
		t.Fatalf("latest: %d %s", r.Code, r.Body)
	}
	var latest registry.Checkpoint
	json.Unmarshal([]byte(r.Body), &latest)
	if latest != newest {
		t.Fatalf("latest %+v, want %+v", latest, newest)
	}
	sig, _ := base64.StdEncoding.DecodeString(latest.Signature)
	msg := "chengxin-checkpoint/v1\n" + strconv.FormatInt(latest.ID, 10) + "\n" + latest.Hash + "\n" + latest.At + "\n"
	if !ed25519.Verify(raw, []byte(msg), sig) {
		t.Error("the served checkpoint's signature does not verify with the served key")
	}
	head, _ := e.db.FindAudit(ctx, registry.AuditFilter{Limit: 1})
	if latest.ID != head[0].ID || latest.Hash != head[0].Hash || !strings.HasSuffix(latest.At, "+08:00") {
		t.Errorf("latest %+v, head %d %s", latest, head[0].ID, head[0].Hash)
	}

	page := func(path string) ([]registry.Checkpoint, string) {
		t.Helper()
		r := anon.get(path)
		if r.Code != 200 {
			t.Fatalf("%s: %d %s", path, r.Code, r.Body)
		}
		var cps []registry.Checkpoint
		if err := json.Unmarshal([]byte(r.Body), &cps); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return cps, r.Header.Get("Link")
	}
	first, link := page("/api/v1/checkpoints")
	if len(first) != 100 || first[0] != newest || first[99] != made[3] {
		t.Fatalf("first page: %d items, first %d", len(first), first[0].ID)
	}
	want := `</api/v1/checkpoints?before=` + strconv.FormatInt(made[3].ID, 10) + `>; rel="next"`
	if link != want {
		t.Errorf("Link %q, want %q", link, want)
	}
	second, link := page("/api/v1/checkpoints?before=" + strconv.FormatInt(made[3].ID, 10))
	if len(second) != 3 || second[0] != made[2] || second[2] != made[0] || link != "" {
		t.Errorf("second page: %+v, Link %q", second, link)
	}
	for _, bad := range []string{"0", "-3", "abc", "1.5", "99999999999999999999"} {
		r := anon.get("/api/v1/checkpoints?before=" + bad)
		if r.Code != http.StatusBadRequest || !strings.Contains(r.Body, `"before"`) {
			t.Errorf("before=%s: %d %s", bad, r.Code, r.Body)
		}
	}
}

// Every publication run ends with a checkpoint of the chain's head.
func TestPublicationRunMakesCheckpoint(t *testing.T) {
	t.Parallel()
	e := publicEnv(t)
	ctx := context.Background()
	res, err := publicity.Publish(ctx, e.db, registry.CLIActor, e.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	head, _ := e.db.FindAudit(ctx, registry.AuditFilter{Limit: 1})
	if res.Checkpoint.ID != head[0].ID || head[0].Action != "publication.run" {
		t.Fatalf("run checkpoint %+v, head %d %s", res.Checkpoint, head[0].ID, head[0].Action)
	}
	var latest registry.Checkpoint
	json.Unmarshal([]byte(e.client().get("/api/v1/checkpoints/latest").Body), &latest)
	if latest != res.Checkpoint {
		t.Errorf("served %+v, run made %+v", latest, res.Checkpoint)
	}
}

// The OpenAPI schemas of the checkpoint routes list exactly the fields the
// code serves.
func TestOpenAPICheckpointSchemas(t *testing.T) {
	t.Parallel()
	doc, _ := oaServed(t, oaServer(t))
	schemas := oaObj(t, oaObj(t, doc["components"], "components")["schemas"], "schemas")
	for name, typ := range map[string]reflect.Type{"Checkpoint": reflect.TypeFor[registry.Checkpoint](), "CheckpointKey": reflect.TypeFor[registry.CheckpointKeyInfo]()} {
		s := oaObj(t, schemas[name], name)
		props := oaObj(t, s["properties"], name+".properties")
		if got, want := oaKeys(props), oaJSONTags(typ); !slices.Equal(got, want) {
			t.Errorf("%s.properties = %v, want %v", name, got, want)
		}
		req := oaStrings(t, s["required"], name+".required")
		sort.Strings(req)
		if !slices.Equal(req, oaJSONTags(typ)) || s["additionalProperties"] != false {
			t.Errorf("%s: required %v, additionalProperties %v", name, req, s["additionalProperties"])
		}
	}
	desc := oaJSON(schemas["Checkpoint"])
	if !strings.Contains(desc, `chengxin-checkpoint/v1`) {
		t.Error("the Checkpoint schema does not give the signed message")
	}
}

// /transparency explains checkpoints in Chinese and English, shows the key
// and the latest checkpoint, and gives commands with the public origin;
// every public page links to it from its footer.
func TestTransparencyPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *web.Config) { c.BaseURL = "https://chengxin.example.gov.cn/" })
	anon := e.client()
	r := anon.get("/transparency")
	if r.Code != 200 || r.TestID("transp-latest") == "" || !strings.Contains(r.TestID("transp-latest"), "尚未") {
		t.Fatalf("before any checkpoint: %d %q", r.Code, r.TestID("transp-latest"))
	}
	cp, _, err := e.db.MakeCheckpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	info, _ := e.db.CheckpointKey()
	for _, lang := range []string{"zh", "en"} {
		r := anon.get("/transparency?lang=" + lang)
		if r.Code != 200 || r.HTMLLang() != map[string]string{"zh": "zh-CN", "en": "en"}[lang] {
			t.Fatalf("%s: %d lang %q", lang, r.Code, r.HTMLLang())
		}
		if r.TestID("transp-key-id") != info.KeyID || r.TestID("transp-public-key") != info.PublicKey {
			t.Errorf("%s: key %q %q", lang, r.TestID("transp-key-id"), r.TestID("transp-public-key"))
		}
		if latest := r.TestID("transp-latest"); !strings.Contains(latest, strconv.FormatInt(cp.ID, 10)) || !strings.Contains(latest, cp.Hash) {
			t.Errorf("%s: latest %q", lang, latest)
		}
		for _, want := range []string{"curl -s https://chengxin.example.gov.cn/api/v1/checkpoints/latest", "openssl pkeyutl -verify",
			"MCowBQYDK2VwAyEA", "chengxin audit verify", `chengxin-checkpoint/v1\n{id}\n{hash}\n{at}\n`} {
			if !strings.Contains(r.TestID("transp-keep")+r.TestID("transp-check"), want) {
				t.Errorf("%s: the page lacks %q", lang, want)
			}
		}
		if r.H1() != map[string]string{"zh": "审计日志与签名检查点", "en": "Audit log and signed checkpoints"}[lang] {
			t.Errorf("%s: h1 %q", lang, r.H1())
		}
	}
	if home := anon.get("/"); !home.Has("footer-transparency") {
		t.Error("the home page's footer does not link to /transparency")
	}
}
