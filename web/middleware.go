package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"chengxin/i18n"
	"chengxin/registry"
)

// Cookie names.
const (
	sessionCookie = "cx_session"
	csrfCookie    = "cx_csrf"
	langCookie    = "cx_lang"
)

// Context keys.
const (
	ctxLang    = "lang"
	ctxSession = "session"
	ctxCSRF    = "csrf"
)

// contentSecurityPolicy allows no inline script or style and no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if s.cfg.SecureCookies {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		return next(c)
	}
}

// language picks the page language (?lang=, cookie, Accept-Language) and
// remembers an explicit choice in a cookie.
func (s *Server) language(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		explicit := c.QueryParam("lang")
		var cookie string
		if ck, err := c.Cookie(langCookie); err == nil {
			cookie = ck.Value
		}
		lang := i18n.Negotiate(explicit, cookie, c.Request().Header.Get("Accept-Language"))
		if l := i18n.Normalize(explicit); l != "" && l != cookie {
			c.SetCookie(&http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies})
		}
		c.Set(ctxLang, lang)
		c.Response().Header().Add("Vary", "Accept-Language, Cookie")
		return next(c)
	}
}

// loadSession attaches the logged-in session, if any, and the CSRF token the
// page's forms must carry: the session's own token, or for anonymous visitors
// a random token in a cookie (double submit).
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
			sess, err := s.db.FindSession(c.Request().Context(), ck.Value)
			switch {
			case err == nil:
				c.Set(ctxSession, &sess)
				c.Set(ctxCSRF, sess.CSRFToken)
			case errors.Is(err, registry.ErrNotFound):
				s.clearCookie(c, sessionCookie)
			default:
				return err
			}
		}
		if c.Get(ctxCSRF) == nil {
			token := ""
			if ck, err := c.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
				token = ck.Value
			} else {
				token = newToken()
				c.SetCookie(&http.Cookie{Name: csrfCookie, Value: token, Path: "/", HttpOnly: true,
					SameSite: http.SameSiteStrictMode, Secure: s.cfg.SecureCookies})
			}
			c.Set(ctxCSRF, token)
		}
		return next(c)
	}
}

func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Server) clearCookie(c echo.Context, name string) {
	c.SetCookie(&http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies})
}

// errCSRF is returned when a state-changing request lacks the right token.
var errCSRF = echo.NewHTTPError(http.StatusForbidden, "csrf")

// checkCSRF refuses unsafe methods whose form field "csrf" (or header
// X-CSRF-Token) does not match the request's token.
func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		want, _ := c.Get(ctxCSRF).(string)
		got := c.Request().Header.Get("X-CSRF-Token")
		if got == "" {
			err := parseForm(c)
			if mf := c.Request().MultipartForm; mf != nil {
				defer mf.RemoveAll() // spooled file parts
			}
			if err != nil {
				return err
			}
			got = c.FormValue("csrf")
		}
		if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			return errCSRF
		}
		return next(c)
	}
}

// multipartMemory is how much of a multipart body is kept in memory; larger
// file parts are spooled to temporary files (removed after the request).
const multipartMemory = 1 << 20

// parseForm parses a urlencoded or multipart body, turning a body over the
// route's limit into 413 rather than a missing field.
func parseForm(c echo.Context) error {
	r := c.Request()
	var err error
	if strings.HasPrefix(r.Header.Get(echo.HeaderContentType), echo.MIMEMultipartForm) {
		// Parts beyond multipartMemory go to temporary files, not the heap.
		err = r.ParseMultipartForm(multipartMemory)
	} else {
		_, err = c.FormParams()
	}
	var mbe *http.MaxBytesError
	if errors.Is(err, echo.ErrStatusRequestEntityTooLarge) || errors.As(err, &mbe) {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "error.too_large")
	}
	return nil // other parse errors: the token is missing and the check refuses
}

// session returns the logged-in session or nil.
func session(c echo.Context) *registry.Session {
	s, _ := c.Get(ctxSession).(*registry.Session)
	return s
}

// requireRole lets through only logged-in users with one of roles; anonymous
// visitors are redirected to the login page, others get 403.
func requireRole(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			sess := session(c)
			if sess == nil {
				target := "/console/login"
				if c.Request().Method == http.MethodGet {
					target += "?next=" + url.QueryEscape(c.Request().URL.RequestURI())
				}
				return c.Redirect(http.StatusSeeOther, target)
			}
			if !slices.Contains(roles, sess.User.Role) {
				return echo.NewHTTPError(http.StatusForbidden, "role")
			}
			return next(c)
		}
	}
}

// actor is the registry actor for the logged-in user.
func actor(c echo.Context) registry.Actor {
	if s := session(c); s != nil {
		return registry.UserActor(s.User)
	}
	return registry.Actor{Kind: "anonymous"}
}

// safeNext accepts only local console paths as a post-login destination.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/console/") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return ""
}
