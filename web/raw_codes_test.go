package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"chengxin/i18n"
	"chengxin/registry"
	"chengxin/scoring"
)

// rawCodes are the enumeration codes the registry stores: none may reach
// a console page as text (they are shown by their labels).
func rawCodes() []string {
	var out []string
	for _, list := range [][]string{registry.Channels, registry.Severities, registry.ComplaintStatuses, registry.Outcomes,
		registry.CallbackResults, registry.VolumeSources, registry.SanctionKinds, registry.MembershipStatuses, registry.OrgKinds,
		{registry.CaseGradeObjection, registry.CaseComplaintObjection, registry.CaseReply, registry.CaseRepair},
		{registry.DecisionUphold, registry.DecisionAmend, registry.DecisionApprove, registry.DecisionReject, "withdrawn"},
		{registry.VendorActive, registry.VendorSuspended, registry.VendorDeregistered},
		{registry.RoleRegulator, registry.RoleAssociation, registry.RoleVendor},
		{"running", "done", registry.ScopeIngest},
		{string(scoring.ActionFirst), string(scoring.ActionUnchanged), string(scoring.ActionDowngradePending),
			string(scoring.ActionDowngradeKept), string(scoring.ActionDowngradeNow), string(scoring.ActionUpgrade),
			string(scoring.ActionUpgradeHeld), string(scoring.ActionPendingPublished), string(scoring.ActionSuperseded),
			string(scoring.ActionObjectionUpheld), string(scoring.ActionObjectionAmended)},
		{"run", "matured", "review", "blacklist", "override"}, // publication causes
	} {
		out = append(out, list...)
	}
	for _, c := range registry.Categories() {
		out = append(out, c.Code)
	}
	return out
}

var (
	wordPattern = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)
	// actionCode is an audit action code ("case.open"), shown beside its
	// label on purpose, in the audit filter too.
	actionCode = regexp.MustCompile(`\b[a-z_]+(\.[a-z_]+)+\b`)
)

// visibleText is a page's text as a reader sees it, without the raw codes
// shown on purpose for auditors (<code>: audit actions and details).
func visibleText(r *resp) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && slices.Contains([]string{"code", "script", "style", "head"}, n.Data) {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte('\n')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(r.root())
	return b.String()
}

