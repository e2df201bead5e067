package web

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"chengxin/registry"
	"chengxin/views"
)

const importKindMembers = "members"

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
	if !contains(registry.MembershipStatuses, status) {
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
		v.InviteURL, v.InviteFor = s.inviteURL(c, res.InviteToken), res.Vendor.Name
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

func (s *Server) importView(c echo.Context) views.ImportView {
	return views.ImportView{Page: s.page(c, tr(c, "import.title")), Heading: tr(c, "import.title"),
		Action: "/console/members/import", ConfirmURL: "/console/members/import/confirm",
		TemplateURL: "/console/members/import/template.csv", MaxMB: uploadLimitMB}
}

func (s *Server) handleMemberImportForm(c echo.Context) error {
	return s.render(c, http.StatusOK, views.ImportPage(s.importView(c)))
}

// handleMemberImportTemplate downloads an empty vendor CSV with one example row.
func (s *Server) handleMemberImportTemplate(c echo.Context) error {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Write(registry.VendorCSVHeader())
	w.Write([]string{registry.MustUSCC("91120101MA05XXXX0"), "天津示例家政服务有限公司", "张三", "022-12345678",
		"天津市和平区示例路1号", "120101;120103", "cleaning;housekeeping", "", "", "", ""})
	w.Flush()
	c.Response().Header().Set("Content-Disposition", `attachment; filename="members-template.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// handleMemberImportPreview validates every row of an uploaded file in a
// rolled-back transaction and shows what confirming would do.
func (s *Server) handleMemberImportPreview(c echo.Context) error {
	v := s.importView(c)
	org, err := s.myOrg(c)
	if err != nil {
		return err
	}
	fh, err := c.FormFile("file")
	if err != nil {
		v.FileError = tr(c, "import.no_file")
		return s.render(c, http.StatusUnprocessableEntity, views.ImportPage(v))
	}
	if fh.Size > uploadLimitMB<<20 {
		v.FileError = tr(c, "csv.too_large", uploadLimitMB)
		return s.render(c, http.StatusRequestEntityTooLarge, views.ImportPage(v))
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	content, err := io.ReadAll(io.LimitReader(f, uploadLimitMB<<20+1))
	if err != nil {
		return err
	}
	opt := registry.ImportOptions{Actor: actor(c), OrgID: org.ID, LinkExisting: true, DryRun: true, KeepRows: true}
	rep, err := s.db.ImportVendors(c.Request().Context(), bytes.NewReader(content), opt)
	if ferr, ok := registry.AsFileError(err); ok {
		v.FileError = ferr.Text.In(lang(c))
		return s.render(c, http.StatusUnprocessableEntity, views.ImportPage(v))
	}
	if err != nil {
		return err
	}
	v.Filename = fh.Filename
	s.fillImportRows(c, &v, rep)
	if stored := rep.Created + rep.Updated + rep.Linked; stored > 0 {
		v.StageID, err = s.db.StageImport(c.Request().Context(), session(c).User.ID, importKindMembers, fh.Filename, content)
		if err != nil {
			return err
		}
	}
	v.Summary = tr(c, "import.preview_summary", rep.Created, rep.Linked, rep.Unchanged, rep.Rejected)
	return s.render(c, http.StatusOK, views.ImportPage(v))
}

func (s *Server) fillImportRows(c echo.Context, v *views.ImportView, rep registry.ImportReport) {
	v.Counts = map[string]int{"store": rep.Created + rep.Updated + rep.Linked, "rejected": rep.Rejected}
	for _, r := range rep.Rows {
		row := views.ImportRow{Line: r.Line, Key: r.Key, Name: r.Name, Result: r.Result, ResultLabel: tr(c, "result."+r.Result)}
		for _, e := range r.Errors {
			row.Errors = append(row.Errors, tr(c, "field."+e.Field)+"："+e.Text.In(lang(c)))
		}
		v.Rows = append(v.Rows, row)
	}
}

// handleMemberImportConfirm stores the previewed file's valid rows.
func (s *Server) handleMemberImportConfirm(c echo.Context) error {
	org, err := s.myOrg(c)
	if err != nil {
		return err
	}
	v := s.importView(c)
	staged, err := s.db.TakeStagedImport(c.Request().Context(), c.FormValue("stage"), session(c).User.ID, importKindMembers)
	if errors.Is(err, registry.ErrNotFound) {
		v.FileError = tr(c, "import.stage_expired")
		return s.render(c, http.StatusNotFound, views.ImportPage(v))
	}
	if err != nil {
		return err
	}
	opt := registry.ImportOptions{Actor: actor(c), OrgID: org.ID, LinkExisting: true}
	rep, err := s.db.ImportVendors(c.Request().Context(), bytes.NewReader(staged.Content), opt)
	if ferr, ok := registry.AsFileError(err); ok {
		v.FileError = ferr.Text.In(lang(c))
		return s.render(c, http.StatusUnprocessableEntity, views.ImportPage(v))
	}
	if err != nil {
		return err
	}
	v.Done = true
	v.Summary = tr(c, "import.done_summary", rep.Created, rep.Linked, rep.Unchanged, rep.Rejected)
	for _, inv := range rep.Invitations {
		v.Invitations = append(v.Invitations, views.InviteLink{USCC: inv.USCC, Name: inv.Name, URL: s.inviteURL(c, inv.Token)})
	}
	return s.render(c, http.StatusOK, views.ImportPage(v))
}
