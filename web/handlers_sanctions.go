package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"chengxin/registry"
	"chengxin/views"
)

// sanctionRows shows a vendor's sanctions with their display state.
func (s *Server) sanctionRows(c echo.Context, vendorID int64) ([]views.SanctionRow, error) {
	ss, err := s.db.SanctionsOfVendor(c.Request().Context(), vendorID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []views.SanctionRow
	for _, x := range ss {
		row := views.SanctionRow{ID: x.ID, Kind: tr(c, "sanction."+x.Kind), Issued: dateText(x.IssuedAt), Until: untilText(x.DisplayUntil),
			Reference: x.Reference, Summary: x.Summary}
		switch {
		case x.LiftedAt != nil:
			row.State = tr(c, "sanctions.lifted_on", dateText(*x.LiftedAt))
		case x.RepairedAt != nil:
			row.State = tr(c, "sanctions.repaired_on", dateText(*x.RepairedAt))
		case x.DisplayUntil != nil && !x.DisplayUntil.After(now):
			row.State = tr(c, "sanctions.expired")
		default:
			row.State, row.Active = tr(c, "sanctions.on_display"), true
		}
		out = append(out, row)
	}
	return out, nil
}

func sanctionForm(c echo.Context, in registry.SanctionInput) views.SanctionForm {
	f := views.SanctionForm{Kind: in.Kind, IssuedAt: in.IssuedAt, DisplayUntil: in.DisplayUntil, Reference: in.Reference, Summary: in.Summary,
		Labels: labels(c, "kind:sanctions.kind", "issued_at:sanctions.issued_at", "display_until:sanctions.display_until",
			"reference:sanctions.reference", "summary:sanctions.summary")}
	for _, k := range registry.SanctionKinds {
		f.KindOpts = append(f.KindOpts, views.Option{Value: k, Label: tr(c, "sanction."+k), Selected: k == in.Kind})
	}
	return f
}

// handleSanctionCreate records a regulator decision on the vendor; it feeds
// the vendor's evaluation at once.
func (s *Server) handleSanctionCreate(c echo.Context) error {
	ven, err := s.db.FindVendorByUSCC(c.Request().Context(), c.Param("uscc"))
	if err != nil {
		return err
	}
	in := registry.SanctionInput{VendorUSCC: ven.USCC, Kind: c.FormValue("kind"), IssuedAt: c.FormValue("issued_at"),
		DisplayUntil: c.FormValue("display_until"), Reference: c.FormValue("reference"), Summary: c.FormValue("summary")}
	_, err = s.db.CreateSanction(c.Request().Context(), actor(c), in)
	if verr, ok := registry.AsValidation(err); ok {
		v, derr := s.vendorDetail(c, ven)
		if derr != nil {
			return derr
		}
		v.SanctionForm = sanctionForm(c, in)
		v.SanctionForm.Errs = verr.Messages(lang(c))
		return s.render(c, http.StatusUnprocessableEntity, views.VendorDetailPage(v))
	}
	if err != nil {
		return err
	}
	return flashRedirect(c, "/console/vendors/"+ven.USCC, "done.sanction_created")
}

// handleSanctionEnd lifts a sanction or records its credit repair, with a reason.
func (s *Server) handleSanctionEnd(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return registry.ErrNotFound
	}
	uscc := registry.NormalizeUSCC(c.FormValue("uscc"))
	err = s.db.EndSanction(c.Request().Context(), actor(c), id, c.FormValue("how"), c.FormValue("reason"))
	if bad, ok := registry.AsValidation(err); ok {
		ven, verr := s.db.FindVendorByUSCC(c.Request().Context(), uscc)
		if verr != nil {
			return verr
		}
		v, derr := s.vendorDetail(c, ven)
		if derr != nil {
			return derr
		}
		v.Flash, v.FlashError = tr(c, "sanctions.reason_needed"), true
		if bad.Has("how") { // a hand-made request: the form offers only the two ways
			v.Flash = tr(c, "sanctions.way_unknown")
		}
		return s.render(c, http.StatusUnprocessableEntity, views.VendorDetailPage(v))
	}
	if err != nil {
		return err
	}
	return flashRedirect(c, "/console/vendors/"+uscc, "done.sanction_ended")
}