// Every console page these tools touched shows labels, never the codes
// behind them: in Chinese no code at all, in English none of those that
// are not English words (partially_substantiated, grade_objection, wechat…).
func TestConsoleShowsNoRawCodes(t *testing.T) {
	e := newToolsEnv(t)
	ctx := context.Background()
	at := func(d time.Duration) string { return t0.Add(-d).Format(time.RFC3339) }
	// A complaint of every outcome and severity, one still open.
	var cs []registry.ComplaintInput
	for i, o := range registry.Outcomes {
		cs = append(cs, registry.ComplaintInput{WorkOrderNo: fmt.Sprintf("8890-RAW-%d", i), VendorUSCC: estUSCC, ReceivedAt: at(time.Duration(200+i) * time.Hour),
			Channel: registry.Channels[i%len(registry.Channels)], Category: "cleaning", Severity: registry.Severities[i%3], Status: "closed", Outcome: o,
			DeadlineAt: at(time.Duration(150+i) * time.Hour), ClosedAt: at(time.Duration(100+i) * time.Hour)})
	}
	cs = append(cs, registry.ComplaintInput{WorkOrderNo: "8890-RAW-OPEN", VendorUSCC: estUSCC, ReceivedAt: at(10 * time.Hour),
		Channel: "app", Category: "maternity", Severity: "major", Status: "open", DeadlineAt: t0.Add(60 * time.Hour).Format(time.RFC3339)})
	if s, err := e.db.IngestComplaints(ctx, hotline, cs, nil); err != nil || s.Rejected > 0 {
		t.Fatalf("complaints: %+v %v", s, err)
	}
	// A sanction of every kind, one lifted; the blacklist entry last (it
	// publishes D at once and withdraws the pending downgrade objected to).
	sanction := func(i int, k string) {
		in := registry.SanctionInput{VendorUSCC: estUSCC, Kind: k, IssuedAt: t0.AddDate(0, -7, i).Format("2006-01-02"),
			Reference: fmt.Sprintf("津市监〔2024〕%d号", i+1), Authority: "天津市市场监督管理委员会", Summary: "处理摘要"}
		if _, err := e.db.CreateSanction(ctx, regActor, in); err != nil {
			t.Fatal(err)
		}
	}
	for i, k := range registry.SanctionKinds {
		if k != "blacklist" {
			sanction(i, k)
		}
	}
	ss, _ := e.db.SanctionsOfVendor(ctx, e.est.ID)
	var fine, warning int64
	for _, s := range ss {
		switch s.Kind {
		case "fine":
			fine = s.ID
		case "warning":
			warning = s.ID
		}
	}
	if err := e.db.EndSanction(ctx, regActor, warning, "lifted", "复议撤销"); err != nil {
		t.Fatal(err)
	}
	// A case of every kind: an open grade objection, a complaint objection
	// amended, an approved reply, a rejected repair.
	if _, err := e.db.ObjectToPendingGrade(ctx, estVendorAc, e.est.ID, "重复投诉", ""); err != nil {
		t.Fatal(err)
	}
	co, err := e.db.ObjectToComplaint(ctx, estVendorAc, e.est.ID, "8890-EST-CP-01", "客户已撤诉", "")
	if err != nil {
		t.Fatal(err)
	}
	reply, err := e.db.SubmitReply(ctx, estVendorAc, e.est.ID, "感谢监督")
	if err != nil {
		t.Fatal(err)
	}
	repair, err := e.db.ApplyForRepair(ctx, estVendorAc, e.est.ID, fine, "已整改")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []struct {
		id                int64
		decision, amended string
	}{{co.ID, registry.DecisionAmend, "partially_substantiated"}, {reply.ID, registry.DecisionApprove, ""}, {repair.ID, registry.DecisionReject, ""}} {
		if err := e.db.DecideCase(ctx, regActor, d.id, d.decision, "核查后决定", d.amended); err != nil {
			t.Fatal(err)
		}
	}
	sanction(len(registry.SanctionKinds), "blacklist")
	if _, err := e.db.OnboardMember(ctx, registry.CLIActor, e.org.ID, registry.VendorInput{USCC: estUSCC}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.db.CreateToken(ctx, registry.CLIActor, "hotline-feed", registry.ScopeIngest); err != nil {
		t.Fatal(err)
	}

	codes := rawCodes()
	regPages := []string{"/console/vendors/" + estUSCC, "/console/reviews", "/console/publications", "/console/publications/" + itoa64(e.run2),
		"/console/publications/" + itoa64(e.run1), "/console/pending", "/console/audit", "/console/tokens"}
	reg := e.as(registry.RoleRegulator)
	ven := e.login("vendor2")
	for _, lang := range []string{"zh", "en"} {
		check := func(c *client, page string) {
			r := c.get(page + "?lang=" + lang)
			if r.Code != 200 {
				t.Fatalf("GET %s (%s): %d", page, lang, r.Code)
			}
			words := map[string]bool{}
			for _, w := range wordPattern.FindAllString(actionCode.ReplaceAllString(visibleText(r), " "), -1) {
				words[w] = true
			}
			for _, code := range codes {
				if !words[code] {
					continue
				}
				if lang == "zh" || strings.Contains(code, "_") || slices.Contains([]string{"wechat", "weibo", "qq"}, code) {
					t.Errorf("%s (%s) shows the raw code %q", page, lang, code)
				}
			}
		}
		for _, p := range regPages {
			check(reg, p)
		}
		check(ven, "/console/me")
	}
	// The labels are there instead.
	r := reg.get("/console/vendors/" + estUSCC + "?lang=zh")
	for _, want := range []string{"微信", "手机应用", "重大", "部分属实", "非商户责任", "办理中", "严重处罚", "已于 2025-03-15 撤销"} {
		if !strings.Contains(visibleText(r), want) {
			t.Errorf("vendor page lacks the label %q", want)
		}
	}
	r = reg.get("/console/reviews?lang=en")
	for _, want := range []string{"objection to a complaint outcome", "amended to partially substantiated", "credit repair application"} {
		if !strings.Contains(visibleText(r), want) {
			t.Errorf("review queue lacks %q", want)
		}
	}
}

// auditCall finds the action of every audit entry the registry writes:
// db.audit(ctx, tx, actor, "action", …) and "prefix."+variable forms.
var auditCall = regexp.MustCompile(`\.audit\([^,]+, [^,]+, [^,]+, "([a-z_.]+)"(\+[a-z]+)?`)

// auditActionVar finds actions chosen into a variable first:
// action := "user.enable"; action = "user.disable".
var auditActionVar = regexp.MustCompile(`\baction :?= "([a-z_]+\.[a-z_.]+)"`)

// dynamicAuditActions are the suffixes of actions written as prefix+variable.
var dynamicAuditActions = map[string][]string{
	"sanction.": {"lifted", "repaired"},
	"membership.": {registry.MemberAccept, registry.MemberDecline, registry.MemberLeave, registry.MemberSuspend,
		registry.MemberReinstate, registry.MemberEnd, registry.MemberWithdraw, registry.MemberReinvite},
}

// Every action the registry writes has a label in both languages, so the
// audit page never shows an action by its code alone.
func TestEveryAuditActionHasALabel(t *testing.T) {
	files, err := filepath.Glob("../registry/*.go")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		matches := auditCall.FindAllStringSubmatch(string(src), -1)
		for _, m := range auditActionVar.FindAllStringSubmatch(string(src), -1) {
			matches = append(matches, []string{m[0], m[1], ""})
		}
		for _, m := range matches {
			actions := []string{m[1]}
			if m[2] != "" { // "sanction."+how, "membership."+action
				suffixes, known := dynamicAuditActions[m[1]]
				if !known {
					t.Errorf("%s writes audit actions %q+%s: list their suffixes in dynamicAuditActions", f, m[1], m[2][1:])
				}
				actions = nil
				for _, x := range suffixes {
					actions = append(actions, m[1]+x)
				}
			}
			for _, a := range actions {
				found++
				if zh, en, ok := i18n.Lookup("audit.action." + a); !ok || zh == "" || en == "" {
					t.Errorf("%s writes audit action %q, which has no label", f, a)
				}
			}
		}
	}
	if found < 30 {
		t.Fatalf("found only %d audit actions: the scanner is broken", found)
	}
}

