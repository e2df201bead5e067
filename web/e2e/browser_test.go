package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"chengxin/internal/testdb"
	"chengxin/registry"
	"chengxin/web"
)

// e2eEnabled reports whether browser tests run; CI sets CHENGXIN_E2E=1.
var e2eEnabled = os.Getenv("CHENGXIN_E2E") == "1"

func TestMain(m *testing.M) {
	registry.BcryptCost = bcrypt.MinCost
	if !e2eEnabled {
		fmt.Println("browser tests skipped: set CHENGXIN_E2E=1 (needs Chromium) to run them")
	}
	os.Exit(m.Run())
}

// chromiumPath finds the browser; with CHENGXIN_E2E=1 a missing browser fails.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("CHENGXIN_E2E=1 but no Chromium found (apt-get install -y chromium, or set CHROMIUM)")
	return ""
}

// fixture is a running server over a seeded database.
type fixture struct {
	t       *testing.T
	db      *registry.DB
	srv     *httptest.Server
	org     registry.Org
	vendors []registry.Vendor
}

const testPassword = "correct-horse-battery"

func newFixture(t *testing.T) *fixture {
	t.Helper()
	if !e2eEnabled {
		t.Skip("browser tests skipped: set CHENGXIN_E2E=1 to run them")
	}
	ctx := context.Background()
	db, err := registry.Open(ctx, testdb.DSN(t, "e2e.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if db.SigningKeyPath() == "" { // PostgreSQL: no file to keep it beside
		db.SetSigningKeyPath(filepath.Join(t.TempDir(), "signing-key"))
	}
	f := &fixture{t: t, db: db}
	admin := registry.Actor{Kind: "user", Name: "seed", Role: registry.RoleRegulator}
	f.org, err = db.CreateOrg(ctx, admin, registry.OrgInput{USCC: registry.MustUSCC("51120103MA0000001"),
		Name: "河西区家政服务协会（测试）", Kind: "association", District: "120103", ContactPhone: "022-23456789"})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"天津河西安心家政服务有限公司", "天津南开洁亮保洁服务有限公司", "天津和平巧手家电维修有限公司",
		"天津河东暖阳母婴护理有限公司", "<b>天津红桥</b>测试搬家有限公司"}
	cats := []string{"housekeeping", "cleaning", "appliance_repair", "maternity", "moving"}
	for i, n := range names {
		v, err := db.CreateVendor(ctx, admin, registry.VendorInput{USCC: registry.MustUSCC(fmt.Sprintf("91120103MA00000%02d", i+10)),
			Name: n, LegalRep: "王建国", Phone: "022-12345678", Address: "天津市河西区友谊路1号",
			Districts: []string{"120103"}, Categories: []string{cats[i]}})
		if err != nil {
			t.Fatal(err)
		}
		f.vendors = append(f.vendors, v)
	}
	for _, u := range []registry.UserInput{
		{Username: "reg", Password: testPassword, Role: registry.RoleRegulator},
		{Username: "assoc", Password: testPassword, Role: registry.RoleAssociation, OrgUSCC: f.org.USCC},
		{Username: "ven", Password: testPassword, Role: registry.RoleVendor, OrgUSCC: f.vendors[0].USCC},
	} {
		if _, err := db.CreateUser(ctx, admin, u); err != nil {
			t.Fatal(err)
		}
	}
	// A little hotline history for the first vendor, then everyone is evaluated.
	day := time.Now().In(registry.Shanghai).AddDate(0, -2, 0).Format("2006-01-02")
	var cbs []registry.CallbackInput
	for i := 0; i < 12; i++ {
		cbs = append(cbs, registry.CallbackInput{WorkOrderNo: fmt.Sprintf("8890-E2E-CB-%02d", i), VendorUSCC: f.vendors[0].USCC,
			CalledAt: day + "T10:00:00+08:00", Result: "satisfied"})
	}
	if _, err := db.IngestCallbacks(ctx, admin, cbs, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.IngestComplaints(ctx, admin, []registry.ComplaintInput{{WorkOrderNo: "8890-E2E-CP-01", VendorUSCC: f.vendors[0].USCC,
		ReceivedAt: day + "T09:00:00+08:00", Channel: "phone", Category: "housekeeping", Status: "closed", Outcome: "substantiated",
		DeadlineAt: day + "T17:00:00+08:00", ClosedAt: day + "T16:00:00+08:00", Summary: "客户电话13812345678（私密）"}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Rescore(ctx, registry.RescoreOptions{}); err != nil {
		t.Fatal(err)
	}
	// Links that leave the site (sticker, QR code, invitations) are built
	// from the listen address, as `serve` does without -base-url.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: web.New(web.Config{DB: db, Addr: ln.Addr().String()})}}
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	return f
}

// browser starts a headless Chromium tab with the given viewport width.
func (f *fixture) browser(width int) context.Context {
	t := f.t
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), 900)); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// run executes actions and, on failure, saves a screenshot before failing.
func (f *fixture) run(ctx context.Context, name string, steps ...chromedp.Action[chromedp.Void]) {
	f.t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		path := f.screenshot(ctx, "FAILED-"+name)
		f.t.Fatalf("%s: %v (screenshot: %s)", name, err, path)
	}
}

// submit runs an action that loads a new page (a click or a form submit)
// and waits for that page to load.
func (f *fixture) submit(ctx context.Context, name string, action chromedp.Action[chromedp.Void]) {
	f.t.Helper()
	if _, err := chromedp.RunResponse(ctx, action); err != nil {
		path := f.screenshot(ctx, "FAILED-"+name)
		f.t.Fatalf("%s: %v (screenshot: %s)", name, err, path)
	}
}

// screenshot saves a full-page PNG into CHENGXIN_ARTIFACTS (or the test's temp dir).
func (f *fixture) screenshot(ctx context.Context, name string) string {
	dir := os.Getenv("CHENGXIN_ARTIFACTS")
	if dir == "" {
		dir = f.t.TempDir()
	}
	os.MkdirAll(dir, 0o755)
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return "(no screenshot: " + err.Error() + ")"
	}
	path := filepath.Join(dir, strings.ReplaceAll(f.t.Name(), "/", "_")+"-"+name+".png")
	os.WriteFile(path, buf, 0o644)
	return path
}

// login signs in through the real form.
func (f *fixture) login(ctx context.Context, username string) {
	f.t.Helper()
	f.run(ctx, "login "+username,
		chromedp.Navigate(f.srv.URL+"/console/login"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=field-username]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=field-username]`), username),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=field-password]`), testPassword),
	)
	f.submit(ctx, "login submit", chromedp.Click(chromedp.CSS(`[data-testid=login-submit]`)))
	f.run(ctx, "logged in", chromedp.WaitVisible(chromedp.CSS(`nav form button`)))
}

// noHorizontalScroll fails when the page is wider than the viewport.
func (f *fixture) noHorizontalScroll(ctx context.Context, page string) {
	f.t.Helper()
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil {
		f.t.Fatalf("scroll check %s: %v", page, err)
	}
	if overflow {
		f.t.Errorf("%s scrolls horizontally", page)
		f.screenshot(ctx, "overflow-"+page)
	}
}

// text reads an element's text, failing the test (with a screenshot) when it is missing.
func (f *fixture) text(ctx context.Context, sel string) string {
	f.t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		path := f.screenshot(ctx, "FAILED-text")
		f.t.Fatalf("text of %s: %v (screenshot: %s)", sel, err, path)
	}
	return s
}
