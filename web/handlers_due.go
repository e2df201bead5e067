package web

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"chengxin/registry"
	"chengxin/views"
)

func (s *Server) inboxRows(c echo.Context, role string, vendorID int64) ([]views.InboxRow, error) {
	reminders, err := s.db.Reminders(c.Request().Context(), role, vendorID)
	if err != nil {
		return nil, err
	}
	ns, err := s.db.Inbox(c.Request().Context(), role, vendorID, 20)
	if err != nil {
		return nil, err
	}
	ns = append(reminders, ns...)
	var out []views.InboxRow
	for _, n := range ns {
		out = append(out, views.InboxRow{At: n.At.In(registry.Shanghai).Format("2006-01-02 15:04"), Text: n.Text.In(lang(c)), Link: n.Link})
	}
	return out, nil
}

func (s *Server) caseRow(c echo.Context, k registry.Case) views.CaseRow {
	row := views.CaseRow{ID: strconv.FormatInt(k.ID, 10), Kind: tr(c, "case."+k.Kind), Vendor: k.VendorName, VendorUSCC: k.VendorUSCC,
		Subject: k.Subject, Text: k.Text, Attachment: k.Attachment, Opened: dateText(k.OpenedAt), Deadline: dateText(k.DeadlineAt),
		Age: tr(c, "reviews.days", int(math.Floor(s.now().Sub(k.OpenedAt).Hours()/24))), Overdue: s.now().After(k.DeadlineAt),
		Status: tr(c, "decision."+k.Status), StatusCode: k.Status, Reason: k.DecisionReason, Amended: k.AmendedValue, DecidedBy: k.DecidedBy}
	if k.Kind == registry.CaseRepair {
		row.Subject = tr(c, "due.sanction_no", k.Subject)
	}
	for _, d := range registry.DecisionsFor(k.Kind) {
		row.DecisionOpts = append(row.DecisionOpts, views.Option{Value: d, Label: tr(c, "decision."+d)})
	}
	switch k.Kind {
	case registry.CaseGradeObjection:
		for _, g := range gradeColumns {
			row.AmendOpts = append(row.AmendOpts, views.Option{Value: g, Label: tr(c, "grade."+g)})
		}
	case registry.CaseComplaintObjection:
		for _, o := range registry.Outcomes {
			row.AmendOpts = append(row.AmendOpts, views.Option{Value: o, Label: tr(c, "outcome."+o)})
		}
	}
	return row
}

// dueProcess builds the vendor's side of due process for its own page.
func (s *Server) dueProcess(c echo.Context, ven registry.Vendor) (views.DueProcess, error) {
	ctx := c.Request().Context()
	d := views.DueProcess{Labels: labels(c, "text:due.objection_text", "attachment:due.attachment", "work_order_no:eval.work_order",
		"complaint_text:due.objection_text", "complaint_attachment:due.attachment", "reply:due.reply_text",
		"sanction:due.sanction", "repair_text:due.repair_text")}
	pub, err := s.db.FindPublished(ctx, ven.ID)
	if err != nil {
		return d, err
	}
	d.Published, d.Reply = pub.Grade, pub.Reply
	if p := pub.Pending; p != nil {
		d.Pending = &views.PendingView{Grade: p.Grade, PublicAfter: p.PublicAfter.In(registry.Shanghai).Format("2006-01-02 15:04"),
			Objected: p.ObjectedAt != nil, CanObject: p.ObjectedAt == nil && s.now().Before(p.PublicAfter)}
	}
	if o := pub.Override; o != nil {
		d.Override = tr(c, "override.current", o.Grade, dateText(o.Until), o.Reason)
	}
	cases, err := s.db.FindCases(ctx, registry.CaseFilter{VendorID: ven.ID, Limit: 50})
	if err != nil {
		return d, err
	}
	for _, k := range cases {
		d.Cases = append(d.Cases, s.caseRow(c, k))
	}
	in, err := s.db.LoadInputs(ctx, ven.ID)
	if err != nil {
		return d, err
	}
	for _, cp := range in.Complaints {
		if cp.Status == "closed" && cp.ClosedAt != nil && s.now().Sub(*cp.ClosedAt) <= registry.ComplaintObjection {
			d.Complaints = append(d.Complaints, views.Option{Value: cp.WorkOrderNo,
				Label: fmt.Sprintf("%s · %s · %s", cp.WorkOrderNo, dateText(cp.ReceivedAt), tr(c, "outcome."+cp.Outcome))})
		}
	}
	sanctions, err := s.db.SanctionsOfVendor(ctx, ven.ID)
	if err != nil {
		return d, err
	}
	for _, x := range sanctions {
		onDisplay := x.LiftedAt == nil && x.RepairedAt == nil && (x.DisplayUntil == nil || x.DisplayUntil.After(s.now()))
		if onDisplay && x.Kind != "commendation" {
			d.Sanctions = append(d.Sanctions, views.Option{Value: strconv.FormatInt(x.ID, 10),
				Label: tr(c, "due.sanction_option", tr(c, "sanction."+x.Kind), x.Reference, dateText(registry.RepairEligibleFrom(x.Kind, x.IssuedAt)))})
		}
	}
	d.Inbox, err = s.inboxRows(c, registry.RoleVendor, ven.ID)
	return d, err
}

