package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"chengxin/i18n"
	"chengxin/registry"
	"chengxin/scoring"
	"chengxin/views"
)

// actionOrder is the order a run's actions are listed in: those that
// change the public grade first.
var actionOrder = []scoring.PublicationAction{scoring.ActionFirst, scoring.ActionUpgrade, scoring.ActionDowngradeNow,
	scoring.ActionPendingPublished, scoring.ActionDowngradePending, scoring.ActionDowngradeKept,
	scoring.ActionUpgradeHeld, scoring.ActionUnchanged, scoring.ActionSuperseded}

// pubActionLabel names what a run's rules did to a vendor.
func pubActionLabel(c echo.Context, action string) string {
	if key := "pubaction." + action; i18n.Has(key) {
		return tr(c, key)
	}
	return tr(c, "pubaction.other")
}

// actorText names who did something: a user by name, the server (its
// scheduler, the demo or synthetic data), the command line or an API token.
func actorText(c echo.Context, actor string) string {
	kind, name, _ := strings.Cut(actor, ":")
	switch kind {
	case "user":
		return name
	case "token":
		return tr(c, "actor.token", name)
	case "cli":
		return tr(c, "actor.cli")
	case "system":
		if key := "actor.system." + name; name != "" && i18n.Has(key) {
			return tr(c, key)
		}
		return tr(c, "actor.system")
	}
	return actor
}

// minuteText shows an instant in Asia/Shanghai to the minute.
func minuteText(t time.Time) string { return t.In(registry.Shanghai).Format("2006-01-02 15:04") }

// handleRuns lists the publication runs with what each changed.
func (s *Server) handleRuns(c echo.Context) error {
	ctx := c.Request().Context()
	runs, err := s.db.PublicationRuns(ctx, 0)
	if err != nil {
		return err
	}
	rules, err := s.db.CurrentRules(ctx)
	if err != nil {
		return err
	}
	_, pending, err := s.db.PendingDowngrades(ctx, registry.PendingFilter{Page: 1, PerPage: 1})
	if err != nil {
		return err
	}
	v := views.RunsView{Page: s.page(c, tr(c, "pubrun.title")), Pending: pending,
		Lead: tr(c, "pubrun.lead", num(rules.Publication.ObjectionDays), num(rules.Publication.UpgradeMargin))}
	for _, r := range runs {
		v.Rows = append(v.Rows, views.RunRow{ID: strconv.FormatInt(r.ID, 10), Period: r.Period, AsOf: minuteText(r.AsOf),
			By: actorText(c, r.Actor), Vendors: r.Vendors, Changed: r.Changed(), NewPending: r.NewPending(), Objections: r.Objections,
			Status: tr(c, "pubrun.status."+r.Status), StatusCode: r.Status})
	}
	return s.render(c, http.StatusOK, views.RunsPage(v))
}

// runRules are the rules a run applied (the current ones while it runs).
func (s *Server) runRules(c echo.Context, run registry.RunSummary) (scoring.Rules, error) {
	if run.RulesVersion == "" {
		return s.db.CurrentRules(c.Request().Context())
	}
	return s.db.RulesByVersion(c.Request().Context(), run.RulesVersion)
}

