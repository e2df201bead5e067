package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"chengxin/i18n"
	"chengxin/views"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// lang returns the request's language: what pages negotiated (Chinese by
// default); the JSON API under /api/ speaks English, like the CLI, so its
// messages do not depend on who asks.
func lang(c echo.Context) string {
	if strings.HasPrefix(c.Request().URL.Path, "/api/") {
		return i18n.EN
	}
	if l, ok := c.Get(ctxLang).(string); ok {
		return l
	}
	return i18n.ZH
}

// tr renders a catalog message in the request's language.
func tr(c echo.Context, key string, args ...any) string { return i18n.Get(lang(c), key, args...) }

// page builds the common page model.
func (s *Server) page(c echo.Context, title string) views.Page {
	p := views.Page{Title: title, Path: c.Request().URL.Path}
	p.CSRF, _ = c.Get(ctxCSRF).(string)
	if sess := session(c); sess != nil {
		p.User = &views.UserInfo{Username: sess.User.Username, Role: sess.User.Role}
	}
	other := i18n.EN
	if lang(c) == i18n.EN {
		other = i18n.ZH
	}
	q := url.Values{}
	path := c.Request().URL.Path
	if c.Request().Method == http.MethodGet {
		q = c.Request().URL.Query()
	} else if ref, err := url.Parse(c.Request().Referer()); err == nil && ref.Host == c.Request().Host && strings.HasPrefix(ref.Path, "/") {
		// A form shown again with its errors: switch language on the page
		// the form was on, since the address it posted to may take no GET.
		path = ref.Path
	}
	q.Set("lang", other)
	p.OtherLang = path + "?" + q.Encode()
	return p
}

// render writes a templ component as a complete HTML response, rendered into
// a buffer first so a failure never leaves half a page.
func (s *Server) render(c echo.Context, status int, comp templ.Component) error {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	ctx := views.WithLang(c.Request().Context(), lang(c))
	if tok, ok := c.Get(ctxCSRF).(string); ok {
		ctx = views.WithCSRF(ctx, tok)
	}
	if err := comp.Render(ctx, buf); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
	h.Set(echo.HeaderContentLength, strconv.Itoa(buf.Len()))
	if session(c) != nil {
		h.Set("Cache-Control", "no-store")
	}
	c.Response().WriteHeader(status)
	_, err := c.Response().Write(buf.Bytes())
	return err
}

// flashRedirect redirects after a successful POST with a one-off message
// carried in the query string (no server state, no JavaScript).
func flashRedirect(c echo.Context, path, msgKey string) error {
	u := path
	if msgKey != "" {
		sep := "?"
		if bytes.ContainsRune([]byte(path), '?') {
			sep = "&"
		}
		u += sep + "done=" + url.QueryEscape(msgKey)
	}
	return c.Redirect(http.StatusSeeOther, u)
}

// flashFromQuery turns ?done=KEY into a page flash, accepting only catalog
// keys under "done." so the message cannot be forged.
func flashFromQuery(c echo.Context, p *views.Page) {
	if k := c.QueryParam("done"); k != "" && len(k) < 64 && i18n.Has(k) && len(k) > 5 && k[:5] == "done." {
		p.Flash = tr(c, k)
	}
}
