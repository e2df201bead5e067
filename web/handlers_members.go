package web

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"chengxin/registry"
	"chengxin/views"
)

// myOrg is the association of the logged-in user.
func (s *Server) myOrg(c echo.Context) (registry.Org, error) {
	return s.db.FindOrgByID(c.Request().Context(), session(c).User.OrgID)
}

func (s *Server) membersView(c echo.Context, org registry.Org, status string) (views.MembersView, error) {
	ms, err := s.db.MembersOfOrg(c.Request().Context(), org.ID, status)
	if err != nil {
		return views.MembersView{}, err
	}
	v := views.MembersView{Page: s.page(c, tr(c, "members.title")), OrgName: org.Name, Status: status}
	for _, st := range registry.MembershipStatuses {
		v.StatusOpts = append(v.StatusOpts, views.Option{Value: st, Label: tr(c, "membership."+st), Selected: st == status})
	}
	ids := make([]int64, 0, len(ms))
	for _, m := range ms {
		ids = append(ids, m.VendorID)
	}
	vendors, err := s.db.FindVendorsByID(c.Request().Context(), ids)
	if err != nil {
		return v, err
	}
	for _, m := range ms {
		ven := vendors[m.VendorID]
		row := s.vendorRow(c, ven)
		row.MemberStatus, row.MemberStatusCode = tr(c, "membership."+m.Status), m.Status
		v.Rows = append(v.Rows, row)
	}
	return v, nil
}

func (s *Server) handleMemberList(c echo.Context) error {
	org, err := s.myOrg(c)
	if err != nil {
		return err
	}
	status := c.QueryParam("status")
	if !slices.Contains(registry.MembershipStatuses, status) {
		status = ""
	}
	v, err := s.membersView(c, org, status)
	if err != nil {
		return err
	}
	flashFromQuery(c, &v.Page)
	return s.render(c, http.StatusOK, views.MembersPage(v))
}

func (s *Server) handleMemberNewForm(c echo.Context) error {
	v := s.vendorFormView(c, tr(c, "members.add"), "/console/members/new", tr(c, "members.add_submit"), registry.VendorInput{}, nil)
	return s.render(c, http.StatusOK, views.VendorFormPage(v))
}

// handleMemberCreate onboards one vendor: registers it (with a login
// invitation) or links the already-registered vendor.
func (s *Server) handleMemberCreate(c echo.Context) error {
	org, err := s.myOrg(c)
	if err != nil {
		return err
	}
	in, err := vendorInputFromForm(c)
	if err != nil {
		return err
	}
	in.ConfirmUSCC = false // only regulators confirm codes
	res, err := s.db.OnboardMember(c.Request().Context(), actor(c), org.ID, in)
	if _, ok := registry.AsValidation(err); ok {
		v := s.vendorFormView(c, tr(c, "members.add"), "/console/members/new", tr(c, "members.add_submit"), in, err)
		return s.render(c, http.StatusUnprocessableEntity, views.VendorFormPage(v))
	}
	if err != nil {
		return err
	}
	v, err := s.membersView(c, org, "")
	if err != nil {
		return err
	}
	switch res.Result {
	case registry.ResultCreated:
		v.Flash = tr(c, "done.member_created", res.Vendor.Name)
		v.InviteURL, v.InviteFor = s.inviteURL(res.InviteToken), res.Vendor.Name
	case registry.ResultLinked:
		v.Flash = tr(c, "done.member_linked", res.Vendor.Name)
	default:
		v.Flash = tr(c, "done.member_unchanged", res.Vendor.Name)
	}
	return s.render(c, http.StatusOK, views.MembersPage(v))
}

func (s *Server) handleMemberStatus(c echo.Context) error {
	org, err := s.myOrg(c)
	if err != nil {
		return err
	}
	err = s.db.SetMembershipStatus(c.Request().Context(), actor(c), org.ID, c.Param("uscc"), c.FormValue("status"))
	if verr, ok := registry.AsValidation(err); ok {
		return echo.NewHTTPError(http.StatusBadRequest, "error.bad_request").SetInternal(verr)
	}
	if err != nil {
		return err
	}
	return flashRedirect(c, "/console/members", "done.membership_changed")
}