// handleRun shows one publication run in detail.
func (s *Server) handleRun(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return registry.ErrNotFound
	}
	run, err := s.db.FindRun(ctx, id)
	if err != nil {
		return err
	}
	rules, err := s.runRules(c, run)
	if err != nil {
		return err
	}
	title := tr(c, "pubrun.run_title", run.Period)
	v := views.RunView{Page: s.page(c, title), Title: title, Grades: gradeColumns}
	finished := tr(c, "pubrun.not_finished")
	if run.FinishedAt != nil {
		finished = minuteText(*run.FinishedAt)
	}
	v.Facts = [][2]string{{tr(c, "pubrun.as_of"), minuteText(run.AsOf)}, {tr(c, "pubrun.by"), actorText(c, run.Actor)},
		{tr(c, "pubrun.started"), minuteText(run.StartedAt)}, {tr(c, "pubrun.finished"), finished},
		{tr(c, "pubrun.rules"), run.RulesVersion}, {tr(c, "pubrun.vendors"), itoa(run.Vendors)},
		{tr(c, "pubrun.status"), tr(c, "pubrun.status."+run.Status)}}
	v.Actions = runActionRows(c, run.Actions)
	if v.Matrix, err = s.runMatrix(c, id); err != nil {
		return err
	}
	page, _ := strconv.Atoi(c.QueryParam("page"))
	page = max(page, 1)
	const perPage = 50
	changes, total, err := s.db.RunChanges(ctx, id, page, perPage)
	if err != nil {
		return err
	}
	v.ChangesTotal, v.Pager = total, pagerFor(c, total, page, perPage)
	for _, ch := range changes {
		v.Changes = append(v.Changes, views.RunChangeRow{USCC: ch.VendorUSCC, Name: ch.VendorName, From: ch.From, To: ch.To,
			FromLabel: tr(c, "pubrun.unpublished"), How: pubActionLabel(c, ch.Action), Evaluated: ch.EvaluatedGrade,
			Score: fmt.Sprintf("%.1f", ch.EvaluatedScore)})
	}
	pending, err := s.db.RunPending(ctx, run.PublicationRun, rules.Publication.ObjectionDays)
	if err != nil {
		return err
	}
	for _, p := range pending {
		row := s.pendingRow(c, p)
		row.State = tr(c, "pubrun.still_pending")
		if !p.StillPending {
			row.State, row.When = tr(c, "pubrun.resolved", orDash(p.GradeNow)), ""
		}
		v.Pending = append(v.Pending, row)
	}
	if err := s.outsideRuns(c, run, &v); err != nil {
		return err
	}
	objections, err := s.db.RunObjections(ctx, id)
	if err != nil {
		return err
	}
	for _, o := range objections {
		v.Objections = append(v.Objections, views.ObjectionRow{USCC: o.VendorUSCC, Name: o.VendorName, Pending: o.Pending,
			Filed: dateText(o.OpenedAt), Status: caseStatusText(c, o.Case), StatusCode: o.Status, DecidedBy: actorText(c, o.DecidedBy),
			Reason: o.DecisionReason})
	}
	return s.render(c, http.StatusOK, views.RunPage(v))
}

// runActionRows lists every known action with its count (zeros too, so
// the table reads the same each month), then any others.
func runActionRows(c echo.Context, counts map[string]int) []views.CountRow {
	var out []views.CountRow
	for _, a := range actionOrder {
		out = append(out, views.CountRow{Label: pubActionLabel(c, string(a)), Count: counts[string(a)]})
	}
	var other []string
	for a := range counts {
		if !slices.Contains(actionOrder, scoring.PublicationAction(a)) {
			other = append(other, a)
		}
	}
	sort.Strings(other)
	for _, a := range other {
		out = append(out, views.CountRow{Label: pubActionLabel(c, a), Count: counts[a]})
	}
	return out
}

// runMatrix is a run's transition matrix: a row per grade before the run
// ("not published" only when some vendor was), a column per grade after.
func (s *Server) runMatrix(c echo.Context, runID int64) ([]views.MatrixRow, error) {
	ts, err := s.db.RunTransitions(c.Request().Context(), runID)
	if err != nil {
		return nil, err
	}
	cells := map[[2]string]int{}
	unpublished := false
	for _, t := range ts {
		cells[[2]string{t.From, t.To}] += t.Vendors
		unpublished = unpublished || t.From == ""
	}
	froms := gradeColumns
	if unpublished {
		froms = append([]string{""}, gradeColumns...)
	}
	var out []views.MatrixRow
	for _, f := range froms {
		row := views.MatrixRow{From: f, Counts: make([]int, len(gradeColumns))}
		if f == "" {
			row.From = tr(c, "pubrun.unpublished")
		}
		for i, g := range gradeColumns {
			row.Counts[i] = cells[[2]string{f, g}]
		}
		out = append(out, row)
	}
	return out, nil
}

// caseStatusText is a case's status in words, with the amended value.
func caseStatusText(c echo.Context, k registry.Case) string {
	if k.Status == registry.DecisionAmend && k.AmendedValue != "" {
		return tr(c, "reviews.amended_to", amendedText(c, k.Kind, k.AmendedValue))
	}
	return tr(c, "decision."+k.Status)
}

// amendedText is an amended grade or complaint outcome in words.
func amendedText(c echo.Context, kind, value string) string {
	if kind == registry.CaseComplaintObjection {
		return tr(c, "outcome."+value)
	}
	return value
}

