package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"chengxin/registry"
	"chengxin/scoring"
	"chengxin/views"
)

const (
	stageKindRules = "rules"
	maxRulesFile   = 64 << 10
)

var gradeColumns = []string{"A", "B", "C", "D", "N"}

// rulesView fills the rules page: the rules in force, their key values, the
// grade distribution and the city's priors next to the rules' C and r0.
func (s *Server) rulesView(c echo.Context) (views.RulesView, error) {
	ctx := c.Request().Context()
	rules, err := s.db.CurrentRules(ctx)
	if err != nil {
		return views.RulesView{}, err
	}
	priors, err := s.db.CityPriors(ctx)
	if err != nil {
		return views.RulesView{}, err
	}
	counts, err := s.db.GradeCounts(ctx)
	if err != nil {
		return views.RulesView{}, err
	}
	v := views.RulesView{Page: s.page(c, tr(c, "rules.title")), Version: rules.Version, Hash: rules.Hash(), Grades: gradeColumns}
	for _, g := range gradeColumns {
		v.Distribution = append(v.Distribution, views.Option{Value: g, Label: tr(c, "rules.vendors", counts[g])})
	}
	v.Priors = [][3]string{
		{tr(c, "rules.prior_satisfaction"), fmt.Sprintf("%.3f", priors.SatisfactionMean), num(rules.Satisfaction.PriorMean)},
		{tr(c, "rules.prior_rate"), fmt.Sprintf("%.3f", priors.ComplaintRate), num(rules.Complaints.PriorRate)},
		{tr(c, "rules.prior_vendors"), itoa(priors.Vendors), "—"},
	}
	g := rules.Grades
	v.Params = [][2]string{
		{tr(c, "rules.p_thresholds"), fmt.Sprintf("A ≥ %g, B ≥ %g, C ≥ %g", g.A, g.B, g.C)},
		{tr(c, "rules.p_sat"), fmt.Sprintf("m = %g, C = %g, %g days", rules.Satisfaction.PriorWeight, rules.Satisfaction.PriorMean, rules.Satisfaction.HalfLifeDays)},
		{tr(c, "rules.p_cmp"), fmt.Sprintf("r0 = %g, β = %g, r½ = %g, %g days", rules.Complaints.PriorRate, rules.Complaints.PriorExposure, rules.Complaints.RateHalf, rules.Complaints.HalfLifeDays)},
		{tr(c, "rules.p_window"), fmt.Sprintf("%g days", rules.WindowDays)},
		{tr(c, "rules.p_objection"), fmt.Sprintf("%g days, +%g", rules.Publication.ObjectionDays, rules.Publication.UpgradeMargin)},
	}
	return v, nil
}

func (s *Server) handleRules(c echo.Context) error {
	v, err := s.rulesView(c)
	if err != nil {
		return err
	}
	flashFromQuery(c, &v.Page)
	return s.render(c, http.StatusOK, views.RulesPage(v))
}

// handleRulesWhatIf evaluates every vendor under uploaded candidate rules
// and shows the grade transitions and biggest movers; nothing is stored.
func (s *Server) handleRulesWhatIf(c echo.Context) error {
	v, err := s.rulesView(c)
	if err != nil {
		return err
	}
	fh, err := c.FormFile("rules")
	if err != nil {
		v.FileError = tr(c, "rules.no_file")
		return s.render(c, http.StatusUnprocessableEntity, views.RulesPage(v))
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	body, err := io.ReadAll(io.LimitReader(f, maxRulesFile+1))
	if err != nil {
		return err
	}
	if len(body) > maxRulesFile {
		v.FileError = tr(c, "rules.too_large")
		return s.render(c, http.StatusRequestEntityTooLarge, views.RulesPage(v))
	}
	candidate, err := scoring.ParseRules(body)
	if err != nil {
		v.FileError = tr(c, "rules.invalid", err.Error())
		return s.render(c, http.StatusUnprocessableEntity, views.RulesPage(v))
	}
	st, err := s.db.Rescore(c.Request().Context(), registry.RescoreOptions{Rules: &candidate, DryRun: true})
	if err != nil {
		return err
	}
	w := &views.WhatIfView{Version: candidate.Version, Hash: candidate.Hash(), Vendors: st.Vendors, Took: st.Took.Round(time.Millisecond).String()}
	counts := map[[2]string]int{}
	froms := map[string]bool{}
	for _, t := range st.Transitions {
		counts[[2]string{t.From, t.To}] = t.Vendors
		froms[t.From] = true
	}
	for _, from := range gradeColumns {
		if !froms[from] {
			continue
		}
		row := views.TransitionRow{From: from}
		for _, to := range gradeColumns {
			row.Counts = append(row.Counts, counts[[2]string{from, to}])
		}
		w.Matrix = append(w.Matrix, row)
	}
	for _, m := range st.Movers {
		w.Movers = append(w.Movers, views.MoverRow{USCC: m.USCC, Name: m.Name, From: fmt.Sprintf("%.1f %s", m.FromScore, m.FromGrade),
			To: fmt.Sprintf("%.1f %s", m.ToScore, m.ToGrade), Delta: fmt.Sprintf("%+.1f", m.ToScore-m.FromScore)})
	}
	if candidate.Hash() != v.Hash {
		if w.StageID, err = s.db.StageImport(c.Request().Context(), session(c).User.ID, stageKindRules, fh.Filename, body); err != nil {
			return err
		}
	}
	v.WhatIf = w
	return s.render(c, http.StatusOK, views.RulesPage(v))
}

// handleRulesAdopt adopts the candidate of a what-if run (audited); every
// vendor is then re-evaluated under it.
func (s *Server) handleRulesAdopt(c echo.Context) error {
	staged, err := s.db.TakeStagedImport(c.Request().Context(), c.FormValue("stage"), session(c).User.ID, stageKindRules)
	if errors.Is(err, registry.ErrNotFound) {
		v, verr := s.rulesView(c)
		if verr != nil {
			return verr
		}
		v.FileError = tr(c, "import.stage_expired")
		return s.render(c, http.StatusNotFound, views.RulesPage(v))
	}
	if err != nil {
		return err
	}
	rules, err := scoring.ParseRules(staged.Content)
	if err != nil {
		return err
	}
	if err := s.db.AdoptRules(c.Request().Context(), actor(c), rules); err != nil {
		if errors.Is(err, registry.ErrConflict) {
			v, verr := s.rulesView(c)
			if verr != nil {
				return verr
			}
			v.FileError = tr(c, "rules.version_taken", rules.Version)
			return s.render(c, http.StatusConflict, views.RulesPage(v))
		}
		return err
	}
	return flashRedirect(c, "/console/rules", "done.rules_adopted")
}
