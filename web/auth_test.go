package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"chengxin/registry"
	"chengxin/web"
)

// TestCSRF: every state-changing console form needs the session's token.
func TestCSRF(t *testing.T) {
	newOrgUSCC := registry.MustUSCC("51120102MJ0000022")
	cases := []struct {
		name, role, path string
		form             url.Values
		table            string // a row appears here on success
		wantCode         int    // on success
		wantLocation     string
	}{
		{"vendor create", registry.RoleRegulator, "/console/vendors/new",
			vendorForm(registry.MustUSCC("91120102MA06CXRF1"), "河东区诚信保洁有限公司"), "vendors", 303, "/console/vendors/"},
		{"org create", registry.RoleRegulator, "/console/orgs",
			url.Values{"uscc": {newOrgUSCC}, "name": {"河东区家政商会"}, "kind": {"chamber"}, "district": {"120102"}, "contact_phone": {"022-1234 5678"}},
			"orgs", 303, "/console/orgs"},
		{"user create", registry.RoleRegulator, "/console/users",
			url.Values{"username": {"reg2"}, "password": {"another-pass-1"}, "role": {"regulator"}}, "users", 303, "/console/users"},
		{"member create", registry.RoleAssociation, "/console/members/new",
			vendorForm(registry.MustUSCC("91120103MA07CXRF2"), "河西区会员家政有限公司"), "memberships", 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.as(tc.role)
			other := e.as(registry.RoleVendor) // a valid token, but of another session
			before := e.count(tc.table)
			for name, token := range map[string]string{"missing": "", "wrong": "not-the-token", "other session": other.csrf} {
				f := url.Values{}
				for k, v := range tc.form {
					f[k] = v
				}
				if token != "" {
					f.Set("csrf", token)
				}
				r := c.post(tc.path, f)
				if r.Code != http.StatusForbidden {
					t.Errorf("%s token: status %d, want 403", name, r.Code)
				}
				wantContains(t, name+" token: message", r.TestID("error-message"), "表单已过期")
				if n := e.count(tc.table); n != before {
					t.Errorf("%s token: %s has %d rows, want %d (nothing stored)", name, tc.table, n, before)
				}
			}
			r := c.submit(tc.path, tc.form)
			if r.Code != tc.wantCode {
				t.Fatalf("right token: status %d, want %d\n%s", r.Code, tc.wantCode, r)
			}
			if tc.wantLocation != "" && !strings.HasPrefix(r.Location(), tc.wantLocation) {
				t.Errorf("Location %q, want %q…", r.Location(), tc.wantLocation)
			}
			if n := e.count(tc.table); n != before+1 {
				t.Errorf("right token: %s has %d rows, want %d", tc.table, n, before+1)
			}
		})
	}

	t.Run("header token", func(t *testing.T) {
		e := newEnv(t)
		c := e.as(registry.RoleRegulator)
		req := newForm(http.MethodPost, "/console/orgs", url.Values{"uscc": {newOrgUSCC}, "name": {"河东区家政商会"},
			"kind": {"chamber"}, "district": {"120102"}})
		req.Header.Set("X-CSRF-Token", c.csrf)
		wantRedirect(t, c.do(req), "/console/orgs")
	})

	t.Run("logout", func(t *testing.T) {
		e := newEnv(t)
		c := e.as(registry.RoleVendor)
		for _, token := range []string{"", "wrong"} {
			r := c.post("/console/logout", url.Values{"csrf": {token}})
			wantStatus(t, r, http.StatusForbidden)
			wantStatus(t, c.get("/console/me"), http.StatusOK) // still logged in
		}
		if n := e.count("sessions"); n != 1 {
			t.Fatalf("sessions = %d, want 1", n)
		}
		wantRedirect(t, c.submit("/console/logout", nil), "/console/login")
		if n := e.count("sessions"); n != 0 {
			t.Errorf("sessions after logout = %d, want 0", n)
		}
	})

	t.Run("login", func(t *testing.T) {
		e := newEnv(t)
		form := url.Values{"username": {"reg1"}, "password": {password}}
		// No cookie, no field.
		r := e.client().post("/console/login", form)
		wantStatus(t, r, http.StatusForbidden)
		if r.Cookie("cx_session") != nil {
			t.Error("a session cookie was set")
		}
		// Cookie but no field.
		c := e.client()
		c.get("/console/login")
		if c.jar["cx_csrf"] == nil {
			t.Fatal("the login page set no cx_csrf cookie")
		}
		wantStatus(t, c.post("/console/login", form), http.StatusForbidden)
		// Field but no cookie (a token lifted from someone else's page).
		f := url.Values{"username": {"reg1"}, "password": {password}, "csrf": {c.csrf}}
		wantStatus(t, e.client().post("/console/login", f), http.StatusForbidden)
		// Cookie and a field that does not match it.
		f.Set("csrf", strings.Repeat("A", 43))
		wantStatus(t, c.post("/console/login", f), http.StatusForbidden)
		if n := e.count("sessions"); n != 0 {
			t.Errorf("sessions = %d, want 0", n)
		}
		// Both: works.
		f.Set("csrf", c.csrf)
		wantRedirect(t, c.post("/console/login", f), "/console")
	})
}

