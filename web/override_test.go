package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"chengxin/registry"
)

// The regulator's vendor page gives every field its own id (the status,
// override and predecessor forms each have a reason); an override sent
// without a reason comes back with the error next to its field, labelled in
// the summary, and with the chosen grade still chosen, so sending it again
// with a reason sets that grade.
func TestOverrideFormKeepsGradeAndHasOwnFields(t *testing.T) {
	e := newEnv(t)
	reg := e.as(registry.RoleRegulator)
	page := "/console/vendors/" + e.vendor.USCC
	ids := func(r *resp) []string {
		seen, dups := map[string]bool{}, []string(nil)
		for _, n := range findAll(r.root(), func(n *html.Node) bool { _, ok := attr(n, "id"); return ok }) {
			id, _ := attr(n, "id")
			if seen[id] {
				dups = append(dups, id)
			}
			seen[id] = true
		}
		return dups
	}
	p := reg.get(page)
	wantStatus(t, p, http.StatusOK)
	if dups := ids(p); len(dups) > 0 {
		t.Errorf("duplicate ids on the vendor page: %v", dups)
	}
	until := e.clk.Now().AddDate(0, 2, 0).Format("2006-01-02")
	r := reg.submit(page+"/override", url.Values{"grade": {"C"}, "until": {until}, "override_reason": {"  "}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !r.Has("error-override_reason") {
		t.Errorf("no inline error at the override's reason: %s", r.TestID("override-section"))
	}
	if sum := r.TestID("override-section"); !strings.Contains(sum, "理由（将公开）：必填") {
		t.Errorf("override error summary = %q", sum)
	}
	if _, vals := r.Form(page + "/override"); vals.Get("grade") != "C" || vals.Get("until") != until {
		t.Errorf("the form lost what was chosen: %v", vals)
	}
	if dups := ids(r); len(dups) > 0 {
		t.Errorf("duplicate ids on the page with errors: %v", dups)
	}
	if _, err := e.db.ActiveOverride(context.Background(), e.vendor.ID); err == nil {
		t.Fatal("an override without a reason was stored")
	}
	_, vals := r.Form(page + "/override")
	vals.Set("override_reason", "涉嫌虚假宣传，调查期间")
	wantRedirect(t, reg.submit(page+"/override", vals), page)
	if o, err := e.db.ActiveOverride(context.Background(), e.vendor.ID); err != nil || o.Grade != "C" || o.Reason != "涉嫌虚假宣传，调查期间" {
		t.Errorf("override after resending the form: %+v %v", o, err)
	}

	r = reg.submit(page+"/predecessor", url.Values{"predecessor": {registry.MustUSCC("91120104MA0PRED01")}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if !r.Has("error-predecessor_reason") || !strings.Contains(r.TestID("predecessors"), "依据（将记入审计日志）：") {
		t.Errorf("predecessor without grounds: %q", r.TestID("predecessors"))
	}
}

// The predecessor form comes back with what the regulator typed when it is
// refused (an unknown code, a missing reason), so it can be corrected
// rather than typed again; corrected and sent again, it links.
func TestPredecessorFormKeepsWhatWasTyped(t *testing.T) {
	e := newEnv(t)
	reg := e.as(registry.RoleRegulator)
	page := "/console/vendors/" + e.vendor.USCC
	old := e.createVendor(registry.MustUSCC("91120104MA0PRED01"), "和平区旧登记家政服务部")
	unknown := registry.MustUSCC("91120105MA0PRED02")
	const reason = "同一经营者注销后重新登记（营业执照变更记录）"
	wantKept := func(r *resp, code, why string) url.Values {
		t.Helper()
		wantStatus(t, r, http.StatusUnprocessableEntity)
		_, vals := r.Form(page + "/predecessor")
		if vals.Get("predecessor") != code || vals.Get("predecessor_reason") != why {
			t.Errorf("the predecessor form lost what was typed: predecessor %q (want %q), reason %q (want %q)",
				vals.Get("predecessor"), code, vals.Get("predecessor_reason"), why)
		}
		return vals
	}

	r := reg.submit(page+"/predecessor", url.Values{"predecessor": {strings.ToLower(unknown)}, "predecessor_reason": {reason}})
	if !r.Has("error-predecessor") {
		t.Errorf("no inline error at the predecessor's code: %q", r.TestID("predecessors"))
	}
	wantKept(r, strings.ToLower(unknown), reason)

	r = reg.submit(page+"/predecessor", url.Values{"predecessor": {old.USCC}, "predecessor_reason": {" "}})
	if !r.Has("error-predecessor_reason") {
		t.Errorf("no inline error at the reason: %q", r.TestID("predecessors"))
	}
	vals := wantKept(r, old.USCC, " ")
	if preds, err := e.db.Predecessors(context.Background(), e.vendor.ID); err != nil || len(preds) != 0 {
		t.Fatalf("a refused form linked a predecessor: %v %v", preds, err)
	}

	vals.Set("predecessor_reason", reason)
	wantRedirect(t, reg.submit(page+"/predecessor", vals), page)
	if preds, err := e.db.Predecessors(context.Background(), e.vendor.ID); err != nil || len(preds) != 1 || preds[0].USCC != old.USCC || preds[0].Reason != reason {
		t.Errorf("predecessors after resending the form: %+v %v", preds, err)
	}
}

// After a failed POST the page's language switch leads to the page the
// form was on (the POST address takes no GET), not to a 405.
func TestLanguageSwitchAfterFailedPost(t *testing.T) {
	e := newEnv(t)
	c := e.as(registry.RoleRegulator)
	page := "/console/vendors/" + e.vendor.USCC
	c.get(page)
	form := url.Values{"grade": {"C"}, "override_reason": {""}, "until": {"2030-01-01"}, "csrf": {c.csrf}}
	req := httptest.NewRequest(http.MethodPost, page+"/override", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", "http://"+req.Host+page)
	r := c.do(req)
	if r.Code != http.StatusUnprocessableEntity {
		t.Fatalf("override without a reason: %d", r.Code)
	}
	if !strings.Contains(r.Body, `href="`+page+`?lang=en"`) {
		t.Errorf("language switch after the failed POST does not lead to %s", page)
	}
	if got := c.get(page + "?lang=en"); got.Code != http.StatusOK {
		t.Errorf("GET %s?lang=en: %d", page, got.Code)
	}
}
