package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"chengxin/registry"
)

// TestRegulatorFindsAndEditsVendor: a regulator on a phone and on a desktop
// searches the register, opens a vendor and meets a clear error on a bad code.
func TestRegulatorFindsAndEditsVendor(t *testing.T) {
	for _, width := range []int{390, 1280} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			f := newFixture(t)
			ctx := f.browser(width)
			f.login(ctx, "reg")
			f.run(ctx, "vendor list", chromedp.WaitVisible(chromedp.CSS(`[data-testid=vendor-table]`)))
			f.noHorizontalScroll(ctx, "vendor list")
			f.checkAxe(ctx, "vendor list")
			f.screenshot(ctx, "vendor-list")

			f.run(ctx, "search", chromedp.SendKeys(chromedp.CSS(`[data-testid=vendor-q]`), "洁亮"))
			f.submit(ctx, "search submit", chromedp.Submit(chromedp.CSS(`[data-testid=vendor-q]`)))
			if got := f.text(ctx, `[data-testid=vendor-total]`); !strings.Contains(got, "1") {
				t.Fatalf("search total = %q, want 1 match", got)
			}
			table := f.text(ctx, `[data-testid=vendor-table]`)
			if !strings.Contains(table, "天津南开洁亮保洁服务有限公司") || strings.Contains(table, "安心") {
				t.Fatalf("search results = %q", table)
			}
			f.submit(ctx, "open vendor", chromedp.Click(chromedp.CSS(`[data-testid=vendor-table] a`)))
			f.run(ctx, "vendor page", chromedp.WaitVisible(chromedp.CSS(`[data-testid=status-form]`)))
			f.noHorizontalScroll(ctx, "vendor detail")
			f.checkAxe(ctx, "vendor detail")
			f.screenshot(ctx, "vendor-detail")

			// A code with a wrong check character names the expected one.
			good := registry.MustUSCC("91120104MA0000099")
			bad := good[:17] + string("0123456789ABCDEFGHJKLMNPQRTUWXY"[(strings.IndexByte("0123456789ABCDEFGHJKLMNPQRTUWXY", good[17])+1)%31])
			f.run(ctx, "bad code",
				chromedp.Navigate(f.srv.URL+"/console/vendors/new"),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid=vendor-form]`)),
				chromedp.SendKeys(chromedp.CSS(`[data-testid=field-uscc]`), strings.ToLower(bad)),
				chromedp.SendKeys(chromedp.CSS(`[data-testid=field-name]`), "天津测试家政有限公司"),
			)
			f.submit(ctx, "submit bad code", chromedp.Click(chromedp.CSS(`[data-testid=vendor-submit]`)))
			f.run(ctx, "errors shown", chromedp.WaitVisible(chromedp.CSS(`[data-testid=error-summary]`)))
			msg := f.text(ctx, `[data-testid=error-uscc]`)
			if !strings.Contains(msg, "应为“"+good[17:]+"”") {
				t.Errorf("uscc error %q does not name the expected check character %q", msg, good[17:])
			}
			f.run(ctx, "confirm offered", chromedp.WaitVisible(chromedp.CSS(`[data-testid=uscc-confirm]`)))
			f.noHorizontalScroll(ctx, "vendor form errors")
			f.checkAxe(ctx, "vendor form errors")
			f.screenshot(ctx, "vendor-form-errors")
		})
	}
}

// TestAssociationOnboardsMembersByCSV: upload, preview every row, confirm,
// and hand out the invitation links, on a phone.
func TestAssociationOnboardsMembersByCSV(t *testing.T) {
	f := newFixture(t)
	ctx := f.browser(390)
	f.login(ctx, "assoc")
	existing := f.vendors[1]
	newCode := registry.MustUSCC("91120105MA0000777")
	csv := strings.Join([]string{
		"uscc,name,legal_rep,phone,address,districts,categories",
		newCode + ",天津河北新会员家政有限公司,李秀英,022-88889999,天津市河北区中山路2号,120105,housekeeping",
		existing.USCC + ",随便写的名字,张三,022-1,地址,120103,cleaning",
		"91120105MA000077,短代码公司,王五,022-1,地址,120105,cleaning",
		registry.MustUSCC("91120105MA0000778") + ",未知类别公司,赵六,022-1,地址,120105,flying",
	}, "\n") + "\n"
	path := filepath.Join(t.TempDir(), "members.csv")
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	f.run(ctx, "upload",
		chromedp.Navigate(f.srv.URL+"/console/members/import"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=import-form]`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#f-file`), []string{path}),
	)
	f.submit(ctx, "preview", chromedp.Click(chromedp.CSS(`[data-testid=import-preview]`)))
	f.run(ctx, "preview rows", chromedp.WaitVisible(chromedp.CSS(`[data-testid=import-rows]`)))
	rows := f.text(ctx, `[data-testid=import-rows]`)
	for _, want := range []string{"天津河北新会员家政有限公司", existing.Name, "统一社会信用代码应为 18 位", "未知的服务类别“flying”"} {
		if !strings.Contains(rows, want) {
			t.Errorf("preview lacks %q:\n%s", want, rows)
		}
	}
	if _, err := f.db.FindVendorByUSCC(ctx, newCode); err == nil {
		t.Fatal("the preview stored a vendor")
	}
	f.noHorizontalScroll(ctx, "import preview")
	f.checkAxe(ctx, "import preview")
	f.screenshot(ctx, "import-preview")

	f.submit(ctx, "confirm", chromedp.Click(chromedp.CSS(`[data-testid=import-confirm]`)))
	f.run(ctx, "done", chromedp.WaitVisible(chromedp.CSS(`[data-testid=import-done]`)))
	invites := f.text(ctx, `[data-testid=import-invitations]`)
	if !strings.Contains(invites, "天津河北新会员家政有限公司") || strings.Contains(invites, existing.Name) {
		t.Errorf("invitations = %q: want one for the new vendor only", invites)
	}
	if v, err := f.db.FindVendorByUSCC(ctx, existing.USCC); err != nil || v.Name != existing.Name {
		t.Errorf("the existing vendor changed: %+v %v", v, err)
	}
	f.checkAxe(ctx, "import done")
	f.screenshot(ctx, "import-done")

	f.run(ctx, "members", chromedp.Navigate(f.srv.URL+"/console/members"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=vendor-table]`)))
	members := f.text(ctx, `[data-testid=vendor-table]`)
	if !strings.Contains(members, "天津河北新会员家政有限公司") || !strings.Contains(members, existing.Name) {
		t.Errorf("members list = %q", members)
	}
	f.noHorizontalScroll(ctx, "members")
	f.checkAxe(ctx, "members")
	f.screenshot(ctx, "members")
}

// TestLoginPageAndLanguageSwitch: the sign-in page is accessible in both
// languages and the choice is remembered.
func TestLoginPageAndLanguageSwitch(t *testing.T) {
	f := newFixture(t)
	ctx := f.browser(390)
	f.run(ctx, "login page", chromedp.Navigate(f.srv.URL+"/console/login"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-submit]`)))
	f.checkAxe(ctx, "login zh")
	f.screenshot(ctx, "login-zh")
	f.submit(ctx, "switch", chromedp.Click(chromedp.CSS(`[data-testid=lang-switch]`)))
	f.run(ctx, "english", chromedp.WaitVisible(chromedp.CSS(`html[lang=en]`)))
	if got := f.text(ctx, `h1`); got != "Sign in to the console" {
		t.Errorf("English h1 = %q", got)
	}
	f.checkAxe(ctx, "login en")
	f.run(ctx, "remembered", chromedp.Navigate(f.srv.URL+"/console/login"), chromedp.WaitVisible(chromedp.CSS(`html[lang=en]`)))
	// A wrong password gets a clear message, in English now.
	f.run(ctx, "wrong password",
		chromedp.SendKeys(chromedp.CSS(`[data-testid=field-username]`), "reg"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=field-password]`), "not-the-password"),
	)
	f.submit(ctx, "wrong password submit", chromedp.Click(chromedp.CSS(`[data-testid=login-submit]`)))
	f.run(ctx, "login error", chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-error]`)))
	if got := f.text(ctx, `[data-testid=login-error]`); got != "Wrong username or password." {
		t.Errorf("login error = %q", got)
	}
}

