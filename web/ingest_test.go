package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"chengxin/registry"
	"chengxin/registry/registrytest"
)

// ingestUSCC is a valid code numbered n, distinct from the fixtures'.
func ingestUSCC(n int) string { return registry.MustUSCC(fmt.Sprintf("91120101MA0QA%04d", n)) }

// ingestToken issues an ingest token (CLI actor) and returns its secret.
func (e *env) ingestToken(name string) (string, registry.APIToken) {
	e.t.Helper()
	secret, tok, err := e.db.CreateToken(context.Background(), registry.CLIActor, name, registry.ScopeIngest)
	if err != nil {
		e.t.Fatalf("CreateToken %s: %v", name, err)
	}
	return secret, tok
}

// ingestReq is one request to an ingest route.
type ingestReq struct {
	path, token, ctype string
	body               []byte
	streamed           bool // no Content-Length
}

// send runs the request through the whole server.
func (e *env) ingSend(r ingestReq) *resp {
	e.t.Helper()
	var body io.Reader = bytes.NewReader(r.body)
	if r.streamed {
		body = io.NopCloser(bytes.NewReader(r.body)) // hides the length from httptest
	}
	req := httptest.NewRequest(http.MethodPost, r.path, body)
	if r.streamed {
		req.ContentLength = -1
	}
	if r.ctype != "" {
		req.Header.Set("Content-Type", r.ctype)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	req.RemoteAddr = "198.51.100.7:50000"
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return &resp{Code: res.StatusCode, Header: res.Header, Body: string(b)}
}

// ingest posts records as JSON (one object when given one map, else an
// array) and decodes the 200 summary.
func (e *env) ingestJSON(token, path string, body any) registry.IngestSummary {
	e.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.ingestBody(token, path, "application/json", b)
}

func (e *env) ingestBody(token, path, ctype string, body []byte) registry.IngestSummary {
	e.t.Helper()
	r := e.ingSend(ingestReq{path: path, token: token, ctype: ctype, body: body})
	if r.Code != http.StatusOK {
		e.t.Fatalf("POST %s: status %d, want 200\n%s", path, r.Code, r)
	}
	return decodeIngestSummary(e.t, r)
}

func decodeIngestSummary(t *testing.T, r *resp) registry.IngestSummary {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want application/json", ct)
	}
	dec := json.NewDecoder(strings.NewReader(r.Body))
	dec.DisallowUnknownFields()
	var sum registry.IngestSummary
	if err := dec.Decode(&sum); err != nil {
		t.Fatalf("summary: %v\n%s", err, r.Body)
	}
	if !strings.Contains(r.Body, `"results":[`) {
		t.Errorf("results is not an array: %s", r.Body)
	}
	return sum
}

