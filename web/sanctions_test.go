package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"chengxin/registry"
)

// A regulator records a blacklist entry on the vendor page; it is audited,
// feeds the evaluation at once (grade D) and ends with a reason.
func TestSanctionCreateAndLift(t *testing.T) {
	e := newEnv(t)
	reg := e.as(registry.RoleRegulator)
	page := "/console/vendors/" + e.vendor.USCC
	p := reg.get(page)
	if !p.Has("sanction-form") {
		t.Fatal("the vendor page has no sanction form")
	}
	// Missing reference and summary: 422 with field errors, nothing stored.
	r := reg.submit(page+"/sanctions", url.Values{"kind": {"blacklist"}, "issued_at": {"2025-03-01"}})
	if r.Code != http.StatusUnprocessableEntity || !r.Has("error-reference") || !r.Has("error-summary") || e.count("sanctions") != 0 {
		t.Fatalf("bad sanction: %d, count %d", r.Code, e.count("sanctions"))
	}
	r = reg.submit(page+"/sanctions", url.Values{"kind": {"blacklist"}, "issued_at": {"2025-03-01"},
		"reference": {"津市监〔2025〕3号"}, "authority": {"天津市市场监督管理委员会"}, "summary": {"以欺诈手段收取预付费用"}})
	if r.Code != http.StatusSeeOther {
		t.Fatalf("create sanction: %d %s", r.Code, r)
	}
	if got := e.auditActions(e.vendor.USCC); !contains(got, "sanction.create") {
		t.Errorf("audit = %v", got)
	}
	if _, err := e.db.ProcessMarks(context.Background(), 100, e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	ev, err := e.db.LatestEvaluation(context.Background(), e.vendor.ID)
	if err != nil || ev.Grade != "D" || !ev.Evidence.Blacklisted {
		t.Fatalf("after a blacklist entry: %+v %v", ev.Grade, err)
	}
	p = reg.get(page)
	if text := p.TestID("sanctions"); !strings.Contains(text, "以欺诈手段收取预付费用") || !strings.Contains(text, "公示中") {
		t.Errorf("sanctions section = %q", text)
	}
	ss, _ := e.db.SanctionsOfVendor(context.Background(), e.vendor.ID)
	end := "/console/sanctions/" + itoa64(ss[0].ID) + "/end"
	if r := reg.submit(end, url.Values{"uscc": {e.vendor.USCC}, "how": {"lifted"}}); r.Code != http.StatusUnprocessableEntity ||
		!r.Has("flash") || e.countWhere("sanctions", "lifted_at IS NOT NULL") != 0 {
		t.Fatalf("lift without a reason: %d", r.Code)
	}
	e.clk.Advance(time.Hour)
	if r := reg.submit(end, url.Values{"uscc": {e.vendor.USCC}, "how": {"lifted"}, "reason": {"行政复议撤销"}}); r.Code != http.StatusSeeOther {
		t.Fatalf("lift: %d", r.Code)
	}
	if e.countWhere("sanctions", "lifted_at IS NOT NULL") != 1 || !contains(e.auditActions(e.vendor.USCC), "sanction.lifted") {
		t.Error("lifting not stored or not audited")
	}
	// Other roles cannot sanction.
	assoc := e.as(registry.RoleAssociation)
	assoc.get("/console/members")
	if r := assoc.submit(page+"/sanctions", url.Values{"kind": {"warning"}}); r.Code != http.StatusForbidden {
		t.Errorf("association sanctioning: %d", r.Code)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func (e *env) countWhere(table, where string) int {
	e.t.Helper()
	var n int
	if err := e.rawDB().QueryRow(`SELECT count(*) FROM ` + table + ` WHERE ` + where).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}
