package views

import (
	"fmt"
	"strings"
)

// GradeChange is one grade's published count now and after the previous run.
type GradeChange struct {
	Grade       string
	Now, Before int
	Delta       string // "+12", "−3", "0"
}

// Rate is one formatted service rate.
type Rate struct {
	Text  string  // "93.4%"; "—" when there is nothing to divide by
	Value float64 // the fraction (may pass 1 for the callback rate); meaningful when OK
	OK    bool
}

// RateRow is one month of the hotline's service figures exactly as the
// chart, the table and the CSV export show them (all three read these).
type RateRow struct {
	Month  string // YYYY-MM
	ToDate string // the date the current month runs to ("2025-03-15"); "" for a month that is over
	Label  string // "2025-03", or "2025-03 (to 15 Mar)" for the current month

	OnTime, Callback, Satisfaction Rate

	Due, OnTimeN                                int // complaints due in the month; of those closed on time
	WorkOrders                                  int // dispatched work orders (0 with Dispatched false: not reported)
	Dispatched                                  bool
	Reached, Unreachable                        int // callbacks that reached the citizen; that did not
	Satisfied, BasicallySatisfied, Dissatisfied int
}

// Chart is one rate's bar chart: a row per month.
type Chart struct {
	ID, Title string
	Rates     []Rate   // one per month, as in the table
	Labels    []string // month labels (YYYY-MM)
	Current   int      // index of the month that is still running, -1 when none
	Explain   string   // the chart's accessible name: what it shows
}

// DashboardView is the regulator's dashboard.
type DashboardView struct {
	Page
	Grades       []GradeChange
	Rates        []RateRow
	Charts       []Chart
	ToDateNote   string // "The current month runs to 15 March…"; "" when no month is running
	CSVURL       string // the same figures as a file, with the same filters
	CategoryOpts []Option
	DistrictOpts []Option
	Oldest       []CaseRow
}

// Rate chart geometry, in viewBox units. The drawing is 320 wide plus a
// margin of 6 on each side, so that on a 390 px phone (about 322 px of
// card) a unit is about 0.97 px: text drawn at 13 stays above 12 px.
const (
	rcW      = 320.0
	rcRowH   = 24.0
	rcLabelW = 64.0 // month label column
	rcValueW = 56.0 // value column, right-aligned
	rcBarX   = rcLabelW
	rcBarW   = rcW - rcLabelW - rcValueW - 4
	rcTop    = 4.0
	rcAxisH  = 22.0
	rcFont   = 13
	rcMargin = 6.0
)

// Colours: the brand blue for whole months, a lighter fill with a dashed
// outline for the month still running, grey tracks.
const (
	rcBarColor     = "#0b5c78"
	rcCurrentColor = "#9cc7d8"
	rcTrackColor   = "#e9eef3"
	rcTextColor    = "#1b2430"
	rcMutedColor   = "#4a5563"
)

// RateChart draws a chart as inline SVG: one horizontal bar per month on a
// 0–100% scale (longer values are cut at 100% and still printed in full),
// the month on the left and the value printed on the right of every row; a
// month without data shows "—" and no bar. Presentation attributes only
// (the Content-Security-Policy allows no inline style).
func RateChart(c Chart) string {
	n := len(c.Rates)
	h := rcTop + rcRowH*float64(n) + rcAxisH
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="%g 0 %g %g" role="img" aria-labelledby="%s-t" data-testid="chart-%s" font-family="system-ui, sans-serif">`,
		-rcMargin, rcW+2*rcMargin, h, svgEsc(c.ID), svgEsc(c.ID))
	fmt.Fprintf(&b, `<title id="%s-t">%s</title>`, svgEsc(c.ID), svgEsc(c.Explain))
	// Grid at 0, 50 and 100 %.
	for _, f := range []float64{0, .5, 1} {
		x := rcBarX + f*rcBarW
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%g" stroke="#c8d0da" stroke-width="1"/>`, x, rcTop, x, h-rcAxisH+2)
		anchor := "middle"
		if f == 1 {
			anchor = "end"
		}
		if f == 0 {
			anchor = "start"
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" font-size="%d" fill="%s" text-anchor="%s">%d%%</text>`, x, h-6, rcFont, rcMutedColor, anchor, int(f*100))
	}
	for i, r := range c.Rates {
		y := rcTop + float64(i)*rcRowH
		label := ""
		if i < len(c.Labels) {
			label = c.Labels[i]
		}
		current := i == c.Current
		if current {
			label += "*"
		}
		fmt.Fprintf(&b, `<g data-month="%s">`, svgEsc(label))
		fmt.Fprintf(&b, `<text x="0" y="%g" font-size="%d" fill="%s">%s</text>`, y+16.5, rcFont, rcTextColor, svgEsc(label))
		fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%g" height="14" rx="2" fill="%s"/>`, rcBarX, y+5, rcBarW, rcTrackColor)
		if r.OK {
			w := rcBarW * min(max(r.Value, 0), 1)
			if r.Value > 0 && w < 2 {
				w = 2
			}
			fill, extra := rcBarColor, ""
			if current {
				fill, extra = rcCurrentColor, ` stroke="`+rcBarColor+`" stroke-width="1" stroke-dasharray="3 2"`
			}
			fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%.1f" height="14" rx="2" fill="%s"%s/>`, rcBarX, y+5, w, fill, extra)
		}
		fmt.Fprintf(&b, `<text x="%g" y="%g" font-size="%d" fill="%s" text-anchor="end" data-testid="chart-value">%s</text>`,
			rcW, y+16.5, rcFont, rcTextColor, svgEsc(r.Text))
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return b.String()
}