// wantAPIError asserts a JSON error body with the code.
func wantIngestError(t *testing.T, r *resp, status int, code string) {
	t.Helper()
	if r.Code != status {
		t.Fatalf("status %d, want %d\n%s", r.Code, status, r)
	}
	var body struct {
		Error struct {
			Code    string            `json:"code"`
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
		t.Fatalf("error body is not JSON: %v\n%s", err, r.Body)
	}
	if body.Error.Code != code || body.Error.Message == "" {
		t.Errorf("error = %+v, want code %q and a message", body.Error, code)
	}
}

// wantResults checks each result's status (and index).
func wantIngestResults(t *testing.T, sum registry.IngestSummary, statuses ...string) {
	t.Helper()
	if len(sum.Results) != len(statuses) {
		t.Fatalf("%d results, want %d: %+v", len(sum.Results), len(statuses), sum.Results)
	}
	rejected := 0
	for i, want := range statuses {
		r := sum.Results[i]
		if r.Index != i {
			t.Errorf("results[%d].index = %d", i, r.Index)
		}
		if r.Status != want {
			t.Errorf("results[%d] (%s) status %q, want %q; errors %v", i, r.Key, r.Status, want, r.Errors)
		}
		if want == registry.ResultRejected {
			rejected++
			if len(r.Errors) == 0 {
				t.Errorf("results[%d] is rejected without errors", i)
			}
		} else if len(r.Errors) != 0 {
			t.Errorf("results[%d] (%s) has errors %v", i, r.Status, r.Errors)
		}
	}
	if sum.Rejected != rejected || sum.Accepted != len(statuses)-rejected {
		t.Errorf("accepted %d rejected %d, want %d and %d", sum.Accepted, sum.Rejected, len(statuses)-rejected, rejected)
	}
}

// wantError checks that result i is rejected with a message on field
// containing substr.
func wantRecordError(t *testing.T, sum registry.IngestSummary, i int, field, substr string) {
	t.Helper()
	r := sum.Results[i]
	if r.Status != registry.ResultRejected {
		t.Errorf("results[%d] (%s): status %q, want rejected on %s", i, r.Key, r.Status, field)
		return
	}
	msg, ok := r.Errors[field]
	if !ok {
		t.Errorf("results[%d] (%s): errors %v, want one on %q", i, r.Key, r.Errors, field)
		return
	}
	if !strings.Contains(msg, substr) {
		t.Errorf("results[%d].errors.%s = %q, want it to contain %q", i, field, msg, substr)
	}
}

// at formats t0+d as the API wants it.
func ingAt(d time.Duration) string { return t0.Add(d).Format(time.RFC3339) }

// complaint is a valid open complaint against uscc; mods change fields (a nil
// value removes the field).
func ingComplaint(wo, uscc string, mods ...map[string]any) map[string]any {
	c := map[string]any{"work_order_no": wo, "vendor_uscc": uscc, "received_at": ingAt(-5 * 24 * time.Hour),
		"channel": "phone", "category": "cleaning", "status": "open", "deadline_at": ingAt(2 * 24 * time.Hour)}
	return ingWith(c, mods...)
}

func ingClosed() map[string]any {
	return map[string]any{"status": "closed", "outcome": "mediated", "closed_at": ingAt(-2 * 24 * time.Hour)}
}

func ingWith(c map[string]any, mods ...map[string]any) map[string]any {
	for _, m := range mods {
		for k, v := range m {
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
		}
	}
	return c
}

func ingCallback(wo, uscc string, mods ...map[string]any) map[string]any {
	return ingWith(map[string]any{"work_order_no": wo, "vendor_uscc": uscc, "called_at": ingAt(-time.Hour), "result": "satisfied"}, mods...)
}

func ingVolume(uscc, month string, orders any, source string) map[string]any {
	return map[string]any{"vendor_uscc": uscc, "month": month, "orders": orders, "source": source}
}

// storedComplaint reads one stored complaint's columns.
func (e *env) ingStoredComplaint(wo string) (status, channel, severity, summary string, vendorID int64) {
	e.t.Helper()
	err := registrytest.SQL(e.t, e.db).QueryRow(`SELECT status, channel, severity, summary, vendor_id FROM complaints WHERE work_order_no = ?`, wo).
		Scan(&status, &channel, &severity, &summary, &vendorID)
	if err != nil {
		e.t.Fatalf("complaint %s: %v", wo, err)
	}
	return
}

func TestIngestAuthentication(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	good, _ := e.ingestToken("hotline")
	revoked, rtok := e.ingestToken("old-hotline")
	if err := e.db.RevokeToken(context.Background(), registry.CLIActor, rtok.ID); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(ingComplaint("8890-A-1", vendorUSCC))
	for _, c := range []struct{ name, auth string }{
		{"none", ""},
		{"empty bearer", "Bearer "},
		{"basic", "Basic aG90bGluZTpzZWNyZXQ="},
		{"bad token", "Bearer cx_not-a-token"},
		{"revoked", "Bearer " + revoked},
		{"token without scheme", good},
	} {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/complaints", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		r := &resp{Code: rec.Code, Header: rec.Header(), Body: rec.Body.String()}
		wantIngestError(t, r, http.StatusUnauthorized, "unauthorized")
		if h := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") {
			t.Errorf("%s: WWW-Authenticate %q, want a Bearer challenge", c.name, h)
		}
	}
	if n := e.count("complaints"); n != 0 {
		t.Fatalf("%d complaints stored by unauthenticated requests", n)
	}
	sum := e.ingestBody(good, "/api/v1/complaints", "application/json", body)
	wantIngestResults(t, sum, registry.ResultCreated)

	// The token's use is recorded; the revoked one stays revoked.
	toks, err := e.db.FindTokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range toks {
		switch tok.Name {
		case "hotline":
			if tok.LastUsedAt == nil || tok.RevokedAt != nil {
				t.Errorf("hotline: last used %v revoked %v", tok.LastUsedAt, tok.RevokedAt)
			}
		case "old-hotline":
			if tok.RevokedAt == nil {
				t.Errorf("old-hotline is not revoked")
			}
		}
	}
	// The audit log names the token.
	es, err := e.db.FindAudit(context.Background(), registry.AuditFilter{Action: "complaint.create", Subject: "8890-A-1"})
	if err != nil || len(es) != 1 || es[0].Actor != "token:hotline" {
		t.Errorf("audit = %+v, %v; want one complaint.create by token:hotline", es, err)
	}
}