// renderVendorHome shows the vendor's page, optionally with field errors of
// a failed submission.
func (s *Server) renderVendorHome(c echo.Context, status int, errs map[string]string) error {
	ven, err := s.db.FindVendorByID(c.Request().Context(), session(c).User.VendorID)
	if err != nil {
		return err
	}
	d, err := s.vendorDetail(c, ven)
	if err != nil {
		return err
	}
	v := views.VendorHomeView{Page: d.Page, USCC: ven.USCC, Name: ven.Name, Status: d.Status,
		Fields: append([][2]string{{tr(c, "field.status"), d.Status}}, d.Fields...), Memberships: d.Memberships,
		PendingInvites: pendingInvites(d.Memberships)}
	v.Title = tr(c, "me.title")
	flashFromQuery(c, &v.Page)
	if v.Evaluation, err = s.freshEvaluation(c, ven.ID); err != nil {
		return err
	}
	if v.Due, err = s.dueProcess(c, ven); err != nil {
		return err
	}
	v.Due.Errs = errs
	return s.render(c, status, views.VendorHomePage(v))
}

// vendorCase runs one of the vendor's submissions and answers with the
// page. formFields renames the registry's field names to the form's, where
// several forms on the page share a registry field ("text").
func (s *Server) vendorCase(c echo.Context, do func(registry.Actor, int64) error, done string, formFields map[string]string) error {
	err := do(actor(c), session(c).User.VendorID)
	if verr, ok := registry.AsValidation(err); ok {
		return s.renderVendorHome(c, http.StatusUnprocessableEntity, renameFields(verr.Messages(lang(c)), formFields))
	}
	if err != nil {
		return err
	}
	return flashRedirect(c, "/console/me", done)
}

// renameFields moves field errors from the registry's field names to the
// form's, where several forms on one page share a registry field name
// ("reason", "text") and need distinct element ids.
func renameFields(msgs map[string]string, formFields map[string]string) map[string]string {
	for from, to := range formFields {
		if m, has := msgs[from]; has {
			delete(msgs, from)
			msgs[to] = m
		}
	}
	return msgs
}

func (s *Server) handleObjectGrade(c echo.Context) error {
	return s.vendorCase(c, func(a registry.Actor, id int64) error {
		_, err := s.db.ObjectToPendingGrade(c.Request().Context(), a, id, c.FormValue("text"), c.FormValue("attachment"))
		return err
	}, "done.objection_filed", nil)
}

func (s *Server) handleObjectComplaint(c echo.Context) error {
	return s.vendorCase(c, func(a registry.Actor, id int64) error {
		_, err := s.db.ObjectToComplaint(c.Request().Context(), a, id, c.FormValue("work_order_no"), c.FormValue("complaint_text"), c.FormValue("complaint_attachment"))
		return err
	}, "done.objection_filed", map[string]string{"text": "complaint_text", "attachment": "complaint_attachment"})
}

func (s *Server) handleReply(c echo.Context) error {
	return s.vendorCase(c, func(a registry.Actor, id int64) error {
		_, err := s.db.SubmitReply(c.Request().Context(), a, id, c.FormValue("reply"))
		return err
	}, "done.reply_filed", map[string]string{"text": "reply"})
}

func (s *Server) handleRepair(c echo.Context) error {
	return s.vendorCase(c, func(a registry.Actor, id int64) error {
		sid, _ := strconv.ParseInt(c.FormValue("sanction"), 10, 64)
		_, err := s.db.ApplyForRepair(c.Request().Context(), a, id, sid, c.FormValue("repair_text"))
		return err
	}, "done.repair_filed", map[string]string{"text": "repair_text"})
}