// pendingRow shows a pending downgrade: the grades, the end of its
// objection period with the days left, and any objection.
func (s *Server) pendingRow(c echo.Context, p registry.PendingEntry) views.PendingRow {
	row := views.PendingRow{USCC: p.VendorUSCC, Name: p.VendorName, Published: p.Published, Grade: p.Grade,
		PublicAfter: minuteText(p.PublicAfter), Run: p.RunPeriod, RunID: strconv.FormatInt(p.RunID, 10),
		Objected: p.ObjectedAt != nil, StillPending: p.StillPending, Objection: tr(c, "pubrun.no_objection")}
	switch left := p.PublicAfter.Sub(s.now()); {
	case p.ObjectedAt != nil && p.StillPending:
		row.When = tr(c, "pending.awaiting_review")
	case left > 0:
		row.When = tr(c, "pending.days_left", int(math.Ceil(left.Hours()/24)))
	default:
		row.When = tr(c, "pending.due_now")
	}
	switch {
	case p.CaseOpenedAt != nil:
		row.Objected = true
		row.Objection = tr(c, "pubrun.objected_on", dateText(*p.CaseOpenedAt), tr(c, "decision."+p.CaseStatus))
	case p.ObjectedAt != nil:
		row.Objection = tr(c, "pubrun.objected_on", dateText(*p.ObjectedAt), tr(c, "decision.open"))
	}
	return row
}

// handlePending lists the downgrades pending now.
func (s *Server) handlePending(c echo.Context) error {
	page, _ := strconv.Atoi(c.QueryParam("page"))
	page = max(page, 1)
	f := registry.PendingFilter{Page: page, PerPage: 50}
	objected := c.QueryParam("objected")
	switch objected {
	case "yes", "no":
		b := objected == "yes"
		f.Objected = &b
	default:
		objected = ""
	}
	rows, total, err := s.db.PendingDowngrades(c.Request().Context(), f)
	if err != nil {
		return err
	}
	v := views.PendingListView{Page: s.page(c, tr(c, "pending.title")), Pager: pagerFor(c, total, page, f.PerPage),
		FilterOpts: []views.Option{{Value: "yes", Label: tr(c, "pending.objected"), Selected: objected == "yes"},
			{Value: "no", Label: tr(c, "pending.not_objected"), Selected: objected == "no"}}}
	for _, p := range rows {
		v.Rows = append(v.Rows, s.pendingRow(c, p))
	}
	return s.render(c, http.StatusOK, views.PendingListPage(v))
}

func orDash(s string) string { return orDefault(s, "—") }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// outsideLimit is how many publications outside runs a run's page lists.
const outsideLimit = 200

// outsideRuns lists the grades published between this run and the next (or
// since it, for the latest) by other paths: blacklistings, pending
// downgrades whose objection period ended, decisions on objections,
// overrides.
func (s *Server) outsideRuns(c echo.Context, run registry.RunSummary, v *views.RunView) error {
	ctx := c.Request().Context()
	var until time.Time
	nextPeriod := ""
	if next, err := s.db.NextRun(ctx, run.PublicationRun); err == nil {
		until, nextPeriod = next.AsOf, next.Period
	} else if !errors.Is(err, registry.ErrNotFound) {
		return err
	}
	ps, total, err := s.db.PublicationsOutsideRuns(ctx, run.AsOf, until, outsideLimit)
	if err != nil {
		return err
	}
	v.OutsideTotal, v.OutsideTitle = total, tr(c, "pubrun.outside_latest", total)
	if nextPeriod != "" {
		v.OutsideTitle = tr(c, "pubrun.outside_until", nextPeriod, total)
	}
	for _, p := range ps {
		row := views.RunChangeRow{USCC: p.VendorUSCC, Name: p.VendorName, From: p.From, To: p.To, FromLabel: tr(c, "pubrun.unpublished"),
			Evaluated: minuteText(p.At), How: tr(c, "pubcore.cause."+p.Cause)}
		switch {
		case p.Cause == registry.CauseBlacklist && p.Reference != "":
			row.How = tr(c, "pubcore.cause.blacklist_ref", p.Reference)
		case p.Cause == registry.CauseOverride && p.Reason != "":
			row.How = tr(c, "pubcore.cause.override_reason", p.Reason)
		}
		v.Outside = append(v.Outside, row)
	}
	return nil
}