func TestIngestContentTypes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok, _ := e.ingestToken("hotline")
	body, _ := json.Marshal(ingComplaint("8890-C-1", vendorUSCC))
	for _, ct := range []string{"text/plain", "", "application/xml", "multipart/form-data; boundary=x", "application/jsonx"} {
		r := e.ingSend(ingestReq{path: "/api/v1/complaints", token: tok, ctype: ct, body: body})
		wantIngestError(t, r, http.StatusUnsupportedMediaType, "unsupported_media_type")
	}
	for _, c := range []struct{ ctype, body string }{
		{"application/json", `{"work_order_no": "8890-C-2",`},
		{"application/json", `[{"work_order_no": "8890-C-2"}`},
		{"application/json", `{"a":1} {"b":2}`},
		{"application/json", ``},
		{"application/json", `not json`},
		{"application/x-ndjson", "{\"work_order_no\":\"8890-C-3\"}\n{broken\n"},
	} {
		r := e.ingSend(ingestReq{path: "/api/v1/complaints", token: tok, ctype: c.ctype, body: []byte(c.body)})
		wantIngestError(t, r, http.StatusBadRequest, "bad_request")
	}
	if n := e.count("complaints"); n != 0 {
		t.Fatalf("%d complaints stored by refused requests", n)
	}
	// Parameters of the media type are fine.
	sum := e.ingestBody(tok, "/api/v1/complaints", "application/json; charset=utf-8", body)
	wantIngestResults(t, sum, registry.ResultCreated)
}

func TestIngestBodyShapes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok, _ := e.ingestToken("hotline")

	// One object.
	sum := e.ingestJSON(tok, "/api/v1/complaints", ingComplaint("8890-S-1", vendorUSCC))
	wantIngestResults(t, sum, registry.ResultCreated)
	if sum.Results[0].Key != "8890-S-1" {
		t.Errorf("key %q", sum.Results[0].Key)
	}
	// An array.
	sum = e.ingestJSON(tok, "/api/v1/complaints", []any{ingComplaint("8890-S-2", vendorUSCC), ingComplaint("8890-S-3", vendorUSCC)})
	wantIngestResults(t, sum, registry.ResultCreated, registry.ResultCreated)
	if sum.Results[0].Key != "8890-S-2" || sum.Results[1].Key != "8890-S-3" {
		t.Errorf("keys %+v", sum.Results)
	}
	// An empty array.
	sum = e.ingestBody(tok, "/api/v1/complaints", "application/json", []byte(" [ ] "))
	wantIngestResults(t, sum)
	// NDJSON: blank lines are skipped, CRLF is fine, indexes count records.
	var nd bytes.Buffer
	for i, wo := range []string{"8890-S-4", "8890-S-5", "8890-S-1"} {
		b, _ := json.Marshal(ingComplaint(wo, vendorUSCC))
		nd.Write(b)
		if i == 0 {
			nd.WriteString("\r\n\n   \n")
		} else {
			nd.WriteString("\n")
		}
	}
	sum = e.ingestBody(tok, "/api/v1/complaints", "application/x-ndjson", nd.Bytes())
	wantIngestResults(t, sum, registry.ResultCreated, registry.ResultCreated, registry.ResultUnchanged)
	for i, wo := range []string{"8890-S-4", "8890-S-5", "8890-S-1"} {
		if sum.Results[i].Key != wo {
			t.Errorf("ndjson results[%d].key = %q, want %q", i, sum.Results[i].Key, wo)
		}
	}
	// A record that is not an object is rejected alone.
	sum = e.ingestJSON(tok, "/api/v1/complaints", []any{42, "x", ingComplaint("8890-S-6", vendorUSCC)})
	wantIngestResults(t, sum, registry.ResultRejected, registry.ResultRejected, registry.ResultCreated)
	if n := e.count("complaints"); n != 6 {
		t.Errorf("%d complaints stored, want 6", n)
	}
}

func TestIngestIdempotentUpdate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	tok, _ := e.ingestToken("hotline")
	open := ingComplaint("8890-U-1", vendorUSCC, map[string]any{"summary": "上门迟到"})
	sum := e.ingestJSON(tok, "/api/v1/complaints", open)
	wantIngestResults(t, sum, registry.ResultCreated)
	sum = e.ingestJSON(tok, "/api/v1/complaints", open)
	wantIngestResults(t, sum, registry.ResultUnchanged)

	closed := ingComplaint("8890-U-1", vendorUSCC, map[string]any{"summary": "上门迟到"}, ingClosed())
	sum = e.ingestJSON(tok, "/api/v1/complaints", closed)
	wantIngestResults(t, sum, registry.ResultUpdated)
	sum = e.ingestJSON(tok, "/api/v1/complaints", closed)
	wantIngestResults(t, sum, registry.ResultUnchanged)
	if status, _, _, _, _ := e.ingStoredComplaint("8890-U-1"); status != "closed" {
		t.Errorf("stored status %q, want closed", status)
	}

	es, err := e.db.FindAudit(ctx, registry.AuditFilter{Action: "complaint.update", Subject: "8890-U-1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 {
		t.Fatalf("%d complaint.update entries, want 1 (unchanged records write nothing)", len(es))
	}
	var detail struct {
		Before map[string]any `json:"before"`
		After  map[string]any `json:"after"`
	}
	if err := json.Unmarshal([]byte(es[0].Detail), &detail); err != nil {
		t.Fatalf("detail %s: %v", es[0].Detail, err)
	}
	if detail.Before["status"] != "open" || detail.Before["outcome"] != "" || (detail.Before["closed_at"] != nil && detail.Before["closed_at"] != "") {
		t.Errorf("before = %v, want the open complaint", detail.Before)
	}
	if detail.After["status"] != "closed" || detail.After["outcome"] != "mediated" || detail.After["closed_at"] != ingAt(-2*24*time.Hour) {
		t.Errorf("after = %v, want the closed complaint", detail.After)
	}
	if strings.Contains(es[0].Detail, "上门迟到") {
		t.Errorf("the audit log keeps the private summary: %s", es[0].Detail)
	}
	if creates := e.auditActions("8890-U-1"); len(creates) != 2 {
		t.Errorf("audit actions %v, want create and update only", creates)
	}
}

