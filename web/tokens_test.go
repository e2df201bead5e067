package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"chengxin/registry"
	"chengxin/registry/registrytest"
)

// tkCallback posts one callback to the ingest API with a bearer token.
func tkCallback(t *testing.T, e *env, token, wo string) *resp {
	t.Helper()
	b, err := json.Marshal(ingCallback(wo, vendorUSCC))
	if err != nil {
		t.Fatal(err)
	}
	return e.ingSend(ingestReq{path: "/api/v1/callbacks", token: token, ctype: "application/json", body: b})
}

// tkToken finds a token's record by name.
func tkToken(t *testing.T, e *env, name string) registry.APIToken {
	t.Helper()
	toks, err := e.db.FindTokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range toks {
		if tok.Name == name {
			return tok
		}
	}
	t.Fatalf("no token %q", name)
	return registry.APIToken{}
}

// tkRow returns the token table's row for name.
func tkRow(r *resp, name string) []string {
	for _, row := range r.TableRows("token-table") {
		if len(row) > 0 && row[0] == name {
			return row
		}
	}
	return nil
}

func TestConsoleTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	oldSecret, _ := e.ingestToken("dispatch-feed")
	reg := e.as(registry.RoleRegulator)

	r := reg.get("/console/tokens")
	wantStatus(t, r, http.StatusOK)
	if row := tkRow(r, "dispatch-feed"); len(row) != 5 || row[1] != "热线数据接入" || !strings.Contains(row[2], "2025-03-15") || !strings.Contains(row[2], "命令行") {
		t.Errorf("token row %q, want dispatch-feed, hotline ingest, created 2025-03-15 on the command line", row)
	}
	if strings.Contains(r.Body, oldSecret) || strings.Contains(r.Body, oldSecret[len(registry.TokenPrefix):]) {
		t.Error("the token list shows a secret")
	}
	if r.Has("token-secret") {
		t.Error("the token list has a secret section")
	}

	// Create: the secret is shown once.
	r = reg.submit("/console/tokens", url.Values{"name": {"hotline"}, "scope": {"ingest"}})
	wantStatus(t, r, http.StatusOK)
	if !r.Has("token-secret") {
		t.Fatalf("no secret section\n%s", r)
	}
	vals := r.InputValues("token-secret")
	if len(vals) != 1 || !strings.HasPrefix(vals[0], registry.TokenPrefix) || len(vals[0]) < len(registry.TokenPrefix)+20 {
		t.Fatalf("secret inputs %q", vals)
	}
	secret := vals[0]
	wantContains(t, "secret section", r.TestID("token-secret"), "hotline")
	if strings.Count(r.Body, secret) != 1 {
		t.Errorf("the secret appears %d times on the page, want once", strings.Count(r.Body, secret))
	}
	if row := tkRow(r, "hotline"); len(row) != 5 || !strings.Contains(row[2], "reg1") {
		t.Errorf("new token row %q", row)
	}
	var hash string
	if err := registrytest.SQL(t, e.db).QueryRow(`SELECT token_hash FROM api_tokens WHERE name = 'hotline'`).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if hash == "" || strings.Contains(hash, secret) || strings.Contains(secret, hash) {
		t.Errorf("stored token_hash %q is not a hash of the secret", hash)
	}
	r = reg.get("/console/tokens")
	wantStatus(t, r, http.StatusOK)
	if strings.Contains(r.Body, secret) || r.Has("token-secret") {
		t.Error("the secret is shown again on a later visit")
	}
	if rows := r.TableRows("token-table"); len(rows) != 2 || rows[0][0] != "hotline" || rows[1][0] != "dispatch-feed" {
		t.Errorf("token list %q, want hotline then dispatch-feed", rows)
	}

	// The secret works on the API.
	api := tkCallback(t, e, secret, "8890-TK-0001")
	wantStatus(t, api, http.StatusOK)
	if sum := decodeIngestSummary(t, api); sum.Accepted != 1 || sum.Results[0].Status != registry.ResultCreated {
		t.Errorf("ingest with the new token: %+v", sum)
	}

	if row := tkRow(reg.get("/console/tokens"), "hotline"); len(row) != 5 || row[3] != "2025-03-15 10:00" {
		t.Errorf("hotline row after use %q, want last used 2025-03-15 10:00", row)
	}

	// Invalid and duplicate names.
	for _, tc := range []struct{ name, msg string }{
		{"hot line!", "名称为 1–64 个字母、数字、点、下划线或连字符"},
		{"", "名称为 1–64 个字母、数字、点、下划线或连字符"},
		{strings.Repeat("a", 65), "名称为 1–64 个字母、数字、点、下划线或连字符"},
		{"hotline", ""},
	} {
		n := e.count("api_tokens")
		r = reg.submit("/console/tokens", url.Values{"name": {tc.name}, "scope": {"ingest"}})
		wantStatus(t, r, http.StatusUnprocessableEntity)
		if msg := r.TestID("error-name"); msg == "" || (tc.msg != "" && !strings.Contains(msg, tc.msg)) {
			t.Errorf("name %q: field error %q, want %q", tc.name, msg, tc.msg)
		}
		if r.Has("token-secret") {
			t.Errorf("name %q: a secret is shown", tc.name)
		}
		if got := r.InputValue("name"); got != strings.TrimSpace(tc.name) {
			t.Errorf("name %q: the form keeps %q", tc.name, got)
		}
		if e.count("api_tokens") != n {
			t.Errorf("name %q: a token was stored", tc.name)
		}
	}

	// Revoke.
	tok := tkToken(t, e, "hotline")
	path := "/console/tokens/" + strconv.FormatInt(tok.ID, 10) + "/revoke"
	if action, _ := reg.get("/console/tokens").Form(path); action != path {
		t.Errorf("no revoke form for hotline (%s)", path)
	}
	r = reg.submit(path, nil)
	wantRedirect(t, r, "/console/tokens")
	api = tkCallback(t, e, secret, "8890-TK-0002")
	wantIngestError(t, api, http.StatusUnauthorized, "unauthorized")
	if n := e.count("callbacks"); n != 1 {
		t.Errorf("%d callbacks stored, want 1", n)
	}
	r = reg.follow(r)
	wantStatus(t, r, http.StatusOK)
	if row := tkRow(r, "hotline"); len(row) != 5 || !strings.Contains(row[4], "已于 2025-03-15 吊销") || strings.Contains(row[4], "有效") {
		t.Errorf("revoked token row %q, want it marked revoked", row)
	}
	if action, _ := r.Form(path); action != "" {
		t.Error("a revoked token still has a revoke form")
	}
	if row := tkRow(r, "dispatch-feed"); len(row) != 5 || !strings.Contains(row[4], "有效") || strings.Contains(row[4], "已于") {
		t.Errorf("the other token's row %q, want it active", row)
	}
	wantStatus(t, tkCallback(t, e, oldSecret, "8890-TK-0003"), http.StatusOK)
	// Revoking again, or an unknown token: 404.
	wantStatus(t, reg.submit(path, nil), http.StatusNotFound)
	wantStatus(t, reg.submit("/console/tokens/999999/revoke", nil), http.StatusNotFound)
	wantStatus(t, reg.submit("/console/tokens/abc/revoke", nil), http.StatusNotFound)

	if acts := e.auditActions("token:hotline"); !slices.Equal(acts, []string{"token.create", "token.revoke"}) {
		t.Errorf("audit for token:hotline = %v, want [token.create token.revoke]", acts)
	}
	es, err := e.db.FindAudit(context.Background(), registry.AuditFilter{Subject: "token:hotline"})
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range es {
		if en.Actor != "user:reg1" {
			t.Errorf("audit %s by %s, want user:reg1", en.Action, en.Actor)
		}
		if strings.Contains(en.Detail, secret) {
			t.Errorf("audit %s detail carries the secret", en.Action)
		}
	}
}

func TestConsoleTokensForbidden(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, tok := e.ingestToken("dispatch-feed")
	path := "/console/tokens/" + strconv.FormatInt(tok.ID, 10) + "/revoke"
	for _, role := range []string{registry.RoleAssociation, registry.RoleVendor} {
		c := e.as(role)
		rlWantForbidden(t, role+" GET /console/tokens", c.get("/console/tokens"))
		rlWantForbidden(t, role+" create", c.submit("/console/tokens", url.Values{"name": {"sneaky"}, "scope": {"ingest"}}))
		rlWantForbidden(t, role+" revoke", c.submit(path, nil))
	}
	if n := e.count("api_tokens"); n != 1 {
		t.Errorf("%d tokens, want 1", n)
	}
	if tk := tkToken(t, e, "dispatch-feed"); tk.RevokedAt != nil {
		t.Error("a refused revoke revoked the token")
	}
	wantRedirect(t, e.client().get("/console/tokens"), "/console/login")
}
