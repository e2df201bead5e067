package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"chengxin/registry"
	"chengxin/views"
)

func (s *Server) orgListView(c echo.Context, q string) (views.OrgListView, error) {
	orgs, err := s.db.FindOrgs(c.Request().Context(), q)
	if err != nil {
		return views.OrgListView{}, err
	}
	v := views.OrgListView{Page: s.page(c, tr(c, "orgs.title")), Q: q, DistOpts: districtOptions(lang(c)),
		Labels: labels(c, "uscc", "name", "kind", "district", "contact_phone")}
	for _, k := range registry.OrgKinds {
		v.KindOpts = append(v.KindOpts, views.Option{Value: k, Label: tr(c, "kind."+k)})
	}
	for _, o := range orgs {
		d, _ := registry.DistrictByCode(o.District)
		v.Rows = append(v.Rows, views.OrgRow{USCC: o.USCC, Name: o.Name, Kind: tr(c, "kind."+o.Kind),
			District: d.Name(lang(c)), Phone: o.ContactPhone, Members: o.Members})
	}
	return v, nil
}

func (s *Server) handleOrgList(c echo.Context) error {
	v, err := s.orgListView(c, strings.TrimSpace(c.QueryParam("q")))
	if err != nil {
		return err
	}
	flashFromQuery(c, &v.Page)
	return s.render(c, http.StatusOK, views.OrgListPage(v))
}

func (s *Server) handleOrgCreate(c echo.Context) error {
	in := registry.OrgInput{USCC: c.FormValue("uscc"), Name: c.FormValue("name"), Kind: c.FormValue("kind"),
		District: c.FormValue("district"), ContactPhone: c.FormValue("contact_phone"), ConfirmUSCC: c.FormValue("confirm_uscc") == "1"}
	_, err := s.db.CreateOrg(c.Request().Context(), actor(c), in)
	if verr, ok := registry.AsValidation(err); ok {
		v, lerr := s.orgListView(c, "")
		if lerr != nil {
			return lerr
		}
		v.Errs = verr.Messages(lang(c))
		v.Values = views.OrgValues{USCC: in.USCC, Name: in.Name, Phone: in.ContactPhone}
		for i := range v.KindOpts {
			v.KindOpts[i].Selected = v.KindOpts[i].Value == in.Kind
		}
		v.DistOpts = districtOptions(lang(c), in.District)
		return s.render(c, http.StatusUnprocessableEntity, views.OrgListPage(v))
	}
	if err != nil {
		return err
	}
	return flashRedirect(c, "/console/orgs", "done.org_created")
}

func (s *Server) userListView(c echo.Context) (views.UserListView, error) {
	users, err := s.db.FindUsers(c.Request().Context())
	if err != nil {
		return views.UserListView{}, err
	}
	v := views.UserListView{Page: s.page(c, tr(c, "users.title")),
		Labels: labels(c, "username:login.username", "password:login.password", "role", "org:users.org_uscc")}
	for _, r := range []string{registry.RoleRegulator, registry.RoleAssociation, registry.RoleVendor} {
		v.RoleOpts = append(v.RoleOpts, views.Option{Value: r, Label: tr(c, "role."+r)})
	}
	for _, u := range users {
		of := ""
		switch {
		case u.OrgName != "":
			of = u.OrgName + " (" + u.OrgUSCC + ")"
		case u.VendorName != "":
			of = u.VendorName + " (" + u.VendorUSCC + ")"
		}
		v.Rows = append(v.Rows, views.UserRow{ID: u.ID, Username: u.Username, Role: tr(c, "role."+u.Role), Of: of,
			Created: dateText(u.CreatedAt), Disabled: u.Disabled, Self: u.ID == session(c).User.ID})
	}
	return v, nil
}

func (s *Server) handleUserList(c echo.Context) error {
	v, err := s.userListView(c)
	if err != nil {
		return err
	}
	flashFromQuery(c, &v.Page)
	return s.render(c, http.StatusOK, views.UserListPage(v))
}

func (s *Server) handleUserCreate(c echo.Context) error {
	in := registry.UserInput{Username: strings.TrimSpace(c.FormValue("username")), Password: c.FormValue("password"),
		Role: c.FormValue("role"), OrgUSCC: c.FormValue("org")}
	_, err := s.db.CreateUser(c.Request().Context(), actor(c), in)
	if verr, ok := registry.AsValidation(err); ok {
		v, lerr := s.userListView(c)
		if lerr != nil {
			return lerr
		}
		v.Errs, v.Username, v.OrgUSCC = verr.Messages(lang(c)), in.Username, in.OrgUSCC
		for i := range v.RoleOpts {
			v.RoleOpts[i].Selected = v.RoleOpts[i].Value == in.Role
		}
		return s.render(c, http.StatusUnprocessableEntity, views.UserListPage(v))
	}
	if err != nil {
		return err
	}
	return flashRedirect(c, "/console/users", "done.user_created")
}

func auditRows(entries []registry.AuditEntry) []views.AuditRow {
	out := make([]views.AuditRow, 0, len(entries))
	for _, e := range entries {
		out = append(out, views.AuditRow{ID: e.ID, At: dateTimeText(e.At), Actor: e.Actor, Action: e.Action, Subject: e.Subject, Detail: e.Detail})
	}
	return out
}

// dateTimeText shows a stored RFC 3339 instant in Asia/Shanghai.
func dateTimeText(stored string) string {
	t, err := registry.ParseStoredTime(stored)
	if err != nil {
		return stored
	}
	return t.In(registry.Shanghai).Format("2006-01-02 15:04:05")
}

// handleAuditList lists the audit log newest first, filtered, with an
// on-demand chain verification.
func (s *Server) handleAuditList(c echo.Context) error {
	before, _ := strconv.ParseInt(c.QueryParam("before"), 10, 64)
	f := registry.AuditFilter{Actor: strings.TrimSpace(c.QueryParam("actor")), Action: strings.TrimSpace(c.QueryParam("action")),
		Subject: strings.TrimSpace(c.QueryParam("subject")), BeforeID: before, Limit: 50}
	entries, err := s.db.FindAudit(c.Request().Context(), f)
	if err != nil {
		return err
	}
	v := views.AuditListView{Page: s.page(c, tr(c, "audit.title")), Actor: f.Actor, Action: f.Action, Subject: f.Subject, Rows: auditRows(entries)}
	if len(entries) == f.Limit {
		q := c.Request().URL.Query()
		q.Set("before", strconv.FormatInt(entries[len(entries)-1].ID, 10))
		q.Del("verify")
		v.NextURL = "/console/audit?" + q.Encode()
	}
	if c.QueryParam("verify") == "1" {
		brk, n, err := s.db.VerifyAudit(c.Request().Context())
		if err != nil {
			return err
		}
		if brk == nil {
			v.Verified, v.VerifiedOK = tr(c, "audit.verified_ok", n), true
		} else {
			v.Verified = tr(c, "audit.verified_broken", brk.ID, brk.Reason)
		}
	}
	return s.render(c, http.StatusOK, views.AuditListPage(v))
}
