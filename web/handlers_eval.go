package web

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/labstack/echo/v4"

	"chengxin/i18n"
	"chengxin/registry"
	"chengxin/scoring"
	"chengxin/views"
)

// componentOrder is the order components are shown in, with their maximum.
func componentRows(c echo.Context, rules scoring.Rules, ev scoring.Evaluation) []views.ComponentRow {
	comp := ev.Components
	rows := []struct {
		key      string
		pts, max float64
	}{
		{scoring.KeySatisfaction, comp.Satisfaction, rules.Satisfaction.MaxPoints},
		{scoring.KeyComplaints, comp.Complaints, rules.Complaints.MaxPoints},
		{scoring.KeyQualification, comp.Qualification, rules.Qualification.LicencePoints + rules.Qualification.InsurancePoints},
		{scoring.KeyRegulatory, comp.Regulatory, rules.Regulatory.MaxPoints},
		{scoring.KeyBonus, comp.Bonus, rules.Bonus.MaxPoints},
	}
	out := make([]views.ComponentRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, views.ComponentRow{Label: tr(c, "eval."+r.key), Points: num(r.pts), Max: num(r.max),
			Sentence: sentence(c, ev.Sentences[r.key])})
	}
	return out
}

func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func sentence(c echo.Context, s scoring.Sentence) string {
	if lang(c) == i18n.EN {
		return s.EN
	}
	return s.ZH
}

// evaluationView renders an evaluation; items adds every complaint's contribution.
func (s *Server) evaluationView(c echo.Context, rules scoring.Rules, ev scoring.Evaluation, items bool) *views.EvaluationView {
	v := &views.EvaluationView{Score: fmt.Sprintf("%.1f", ev.Score), Grade: ev.Grade, GradeLabel: tr(c, "grade."+ev.Grade),
		AsOf: ev.AsOf.In(registry.Shanghai).Format("2006-01-02 15:04"), RulesVersion: ev.RulesVersion,
		GradeSentence: sentence(c, ev.Sentences[scoring.SentenceGrade]), Components: componentRows(c, rules, ev)}
	for _, r := range ev.Reasons {
		v.Reasons = append(v.Reasons, tr(c, "reason."+r))
	}
	if items {
		for _, it := range ev.Items {
			row := views.ComplaintItemRow{WorkOrderNo: it.WorkOrderNo, ReceivedAt: dateText(it.ReceivedAt),
				Severity: tr(c, "severity."+it.Severity), Outcome: tr(c, "outcome."+it.Outcome),
				Points: num(round(it.Points, 2)), Weight: num(round(it.Weight, 4)), Contribution: num(round(it.Contribution, 4))}
			if !it.Closed {
				row.Outcome = tr(c, "eval.open")
			}
			switch {
			case it.OpenPastDeadline:
				row.Note = tr(c, "eval.note_overdue")
			case it.MergedAway:
				row.Note = tr(c, "eval.note_merged")
			case it.Late && it.LateExcused:
				row.Note = tr(c, "eval.note_late_excused")
			case it.Late:
				row.Note = tr(c, "eval.note_late")
			}
			v.Items = append(v.Items, row)
		}
	}
	return v
}

func round(x float64, places int) float64 {
	p := 1.0
	for i := 0; i < places; i++ {
		p *= 10
	}
	return float64(int64(x*p+0.5)) / p
}

// storedEvaluation is the vendor's current stored evaluation, or nil.
func (s *Server) storedEvaluation(c echo.Context, vendorID int64) (*views.EvaluationView, error) {
	se, err := s.db.LatestEvaluation(c.Request().Context(), vendorID)
	if errors.Is(err, registry.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rules, err := s.db.RulesByVersion(c.Request().Context(), se.RulesVersion)
	if err != nil {
		return nil, err
	}
	return s.evaluationView(c, rules, se.Evaluation, false), nil
}

// freshEvaluation evaluates the vendor now, with every complaint's
// contribution (the vendor's own view of its evidence).
func (s *Server) freshEvaluation(c echo.Context, vendorID int64) (*views.EvaluationView, error) {
	ctx := c.Request().Context()
	rules, err := s.db.CurrentRules(ctx)
	if err != nil {
		return nil, err
	}
	in, err := s.db.LoadInputs(ctx, vendorID)
	if err != nil {
		return nil, err
	}
	return s.evaluationView(c, rules, scoring.Evaluate(rules, in, s.now()), true), nil
}
