package views

import (
	"fmt"
	"strings"

	"chengxin/scoring"
)

// GradeChange is one grade's published count now and after the previous run.
type GradeChange struct {
	Grade       string
	Now, Before int
	Delta       string // "+12", "−3", "0"
}

// RateRow is one month of the hotline's service rates, formatted.
type RateRow struct {
	Month                          string
	OnTime, Callback, Satisfaction string // percentages
	Complaints, Callbacks, Orders  int
}

// Series is one chart: a rate over the months.
type Series struct {
	ID, Title string
	Values    []float64 // 0–1
	Labels    []string  // month labels
}

// DashboardView is the regulator's dashboard.
type DashboardView struct {
	Page
	Grades       []GradeChange
	Rates        []RateRow
	Charts       []Series
	CategoryOpts []Option
	DistrictOpts []Option
	Oldest       []CaseRow
}

// chart geometry
const chartW, chartH, chartPad = 600.0, 160.0, 24.0

// points maps values (0–1, scaled to the series maximum) to polyline points.
func (s Series) points() string {
	if len(s.Values) == 0 {
		return ""
	}
	top := s.max()
	var b strings.Builder
	for i, v := range s.Values {
		x := chartPad
		if len(s.Values) > 1 {
			x += float64(i) * (chartW - 2*chartPad) / float64(len(s.Values)-1)
		}
		y := chartH - chartPad - v/top*(chartH-2*chartPad)
		fmt.Fprintf(&b, "%.1f,%.1f ", x, y)
	}
	return strings.TrimSpace(b.String())
}

// max is the chart's top: the largest value rounded up to a tenth, at least 10%.
func (s Series) max() float64 {
	m := 0.1
	for _, v := range s.Values {
		if v > m {
			m = v
		}
	}
	return float64(int(m*10+0.999)) / 10
}

func (s Series) topLabel() string { return scoring.Percent(s.max()) }

func (s Series) first() string {
	if len(s.Labels) == 0 {
		return ""
	}
	return s.Labels[0]
}

func (s Series) last() string {
	if len(s.Labels) == 0 {
		return ""
	}
	return s.Labels[len(s.Labels)-1]
}
