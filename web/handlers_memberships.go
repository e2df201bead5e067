package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"chengxin/registry"
	"chengxin/views"
)

// memberStatusText is a membership's status as its vendor, its association
// and regulators read it: an ended membership says who ended it.
func memberStatusText(c echo.Context, m registry.Membership) string {
	if m.Status == registry.MemberLeft {
		switch m.StatusBy {
		case registry.RoleVendor:
			return tr(c, "membership.left_vendor")
		case registry.RoleAssociation:
			return tr(c, "membership.left_org")
		}
	}
	return tr(c, "membership."+m.Status)
}

// memberNote dates the invitation or the vendor's answer.
func memberNote(c echo.Context, m registry.Membership) string {
	switch {
	case m.Status == registry.MemberInvited && m.InvitedAt != nil:
		return tr(c, "members.invited_on", dateText(*m.InvitedAt))
	case m.Status == registry.MemberDeclined && m.RespondedAt != nil:
		return tr(c, "members.answered_on", dateText(*m.RespondedAt))
	}
	return ""
}

// memberActionOpts are the buttons for what role may do to m now.
func memberActionOpts(c echo.Context, role string, m registry.Membership) []views.Option {
	var out []views.Option
	for _, a := range registry.MembershipActions(role, m.Status) {
		out = append(out, views.Option{Value: a, Label: tr(c, "membership_button."+a)})
	}
	return out
}

// myMembershipsView builds the vendor's memberships page.
func (s *Server) myMembershipsView(c echo.Context) (views.MyMembershipsView, error) {
	v := views.MyMembershipsView{Page: s.page(c, tr(c, "mymembers.title"))}
	ms, err := s.db.MembershipsOfVendor(c.Request().Context(), session(c).User.VendorID)
	if err != nil {
		return v, err
	}
	for i, row := range membershipRows(c, ms) {
		row.Actions = memberActionOpts(c, registry.RoleVendor, ms[i])
		if row.StatusCode == registry.MemberInvited {
			v.Invitations = append(v.Invitations, row)
		} else {
			v.Others = append(v.Others, row)
		}
	}
	return v, nil
}

func (s *Server) handleMyMemberships(c echo.Context) error {
	v, err := s.myMembershipsView(c)
	if err != nil {
		return err
	}
	flashFromQuery(c, &v.Page)
	return s.render(c, http.StatusOK, views.MyMembershipsPage(v))
}

// handleMyMembershipAction accepts, declines or leaves the membership in the
// organisation named in the path; the vendor is always the session's own.
func (s *Server) handleMyMembershipAction(c echo.Context) error {
	action := c.FormValue("action")
	err := s.db.RespondToMembership(c.Request().Context(), actor(c), session(c).User.VendorID, c.Param("org"), action)
	if verr, ok := registry.AsValidation(err); ok {
		v, err := s.myMembershipsView(c)
		if err != nil {
			return err
		}
		v.Error = verr.Messages(lang(c))["action"]
		return s.render(c, membershipErrorStatus(action), views.MyMembershipsPage(v))
	}
	if err != nil {
		return err
	}
	return flashRedirect(c, "/console/me/memberships", "done.membership_"+action)
}

// membershipErrorStatus is 400 for an unknown action, 409 for one that does
// not fit the membership's current status.
func membershipErrorStatus(action string) int {
	if registry.IsMembershipAction(action) {
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

// pendingInvites counts the vendor's invitations waiting for an answer.
func pendingInvites(ms []views.MembershipRow) int {
	n := 0
	for _, m := range ms {
		if m.StatusCode == registry.MemberInvited {
			n++
		}
	}
	return n
}
