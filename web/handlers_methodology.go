package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"chengxin/publicity"
	"chengxin/registry"
	"chengxin/scoring"
	"chengxin/views"
)

// handleMethodology explains the scoring model from the rules in force and
// says where publication stands (latest run, next run, rules version and
// since when) from the database and the scheduler's configuration, so the
// page cannot drift from the code or the state.
func (ps *publicSite) handleMethodology(c echo.Context) error {
	ctx := c.Request().Context()
	inForce, err := ps.s.db.RulesInForce(ctx)
	if err != nil {
		return err
	}
	r := inForce.Rules
	v := views.PubMethodologyView{Page: ps.page(c, tr(c, "pub.method.title"), tr(c, "pub.method.description")),
		Version: r.Version, Hash: r.Hash()}
	latest, err := ps.s.db.LatestFinishedRun(ctx)
	hasRun := err == nil
	if err != nil && !errors.Is(err, registry.ErrNotFound) {
		return err
	}
	v.LatestRun = methodLatestRun(c, latest, hasRun)
	v.NextRun = methodNextRun(c, ps.s.cfg.Schedule, hasRun, ps.s.now())
	v.RulesInForce = methodRulesInForce(c, inForce)
	v.Window = tr(c, "pub.method.window", num(r.WindowDays), num(r.WindowDays/365))
	v.Components = methodComponents(c, r)
	s, cp, q := r.Satisfaction, r.Complaints, r.Qualification
	v.Total = tr(c, "pub.method.total", num(s.MaxPoints+cp.MaxPoints+q.LicencePoints+q.InsurancePoints+r.Regulatory.MaxPoints), num(r.Bonus.MaxPoints))
	g := r.Grades
	v.Grades = []views.PubMethodRow{
		{Label: tr(c, "grade.A"), Max: tr(c, "pub.method.at_least", num(g.A)), Explain: tr(c, "pub.meaning.A")},
		{Label: tr(c, "grade.B"), Max: tr(c, "pub.method.at_least", num(g.B)), Explain: tr(c, "pub.meaning.B")},
		{Label: tr(c, "grade.C"), Max: tr(c, "pub.method.at_least", num(g.C)), Explain: tr(c, "pub.meaning.C")},
		{Label: tr(c, "grade.D"), Max: tr(c, "pub.method.below", num(g.C)), Explain: tr(c, "pub.meaning.D")},
		{Label: tr(c, "grade.N"), Max: tr(c, "pub.method.n_rule_short"), Explain: tr(c, "pub.meaning.N")},
	}
	v.Rules = []string{
		tr(c, "pub.method.rule_a", num(g.AMinCallbackWeight), num(g.AMinRegisteredDays), num(g.ASeriousComplaintDays)),
		tr(c, "pub.method.rule_cap"),
		tr(c, "pub.method.rule_n", num(g.NMinCallbackWeight), num(g.NMinRegisteredDays)),
	}
	v.Publication = []string{
		tr(c, "pub.method.pub_cycle"),
		tr(c, "pub.method.pub_down", num(r.Publication.ObjectionDays)),
		tr(c, "pub.method.pub_up", num(r.Publication.UpgradeMargin)),
		tr(c, "pub.method.pub_now"),
	}
	return ps.render(c, http.StatusOK, views.PublicMethodologyPage(v))
}

// methodTime shows an instant as the page's dates and times do: Beijing
// time, to the minute.
func methodTime(t time.Time) string { return t.In(registry.Shanghai).Format("2006-01-02 15:04") }

// methodLatestRun is the latest finished publication run: when, which
// period, how many vendors.
func methodLatestRun(c echo.Context, run registry.PublicationRun, ok bool) string {
	if !ok {
		return tr(c, "pub.method.latest_run_none")
	}
	return tr(c, "pub.method.latest_run_value", methodTime(run.AsOf), run.Period, run.Vendors)
}

// methodNextRun is the next scheduled publication run of this server's
// scheduler; nil means the scheduler is off (cron starts the runs). The
// scheduler never makes the first run.
func methodNextRun(c echo.Context, s *publicity.Schedule, hasRun bool, now time.Time) string {
	if s == nil {
		return tr(c, "pub.method.next_run_cron")
	}
	at := time.Time{}.Add(s.PublishAt).Format("15:04")
	if !hasRun {
		return tr(c, "pub.method.next_run_first", s.PublishDay, at)
	}
	return tr(c, "pub.method.next_run_value", methodTime(s.NextPublication(now)), s.PublishDay, at)
}

// methodRulesInForce names the rules version in force and since when.
func methodRulesInForce(c echo.Context, a registry.RulesAdoption) string {
	if a.Builtin {
		return tr(c, "pub.method.rules_since_builtin", a.Rules.Version, dateText(a.Since))
	}
	return tr(c, "pub.method.rules_since", a.Rules.Version, dateText(a.Since))
}

// methodComponents explains each part of the score with its weights.
func methodComponents(c echo.Context, r scoring.Rules) []views.PubMethodRow {
	s, cp, q, reg, b := r.Satisfaction, r.Complaints, r.Qualification, r.Regulatory, r.Bonus
	cmp := tr(c, "pub.method.cmp_points", num(cp.Severity.General), num(cp.Severity.Serious), num(cp.Severity.Major),
		num(cp.Outcome.Substantiated), num(cp.Outcome.PartiallySubstantiated), num(cp.Outcome.Mediated), num(cp.LateFactor), num(cp.HalfLifeDays)) +
		" " + tr(c, "pub.method.cmp_rate", num(cp.OrdersPerUnit), num(cp.PriorRate), num(cp.PriorExposure*cp.OrdersPerUnit), num(cp.RateHalf))
	if o := cp.Outcome; o.Unsubstantiated == 0 && o.Withdrawn == 0 && o.NotVendorResponsibility == 0 {
		cmp += " " + tr(c, "pub.method.cmp_free")
	} else {
		cmp += " " + tr(c, "pub.method.cmp_other", num(o.Unsubstantiated), num(o.Withdrawn), num(o.NotVendorResponsibility))
	}
	return []views.PubMethodRow{
		{Label: tr(c, "eval.satisfaction"), Max: num(s.MaxPoints), Explain: tr(c, "pub.method.sat", num(s.Satisfied), num(s.BasicallySatisfied),
			num(s.Dissatisfied), num(s.HalfLifeDays), scoring.Percent(s.PriorMean), num(s.PriorWeight))},
		{Label: tr(c, "eval.complaints"), Max: num(cp.MaxPoints), Explain: cmp},
		{Label: tr(c, "eval.qualification"), Max: num(q.LicencePoints + q.InsurancePoints), Explain: tr(c, "pub.method.qual", num(q.LicencePoints), num(q.InsurancePoints))},
		{Label: tr(c, "eval.regulatory"), Max: num(reg.MaxPoints), Explain: tr(c, "pub.method.reg", num(reg.Points.Warning),
			num(reg.Points.Fine), num(reg.Points.SeriousPenalty), num(reg.HalfLifeDays))},
		{Label: tr(c, "eval.bonus"), Max: num(b.MaxPoints), Explain: tr(c, "pub.method.bonus", num(b.PerCommendation), num(b.WindowDays), num(b.MaxPoints))},
	}
}
