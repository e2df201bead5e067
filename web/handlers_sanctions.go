package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

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
			Reference: x.Reference, Authority: authorityText(c, x.Authority), Summary: x.Summary}
		if x.Kind != "commendation" && x.OnDisplay(now) {
			row.Repair = repairText(c, x, now)
		}
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

// authorityText is a sanction's issuing authority, or "not recorded".
func authorityText(c echo.Context, a string) string {
	if a == "" {
		return tr(c, "sanctions.not_recorded")
	}
	return a
}

// repairText says whether credit repair of a sanction on display may be
// applied for now, or from which date.
func repairText(c echo.Context, x registry.Sanction, now time.Time) string {
	if registry.RepairEligible(x, now) {
		return tr(c, "sanctions.repair_open")
	}
	return tr(c, "sanctions.repair_from", dateText(registry.RepairEligibleFrom(x.Kind, x.IssuedAt)))
}

func sanctionForm(c echo.Context, in registry.SanctionInput) views.SanctionForm {
	f := views.SanctionForm{Kind: in.Kind, IssuedAt: in.IssuedAt, DisplayUntil: in.DisplayUntil, Reference: in.Reference,
		Authority: in.Authority, Summary: in.Summary,
		Labels: labels(c, "kind:sanctions.kind", "issued_at:sanctions.issued_at", "display_until:sanctions.display_until",
			"reference:sanctions.reference", "authority:sanctions.authority", "summary:sanctions.summary")}
	for _, k := range registry.SanctionKinds {
		f.KindOpts = append(f.KindOpts, views.Option{Value: k, Label: tr(c, "sanction."+k), Selected: k == in.Kind})
	}
	return f
}

// newSanctionForm is the empty form, its authority filled in with the one
// of the latest recorded decision (the console requires an authority, and a
// regulator's decisions mostly come from one).
func (s *Server) newSanctionForm(c echo.Context) (views.SanctionForm, error) {
	a, err := s.db.LatestSanctionAuthority(c.Request().Context())
	if err != nil {
		return views.SanctionForm{}, err
	}
	return sanctionForm(c, registry.SanctionInput{Authority: a}), nil
}

// handleSanctionCreate records a regulator decision on the vendor; it feeds
// the vendor's evaluation at once.
func (s *Server) handleSanctionCreate(c echo.Context) error {
	ven, err := s.db.FindVendorByUSCC(c.Request().Context(), c.Param("uscc"))
	if err != nil {
		return err
	}
	in := registry.SanctionInput{VendorUSCC: ven.USCC, Kind: c.FormValue("kind"), IssuedAt: c.FormValue("issued_at"),
		DisplayUntil: c.FormValue("display_until"), Reference: c.FormValue("reference"), Authority: c.FormValue("authority"),
		Summary: c.FormValue("summary"), RequireAuthority: true}
	_, err = s.db.CreateSanction(c.Request().Context(), actor(c), in)
	if verr, ok := registry.AsValidation(err); ok {
		v, derr := s.vendorDetail(c, ven)
		if derr != nil {
			return derr
		}
		v.SanctionForm = sanctionForm(c, in)
		v.SanctionForm.Errs = formErrors(c, verr, "kind")
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
	if verr, ok := registry.AsValidation(err); ok {
		ven, ferr := s.db.FindVendorByUSCC(c.Request().Context(), uscc)
		if ferr != nil {
			return ferr
		}
		v, derr := s.vendorDetail(c, ven)
		if derr != nil {
			return derr
		}
		v.Flash, v.FlashError = tr(c, "sanctions.not_ended", strings.Join(messages(verr, lang(c)), tr(c, "pub.list_sep"))), true
		return s.render(c, http.StatusUnprocessableEntity, views.VendorDetailPage(v))
	}
	if err != nil {
		return err
	}
	return flashRedirect(c, "/console/vendors/"+uscc, "done.sanction_ended")
}

// messages are a validation error's messages in field order.
func messages(verr *registry.ValidationError, lang string) []string {
	msgs := verr.Messages(lang)
	out := make([]string, 0, len(msgs))
	for _, f := range verr.SortedFields() {
		out = append(out, msgs[f])
	}
	return out
}
