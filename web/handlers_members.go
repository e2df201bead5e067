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
		row.MemberStatus, row.MemberStatusCode, row.MemberNote = memberStatusText(c, m), m.Status, memberNote(c, m)
		row.MemberActions = memberActionOpts(c, registry.RoleAssociation, m)
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

// handleMemberCreate onboards one vendor: registers it (an active member,
// with a login invitation) or invites the already-registered vendor.
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
	case registry.ResultInvited:
		v.Flash = tr(c, "done.member_invited", res.Vendor.Name)
		if res.NoLogin {
			v.Flash = tr(c, "done.member_no_login", res.Vendor.Name)
		}
	case registry.ResultUnchanged:
		v.Flash = tr(c, "done.member_exists", res.Vendor.Name, tr(c, "membership."+res.Status))
		if res.Status == registry.MemberInvited {
			v.Flash = tr(c, "done.member_pending", res.Vendor.Name)
		}
	}
	return s.render(c, http.StatusOK, views.MembersPage(v))
}

// handleMemberAction suspends, reinstates or ends a membership, withdraws
// an unanswered invitation or invites again.
func (s *Server) handleMemberAction(c echo.Context) error {
	org, err := s.myOrg(c)
	if err != nil {
		return err
	}
	action := c.FormValue("action")
	err = s.db.ChangeMembership(c.Request().Context(), actor(c), org.ID, c.Param("uscc"), action)
	if verr, ok := registry.AsValidation(err); ok {
		v, err := s.membersView(c, org, "")
		if err != nil {
			return err
		}
		v.Flash, v.FlashError = verr.Messages(lang(c))["action"], true
		return s.render(c, membershipErrorStatus(action), views.MembersPage(v))
	}
	if err != nil {
		return err
	}
	return flashRedirect(c, "/console/members", "done.membership_"+action)
}
