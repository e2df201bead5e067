package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"chengxin/registry"
	"chengxin/views"
)

var vendorStatuses = []string{registry.VendorActive, registry.VendorSuspended, registry.VendorDeregistered}

func statusOptions(c echo.Context, selected string) []views.Option {
	var out []views.Option
	for _, st := range vendorStatuses {
		out = append(out, views.Option{Value: st, Label: tr(c, "status."+st), Selected: st == selected})
	}
	return out
}

func (s *Server) vendorRow(c echo.Context, v registry.Vendor) views.VendorRow {
	return views.VendorRow{USCC: v.USCC, Name: v.Name, Status: v.Status, StatusLabel: tr(c, "status."+v.Status),
		Districts: districtNames(v.Districts, lang(c)), Categories: categoryNames(v.Categories, lang(c)), Confirmed: v.USCCConfirmed}
}

// handleVendorList is the regulator's searchable, filterable vendor list.
func (s *Server) handleVendorList(c echo.Context) error {
	page, _ := strconv.Atoi(c.QueryParam("page"))
	f := registry.VendorFilter{Q: c.QueryParam("q"), District: c.QueryParam("district"), Category: c.QueryParam("category"),
		Status: c.QueryParam("status"), Page: page, PerPage: 25}
	f.Normalize()
	vendors, total, err := s.db.FindVendors(c.Request().Context(), f)
	if err != nil {
		return err
	}
	v := views.VendorListView{Page: s.page(c, tr(c, "vendors.title")), Q: f.Q,
		DistrictOpts: districtOptions(lang(c), f.District), CategoryOpts: categoryOptions(lang(c), f.Category),
		StatusOpts: statusOptions(c, f.Status)}
	flashFromQuery(c, &v.Page)
	for _, ven := range vendors {
		v.Rows = append(v.Rows, s.vendorRow(c, ven))
	}
	v.Pager = pagerFor(c, total, f.Page, f.PerPage)
	return s.render(c, http.StatusOK, views.VendorListPage(v))
}

// pagerFor builds previous/next links that keep the other query parameters.
func pagerFor(c echo.Context, total, page, perPage int) views.Pager {
	pages := max(1, (total+perPage-1)/perPage)
	p := views.Pager{Total: total, PageNo: page, Pages: pages}
	link := func(n int) string {
		q := c.Request().URL.Query()
		q.Set("page", strconv.Itoa(n))
		q.Del("done")
		return c.Request().URL.Path + "?" + q.Encode()
	}
	if page > 1 {
		p.PrevURL = link(min(page-1, pages))
	}
	if page < pages {
		p.NextURL = link(page + 1)
	}
	return p
}

func vendorLabels(c echo.Context) views.Labels {
	return labels(c, "uscc", "name", "legal_rep", "phone", "address", "districts", "categories", "licence_no",
		"licence_valid_until", "insurance_valid_until", "registered_at", "status", "reason")
}

// vendorInputFromForm binds the vendor form.
func vendorInputFromForm(c echo.Context) (registry.VendorInput, error) {
	form, err := c.FormParams()
	if err != nil {
		return registry.VendorInput{}, echo.NewHTTPError(http.StatusBadRequest, "error.bad_request")
	}
	return registry.VendorInput{
		USCC: form.Get("uscc"), Name: form.Get("name"), LegalRep: form.Get("legal_rep"), Phone: form.Get("phone"),
		Address: form.Get("address"), Districts: form["districts"], Categories: form["categories"],
		LicenceNo: form.Get("licence_no"), LicenceValidUntil: form.Get("licence_valid_until"),
		InsuranceValidUntil: form.Get("insurance_valid_until"), RegisteredAt: form.Get("registered_at"),
		ConfirmUSCC: form.Get("confirm_uscc") == "1",
	}, nil
}

// vendorFormView fills the form view from an input and its validation error.
func (s *Server) vendorFormView(c echo.Context, heading, action, submit string, in registry.VendorInput, err error) views.VendorFormView {
	v := views.VendorFormView{Page: s.page(c, heading), Heading: heading, Action: action, Submit: submit,
		Values: views.VendorValues{USCC: in.USCC, Name: in.Name, LegalRep: in.LegalRep, Phone: in.Phone, Address: in.Address,
			LicenceNo: in.LicenceNo, LicenceValidUntil: in.LicenceValidUntil, InsuranceValidUntil: in.InsuranceValidUntil,
			RegisteredAt: in.RegisteredAt},
		DistrictOpts: districtOptions(lang(c), in.Districts...), CategoryOpts: categoryOptions(lang(c), in.Categories...),
		Labels: vendorLabels(c)}
	if verr, ok := registry.AsValidation(err); ok {
		v.Errs = verr.Messages(lang(c))
	}
	return v
}

