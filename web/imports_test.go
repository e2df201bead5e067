package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"chengxin/registry"
	"chengxin/registry/registrytest"
)

// imNow is the clock of the import tests: the CSV times below are days before it.
var imNow = time.Date(2026, 1, 10, 10, 0, 0, 0, registry.Shanghai)

// imUnknown is a valid code no vendor has.
var imUnknown = registry.MustUSCC("91120101MA0QM9999")

// imEnv is the fixture env with its clock at imNow.
func imEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	e.clk.Advance(imNow.Sub(t0))
	return e
}

// imPreview uploads a file to the regulator's preview with a kind ("" leaves it out).
func imPreview(c *client, kind, filename, content string) *resp {
	c.t.Helper()
	fields := url.Values{"csrf": {c.csrf}}
	if kind != "" {
		fields.Set("kind", kind)
	}
	ctype, body := multipartBody(c.t, fields, filename, []byte(content))
	req := httptest.NewRequest(http.MethodPost, "/console/imports/preview", bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	return c.do(req)
}

// imConfirm submits the confirmation form a preview carries.
func imConfirm(t *testing.T, c *client, preview *resp) *resp {
	t.Helper()
	action, form := preview.Form("/console/imports/confirm")
	if action == "" || form.Get("stage") == "" {
		t.Fatalf("preview has no confirmation form\n%s", preview)
	}
	return c.post(action, form)
}

func imCSV(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// imReevalMarks lists the vendors marked for re-evaluation.
func imReevalMarks(t *testing.T, e *env) []int64 {
	t.Helper()
	rows, err := registrytest.SQL(t, e.db).Query(`SELECT vendor_id FROM reeval_marks ORDER BY vendor_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRegulatorImportForm(t *testing.T) {
	t.Parallel()
	e := imEnv(t)
	reg := e.as(registry.RoleRegulator)
	r := reg.get("/console/imports")
	wantStatus(t, r, http.StatusOK)
	var kinds []string
	for _, sel := range findAll(r.root(), func(n *html.Node) bool { v, _ := attr(n, "name"); return n.Data == "select" && v == "kind" }) {
		for _, o := range findAll(sel, byTag("option")) {
			v, _ := attr(o, "value")
			kinds = append(kinds, v)
		}
	}
	if want := []string{"complaints", "callbacks", "volumes", "sanctions", "vendors", "orgs"}; !slices.Equal(kinds, want) {
		t.Errorf("kind options %q, want %q", kinds, want)
	}
	var links []string
	for _, a := range findAll(r.root(), byTag("a")) {
		if href, _ := attr(a, "href"); strings.HasPrefix(href, "/console/imports/template/") {
			links = append(links, strings.TrimPrefix(href, "/console/imports/template/"))
		}
	}
	if want := []string{"complaints", "callbacks", "volumes", "sanctions", "vendors", "orgs"}; !slices.Equal(links, want) {
		t.Errorf("template links %q, want %q", links, want)
	}
	if action, _ := r.Form("/console/imports/preview"); action != "/console/imports/preview" {
		t.Errorf("no upload form to /console/imports/preview")
	}

	for _, kind := range []string{"complaints", "callbacks", "volumes"} {
		r := reg.get("/console/imports/template/" + kind)
		wantStatus(t, r, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("%s template Content-Type %q", kind, ct)
		}
		wantContains(t, kind+" template disposition", r.Header.Get("Content-Disposition"), kind+"-template.csv")
		if !strings.HasPrefix(r.Body, "\ufeff") {
			t.Errorf("%s template has no BOM: %q", kind, r.Body[:min(20, len(r.Body))])
			continue
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
		if err != nil || len(recs) != 2 {
			t.Errorf("%s template: %d records, %v", kind, len(recs), err)
			continue
		}
		if want := registry.RecordCSVHeader(kind); !slices.Equal(recs[0], want) || len(recs[1]) != len(want) {
			t.Errorf("%s template header %q (example %d cells), want %q", kind, recs[0], len(recs[1]), want)
		}
	}
	wantStatus(t, reg.get("/console/imports/template/members"), http.StatusNotFound)

	// Each template's example row imports as it is once its vendor exists.
	e.createVendor(registry.MustUSCC("91120101MA05XXXX0"), "天津示例家政服务有限公司")
	for _, kind := range []string{"complaints", "callbacks", "volumes"} {
		tpl := reg.get("/console/imports/template/" + kind)
		r := imPreview(reg, kind, kind+"-template.csv", tpl.Body)
		wantStatus(t, r, http.StatusOK)
		rows := r.TableRows("import-rows")
		if len(rows) != 1 || len(rows[0]) != 4 || strings.Contains(rows[0][3], "有错误") {
			t.Errorf("%s template example: preview rows %q, want one valid row", kind, rows)
		}
	}
	wantStatus(t, reg.get("/console/imports/template/users"), http.StatusNotFound)
}

func TestRegulatorImportComplaints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := imEnv(t)
	reg := e.as(registry.RoleRegulator)
	v := e.vendor.USCC
	file := imCSV(strings.Join(registry.RecordCSVHeader("complaints"), ","),
		"8890-IM-0001,"+v+",2026-01-05 09:00,phone,cleaning,closed,2026-01-08 09:00,general,substantiated,2026-01-06 09:00,,",
		"8890-IM-0004,"+imUnknown+",2026-01-05 09:00,phone,cleaning,open,2026-01-08 09:00,general,,,,",
		"8890-IM-0002,"+v+",2026-01-05 10:00,wechat,cleaning,open,2026-01-08 10:00,serious,,,,",
		"8890-IM-0003,"+v+",2026-01-06 09:00,phone,cleaning,closed,2026-01-09 09:00,general,mediated,2026-01-07 09:00,SO-1,空调清洗不到位")
	if _, err := e.db.TakeMarks(ctx, 100); err != nil {
		t.Fatal(err)
	}

	r := imPreview(reg, "complaints", "complaints.csv", file)
	wantStatus(t, r, http.StatusOK)
	if n := e.count("complaints"); n != 0 {
		t.Fatalf("the preview stored %d complaints", n)
	}
	if marks := imReevalMarks(t, e); len(marks) != 0 {
		t.Errorf("the preview marked vendors %v", marks)
	}
	rows := r.TableRows("import-rows")
	if len(rows) != 4 {
		t.Fatalf("preview rows %q, want 4", rows)
	}
	if got := column(rows, 0); !slices.Equal(got, []string{"2", "3", "4", "5"}) {
		t.Errorf("preview line numbers %q, want 2–5", got)
	}
	if rows[1][1] != "8890-IM-0004" || !strings.Contains(rows[1][3], "未登记的商户") {
		t.Errorf("rejected row %q, want 8890-IM-0004 with the unknown vendor", rows[1])
	}
	for _, i := range []int{0, 2, 3} {
		if strings.Contains(rows[i][3], "有错误") {
			t.Errorf("valid row %q shown as rejected", rows[i])
		}
	}
	wantContains(t, "preview summary", r.TestID("import-summary"), "新登记 3，更新 0，邀请已登记商户 0，无变化 0，有错误 1")

	r = imConfirm(t, reg, r)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, "import done", r.TestID("import-done"), "新登记 3")
	wantContains(t, "import done", r.TestID("import-done"), "未保存的错误行 1")
	if n := e.count("complaints"); n != 3 {
		t.Errorf("%d complaints stored, want 3", n)
	}
	var received string
	var vendorID int64
	if err := registrytest.SQL(t, e.db).QueryRow(`SELECT received_at, vendor_id FROM complaints WHERE work_order_no = '8890-IM-0001'`).Scan(&received, &vendorID); err != nil {
		t.Fatal(err)
	}
	if received != "2026-01-05T01:00:00Z" || vendorID != e.vendor.ID {
		t.Errorf("8890-IM-0001 received %s by vendor #%d, want 2026-01-05T01:00:00Z (09:00 in Tianjin) by #%d", received, vendorID, e.vendor.ID)
	}
	if marks := imReevalMarks(t, e); !slices.Equal(marks, []int64{e.vendor.ID}) {
		t.Errorf("marked vendors %v, want [%d]", marks, e.vendor.ID)
	}
	// Confirming twice does nothing.
	again := reg.post("/console/imports/confirm", url.Values{"csrf": {reg.csrf}, "kind": {"complaints"}, "stage": {"used"}})
	wantStatus(t, again, http.StatusNotFound)
	if n := e.count("complaints"); n != 3 {
		t.Errorf("%d complaints after a second confirmation", n)
	}
}

func TestRegulatorImportCallbacksAndVolumes(t *testing.T) {
	t.Parallel()
	e := imEnv(t)
	reg := e.as(registry.RoleRegulator)
	v := e.vendor.USCC

	r := imPreview(reg, "callbacks", "callbacks.csv", imCSV("work_order_no,vendor_uscc,called_at,result",
		"8890-IMCB-1,"+v+",2026-01-05 10:00,satisfied", "8890-IMCB-2,"+v+",2026-01-06 10:00,unreachable"))
	wantStatus(t, r, http.StatusOK)
	if e.count("callbacks") != 0 {
		t.Fatal("the callbacks preview stored rows")
	}
	// The confirmation keeps the kind.
	if _, form := r.Form("/console/imports/confirm"); form.Get("kind") != "callbacks" {
		t.Errorf("confirmation form kind %q, want callbacks", form.Get("kind"))
	}
	r = imConfirm(t, reg, r)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, "callbacks done", r.TestID("import-done"), "新登记 2")
	if n := e.count("callbacks"); n != 2 {
		t.Errorf("%d callbacks stored, want 2", n)
	}

	r = imPreview(reg, "volumes", "volumes.csv", imCSV("vendor_uscc,month,orders,source",
		v+",2025-12,120,dispatch", v+",2025-12,130,vendor_report", v+",2025-11,abc,dispatch"))
	wantStatus(t, r, http.StatusOK)
	rows := r.TableRows("import-rows")
	if len(rows) != 3 || rows[2][0] != "4" || !strings.Contains(rows[2][3], "有错误") {
		t.Errorf("volume preview rows %q, want line 4 rejected", rows)
	}
	r = imConfirm(t, reg, r)
	wantStatus(t, r, http.StatusOK)
	var orders int64
	if err := registrytest.SQL(t, e.db).QueryRow(`SELECT count(*), sum(orders) FROM volumes WHERE vendor_id = ?`, e.vendor.ID).Scan(new(int), &orders); err != nil {
		t.Fatal(err)
	}
	if n := e.count("volumes"); n != 2 || orders != 250 {
		t.Errorf("%d volumes with %d orders stored, want 2 with 250", n, orders)
	}

	// No kind, or one the regulator's flow does not offer: 422, nothing staged.
	staged := e.count("staged_imports")
	r = imPreview(reg, "", "callbacks.csv", imCSV("work_order_no,vendor_uscc,called_at,result", "8890-IMCB-3,"+v+",2026-01-05 10:00,satisfied"))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, "missing kind", r.TestID("import-file-error"), "请选择数据类型")
	r = imPreview(reg, "members", "callbacks.csv", imCSV("work_order_no,vendor_uscc,called_at,result", "8890-IMCB-3,"+v+",2026-01-05 10:00,satisfied"))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if n := e.count("staged_imports"); n != staged {
		t.Errorf("rejected uploads staged %d files", n-staged)
	}
	if n := e.count("callbacks"); n != 2 {
		t.Errorf("%d callbacks after rejected uploads, want 2", n)
	}
	// A file of another kind's columns is a file error.
	r = imPreview(reg, "volumes", "callbacks.csv", imCSV("work_order_no,vendor_uscc,called_at,result", "8890-IMCB-3,"+v+",2026-01-05 10:00,satisfied"))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !r.Has("import-file-error") {
		t.Errorf("wrong columns without a file error\n%s", r)
	}
}

func TestRegulatorImportForbidden(t *testing.T) {
	t.Parallel()
	e := imEnv(t)
	file := imCSV("work_order_no,vendor_uscc,called_at,result", "8890-IMCB-9,"+e.vendor.USCC+",2026-01-05 10:00,satisfied")
	for _, role := range []string{registry.RoleAssociation, registry.RoleVendor} {
		c := e.as(role)
		rlWantForbidden(t, role+" GET /console/imports", c.get("/console/imports"))
		rlWantForbidden(t, role+" template", c.get("/console/imports/template/complaints"))
		rlWantForbidden(t, role+" preview", imPreview(c, "callbacks", "callbacks.csv", file))
		rlWantForbidden(t, role+" confirm", c.submit("/console/imports/confirm", url.Values{"kind": {"callbacks"}, "stage": {"x"}}))
	}
	if n := e.count("callbacks"); n != 0 {
		t.Errorf("%d callbacks stored by refused requests", n)
	}
	// Anonymous: to the login page.
	anon := e.client()
	wantRedirect(t, anon.get("/console/imports"), "/console/login")
}

// A preview names each rejected field by its label, in the page's
// language, for every kind of file (the record and sanction columns had no
// labels, so previews showed "field.vendor_uscc").
func TestImportPreviewNamesFields(t *testing.T) {
	t.Parallel()
	e := imEnv(t)
	reg := e.as(registry.RoleRegulator)
	for _, c := range []struct{ kind, file, zh, en string }{
		{"complaints", imCSV(strings.Join(registry.RecordCSVHeader("complaints"), ","),
			"8890-IML-1,"+imUnknown+",2026-01-05 09:00,fax,cleaning,open,2026-01-08 09:00,,,,,"), "商户统一社会信用代码", "Vendor's USCC"},
		{"callbacks", imCSV("work_order_no,vendor_uscc,called_at,result", "8890-IML-2,"+e.vendor.USCC+",yesterday,satisfied"), "回访时间", "Called at"},
		{"volumes", imCSV("vendor_uscc,month,orders,source", e.vendor.USCC+",2025-13,12,dispatch"), "月份", "Month"},
		{"sanctions", imCSV(strings.Join(registry.SanctionCSVHeader(), ","), e.vendor.USCC+",warning,2025-01-10,,摘要,,"), "文号", "Reference"},
	} {
		for _, lang := range []string{"zh", "en"} {
			want := c.zh
			if lang == "en" {
				want = c.en
			}
			reg.get("/console/imports?lang=" + lang)
			r := imPreview(reg, c.kind, c.kind+".csv", c.file)
			wantStatus(t, r, http.StatusOK)
			rows := r.TableRows("import-rows")
			if len(rows) != 1 || len(rows[0]) < 4 {
				t.Fatalf("%s preview rows %q, want one", c.kind, rows)
			}
			if msg := rows[0][3]; !strings.Contains(msg, want) || strings.Contains(msg, "field.") {
				t.Errorf("%s (%s) preview error %q, want it to name %q", c.kind, lang, msg, want)
			}
		}
	}
}