// A choice list sent with a value it does not offer (a tampered form) gets
// "choose one of the options", not the list of codes the registry accepts.
func TestTamperedChoicesAnsweredInWords(t *testing.T) {
	e := newEnv(t)
	reg := e.as(registry.RoleRegulator)
	for _, tc := range []struct {
		page, action string
		form         url.Values
		field        string
	}{
		{"/console/users", "/console/users", url.Values{"username": {"newreg"}, "password": {password}, "role": {"root"}}, "role"},
		{"/console/orgs", "/console/orgs", url.Values{"uscc": {registry.MustUSCC("51120103MJ0TMP001")}, "name": {"协会"}, "kind": {"bank"},
			"district": {"120103"}}, "kind"},
		{"/console/vendors/" + vendorUSCC, "/console/vendors/" + vendorUSCC + "/status", url.Values{"status": {"closed"}, "reason": {"测试"}}, "status"},
		{"/console/vendors/" + vendorUSCC, "/console/vendors/" + vendorUSCC + "/sanctions", url.Values{"kind": {"ban"}, "issued_at": {"2025-03-01"},
			"reference": {"津〔2025〕1号"}, "authority": {"天津市市场监督管理委员会"}, "summary": {"摘要"}}, "kind"},
	} {
		for lang, want := range map[string]string{"zh": "请从列表中选择一项", "en": "choose one of the options in the list"} {
			reg.get(tc.page + "?lang=" + lang)
			r := reg.submit(tc.action, tc.form)
			wantStatus(t, r, http.StatusUnprocessableEntity)
			if got := r.TestID("error-" + tc.field); got != want {
				t.Errorf("%s %s (%s): error %q, want %q", tc.action, tc.field, lang, got, want)
			}
		}
	}
}