func TestIngestPartialAcceptance(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok, _ := e.ingestToken("hotline")
	unknown := ingestUSCC(9) // valid code, never registered
	sum := e.ingestJSON(tok, "/api/v1/complaints", []any{
		ingComplaint("8890-P-1", vendorUSCC),
		ingComplaint("8890-P-2", unknown),
		ingComplaint("8890-P-3", vendorUSCC),
		ingComplaint("8890-P-4", vendorUSCC[:17]),
	})
	wantIngestResults(t, sum, registry.ResultCreated, registry.ResultRejected, registry.ResultCreated, registry.ResultRejected)
	if got := sum.Results[1].Errors["vendor_uscc"]; got != "unknown vendor" {
		t.Errorf("errors.vendor_uscc = %q, want \"unknown vendor\"", got)
	}
	if sum.Results[1].Key != "8890-P-2" {
		t.Errorf("rejected key %q", sum.Results[1].Key)
	}
	if _, ok := sum.Results[3].Errors["vendor_uscc"]; !ok {
		t.Errorf("a 17-character code: errors %v", sum.Results[3].Errors)
	}
	if n := e.count("complaints"); n != 2 {
		t.Errorf("%d complaints stored, want 2", n)
	}
	var n int
	registrytest.SQL(t, e.db).QueryRow(`SELECT count(*) FROM complaints WHERE work_order_no IN ('8890-P-2', '8890-P-4')`).Scan(&n)
	if n != 0 {
		t.Errorf("a rejected record was stored")
	}
}

func TestIngestComplaintValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok, _ := e.ingestToken("hotline")
	rfc := "must be an RFC 3339 time with an offset, e.g. 2026-11-01T09:00:00+08:00"
	cases := []struct {
		rec          map[string]any
		field, error string // "" = accepted
	}{
		{ingComplaint("V-unknown-field", vendorUSCC, map[string]any{"colour": "red"}), "colour", "unknown field"},
		{ingComplaint("V-case-field", vendorUSCC, map[string]any{"Channel": "web"}), "Channel", "unknown field"},
		{ingComplaint("V-received-number", vendorUSCC, map[string]any{"received_at": 1741600000}), "received_at", "wrong type: expected string"},
		{ingComplaint("V-severity-bool", vendorUSCC, map[string]any{"severity": true}), "severity", "wrong type"},
		{ingComplaint("V-closed-bare", vendorUSCC, map[string]any{"status": "closed"}), "outcome", "required"},
		{ingComplaint("V-closed-bare2", vendorUSCC, map[string]any{"status": "closed"}), "closed_at", "a closed complaint needs closed_at"},
		{ingComplaint("V-closed-no-at", vendorUSCC, ingClosed(), map[string]any{"closed_at": nil}), "closed_at", "a closed complaint needs closed_at"},
		{ingComplaint("V-closed-no-outcome", vendorUSCC, ingClosed(), map[string]any{"outcome": nil}), "outcome", "required"},
		{ingComplaint("V-open-outcome", vendorUSCC, map[string]any{"outcome": "mediated"}), "outcome", "an open complaint has no outcome"},
		{ingComplaint("V-open-closed-at", vendorUSCC, map[string]any{"closed_at": ingAt(-time.Hour)}), "closed_at", "an open complaint has no closed_at"},
		{ingComplaint("V-closed-early", vendorUSCC, ingClosed(), map[string]any{"closed_at": ingAt(-6 * 24 * time.Hour)}), "closed_at", "must not be earlier than received_at"},
		{ingComplaint("V-deadline-early", vendorUSCC, map[string]any{"deadline_at": ingAt(-6 * 24 * time.Hour)}), "deadline_at", "must not be earlier than received_at"},
		{ingComplaint("V-future-10m", vendorUSCC, map[string]any{"received_at": ingAt(10 * time.Minute)}), "received_at", "must not be in the future"},
		{ingComplaint("V-future-2m", vendorUSCC, map[string]any{"received_at": ingAt(2 * time.Minute)}), "", ""},
		{ingComplaint("V-closed-future", vendorUSCC, ingClosed(), map[string]any{"closed_at": ingAt(10 * time.Minute)}), "closed_at", "must not be in the future"},
		{ingComplaint("V-no-offset", vendorUSCC, map[string]any{"received_at": "2025-03-10T09:00:00"}), "received_at", rfc},
		{ingComplaint("V-bare-date", vendorUSCC, map[string]any{"deadline_at": "2025-03-20"}), "deadline_at", rfc},
		{ingComplaint("V-space-time", vendorUSCC, map[string]any{"received_at": "2025-03-10 09:00:00"}), "received_at", rfc},
		{ingComplaint("V-channel", vendorUSCC, map[string]any{"channel": "fax"}), "channel", "must be one of"},
		{ingComplaint("V-category", vendorUSCC, map[string]any{"category": "astrology"}), "category", "astrology"},
		{ingComplaint("V-severity", vendorUSCC, map[string]any{"severity": "minor"}), "severity", "must be one of"},
		{ingComplaint("V-status", vendorUSCC, map[string]any{"status": "pending"}), "status", "must be one of"},
		{ingComplaint("V-no-status", vendorUSCC, map[string]any{"status": nil}), "status", "required"},
		{ingComplaint("V-no-deadline", vendorUSCC, map[string]any{"deadline_at": nil}), "deadline_at", "required"},
		{ingComplaint("", vendorUSCC), "work_order_no", "required"},
		{ingComplaint(strings.Repeat("9", 65), vendorUSCC), "work_order_no", "64"},
		{ingComplaint("V-no-vendor", vendorUSCC, map[string]any{"vendor_uscc": nil}), "vendor_uscc", "required"},
		{ingComplaint("V-summary-long", vendorUSCC, map[string]any{"summary": strings.Repeat("长", 2001)}), "summary", "2000"},
		{ingComplaint("V-severity-default", vendorUSCC), "", ""},
		{ingComplaint("V-closed-ok", vendorUSCC, ingClosed(), map[string]any{"severity": "major", "service_order_no": "SO-1"}), "", ""},
		{ingComplaint("V-lower-uscc", strings.ToLower(vendorUSCC)), "", ""},
	}
	var recs []any
	var want []string
	for _, c := range cases {
		recs = append(recs, c.rec)
		if c.field == "" {
			want = append(want, registry.ResultCreated)
		} else {
			want = append(want, registry.ResultRejected)
		}
	}
	sum := e.ingestJSON(tok, "/api/v1/complaints", recs)
	wantIngestResults(t, sum, want...)
	for i, c := range cases {
		if c.field != "" {
			wantRecordError(t, sum, i, c.field, c.error)
		}
	}
	if n := e.count("complaints"); n != 4 {
		t.Errorf("%d complaints stored, want 4", n)
	}
	if _, _, sev, _, _ := e.ingStoredComplaint("V-severity-default"); sev != "general" {
		t.Errorf("severity %q, want the default general", sev)
	}
	if _, _, sev, _, _ := e.ingStoredComplaint("V-closed-ok"); sev != "major" {
		t.Errorf("severity %q, want major", sev)
	}
	if _, _, _, _, vid := e.ingStoredComplaint("V-lower-uscc"); vid != e.vendor.ID {
		t.Errorf("a lower-case code stored for vendor #%d, want #%d", vid, e.vendor.ID)
	}
}

func TestIngestDuplicateKeyLastWins(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok, _ := e.ingestToken("hotline")
	sum := e.ingestJSON(tok, "/api/v1/complaints", []any{
		ingComplaint("8890-D-1", vendorUSCC, map[string]any{"channel": "phone"}),
		ingComplaint("8890-D-2", vendorUSCC),
		ingComplaint("8890-D-1", vendorUSCC, map[string]any{"channel": "weibo"}),
		ingComplaint("8890-D-1", vendorUSCC, map[string]any{"channel": "wechat"}),
	})
	wantIngestResults(t, sum, registry.ResultSuperseded, registry.ResultCreated, registry.ResultSuperseded, registry.ResultCreated)
	if _, ch, _, _, _ := e.ingStoredComplaint("8890-D-1"); ch != "wechat" {
		t.Errorf("stored channel %q, want wechat (the last record wins)", ch)
	}
	if es := e.auditActions("8890-D-1"); len(es) != 1 {
		t.Errorf("audit actions %v, want one create", es)
	}
	// Volumes: the key is the normalised code, the month and the source.
	sum = e.ingestJSON(tok, "/api/v1/volumes", []any{
		ingVolume(vendorUSCC, "2025-02", 10, "dispatch"),
		ingVolume(strings.ToLower(vendorUSCC), "2025-02", 12, "dispatch"),
		ingVolume(vendorUSCC, "2025-02", 12, "vendor_report"),
	})
	wantIngestResults(t, sum, registry.ResultSuperseded, registry.ResultCreated, registry.ResultCreated)
	var orders int
	registrytest.SQL(t, e.db).QueryRow(`SELECT orders FROM volumes WHERE month = '2025-02' AND source = 'dispatch'`).Scan(&orders)
	if orders != 12 {
		t.Errorf("stored orders %d, want 12", orders)
	}
}

