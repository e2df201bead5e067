package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"chengxin/registry"
	"chengxin/views"
)

func (s *Server) handleLoginForm(c echo.Context) error {
	if session(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/console")
	}
	v := views.LoginView{Page: s.page(c, tr(c, "login.title")), Next: safeNext(c.QueryParam("next"))}
	flashFromQuery(c, &v.Page)
	return s.render(c, http.StatusOK, views.LoginPage(v))
}

// handleLogin counts the attempt (refusing it, 429, when the throttle says
// so), waits for a free password check, checks the password, then starts a
// session. The count comes first, in the database, so parallel attempts and
// other processes see it before any password is checked.
func (s *Server) handleLogin(c echo.Context) error {
	username := strings.TrimSpace(c.FormValue("username"))
	password := c.FormValue("password")
	ctx := c.Request().Context()
	v := views.LoginView{Page: s.page(c, tr(c, "login.title")), Username: username, Next: safeNext(c.QueryParam("next"))}
	known, err := s.knownDevice(c, username)
	if err != nil {
		return err
	}
	attempt, err := s.db.BeginLogin(ctx, username, c.RealIP(), known)
	if t, ok := registry.AsThrottled(err); ok {
		return s.refuseLogin(c, v, t)
	}
	if err != nil {
		return err
	}
	// The outcome is recorded even if the client leaves meanwhile.
	finish := func(outcome string) error {
		return s.db.FinishLogin(context.WithoutCancel(ctx), attempt, outcome)
	}
	if !s.pwChecks.acquire(ctx, s.pwWait) {
		if err := finish(registry.LoginUnchecked); err != nil {
			return err
		}
		c.Response().Header().Set("Retry-After", "2")
		v.Error = tr(c, "login.busy")
		return s.render(c, http.StatusServiceUnavailable, views.LoginPage(v))
	}
	u, err := s.db.Authenticate(ctx, username, password)
	s.pwChecks.release()
	if errors.Is(err, registry.ErrBadCredentials) {
		if err := finish(registry.LoginFailed); err != nil {
			return err
		}
		v.Error = tr(c, "login.failed")
		return s.render(c, http.StatusUnauthorized, views.LoginPage(v))
	}
	if err != nil {
		finish(registry.LoginUnchecked)
		return err
	}
	if err := finish(registry.LoginSucceeded); err != nil {
		return err
	}
	token, _, err := s.db.CreateSession(ctx, u)
	if err != nil {
		return err
	}
	if !known {
		if err := s.rememberDevice(c, u); err != nil {
			return err
		}
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies, MaxAge: int(registry.SessionTTL.Seconds())})
	if next := safeNext(c.QueryParam("next")); next != "" {
		return c.Redirect(http.StatusSeeOther, next)
	}
	return c.Redirect(http.StatusSeeOther, "/console")
}

func (s *Server) handleLogout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := s.db.DeleteSession(c.Request().Context(), ck.Value, session(c).User); err != nil {
			return err
		}
	}
	s.clearCookie(c, sessionCookie)
	return c.Redirect(http.StatusSeeOther, "/console/login")
}

// handleConsoleHome sends each role to its start page.
func (s *Server) handleConsoleHome(c echo.Context) error {
	switch session(c).User.Role {
	case registry.RoleRegulator:
		return c.Redirect(http.StatusSeeOther, "/console/vendors")
	case registry.RoleAssociation:
		return c.Redirect(http.StatusSeeOther, "/console/members")
	default:
		return c.Redirect(http.StatusSeeOther, "/console/me")
	}
}

func (s *Server) handleInviteForm(c echo.Context) error {
	v := views.InviteView{Page: s.page(c, tr(c, "invite.title"))}
	vendor, err := s.db.FindInvitation(c.Request().Context(), c.Param("token"))
	if bad, status := invitationRefused(err, &v); bad {
		return s.render(c, status, views.InvitePage(v))
	}
	if err != nil {
		return err
	}
	v.VendorName = vendor.Name
	return s.render(c, http.StatusOK, views.InvitePage(v))
}

func (s *Server) handleInviteAccept(c echo.Context) error {
	token := c.Param("token")
	v := views.InviteView{Page: s.page(c, tr(c, "invite.title")), Username: strings.TrimSpace(c.FormValue("username")),
		Labels: labels(c, "username:login.username", "password:login.password")}
	vendor, err := s.db.FindInvitation(c.Request().Context(), token)
	if bad, status := invitationRefused(err, &v); bad {
		return s.render(c, status, views.InvitePage(v))
	}
	if err != nil {
		return err
	}
	v.VendorName = vendor.Name
	_, err = s.db.AcceptInvitation(c.Request().Context(), token, v.Username, c.FormValue("password"))
	if bad, status := invitationRefused(err, &v); bad {
		return s.render(c, status, views.InvitePage(v))
	}
	if verr, ok := registry.AsValidation(err); ok {
		v.Errs = verr.Messages(lang(c))
		return s.render(c, http.StatusUnprocessableEntity, views.InvitePage(v))
	}
	if err != nil {
		return err
	}
	return flashRedirect(c, "/console/login", "done.invite_accepted")
}

// invitationRefused marks the page for an invitation that cannot be used:
// unknown, used, revoked or expired (404), or for a vendor that has a login
// by now (409).
func invitationRefused(err error, v *views.InviteView) (bool, int) {
	switch {
	case errors.Is(err, registry.ErrHasLogin):
		v.Invalid, v.HasLogin = true, true
		return true, http.StatusConflict
	case errors.Is(err, registry.ErrNotFound):
		v.Invalid = true
		return true, http.StatusNotFound
	}
	return false, 0
}
