package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"chengxin/registry"
	"chengxin/registry/registrytest"
)

// Personal numbers in every spelling the issue names, and the digits each
// leaves once separators are taken out.
const (
	maskedText = "客户王女士 +86 139 1234 5678（tel13987654321），座机(022) 8765 4321，" +
		"身份证 120101-19880715-4321，金额1380元，工单8890-20250310-000123。"
)

var maskSecrets = []string{"13912345678", "13987654321", "87654321", "120101198807154321"}

// Every path that stores free text from outside masks personal numbers: the
// hotline's complaint summary (API and CSV), regulators' sanction summaries
// (console and CSV), vendors' replies and regulators' reasons (decisions,
// overrides, status changes, lifting a sanction). Afterwards no table of
// the database, the audit log included, holds one of the numbers in any
// spelling, while the amount and the work-order number survive.
func TestPersonalNumbersMaskedOnEveryPath(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()

	// API ingest.
	tok, _ := e.ingestToken("hotline")
	sum := e.ingestJSON(tok, "/api/v1/complaints", ingComplaint("8890-MASK-1", vendorUSCC, map[string]any{"summary": maskedText}))
	wantIngestResults(t, sum, registry.ResultCreated)

	// CSV imports (the console's import pages and `chengxin import` share them).
	csv := "work_order_no,vendor_uscc,received_at,channel,category,status,deadline_at,summary\n" +
		"8890-MASK-2," + vendorUSCC + ",2025-03-01,phone,cleaning,open,2025-03-20,\"" + maskedText + "\"\n"
	if rep, err := e.db.ImportComplaints(ctx, strings.NewReader(csv), registry.ImportOptions{Actor: registry.CLIActor}); err != nil || rep.Created != 1 {
		t.Fatalf("import complaints: %+v %v", rep, err)
	}
	sanctions := "vendor_uscc,kind,issued_at,reference,summary\n" + vendorUSCC + ",warning,2025-01-05,津市监〔2025〕1号,\"" + maskedText + "\"\n"
	if rep, err := e.db.ImportSanctions(ctx, strings.NewReader(sanctions), registry.ImportOptions{Actor: registry.CLIActor}); err != nil || rep.Created != 1 {
		t.Fatalf("import sanctions: %+v %v", rep, err)
	}

	// Console forms.
	reg := e.as(registry.RoleRegulator)
	page := "/console/vendors/" + e.vendor.USCC
	reg.get(page)
	for _, step := range []struct {
		path string
		form url.Values
	}{
		{page + "/sanctions", url.Values{"kind": {"fine"}, "issued_at": {"2025-03-01"}, "reference": {"津市监罚〔2025〕9号"}, "authority": {"天津市市场监督管理委员会"}, "summary": {maskedText}}},
		{page + "/override", url.Values{"grade": {"C"}, "override_reason": {maskedText}, "until": {"2025-06-30"}}},
	} {
		if r := reg.submit(step.path, step.form); r.Code != http.StatusSeeOther {
			t.Fatalf("POST %s: %d %s", step.path, r.Code, r)
		}
	}
	ss, err := e.db.SanctionsOfVendor(ctx, e.vendor.ID)
	if err != nil || len(ss) != 2 {
		t.Fatalf("sanctions: %d %v", len(ss), err)
	}
	if r := reg.submit("/console/sanctions/"+itoa64(ss[0].ID)+"/end", url.Values{"uscc": {e.vendor.USCC}, "how": {"lifted"}, "reason": {maskedText}}); r.Code != http.StatusSeeOther {
		t.Fatalf("lift: %d %s", r.Code, r)
	}
	ven := e.as(registry.RoleVendor)
	ven.get("/console/me")
	if r := ven.submit("/console/me/reply", url.Values{"reply": {"已与客户沟通。" + maskedText}}); r.Code != http.StatusSeeOther {
		t.Fatalf("reply: %d %s", r.Code, r)
	}
	var caseID int64
	if err := registrytest.SQL(t, e.db).QueryRow(`SELECT id FROM cases WHERE kind = 'reply'`).Scan(&caseID); err != nil {
		t.Fatal(err)
	}
	reg.get("/console/reviews")
	if r := reg.submit("/console/reviews/"+itoa64(caseID), url.Values{"decision": {registry.DecisionApprove}, "reason": {maskedText}}); r.Code != http.StatusSeeOther {
		t.Fatalf("decide: %d %s", r.Code, r)
	}
	reg.get(page)
	if r := reg.submit(page+"/status", url.Values{"status": {"suspended"}, "reason": {maskedText}}); r.Code != http.StatusSeeOther {
		t.Fatalf("suspend: %d %s", r.Code, r)
	}

	// Nothing stored anywhere keeps a personal number; what is ordinary stays.
	cells, hits := sweepDatabase(t, e)
	for _, h := range hits {
		t.Errorf("a personal number survives in %s", h)
	}
	var summary string
	registrytest.SQL(t, e.db).QueryRow(`SELECT summary FROM complaints WHERE work_order_no = '8890-MASK-2'`).Scan(&summary)
	for _, want := range []string{"王女士", "1380元", "8890-20250310-000123", registry.MaskedMobile, registry.MaskedLandline, registry.MaskedIDCard} {
		if !strings.Contains(summary, want) {
			t.Errorf("the stored summary %q lacks %q", summary, want)
		}
	}
	if cells < 100 {
		t.Errorf("the sweep read only %d text cells", cells)
	}
	t.Logf("%d text cells swept", cells)
}

// sweepDatabase reads every text cell of every table and reports those that
// hold one of maskSecrets once spaces, hyphens, dots, parentheses and
// full-width digits are folded away.
func sweepDatabase(t *testing.T, e *env) (int, []string) {
	t.Helper()
	db := e.rawDB()
	tables := registrytest.Tables(t, e.db)
	fold := strings.NewReplacer(" ", "", "-", "", ".", "", "(", "", ")", "", "（", "", "）", "", "+", "")
	cells := 0
	var hits []string
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var s string
				switch x := v.(type) {
				case string:
					s = x
				case []byte:
					s = string(x)
				default:
					continue
				}
				cells++
				folded := fold.Replace(s)
				for _, secret := range maskSecrets {
					if strings.Contains(folded, secret) {
						hits = append(hits, table+"."+cols[i]+": "+s)
					}
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return cells, hits
}