func TestIngestSummaryMasked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok, _ := e.ingestToken("hotline")
	summary := "客户王女士（手机13812345678，身份证120101199001011234）反映保洁员迟到，订单号 SO20250310001。"
	sum := e.ingestJSON(tok, "/api/v1/complaints", ingComplaint("8890-M-1", vendorUSCC, map[string]any{"summary": summary}))
	wantIngestResults(t, sum, registry.ResultCreated)
	_, _, _, stored, _ := e.ingStoredComplaint("8890-M-1")
	for _, secret := range []string{"13812345678", "120101199001011234"} {
		if strings.Contains(stored, secret) {
			t.Errorf("stored summary keeps %s: %q", secret, stored)
		}
	}
	for _, want := range []string{"[手机号已隐去]", "[身份证号已隐去]", "SO20250310001", "王女士"} {
		if !strings.Contains(stored, want) {
			t.Errorf("stored summary %q lacks %q", stored, want)
		}
	}
	// Nothing private leaks into the public record or the audit log.
	r := e.client().get("/api/v1/vendors/" + vendorUSCC)
	if strings.Contains(r.Body, "王女士") || strings.Contains(r.Body, "13812345678") {
		t.Errorf("the public record shows the complaint's summary")
	}
	var n int
	registrytest.SQL(t, e.db).QueryRow(`SELECT count(*) FROM audit_log WHERE detail LIKE '%13812345678%' OR detail LIKE '%王女士%'`).Scan(&n)
	if n != 0 {
		t.Errorf("the audit log keeps the summary")
	}
}

func TestIngestCallbacks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok, _ := e.ingestToken("hotline")
	other := e.createVendor(ingestUSCC(1), "河西区示例保洁有限公司")
	sum := e.ingestJSON(tok, "/api/v1/callbacks", []any{
		ingCallback("CB-1", vendorUSCC),
		ingCallback("CB-2", vendorUSCC, map[string]any{"result": "happy"}),
		ingCallback("CB-3", vendorUSCC, map[string]any{"called_at": ingAt(10 * time.Minute)}),
		ingCallback("CB-4", vendorUSCC, map[string]any{"called_at": "2025-03-15T09:00:00"}),
		ingCallback("CB-5", vendorUSCC, map[string]any{"status": "closed"}),
		ingCallback("CB-6", ingestUSCC(2)),
		ingCallback("CB-7", other.USCC, map[string]any{"result": "unreachable"}),
	})
	wantIngestResults(t, sum, registry.ResultCreated, registry.ResultRejected, registry.ResultRejected, registry.ResultRejected,
		registry.ResultRejected, registry.ResultRejected, registry.ResultCreated)
	wantRecordError(t, sum, 1, "result", "must be one of")
	wantRecordError(t, sum, 2, "called_at", "future")
	wantRecordError(t, sum, 3, "called_at", "RFC 3339")
	wantRecordError(t, sum, 4, "status", "unknown field")
	wantRecordError(t, sum, 5, "vendor_uscc", "unknown vendor")
	if sum.Results[6].Key != "CB-7" {
		t.Errorf("key %q", sum.Results[6].Key)
	}
	sum = e.ingestJSON(tok, "/api/v1/callbacks", []any{ingCallback("CB-1", vendorUSCC), ingCallback("CB-7", other.USCC)})
	wantIngestResults(t, sum, registry.ResultUnchanged, registry.ResultUpdated)
	if n := e.count("callbacks"); n != 2 {
		t.Errorf("%d callbacks, want 2", n)
	}
}