func vendorInputOf(v registry.Vendor) registry.VendorInput {
	in := registry.VendorInput{USCC: v.USCC, Name: v.Name, LegalRep: v.LegalRep, Phone: v.Phone, Address: v.Address,
		Districts: v.Districts, Categories: v.Categories, LicenceNo: v.LicenceNo,
		LicenceValidUntil: untilText(v.LicenceValidUntil), InsuranceValidUntil: untilText(v.InsuranceValidUntil),
		RegisteredAt: dateText(v.RegisteredAt)}
	return in
}

func (s *Server) handleVendorNewForm(c echo.Context) error {
	v := s.vendorFormView(c, tr(c, "vendors.new"), "/console/vendors/new", tr(c, "vendors.create"), registry.VendorInput{}, nil)
	return s.render(c, http.StatusOK, views.VendorFormPage(v))
}

// handleVendorCreate registers a vendor; a check-character failure offers the
// regulator's confirmation on the re-shown form.
func (s *Server) handleVendorCreate(c echo.Context) error {
	in, err := vendorInputFromForm(c)
	if err != nil {
		return err
	}
	created, err := s.db.CreateVendor(c.Request().Context(), actor(c), in)
	if _, ok := registry.AsValidation(err); ok {
		v := s.vendorFormView(c, tr(c, "vendors.new"), "/console/vendors/new", tr(c, "vendors.create"), in, err)
		_, checkErr := registry.ParseUSCC(in.USCC)
		v.ShowConfirm = errors.Is(checkErr, registry.ErrUSCCCheck)
		return s.render(c, http.StatusUnprocessableEntity, views.VendorFormPage(v))
	}
	if err != nil {
		return err
	}
	return flashRedirect(c, "/console/vendors/"+created.USCC, "done.vendor_created")
}

func (s *Server) handleVendorEditForm(c echo.Context) error {
	ven, err := s.db.FindVendorByUSCC(c.Request().Context(), c.Param("uscc"))
	if err != nil {
		return err
	}
	action := "/console/vendors/" + ven.USCC + "/edit"
	v := s.vendorFormView(c, tr(c, "vendors.edit_title", ven.Name), action, tr(c, "form.save"), vendorInputOf(ven), nil)
	v.Editing = true
	return s.render(c, http.StatusOK, views.VendorFormPage(v))
}

func (s *Server) handleVendorUpdate(c echo.Context) error {
	ven, err := s.db.FindVendorByUSCC(c.Request().Context(), c.Param("uscc"))
	if err != nil {
		return err
	}
	in, err := vendorInputFromForm(c)
	if err != nil {
		return err
	}
	in.USCC, in.ConfirmUSCC = ven.USCC, false
	if in.RegisteredAt == dateText(ven.RegisteredAt) {
		in.RegisteredAt = "" // the form shows the date only: an untouched field keeps the stored instant
	}
	_, result, err := s.db.UpdateVendor(c.Request().Context(), actor(c), in)
	if _, ok := registry.AsValidation(err); ok {
		action := "/console/vendors/" + ven.USCC + "/edit"
		v := s.vendorFormView(c, tr(c, "vendors.edit_title", ven.Name), action, tr(c, "form.save"), in, err)
		v.Editing = true
		return s.render(c, http.StatusUnprocessableEntity, views.VendorFormPage(v))
	}
	if err != nil {
		return err
	}
	msg := "done.vendor_updated"
	if result == registry.ResultUnchanged {
		msg = "done.unchanged"
	}
	return flashRedirect(c, "/console/vendors/"+ven.USCC, msg)
}