// TestLoginThrottle: per (account, address) and per-address limits, lifted
// after the window.
func TestLoginThrottle(t *testing.T) {
	e := newEnv(t)
	const ip = "203.0.113.7:5555"
	fresh := func(addr string) *client { c := e.client(); c.remoteAddr = addr; return c }

	c := fresh(ip)
	for i, name := range []string{"reg1", "REG1", "Reg1", " reg1", "rEg1"} { // one account, however typed
		r := c.tryLogin(name, fmt.Sprintf("wrong-password-%d", i))
		wantStatus(t, r, http.StatusUnauthorized)
		wantContains(t, "login error", r.TestID("login-error"), "用户名或密码错误")
	}
	r := c.tryLogin("reg1", password)
	wantStatus(t, r, http.StatusTooManyRequests)
	wantContains(t, "throttled message", r.TestID("login-error"), "登录失败次数过多")
	ra, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || ra <= 0 || ra > 15*60 {
		t.Errorf("Retry-After = %q, want 1..900 seconds", r.Header.Get("Retry-After"))
	}
	if r.Cookie("cx_session") != nil || e.count("sessions") != 0 {
		t.Error("a throttled login started a session")
	}
	// The same account from elsewhere is not locked: strangers' failures
	// must not keep the owner out (the account-wide ceiling only slows,
	// from 10 failures on; signin_test.go).
	wantRedirect(t, fresh("198.51.100.1:1").tryLogin("reg1", password), "/console")

	// Another account from the same address still works…
	wantRedirect(t, fresh(ip).tryLogin("assoc1", password), "/console")
	// …until the address has 20 failures (5 so far), whatever the usernames.
	for i := 6; i <= 19; i++ {
		wantStatus(t, c.tryLogin(fmt.Sprintf("ghost%d", i), "wrong-password"), http.StatusUnauthorized)
	}
	wantRedirect(t, fresh(ip).tryLogin("assoc1", password), "/console")
	wantStatus(t, c.tryLogin("ghost20", "wrong-password"), http.StatusUnauthorized)
	r = fresh(ip).tryLogin("assoc1", password)
	wantStatus(t, r, http.StatusTooManyRequests)
	if r.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After on the per-address block")
	}
	// Other addresses are not affected.
	wantRedirect(t, fresh("198.51.100.2:1").tryLogin("assoc1", password), "/console")

	// After the window both limits are lifted.
	e.clk.Advance(15*time.Minute + time.Second)
	wantRedirect(t, fresh(ip).tryLogin("reg1", password), "/console")
	wantRedirect(t, fresh(ip).tryLogin("assoc1", password), "/console")
}

// TestLoginThrottleRetryAfter: retrying exactly when Retry-After says works.
func TestLoginThrottleRetryAfter(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	for i := 0; i < 5; i++ {
		wantStatus(t, c.tryLogin("reg1", "wrong-password"), http.StatusUnauthorized)
	}
	r := c.tryLogin("reg1", password)
	wantStatus(t, r, http.StatusTooManyRequests)
	ra, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil {
		t.Fatalf("Retry-After = %q", r.Header.Get("Retry-After"))
	}
	e.clk.Advance(time.Duration(ra)*time.Second - time.Second)
	wantStatus(t, e.client().tryLogin("reg1", password), http.StatusTooManyRequests)
	e.clk.Advance(time.Second)
	if r := e.client().tryLogin("reg1", password); r.Code == http.StatusTooManyRequests {
		t.Fatalf("regression: a failure exactly LoginWindow old still counts, "+
			"so a retry at the promised Retry-After (%ds) is refused again", ra)
	} else {
		wantRedirect(t, r, "/console")
	}
}

// TestLoginThrottleForwardedFor: a forged X-Forwarded-For does not give a
// fresh per-address count.
func TestLoginThrottleForwardedFor(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	c.remoteAddr = "198.51.100.9:4000"
	for i := 1; i <= 20; i++ {
		c.header.Set("X-Forwarded-For", fmt.Sprintf("10.0.%d.%d", i, i))
		c.header.Set("X-Real-IP", fmt.Sprintf("10.1.%d.%d", i, i))
		wantStatus(t, c.tryLogin(fmt.Sprintf("ghost%d", i), "wrong-password"), http.StatusUnauthorized)
	}
	c.header.Set("X-Forwarded-For", "10.9.9.9")
	c.header.Set("X-Real-IP", "10.9.9.9")
	wantStatus(t, c.tryLogin("reg1", password), http.StatusTooManyRequests)
}