func TestIngestVolumes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok, _ := e.ingestToken("hotline")
	sum := e.ingestJSON(tok, "/api/v1/volumes", []any{
		ingVolume(vendorUSCC, "2025-03", 120, "dispatch"),   // the current month (t0 is 2025-03-15)
		ingVolume(vendorUSCC, "2025-04", 120, "dispatch"),   // next month
		ingVolume(vendorUSCC, "2025-02", -1, "dispatch"),    // negative
		ingVolume(vendorUSCC, "2025-02", "ten", "dispatch"), // a string
		ingVolume(vendorUSCC, "2025-02", 3.5, "dispatch"),   // a fraction
		ingVolume(vendorUSCC, "2025-13", 1, "dispatch"),     // no such month
		ingVolume(vendorUSCC, "2025-2", 1, "dispatch"),      // not YYYY-MM
		ingVolume(vendorUSCC, "2025-02", 1, "hotline"),      // bad source
		ingVolume(vendorUSCC, "2025-02", 1_000_001, "vendor_report"),
		ingVolume(" "+strings.ToLower(vendorUSCC)+" ", "2024-12", 0, "vendor_report"),
	})
	wantIngestResults(t, sum, registry.ResultCreated, registry.ResultRejected, registry.ResultRejected, registry.ResultRejected,
		registry.ResultRejected, registry.ResultRejected, registry.ResultRejected, registry.ResultRejected,
		registry.ResultRejected, registry.ResultCreated)
	if k := sum.Results[0].Key; k != vendorUSCC+"/2025-03/dispatch" {
		t.Errorf("key %q, want USCC/YYYY-MM/source", k)
	}
	if k := sum.Results[9].Key; k != vendorUSCC+"/2024-12/vendor_report" {
		t.Errorf("key %q, want the normalised code", k)
	}
	wantRecordError(t, sum, 1, "month", "future")
	wantRecordError(t, sum, 2, "orders", "from 0 to")
	wantRecordError(t, sum, 3, "orders", "wrong type: expected integer")
	wantRecordError(t, sum, 4, "orders", "wrong type: expected integer")
	wantRecordError(t, sum, 5, "month", "YYYY-MM")
	wantRecordError(t, sum, 6, "month", "YYYY-MM")
	wantRecordError(t, sum, 7, "source", "must be one of")
	wantRecordError(t, sum, 8, "orders", "from 0 to")
	if k := sum.Results[3].Key; k != vendorUSCC+"/2025-02/dispatch" {
		t.Errorf("a wrongly typed record's key %q, want it read from the fields", k)
	}

	sum = e.ingestJSON(tok, "/api/v1/volumes", ingVolume(vendorUSCC, "2025-03", 130, "dispatch"))
	wantIngestResults(t, sum, registry.ResultUpdated)
	sum = e.ingestJSON(tok, "/api/v1/volumes", ingVolume(vendorUSCC, "2025-03", 130, "dispatch"))
	wantIngestResults(t, sum, registry.ResultUnchanged)
	if n := e.count("volumes"); n != 2 {
		t.Errorf("%d volumes, want 2", n)
	}
	if es := e.auditActions(vendorUSCC + "/2025-03/dispatch"); strings.Join(es, ",") != "volume.create,volume.update" {
		t.Errorf("audit actions %v", es)
	}
}

func TestIngestLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok, _ := e.ingestToken("hotline")
	records := func(n int, sep string) []byte {
		return []byte(strings.TrimSuffix(strings.Repeat(`{}`+sep, n), sep))
	}
	arr := func(n int) []byte { return append(append([]byte("["), records(n, ",")...), ']') }

	r := e.ingSend(ingestReq{path: "/api/v1/complaints", token: tok, ctype: "application/json", body: arr(10_001)})
	wantIngestError(t, r, http.StatusRequestEntityTooLarge, "too_large")
	r = e.ingSend(ingestReq{path: "/api/v1/callbacks", token: tok, ctype: "application/x-ndjson", body: records(10_001, "\n")})
	wantIngestError(t, r, http.StatusRequestEntityTooLarge, "too_large")

	// Exactly 10,000 records are taken (each rejected here: no fields).
	sum := e.ingestBody(tok, "/api/v1/volumes", "application/json", arr(10_000))
	if len(sum.Results) != 10_000 || sum.Rejected != 10_000 || sum.Accepted != 0 {
		t.Errorf("10,000 records: %d results, accepted %d, rejected %d", len(sum.Results), sum.Accepted, sum.Rejected)
	}

	// More than 10 MiB, announced or streamed.
	big := make([]byte, 10<<20+1)
	for i := range big {
		big[i] = ' '
	}
	big[0], big[len(big)-1] = '[', ']'
	for _, streamed := range []bool{false, true} {
		r := e.ingSend(ingestReq{path: "/api/v1/complaints", token: tok, ctype: "application/json", body: big, streamed: streamed})
		wantIngestError(t, r, http.StatusRequestEntityTooLarge, "too_large")
	}
	// Exactly 10 MiB is fine.
	exact := big[:10<<20]
	exact[len(exact)-1] = ']'
	sum = e.ingestBody(tok, "/api/v1/complaints", "application/json", exact)
	if len(sum.Results) != 0 {
		t.Errorf("results %v", sum.Results)
	}
	if n := e.count("complaints") + e.count("callbacks") + e.count("volumes"); n != 0 {
		t.Errorf("%d records stored", n)
	}
}

func TestIngestRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	busy, _ := e.ingestToken("busy")
	calm, _ := e.ingestToken("calm")
	// Requests that pass authentication and the limiter, then stop early
	// (415), so the loop is as tight as the server allows.
	hit := func(tok string) *resp {
		return e.ingSend(ingestReq{path: "/api/v1/volumes", token: tok, ctype: "text/plain", body: []byte("x")})
	}
	var limited atomic.Pointer[resp]
	var sent atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000 && limited.Load() == nil; i++ {
				sent.Add(1)
				r := hit(busy)
				switch r.Code {
				case http.StatusTooManyRequests:
					limited.CompareAndSwap(nil, r)
				case http.StatusUnsupportedMediaType:
				default:
					t.Errorf("status %d\n%s", r.Code, r)
					return
				}
			}
		}()
	}
	wg.Wait()
	r := limited.Load()
	if r == nil {
		t.Fatalf("%d requests from one token, none limited", sent.Load())
	}
	if sent.Load() <= 200 {
		t.Errorf("limited after %d requests, within the burst of 200", sent.Load())
	}
	wantIngestError(t, r, http.StatusTooManyRequests, "rate_limited")
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 {
		t.Errorf("Retry-After %q, want a positive number of seconds", r.Header.Get("Retry-After"))
	}
	// Another token is not affected.
	if r := hit(calm); r.Code != http.StatusUnsupportedMediaType {
		t.Errorf("second token: status %d, want 415 (not limited)", r.Code)
	}
	sum := e.ingestJSON(calm, "/api/v1/volumes", ingVolume(vendorUSCC, "2025-01", 5, "dispatch"))
	wantIngestResults(t, sum, registry.ResultCreated)
}

