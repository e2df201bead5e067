package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"chengxin/registry"
	"chengxin/scoring"
)

// rlAt formats t0+d as the API wants it.
func rlAt(d time.Duration) string { return t0.Add(d).Format(time.RFC3339) }

func rlDays(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// rlCity gives the fixture env a small city, evaluated at t0: a vendor with
// a long clean record (grade A, score between 90 and 95), the fixture vendor
// with a substantiated complaint and a new vendor without records (N). It
// returns every vendor id.
func rlCity(t *testing.T, e *env) []int64 {
	t.Helper()
	ctx := context.Background()
	in := vendorInput(registry.MustUSCC("91120101MA0RL0001"), "和平区长期守信家政服务有限公司")
	in.RegisteredAt = "2023-03-01"
	in.InsuranceValidUntil = "2026-06-30"
	good, err := e.db.CreateVendor(ctx, registry.CLIActor, in)
	if err != nil {
		t.Fatal(err)
	}
	fresh := e.createVendor(registry.MustUSCC("91120101MA0RL0002"), "和平区新开业家政服务有限公司")
	var cbs []registry.CallbackInput
	for i := 0; i < 24; i++ {
		result := "satisfied"
		if i%6 == 0 {
			result = "basically_satisfied"
		}
		cbs = append(cbs, registry.CallbackInput{WorkOrderNo: fmt.Sprintf("8890-RL-%04d", i), VendorUSCC: good.USCC,
			CalledAt: rlAt(-rlDays(2 + 2*i)), Result: result})
	}
	if sum, err := e.db.IngestCallbacks(ctx, registry.CLIActor, cbs, nil); err != nil || sum.Rejected != 0 {
		t.Fatalf("IngestCallbacks: %v %+v", err, sum)
	}
	var vols []registry.VolumeInput
	for m := 1; m <= 12; m++ {
		orders := int64(500)
		vols = append(vols, registry.VolumeInput{VendorUSCC: good.USCC, Month: t0.AddDate(0, -m, 0).Format("2006-01"), Orders: &orders, Source: "dispatch"})
	}
	if sum, err := e.db.IngestVolumes(ctx, registry.CLIActor, vols, nil); err != nil || sum.Rejected != 0 {
		t.Fatalf("IngestVolumes: %v %+v", err, sum)
	}
	c := registry.ComplaintInput{WorkOrderNo: "8890-RL-C001", VendorUSCC: e.vendor.USCC, ReceivedAt: rlAt(-rlDays(10)),
		Channel: "phone", Category: "cleaning", Severity: "general", Status: "closed", Outcome: "substantiated",
		DeadlineAt: rlAt(-rlDays(5)), ClosedAt: rlAt(-rlDays(7))}
	if sum, err := e.db.IngestComplaints(ctx, registry.CLIActor, []registry.ComplaintInput{c}, nil); err != nil || sum.Rejected != 0 {
		t.Fatalf("IngestComplaints: %v %+v", err, sum)
	}
	ids := []int64{e.vendor.ID, good.ID, fresh.ID}
	for _, id := range ids {
		if _, err := e.db.EvaluateVendor(ctx, id, t0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.db.TakeMarks(ctx, 100); err != nil {
		t.Fatal(err)
	}
	ev := rlEvaluate(t, e, scoring.DefaultRules(), good.ID)
	if ev.Grade != scoring.GradeA || ev.Score >= 95 {
		t.Fatalf("the clean vendor scores %v (%s), want A below 95", ev.Score, ev.Grade)
	}
	return ids
}

// rlEvaluate evaluates a vendor at the clock's now under rules.
func rlEvaluate(t *testing.T, e *env, rules scoring.Rules, id int64) scoring.Evaluation {
	t.Helper()
	in, err := e.db.LoadInputs(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return scoring.Evaluate(rules, in, e.clk.Now())
}

// rlUpload posts a multipart form with fields (the client's CSRF token
// added) and one file in fileField.
func rlUpload(c *client, path string, fields map[string]string, fileField, filename string, content []byte) *resp {
	c.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("csrf", c.csrf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if fileField != "" {
		fw, err := w.CreateFormFile(fileField, filename)
		if err != nil {
			c.t.Fatal(err)
		}
		fw.Write(content)
	}
	w.Close()
	req := httptest.NewRequest(http.MethodPost, path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

// rlCandidate is the HSCS-1.0 rules file renamed HSCS-test with A at 95.
func rlCandidate(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../scoring/testdata/hscs-1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, r := range [][2]string{{`"version": "HSCS-1.0"`, `"version": "HSCS-test"`}, {`"a": 90`, `"a": 95`}} {
		if !strings.Contains(s, r[0]) {
			t.Fatalf("rules file lacks %s", r[0])
		}
		s = strings.Replace(s, r[0], r[1], 1)
	}
	return []byte(s)
}

// rlMatrix reads the what-if matrix: from-grade → counts per to-grade.
func rlMatrix(r *resp) (header []string, rows map[string][]string) {
	rows = map[string][]string{}
	for _, tbl := range findAll(r.root(), byTestID("whatif-matrix")) {
		for _, th := range findAll(tbl, byTag("thead")) {
			for _, h := range findAll(th, byTag("th")) {
				header = append(header, text(h))
			}
		}
		for _, tb := range findAll(tbl, byTag("tbody")) {
			for _, tr := range findAll(tb, byTag("tr")) {
				from := findAll(tr, byTag("th"))
				if len(from) == 0 {
					continue
				}
				var cells []string
				for _, td := range findAll(tr, byTag("td")) {
					cells = append(cells, text(td))
				}
				rows[text(from[0])] = cells
			}
		}
	}
	return header, rows
}

// rlListItems is the text of every li inside data-testid=id.
func rlListItems(r *resp, id string) []string {
	var out []string
	for _, n := range findAll(r.root(), byTestID(id)) {
		for _, li := range findAll(n, byTag("li")) {
			out = append(out, text(li))
		}
	}
	return out
}

func rlWantForbidden(t *testing.T, what string, r *resp) {
	t.Helper()
	if r.Code != http.StatusForbidden {
		t.Errorf("%s: status %d, want 403", what, r.Code)
		return
	}
	if !strings.Contains(r.Body, "您的账号没有权限访问此页面") {
		t.Errorf("%s: 403 without the role message (a CSRF failure?)\n%s", what, r)
	}
}

func TestRulesPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	ids := rlCity(t, e)
	reg := e.as(registry.RoleRegulator)

	r := reg.get("/console/rules")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, "rules page", r.Body, "当前使用的评分规则为 HSCS-1.0")
	wantContains(t, "rules page", r.Body, scoring.DefaultRules().Hash())
	counts, err := e.db.GradeCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts["A"] != 1 || counts["N"] != 1 {
		t.Fatalf("grade counts %v, want one A and one N", counts)
	}
	var wantDist []string
	for _, g := range []string{"A", "B", "C", "D", "N"} {
		wantDist = append(wantDist, fmt.Sprintf("%s %d 家", g, counts[g]))
	}
	if got := rlListItems(r, "grade-distribution"); !slices.Equal(got, wantDist) {
		t.Errorf("grade distribution %q, want %q", got, wantDist)
	}
	priors, err := e.db.CityPriors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantPriors := [][]string{
		{"加权平均满意度（C）", fmt.Sprintf("%.3f", priors.SatisfactionMean), "0.8"},
		{"每千单核实投诉分值（r0）", fmt.Sprintf("%.3f", priors.ComplaintRate), "0.5"},
		{"已评价商户数", fmt.Sprint(len(ids)), "—"},
	}
	if got := r.TableRows("city-priors"); fmt.Sprint(got) != fmt.Sprint(wantPriors) {
		t.Errorf("city priors %q, want %q", got, wantPriors)
	}
	if priors.SatisfactionMean <= 0 || priors.ComplaintRate <= 0 {
		t.Errorf("city priors %+v, want positive means", priors)
	}

	// A file that is not rules: 422 with the error, nothing staged.
	nStaged := e.count("staged_imports")
	r = rlUpload(reg, "/console/rules/whatif", nil, "rules", "bad.json", []byte(`{"version": "HSCS-x", `))
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, "rules error", r.TestID("rules-error"), "规则文件无效")
	if r.Has("whatif-matrix") {
		t.Error("an invalid file shows a what-if matrix")
	}
	r = rlUpload(reg, "/console/rules/whatif", nil, "", "", nil)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, "rules error", r.TestID("rules-error"), "请选择规则文件")
	if n := e.count("staged_imports"); n != nStaged {
		t.Errorf("invalid uploads staged %d files", n-nStaged)
	}

	// The rules in force again: a matrix but nothing to adopt.
	same, err := os.ReadFile("../scoring/testdata/hscs-1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	r = rlUpload(reg, "/console/rules/whatif", nil, "rules", "hscs-1.0.json", same)
	wantStatus(t, r, http.StatusOK)
	if !r.Has("whatif-matrix") || r.Has("rules-adopt") {
		t.Errorf("what-if of the current rules: matrix %v, adopt button %v; want a matrix only", r.Has("whatif-matrix"), r.Has("rules-adopt"))
	}

	// A candidate: the matrix of a dry run, and nothing stored.
	nEval, nScores := e.count("evaluations"), e.count("vendor_scores")
	candidateFile := rlCandidate(t)
	candidate, err := scoring.ParseRules(candidateFile)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int{}
	for _, id := range ids {
		from := rlEvaluate(t, e, scoring.DefaultRules(), id).Grade
		to := rlEvaluate(t, e, candidate, id).Grade
		if want[from] == nil {
			want[from] = make([]int, 5)
		}
		want[from][slices.Index([]string{"A", "B", "C", "D", "N"}, to)]++
	}
	if want["A"][1] != 1 {
		t.Fatalf("expected transitions %v: the A vendor should become B under A ≥ 95", want)
	}
	r = rlUpload(reg, "/console/rules/whatif", nil, "rules", "candidate.json", candidateFile)
	wantStatus(t, r, http.StatusOK)
	header, matrix := rlMatrix(r)
	if len(header) != 6 || !slices.Equal(header[1:], []string{"A", "B", "C", "D", "N"}) {
		t.Errorf("matrix header %q", header)
	}
	if len(matrix) != len(want) {
		t.Errorf("matrix rows %v, want %v", matrix, want)
	}
	for from, cells := range want {
		var w []string
		for _, n := range cells {
			w = append(w, fmt.Sprint(n))
		}
		if !slices.Equal(matrix[from], w) {
			t.Errorf("matrix row %s = %q, want %q", from, matrix[from], w)
		}
	}
	wantContains(t, "what-if result", r.Body, "HSCS-test")
	if !r.Has("rules-adopt") {
		t.Fatalf("no adopt button\n%s", r)
	}
	action, form := r.Form("/console/rules/adopt")
	stage := form.Get("stage")
	if action != "/console/rules/adopt" || stage == "" {
		t.Fatalf("adopt form %q %v", action, form)
	}
	if e.count("evaluations") != nEval || e.count("vendor_scores") != nScores {
		t.Errorf("the what-if run stored evaluations")
	}
	if cur, _ := e.db.CurrentRules(ctx); cur.Version != "HSCS-1.0" {
		t.Errorf("CurrentRules = %s before adoption", cur.Version)
	}

	// Others may not see, run or adopt.
	for _, role := range []string{registry.RoleAssociation, registry.RoleVendor} {
		c := e.as(role)
		rlWantForbidden(t, role+" GET /console/rules", c.get("/console/rules"))
		rlWantForbidden(t, role+" what-if", rlUpload(c, "/console/rules/whatif", nil, "rules", "candidate.json", candidateFile))
		rlWantForbidden(t, role+" adopt", c.submit("/console/rules/adopt", map[string][]string{"stage": {stage}}))
	}
	if cur, _ := e.db.CurrentRules(ctx); cur.Version != "HSCS-1.0" {
		t.Fatalf("CurrentRules = %s after refused adoptions", cur.Version)
	}

	// Adopt.
	r = reg.submit("/console/rules/adopt", map[string][]string{"stage": {stage}})
	wantRedirect(t, r, "/console/rules")
	cur, err := e.db.CurrentRules(ctx)
	if err != nil || cur.Version != "HSCS-test" || cur.Hash() != candidate.Hash() || cur.Grades.A != 95 {
		t.Fatalf("CurrentRules = %s (A %v), %v; want HSCS-test with A 95", cur.Version, cur.Grades.A, err)
	}
	if acts := e.auditActions("rules:HSCS-test"); !slices.Equal(acts, []string{"rules.adopt"}) {
		t.Errorf("audit for rules:HSCS-test = %v, want [rules.adopt]", acts)
	}
	es, err := e.db.FindAudit(ctx, registry.AuditFilter{Action: "rules.adopt"})
	if err != nil || len(es) != 1 || es[0].Actor != "user:reg1" {
		t.Errorf("rules.adopt entries %+v, %v; want one by user:reg1", es, err)
	}
	if n, _ := e.db.CountMarks(ctx); n != len(ids) {
		t.Errorf("%d vendors marked after adoption, want %d", n, len(ids))
	}
	p := reg.follow(r)
	wantStatus(t, p, http.StatusOK)
	wantContains(t, "rules page after adoption", p.Body, "当前使用的评分规则为 HSCS-test")

	// The stage is used up.
	r = reg.submit("/console/rules/adopt", map[string][]string{"stage": {stage}})
	wantStatus(t, r, http.StatusNotFound)
	wantContains(t, "used stage", r.TestID("rules-error"), "预览已过期或已导入")
	if acts := e.auditActions("rules:HSCS-test"); len(acts) != 1 {
		t.Errorf("audit after a reused stage: %v", acts)
	}
}

// A candidate reusing an adopted version name for other values is refused
// at adoption with 409.
func TestRulesAdoptVersionTaken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rlCity(t, e)
	reg := e.as(registry.RoleRegulator)
	adopt := func(file []byte) *resp {
		t.Helper()
		r := rlUpload(reg, "/console/rules/whatif", nil, "rules", "candidate.json", file)
		wantStatus(t, r, http.StatusOK)
		_, form := r.Form("/console/rules/adopt")
		if form.Get("stage") == "" {
			t.Fatalf("no adopt form\n%s", r)
		}
		return reg.submit("/console/rules/adopt", map[string][]string{"stage": {form.Get("stage")}})
	}
	first := rlCandidate(t)
	wantRedirect(t, adopt(first), "/console/rules")
	// Back to HSCS-1.0, then other values under the name HSCS-test.
	same, err := os.ReadFile("../scoring/testdata/hscs-1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	wantRedirect(t, adopt(same), "/console/rules")
	other := strings.Replace(string(first), `"b": 75`, `"b": 76`, 1)
	r := adopt([]byte(other))
	wantStatus(t, r, http.StatusConflict)
	if !r.Has("rules-error") {
		t.Errorf("409 without the rules error\n%s", r)
	}
	if cur, _ := e.db.CurrentRules(context.Background()); cur.Version != "HSCS-1.0" {
		t.Errorf("CurrentRules = %s after a refused adoption, want HSCS-1.0", cur.Version)
	}
}
