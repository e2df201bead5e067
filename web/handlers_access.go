package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"chengxin/registry"
	"chengxin/views"
)

// invitationLimit is how many of the newest invitations the console lists.
const invitationLimit = 200

// invitationsView lists the invitations the signed-in user may see: all for
// a regulator, its own organisation's for an association.
func (s *Server) invitationsView(c echo.Context) (views.InvitationsView, error) {
	sess := session(c)
	f := registry.InvitationFilter{Limit: invitationLimit}
	if sess.User.Role == registry.RoleAssociation {
		f.OrgID = sess.User.OrgID
	}
	rows, err := s.db.FindInvitations(c.Request().Context(), f)
	if err != nil {
		return views.InvitationsView{}, err
	}
	v := views.InvitationsView{Page: s.page(c, tr(c, "invitations.title")), Regulator: sess.User.Role == registry.RoleRegulator,
		Limit: invitationLimit}
	for _, r := range rows {
		row := views.InvitationRow{ID: r.ID, Vendor: r.VendorName + " (" + r.VendorUSCC + ")", VendorUSCC: r.VendorUSCC,
			IssuedBy: r.OrgName, Created: dateTimeText(registry.FormatOutput(r.CreatedAt)),
			Expires: dateTimeText(registry.FormatOutput(r.ExpiresAt)), Status: r.Status, Revocable: r.Status == registry.InvitationOpen}
		if row.IssuedBy == "" {
			row.IssuedBy = r.CreatedBy
		}
		switch r.Status {
		case registry.InvitationUsed:
			row.StatusLabel = tr(c, "invitations.status.used", dateText(*r.UsedAt), r.UsedBy)
		case registry.InvitationRevoked:
			row.StatusLabel = tr(c, "invitations.status.revoked", dateText(*r.RevokedAt), r.RevokedBy)
		default:
			row.StatusLabel = tr(c, "invitations.status."+r.Status)
		}
		v.Rows = append(v.Rows, row)
	}
	return v, nil
}

func (s *Server) handleInvitationList(c echo.Context) error {
	v, err := s.invitationsView(c)
	if err != nil {
		return err
	}
	flashFromQuery(c, &v.Page)
	return s.render(c, http.StatusOK, views.InvitationsPage(v))
}

// handleInvitationRevoke ends an open invitation; an association may revoke
// only its own (another's is not found).
func (s *Server) handleInvitationRevoke(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return registry.ErrNotFound
	}
	var orgID int64
	if u := session(c).User; u.Role == registry.RoleAssociation {
		orgID = u.OrgID
	}
	err = s.db.RevokeInvitation(c.Request().Context(), actor(c), id, orgID)
	if errors.Is(err, registry.ErrConflict) {
		v, lerr := s.invitationsView(c)
		if lerr != nil {
			return lerr
		}
		v.Flash, v.FlashError = tr(c, "invitations.not_open"), true
		return s.render(c, http.StatusConflict, views.InvitationsPage(v))
	}
	if err != nil {
		return err
	}
	return flashRedirect(c, "/console/invitations", "done.invitation_revoked")
}

// handleUserDisable and handleUserEnable switch a console account off and
// on; disabling signs it out everywhere at once.
func (s *Server) handleUserDisable(c echo.Context) error { return s.setUserDisabled(c, true) }

func (s *Server) handleUserEnable(c echo.Context) error { return s.setUserDisabled(c, false) }

func (s *Server) setUserDisabled(c echo.Context, disabled bool) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return registry.ErrNotFound
	}
	err = s.db.SetUserDisabled(c.Request().Context(), actor(c), id, disabled)
	if verr, ok := registry.AsValidation(err); ok {
		v, lerr := s.userListView(c)
		if lerr != nil {
			return lerr
		}
		for _, m := range verr.Messages(lang(c)) {
			v.Flash, v.FlashError = m, true
		}
		return s.render(c, http.StatusUnprocessableEntity, views.UserListPage(v))
	}
	if err != nil {
		return err
	}
	if disabled {
		return flashRedirect(c, "/console/users", "done.user_disabled")
	}
	return flashRedirect(c, "/console/users", "done.user_enabled")
}