func TestIngestMarksAndDurability(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	tok, _ := e.ingestToken("hotline")
	other := e.createVendor(ingestUSCC(3), "南开区示例家电维修部")
	if n, err := e.db.CountMarks(ctx); err != nil || n != 0 {
		t.Fatalf("marks before ingest: %d, %v", n, err)
	}
	sum := e.ingestJSON(tok, "/api/v1/complaints", []any{
		ingComplaint("8890-K-1", vendorUSCC, ingClosed()),
		ingComplaint("8890-K-2", ingestUSCC(4)),
	})
	wantIngestResults(t, sum, registry.ResultCreated, registry.ResultRejected)

	// Durable when the response is sent: a fresh handle sees the record.
	fresh, err := registry.Open(ctx, e.db.DSN())
	if err != nil {
		t.Fatal(err)
	}
	var status, outcome string
	err = registrytest.SQL(t, fresh).QueryRow(`SELECT status, outcome FROM complaints WHERE work_order_no = '8890-K-1'`).Scan(&status, &outcome)
	fresh.Close()
	if err != nil || status != "closed" || outcome != "mediated" {
		t.Fatalf("fresh handle: status %q outcome %q, %v", status, outcome, err)
	}

	select {
	case <-e.db.MarkSignal():
	case <-time.After(5 * time.Second):
		t.Fatal("no mark signal after a successful ingest")
	}
	ids, err := e.db.TakeMarks(ctx, 100)
	if err != nil || len(ids) != 1 || ids[0] != e.vendor.ID {
		t.Fatalf("marks %v, %v; want only vendor #%d", ids, err, e.vendor.ID)
	}

	// Unchanged records mark nothing; a work order moved to another vendor
	// marks both.
	e.ingestJSON(tok, "/api/v1/complaints", ingComplaint("8890-K-1", vendorUSCC, ingClosed()))
	if n, _ := e.db.CountMarks(ctx); n != 0 {
		t.Errorf("%d marks after an unchanged record", n)
	}
	sum = e.ingestJSON(tok, "/api/v1/complaints", ingComplaint("8890-K-1", other.USCC, ingClosed()))
	wantIngestResults(t, sum, registry.ResultUpdated)
	if n, _ := e.db.CountMarks(ctx); n != 2 {
		t.Errorf("%d marks after moving a work order, want 2", n)
	}
	e.ingestJSON(tok, "/api/v1/callbacks", ingCallback("CB-K-1", vendorUSCC))
	e.ingestJSON(tok, "/api/v1/volumes", ingVolume(other.USCC, "2025-01", 7, "dispatch"))
	if n, _ := e.db.CountMarks(ctx); n != 2 {
		t.Errorf("%d marks, want 2 (one per vendor)", n)
	}
}

// TestIngestVolumeNeedsOrders: docs/CONTRACT.md lists `orders` without `?`, so a
// volume without it must be rejected, not stored (or overwritten) as 0.
func TestIngestVolumeNeedsOrders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok, _ := e.ingestToken("hotline")
	sum := e.ingestJSON(tok, "/api/v1/volumes", []any{
		map[string]any{"vendor_uscc": vendorUSCC, "month": "2025-01", "source": "dispatch"},
		map[string]any{"vendor_uscc": vendorUSCC, "month": "2025-02", "source": "dispatch", "orders": nil},
	})
	wantIngestResults(t, sum, registry.ResultRejected, registry.ResultRejected)
	wantRecordError(t, sum, 0, "orders", "required")
	wantRecordError(t, sum, 1, "orders", "required")
}

// TestIngestBearerSchemeCaseInsensitive: the auth scheme is case-insensitive
// (RFC 7235 §2.1, RFC 6750).
func TestIngestBearerSchemeCaseInsensitive(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok, _ := e.ingestToken("hotline")
	body, _ := json.Marshal(ingComplaint("8890-BS-1", vendorUSCC))
	req := httptest.NewRequest(http.MethodPost, "/api/v1/complaints", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "bearer "+tok)
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("Authorization: bearer …: status %d, want 200\n%s", rec.Code, rec.Body)
	}
}