// TestSessionCookie: flags, Secure behind TLS, and logout ending the session.
func TestSessionCookie(t *testing.T) {
	check := func(t *testing.T, secure bool) {
		var e *env
		if secure {
			e = newEnv(t, func(c *web.Config) { c.SecureCookies = true })
		} else {
			e = newEnv(t)
		}
		c := e.client()
		login := c.get("/console/login")
		if ck := login.Cookie("cx_csrf"); ck == nil || !ck.HttpOnly || ck.Secure != secure {
			t.Errorf("cx_csrf cookie = %+v, want HttpOnly, Secure=%v", ck, secure)
		}
		r := c.tryLogin("reg1", password)
		wantRedirect(t, r, "/console")
		ck := r.Cookie("cx_session")
		if ck == nil {
			t.Fatal("no cx_session cookie")
		}
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure != secure {
			t.Errorf("cx_session = HttpOnly %v, SameSite %v, Path %q, Secure %v; want true, Lax, /, %v",
				ck.HttpOnly, ck.SameSite, ck.Path, ck.Secure, secure)
		}
		if len(ck.Value) < 32 {
			t.Errorf("session token %q is short", ck.Value)
		}
		if hsts := r.Header.Get("Strict-Transport-Security"); (hsts != "") != secure {
			t.Errorf("Strict-Transport-Security = %q with SecureCookies=%v", hsts, secure)
		}
	}
	t.Run("plain", func(t *testing.T) { check(t, false) })
	t.Run("secure", func(t *testing.T) { check(t, true) })

	t.Run("logout", func(t *testing.T) {
		e := newEnv(t)
		c := e.as(registry.RoleRegulator)
		old := c.jar["cx_session"].Value
		page := c.get("/console/vendors")
		wantStatus(t, page, http.StatusOK)
		if cc := page.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("logged-in page Cache-Control = %q, want no-store", cc)
		}
		r := c.submit("/console/logout", nil)
		wantRedirect(t, r, "/console/login")
		if ck := r.Cookie("cx_session"); ck == nil || ck.MaxAge >= 0 {
			t.Errorf("logout did not delete the cookie: %+v", ck)
		}
		wantRedirect(t, c.get("/console/vendors"), "/console/login")
		// The old cookie, replayed, no longer works.
		replay := e.client()
		replay.jar["cx_session"] = &http.Cookie{Name: "cx_session", Value: old}
		wantRedirect(t, replay.get("/console/vendors"), "/console/login")
		if got := e.auditActions("user:reg1"); len(got) == 0 || got[len(got)-1] != "session.logout" {
			t.Errorf("audit for user:reg1 = %v, want it to end with session.logout", got)
		}
	})

	t.Run("expired", func(t *testing.T) {
		e := newEnv(t)
		c := e.as(registry.RoleRegulator)
		e.clk.Advance(registry.SessionTTL + time.Second)
		wantRedirect(t, c.get("/console/vendors"), "/console/login")
	})
}

// TestLoginNext: the page a visitor was sent away from is where the login lands.
func TestLoginNext(t *testing.T) {
	e := newEnv(t)
	// An off-site next is ignored; a console path is followed.
	for _, next := range []string{"https://evil.example/", "//evil.example/console/", "/console/\\evil", "/elsewhere"} {
		c := e.client()
		p := c.get("/console/login")
		r := c.post("/console/login?next="+url.QueryEscape(next), url.Values{"username": {"reg1"}, "password": {password}, "csrf": {p.CSRF()}})
		if r.Location() != "/console" {
			t.Errorf("next=%q: Location %q, want /console", next, r.Location())
		}
	}
	{
		c := e.client()
		p := c.get("/console/login")
		r := c.post("/console/login?next="+url.QueryEscape("/console/users"), url.Values{"username": {"reg1"}, "password": {password}, "csrf": {p.CSRF()}})
		wantRedirect(t, r, "/console/users")
	}

	c := e.client()
	r := c.get("/console/orgs")
	wantRedirect(t, r, "/console/login?next=")
	login := c.get(r.Location())
	wantStatus(t, login, http.StatusOK)
	// Submit the form the page carries, with every field it has.
	action, form := login.Form("/console/login")
	if action == "" {
		t.Fatal("no login form")
	}
	form.Set("username", "reg1")
	form.Set("password", password)
	r = c.post(action, form)
	wantStatus(t, r, http.StatusSeeOther)
	if r.Location() != "/console/orgs" {
		t.Fatalf("regression: views/console_auth.templ LoginPage posts to a fixed action=\"/console/login\", dropping ?next=; "+
			"after login the user lands on %q instead of /console/orgs", r.Location())
	}
}

