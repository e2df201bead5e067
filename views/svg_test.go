package views

import (
	"regexp"
	"strconv"
	"testing"
)

// TestDistributionChartNeverCutsLabels: Chinese labels sit beside the
// bars; labels too wide for that (English) go above them, and no label is
// wider than the chart.
func TestDistributionChartNeverCutsLabels(t *testing.T) {
	texts := regexp.MustCompile(`<text x="0" y="([0-9.]+)"[^>]*>([^<]*)</text><rect x="([0-9.]+)" y="([0-9.]+)"`)
	for _, tc := range []struct {
		labels  []string
		stacked bool
	}{
		{[]string{"A 级 · 守信", "B 级 · 良好", "C 级 · 一般", "D 级 · 较差", "暂不评级"}, false},
		{[]string{"Grade A · trustworthy", "Grade B · good", "Grade C · fair", "Grade D · poor", "Not yet rated"}, true},
	} {
		var rows []PubGradeCount
		for i, l := range tc.labels {
			rows = append(rows, PubGradeCount{Grade: string("ABCDN"[i]), Label: l, Count: 10 * (i + 1)})
		}
		svg := DistributionChart("c", "t", rows)
		m := texts.FindAllStringSubmatch(svg, -1)
		if len(m) != len(rows) {
			t.Fatalf("%d rows drawn of %d:\n%s", len(m), len(rows), svg)
		}
		for _, row := range m {
			textY, _ := strconv.ParseFloat(row[1], 64)
			barX, _ := strconv.ParseFloat(row[3], 64)
			barY, _ := strconv.ParseFloat(row[4], 64)
			w := textWidth(row[2], 13)
			switch {
			case w > 320:
				t.Errorf("%q is wider than the chart", row[2])
			case tc.stacked && (barX != 0 || textY > barY):
				t.Errorf("%q: label at y %g, bar at x %g y %g: not above the bar", row[2], textY, barX, barY)
			case !tc.stacked && w+6 > barX:
				t.Errorf("%q (%.0f wide) runs into the bar at x %g", row[2], w, barX)
			}
		}
	}
}
