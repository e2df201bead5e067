package web

import (
	"context"
	"math"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"chengxin/registry"
	"chengxin/views"
)

// deviceCookie marks a browser that signed in to an account before: its
// attempts are not slowed by the account-wide ceiling (registry.BeginLogin).
const deviceCookie = "cx_device"

// passwordWait is how long an admitted sign-in waits for a free password
// check before it is answered 503 (and not counted).
const passwordWait = 3 * time.Second

// passwordChecks bounds the bcrypt comparisons running at once, so a flood
// of sign-ins (even spread over many accounts and addresses) cannot take
// every core: one per core, at least two.
type passwordChecks chan struct{}

func newPasswordChecks() passwordChecks { return make(passwordChecks, max(2, runtime.NumCPU())) }

// acquire waits up to wait for a slot.
func (p passwordChecks) acquire(ctx context.Context, wait time.Duration) bool {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case p <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

func (p passwordChecks) release() { <-p }

// refuseLogin answers an attempt the throttle refused: 429, Retry-After,
// and the sign-in page saying how long to wait. The password is not looked at.
func (s *Server) refuseLogin(c echo.Context, v views.LoginView, t *registry.ThrottledError) error {
	secs := int(math.Ceil(t.RetryAfter.Seconds()))
	c.Response().Header().Set("Retry-After", strconv.Itoa(max(1, secs)))
	if t.Reason == "account" {
		v.Error = tr(c, "login.slowed", max(1, secs))
	} else {
		v.Error = tr(c, "login.throttled", max(1, int(math.Ceil(float64(secs)/60))))
	}
	return s.render(c, http.StatusTooManyRequests, views.LoginPage(v))
}

// knownDevice reports whether the request carries a known-browser cookie of
// the account being signed in to.
func (s *Server) knownDevice(c echo.Context, username string) (bool, error) {
	ck, err := c.Cookie(deviceCookie)
	if err != nil || len(ck.Value) > 64 {
		return false, nil
	}
	return s.db.KnownLoginDevice(c.Request().Context(), ck.Value, username)
}

// rememberDevice gives the browser a known-browser cookie for u.
func (s *Server) rememberDevice(c echo.Context, u registry.User) error {
	token, err := s.db.RememberLoginDevice(c.Request().Context(), u)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: deviceCookie, Value: token, Path: "/console/login", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.cfg.SecureCookies, MaxAge: int(registry.LoginDeviceTTL.Seconds())})
	return nil
}