// TestSecurityHeaders: every response carries the hardening headers.
func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	reg := e.as(registry.RoleRegulator)
	for _, tc := range []struct {
		c    *client
		path string
	}{
		{e.client(), "/console/login"},
		{e.client(), "/healthz"},
		{e.client(), "/readyz"},
		{e.client(), "/no/such/page"},
		{e.client(), "/api/v1/vendors/" + vendorUSCC},
		{reg, "/console/vendors"},
		{reg, "/console/vendors/" + vendorUSCC},
	} {
		r := tc.c.get(tc.path)
		if r.Code >= 500 {
			t.Errorf("%s: status %d", tc.path, r.Code)
		}
		h := r.Header
		csp := h.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") ||
			strings.Contains(csp, "unsafe-eval") || !strings.Contains(csp, "default-src") {
			t.Errorf("%s: Content-Security-Policy = %q", tc.path, csp)
		}
		if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options = %q", tc.path, got)
		}
		if got := h.Get("Referrer-Policy"); got == "" || got == "unsafe-url" {
			t.Errorf("%s: Referrer-Policy = %q", tc.path, got)
		}
		if got := h.Get("X-Frame-Options"); got != "DENY" {
			t.Errorf("%s: X-Frame-Options = %q", tc.path, got)
		}
		// The CSP forbids inline script and style: pages must not rely on them.
		if strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			if n := findAll(r.root(), func(n *html.Node) bool {
				_, style := attr(n, "style")
				_, onclick := attr(n, "onclick")
				return n.Data == "script" || n.Data == "style" || style || onclick
			}); len(n) > 0 {
				t.Errorf("%s: %d inline script/style elements or attributes", tc.path, len(n))
			}
		}
	}
}

// TestLanguages: Chinese by default, English by ?lang=, cookie or Accept-Language.
func TestLanguages(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	r := c.get("/console/login")
	if r.HTMLLang() != "zh-CN" || !strings.Contains(r.H1(), "登录") {
		t.Errorf("default: lang %q, h1 %q; want zh-CN and Chinese", r.HTMLLang(), r.H1())
	}
	r = c.get("/console/login?lang=en")
	if r.HTMLLang() != "en" || r.H1() != "Sign in to the console" {
		t.Errorf("?lang=en: lang %q, h1 %q", r.HTMLLang(), r.H1())
	}
	ck := r.Cookie("cx_lang")
	if ck == nil || ck.Value != "en" || ck.Path != "/" {
		t.Fatalf("?lang=en set cx_lang = %+v", ck)
	}
	r = c.get("/console/login")
	if r.HTMLLang() != "en" {
		t.Errorf("with the cx_lang cookie: lang %q, want en", r.HTMLLang())
	}
	if sw := r.TestID("lang-switch"); sw != "中文" {
		t.Errorf("language switch = %q, want 中文", sw)
	}
	r = c.get("/console/login?lang=zh")
	if r.HTMLLang() != "zh-CN" {
		t.Errorf("?lang=zh: lang %q", r.HTMLLang())
	}
	r = e.client().getWith("/console/login", map[string]string{"Accept-Language": "en-US,en;q=0.9,zh-CN;q=0.5"})
	if r.HTMLLang() != "en" {
		t.Errorf("Accept-Language en-US: lang %q", r.HTMLLang())
	}
	r = e.client().getWith("/console/login", map[string]string{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
	if r.HTMLLang() != "zh-CN" {
		t.Errorf("Accept-Language zh-CN first: lang %q", r.HTMLLang())
	}
	if v := r.Header.Get("Vary"); !strings.Contains(v, "Accept-Language") || !strings.Contains(v, "Cookie") {
		t.Errorf("Vary = %q", v)
	}

	// Validation messages follow the request's language.
	reg := e.as(registry.RoleRegulator)
	form := vendorForm(registry.MustUSCC("91120102MA06LANG1"), "")
	r = reg.submit("/console/vendors/new", form)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if got := r.TestID("error-name"); got != "必填" {
		t.Errorf("Chinese error-name = %q", got)
	}
	reg.get("/console/vendors?lang=en")
	r = reg.submit("/console/vendors/new", form)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	if got := r.TestID("error-name"); got != "required" {
		t.Errorf("English error-name = %q", got)
	}
	if r.HTMLLang() != "en" || !strings.Contains(r.TestID("error-summary"), "Please fix 1 problems") {
		t.Errorf("English summary = %q", r.TestID("error-summary"))
	}
	reg.header.Set("Accept-Language", "en")
	delete(reg.jar, "cx_lang")
	r = reg.submit("/console/vendors/new", form)
	if got := r.TestID("error-name"); got != "required" {
		t.Errorf("Accept-Language en: error-name = %q", got)
	}
}