// TestVendorSeesOwnEvidence: a vendor on a phone sees its evaluation with
// every complaint's contribution, never the complaint's private text.
func TestVendorSeesOwnEvidence(t *testing.T) {
	f := newFixture(t)
	ctx := f.browser(390)
	f.login(ctx, "ven")
	f.run(ctx, "own page", chromedp.WaitVisible(chromedp.CSS(`[data-testid=evaluation]`)))
	items := f.text(ctx, `[data-testid=eval-items]`)
	if !strings.Contains(items, "8890-E2E-CP-01") {
		t.Errorf("evidence lacks the vendor's complaint: %q", items)
	}
	page := f.text(ctx, `main`)
	if strings.Contains(page, "13812345678") || strings.Contains(page, "私密") {
		t.Error("the vendor page shows complaint text")
	}
	f.noHorizontalScroll(ctx, "vendor own page")
	f.checkAxe(ctx, "vendor own page")
	f.screenshot(ctx, "vendor-me")
}

// TestRegulatorRulesPage: the rules page with the city's priors is
// accessible on a phone.
func TestRegulatorRulesPage(t *testing.T) {
	f := newFixture(t)
	ctx := f.browser(390)
	f.login(ctx, "reg")
	f.run(ctx, "rules", chromedp.Navigate(f.srv.URL+"/console/rules"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=city-priors]`)))
	f.noHorizontalScroll(ctx, "rules")
	f.checkAxe(ctx, "rules")
	f.screenshot(ctx, "rules")
}