func (s *Server) reviewsView(c echo.Context) (views.ReviewsView, error) {
	ctx := c.Request().Context()
	v := views.ReviewsView{Page: s.page(c, tr(c, "reviews.title"))}
	open, err := s.db.FindCases(ctx, registry.CaseFilter{Status: "open"})
	if err != nil {
		return v, err
	}
	for _, k := range open {
		row := s.caseRow(c, k)
		if k.Kind == registry.CaseGradeObjection {
			// Say what is objected to: the pending grade against the public one.
			if p, err := s.db.FindPublished(ctx, k.VendorID); err == nil && p.Pending != nil {
				row.Subject = tr(c, "reviews.pending_subject", p.Grade, p.Pending.Grade, dateText(p.Pending.PublicAfter))
			}
		}
		v.Open = append(v.Open, row)
	}
	all, err := s.db.FindCases(ctx, registry.CaseFilter{Limit: 50})
	if err != nil {
		return v, err
	}
	for _, k := range all {
		if k.Status != "open" {
			v.Decided = append(v.Decided, s.caseRow(c, k))
		}
	}
	v.Inbox, err = s.inboxRows(c, registry.RoleRegulator, 0)
	return v, err
}

func (s *Server) handleReviews(c echo.Context) error {
	v, err := s.reviewsView(c)
	if err != nil {
		return err
	}
	flashFromQuery(c, &v.Page)
	return s.render(c, http.StatusOK, views.ReviewsPage(v))
}

// handleDecide records a regulator's decision with its reason.
func (s *Server) handleDecide(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return registry.ErrNotFound
	}
	err = s.db.DecideCase(c.Request().Context(), actor(c), id, c.FormValue("decision"), c.FormValue("reason"), c.FormValue("amended"))
	if verr, ok := registry.AsValidation(err); ok {
		v, lerr := s.reviewsView(c)
		if lerr != nil {
			return lerr
		}
		v.Errs, v.ErrCase = verr.Messages(lang(c)), c.Param("id")
		return s.render(c, http.StatusUnprocessableEntity, views.ReviewsPage(v))
	}
	if err != nil {
		return err
	}
	return flashRedirect(c, "/console/reviews", "done.decided")
}

func overrideForm(c echo.Context, o *registry.Override, grade string) views.OverrideForm {
	f := views.OverrideForm{Until: time.Now().In(registry.Shanghai).AddDate(0, 3, 0).Format("2006-01-02")}
	for _, g := range gradeColumns {
		f.GradeOpts = append(f.GradeOpts, views.Option{Value: g, Label: tr(c, "grade."+g), Selected: g == grade})
	}
	if o != nil {
		f.Current = tr(c, "override.current", o.Grade, dateText(o.Until), o.Reason)
	}
	return f
}

// handleOverride sets the public grade with a reason and an expiry.
func (s *Server) handleOverride(c echo.Context) error {
	ven, err := s.db.FindVendorByUSCC(c.Request().Context(), c.Param("uscc"))
	if err != nil {
		return err
	}
	grade, reason, until := c.FormValue("grade"), c.FormValue("override_reason"), c.FormValue("until")
	err = s.db.SetOverride(c.Request().Context(), actor(c), ven.ID, grade, reason, until)
	if verr, ok := registry.AsValidation(err); ok {
		v, derr := s.vendorDetail(c, ven)
		if derr != nil {
			return derr
		}
		current := v.Override.Current
		v.Override = overrideForm(c, nil, grade) // keeps the grade chosen
		v.Override.Current, v.Override.Reason, v.Override.Until = current, reason, until
		v.Override.Errs = renameFields(verr.Messages(lang(c)), map[string]string{"reason": "override_reason"})
		return s.render(c, http.StatusUnprocessableEntity, views.VendorDetailPage(v))
	}
	if err != nil {
		return err
	}
	return flashRedirect(c, "/console/vendors/"+ven.USCC, "done.override_set")
}

// handleLinkPredecessor links the vendor to an earlier registration of the
// same business, whose records then count for it.
func (s *Server) handleLinkPredecessor(c echo.Context) error {
	ven, err := s.db.FindVendorByUSCC(c.Request().Context(), c.Param("uscc"))
	if err != nil {
		return err
	}
	pred, reason := c.FormValue("predecessor"), c.FormValue("predecessor_reason")
	err = s.db.LinkPredecessor(c.Request().Context(), actor(c), ven.ID, pred, reason)
	if verr, ok := registry.AsValidation(err); ok {
		v, derr := s.vendorDetail(c, ven)
		if derr != nil {
			return derr
		}
		v.PredecessorUSCC, v.PredecessorReason = pred, reason // what was typed, to correct rather than retype
		v.PredecessorErrs = renameFields(verr.Messages(lang(c)), map[string]string{"reason": "predecessor_reason"})
		return s.render(c, http.StatusUnprocessableEntity, views.VendorDetailPage(v))
	}
	if err != nil {
		return err
	}
	return flashRedirect(c, "/console/vendors/"+ven.USCC, "done.predecessor_linked")
}