// vendorDetail builds the regulator's vendor page.
func (s *Server) vendorDetail(c echo.Context, ven registry.Vendor) (views.VendorDetailView, error) {
	ctx := c.Request().Context()
	l := lang(c)
	v := views.VendorDetailView{Page: s.page(c, ven.Name), USCC: ven.USCC, Name: ven.Name,
		Status: tr(c, "status."+ven.Status), StatusCode: ven.Status, Confirmed: ven.USCCConfirmed,
		StatusOpts: statusOptions(c, ven.Status),
		Labels: labels(c, "status", "reason", "grade:override.grade", "until:override.until", "override_reason:override.reason",
			"predecessor:predecessor.uscc", "predecessor_reason:predecessor.reason")}
	none := tr(c, "value.none")
	orNone := func(s string) string {
		if s == "" {
			return none
		}
		return s
	}
	usccText := ven.USCC
	if ven.USCCConfirmed {
		usccText += " (" + tr(c, "uscc.confirmed") + ")"
	}
	v.Fields = [][2]string{
		{tr(c, "field.uscc"), usccText},
		{tr(c, "field.legal_rep"), ven.LegalRep},
		{tr(c, "field.phone"), ven.Phone},
		{tr(c, "field.address"), ven.Address},
		{tr(c, "field.districts"), districtNames(ven.Districts, l)},
		{tr(c, "field.categories"), categoryNames(ven.Categories, l)},
		{tr(c, "field.licence_no"), orNone(ven.LicenceNo)},
		{tr(c, "field.licence_valid_until"), orNone(untilText(ven.LicenceValidUntil))},
		{tr(c, "field.insurance_valid_until"), orNone(untilText(ven.InsuranceValidUntil))},
		{tr(c, "field.registered_at"), dateText(ven.RegisteredAt)},
	}
	if ven.LicenceValidUntil == nil {
		v.Fields[7][1] = tr(c, "value.no_expiry")
	}
	ms, err := s.db.MembershipsOfVendor(ctx, ven.ID)
	if err != nil {
		return v, err
	}
	v.Memberships = membershipRows(c, ms)
	if v.Login, v.LoginDisabled, err = s.db.VendorLogin(ctx, ven.ID); err != nil {
		return v, err
	}
	entries, err := s.db.FindAudit(ctx, registry.AuditFilter{Subject: ven.USCC, Limit: 20})
	if err != nil {
		return v, err
	}
	v.Audit = auditRows(c, entries)
	if v.Evaluation, err = s.storedEvaluation(c, ven.ID); err != nil {
		return v, err
	}
	if v.PublicGrade, err = s.publicGradeBox(c, ven); err != nil {
		return v, err
	}
	if v.Complaints, err = s.complaintList(c, ven); err != nil {
		return v, err
	}
	if v.SanctionForm, err = s.newSanctionForm(c); err != nil {
		return v, err
	}
	var current *registry.Override
	if o, err := s.db.ActiveOverride(ctx, ven.ID); err == nil {
		current = &o
	}
	v.Override = overrideForm(c, current, "")
	preds, err := s.db.Predecessors(ctx, ven.ID)
	if err != nil {
		return v, err
	}
	for _, p := range preds {
		v.Predecessors = append(v.Predecessors, p.USCC+" "+p.Name+tr(c, "punct.paren", p.Reason))
	}
	v.Sanctions, err = s.sanctionRows(c, ven.ID)
	return v, err
}

func membershipRows(c echo.Context, ms []registry.Membership) []views.MembershipRow {
	var out []views.MembershipRow
	for _, m := range ms {
		row := views.MembershipRow{OrgUSCC: m.OrgUSCC, OrgName: m.OrgName, VendorUSCC: m.VendorUSCC, VendorName: m.VendorName,
			Status: memberStatusText(c, m), StatusCode: m.Status, Since: dateText(m.Since), Note: memberNote(c, m)}
		if m.Until != nil {
			row.Until = dateText(*m.Until)
		}
		out = append(out, row)
	}
	return out
}

func (s *Server) handleVendorShow(c echo.Context) error {
	ven, err := s.db.FindVendorByUSCC(c.Request().Context(), c.Param("uscc"))
	if err != nil {
		return err
	}
	v, err := s.vendorDetail(c, ven)
	if err != nil {
		return err
	}
	flashFromQuery(c, &v.Page)
	return s.render(c, http.StatusOK, views.VendorDetailPage(v))
}

// handleVendorStatus suspends, deregisters or reactivates a vendor with a reason.
func (s *Server) handleVendorStatus(c echo.Context) error {
	ven, err := s.db.FindVendorByUSCC(c.Request().Context(), c.Param("uscc"))
	if err != nil {
		return err
	}
	status, reason := c.FormValue("status"), c.FormValue("reason")
	_, err = s.db.SetVendorStatus(c.Request().Context(), actor(c), ven.USCC, status, reason)
	if verr, ok := registry.AsValidation(err); ok {
		v, derr := s.vendorDetail(c, ven)
		if derr != nil {
			return derr
		}
		v.Errs, v.Reason = formErrors(c, verr, "status"), reason
		return s.render(c, http.StatusUnprocessableEntity, views.VendorDetailPage(v))
	}
	if err != nil {
		return err
	}
	return flashRedirect(c, "/console/vendors/"+ven.USCC, "done.status_changed")
}

// handleVendorInvite issues a one-time vendor login link and shows it once.
func (s *Server) handleVendorInvite(c echo.Context) error {
	ven, err := s.db.FindVendorByUSCC(c.Request().Context(), c.Param("uscc"))
	if err != nil {
		return err
	}
	token, err := s.db.CreateInvitation(c.Request().Context(), actor(c), ven.USCC)
	if errors.Is(err, registry.ErrHasLogin) {
		v, derr := s.vendorDetail(c, ven)
		if derr != nil {
			return derr
		}
		v.Flash, v.FlashError = tr(c, "invite.refused_has_login"), true
		return s.render(c, http.StatusConflict, views.VendorDetailPage(v))
	}
	if err != nil {
		return err
	}
	v, err := s.vendorDetail(c, ven)
	if err != nil {
		return err
	}
	v.InviteURL = s.inviteURL(token)
	v.Flash = tr(c, "done.invite_created")
	return s.render(c, http.StatusOK, views.VendorDetailPage(v))
}

// handleVendorHome is a vendor's view of its own record, evaluation and
// due process.
func (s *Server) handleVendorHome(c echo.Context) error {
	return s.renderVendorHome(c, http.StatusOK, nil)
}
