package views

import (
	"fmt"
	"html"
	"strconv"
	"strings"
	"unicode"

	"chengxin/scoring"
)

// Inline SVG charts and images of the public site. They use presentation
// attributes only (the Content-Security-Policy allows no inline style), a
// title for screen readers, and every figure they draw is also on the page
// as text or in a table.

// PubGradeColors are the grade colours of app.css (4.5:1 or better on white).
var PubGradeColors = map[string]string{
	"A": "#146c43", "B": "#0b5c78", "C": "#8a5300", "D": "#b42318", "N": "#4a5563", "": "#6b7280",
}

func svgEsc(s string) string { return html.EscapeString(s) }

// DistributionChart draws the grade distribution as horizontal bars, one
// row per grade, with the count at the end of each bar. Labels that would
// not fit beside the bars (English: "Grade A · trustworthy") go on their
// own line above them, so no label is ever cut.
func DistributionChart(id, title string, rows []PubGradeCount) string {
	const w, countW, fontSize = 320.0, 64.0, 13.0
	labelW, rowH, barY, textY := 92.0, 30.0, 4.0, 19.0
	for _, r := range rows {
		if textWidth(r.Label, fontSize)+6 > labelW {
			labelW, rowH, barY, textY = 0, 44, 20, 15 // stacked: the label above its bar
			break
		}
	}
	maxN := 1
	for _, r := range rows {
		maxN = max(maxN, r.Count)
	}
	h := rowH*float64(len(rows)) + 8
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" class="chart" role="img" aria-labelledby="%s"><title id="%s">%s</title>`,
		w, h, svgEsc(id), svgEsc(id), svgEsc(title))
	for i, r := range rows {
		y := 4 + float64(i)*rowH
		bw := (w - labelW - countW) * float64(r.Count) / float64(maxN)
		if r.Count > 0 && bw < 2 {
			bw = 2
		}
		fmt.Fprintf(&b, `<text x="0" y="%g" font-size="%g" fill="#1b2430">%s</text>`, y+textY, fontSize, svgEsc(r.Label))
		fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%.1f" height="20" rx="3" fill="%s"/>`, labelW, y+barY, bw, PubGradeColors[r.Grade])
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" font-size="%g" fill="#1b2430">%d</text>`, labelW+bw+6, y+barY+15, fontSize, r.Count)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// textWidth estimates how wide s is drawn at font size px, erring wide:
// Chinese characters (and other wide ones) are one em, capitals 0.72 em,
// other characters 0.6 em.
func textWidth(s string, px float64) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case r >= 0x1100 && (unicode.Is(unicode.Han, r) || r >= 0x3000 && r <= 0x30ff || r >= 0xff00 && r <= 0xffef):
			w += px
		case r >= 'A' && r <= 'Z':
			w += 0.72 * px
		default:
			w += 0.6 * px
		}
	}
	return w
}

// ColumnChart draws one column per label (quarters), scaled to the largest
// value or to maxValue when it is positive; values < 0 are gaps (no data).
// Labels are "2025 Q1"; the year is drawn under each first quarter.
func ColumnChart(id, title string, labels []string, values []float64, maxValue float64, unit, color string) string {
	const w, h, top, bottom, left = 320.0, 150.0, 18.0, 22.0, 4.0
	n := max(1, len(values))
	if maxValue <= 0 {
		for _, v := range values {
			maxValue = max(maxValue, v)
		}
		if maxValue <= 0 {
			maxValue = 1
		}
	}
	slot := (w - left) / float64(n)
	barW := slot * 0.7
	plotH := h - top - bottom
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" class="chart" role="img" aria-labelledby="%s"><title id="%s">%s</title>`,
		w, h, svgEsc(id), svgEsc(id), svgEsc(title))
	fmt.Fprintf(&b, `<line x1="0" y1="%g" x2="%g" y2="%g" stroke="#8792a2" stroke-width="1"/>`, h-bottom, w, h-bottom)
	fmt.Fprintf(&b, `<text x="0" y="11" font-size="11" fill="#4a5563">%s</text>`, svgEsc(formatMax(maxValue, unit)))
	fmt.Fprintf(&b, `<line x1="0" y1="%g" x2="%g" y2="%g" stroke="#d5dbe3" stroke-width="1" stroke-dasharray="3 3"/>`, top, w, top)
	for i, v := range values {
		x := left + float64(i)*slot + (slot-barW)/2
		if v >= 0 {
			bh := plotH * v / maxValue
			if v > 0 && bh < 1.5 {
				bh = 1.5
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, x, h-bottom-bh, barW, bh, color)
		}
		if i < len(labels) { // the year under its first quarter
			if year, q, _ := strings.Cut(labels[i], " "); q == "Q1" {
				fmt.Fprintf(&b, `<text x="%.1f" y="%g" font-size="12" fill="#4a5563">%s</text>`, x, h-5, svgEsc(year))
			}
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func formatMax(v float64, unit string) string {
	if unit == "%" {
		return scoring.Percent(v)
	}
	return strconv.FormatFloat(v, 'f', -1, 64) + unit
}

// QRCodeSVG draws a QR code matrix (true = dark module) with a quiet zone
// of four modules as one path, scaled to size pixels.
func QRCodeSVG(bits [][]bool, size int) string {
	const quiet = 4
	n := len(bits) + 2*quiet
	var path strings.Builder
	for y, row := range bits {
		for x := 0; x < len(row); x++ {
			if !row[x] {
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			fmt.Fprintf(&path, "M%d %dh%dv1h-%dz", x+quiet, y+quiet, run, run)
			x += run - 1
		}
	}
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" shape-rendering="crispEdges">`+
		`<rect width="%d" height="%d" fill="#fff"/><path d="%s" fill="#000"/></svg>`, n, n, size, size, n, n, path.String())
}

// BadgeSVG is an embeddable grade badge: grade letter on its colour, the
// vendor's name and the evaluation's date and status.
func BadgeSVG(grade, gradeText, name, line2, title string) string {
	const w, h = 300, 64
	nameRunes := []rune(name)
	if len(nameRunes) > 16 {
		name = string(nameRunes[:15]) + "…"
	}
	color := PubGradeColors[grade]
	letter := grade
	if letter == "" {
		letter = "–"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		w, h, w, h, svgEsc(title))
	fmt.Fprintf(&b, `<title>%s</title>`, svgEsc(title))
	fmt.Fprintf(&b, `<rect x="0.5" y="0.5" width="%d" height="%d" rx="6" fill="#fff" stroke="%s"/>`, w-1, h-1, color)
	fmt.Fprintf(&b, `<rect x="0.5" y="0.5" width="62" height="%d" rx="6" fill="%s"/>`, h-1, color)
	fmt.Fprintf(&b, `<text x="31.5" y="43" text-anchor="middle" font-family="system-ui, sans-serif" font-size="32" font-weight="700" fill="#fff">%s</text>`, svgEsc(letter))
	fmt.Fprintf(&b, `<text x="74" y="22" font-family="system-ui, 'PingFang SC', 'Microsoft YaHei', sans-serif" font-size="14" font-weight="700" fill="#1b2430">%s</text>`, svgEsc(name))
	fmt.Fprintf(&b, `<text x="74" y="40" font-family="system-ui, 'PingFang SC', 'Microsoft YaHei', sans-serif" font-size="12" fill="#1b2430">%s</text>`, svgEsc(gradeText))
	fmt.Fprintf(&b, `<text x="74" y="56" font-family="system-ui, 'PingFang SC', 'Microsoft YaHei', sans-serif" font-size="11" fill="#4a5563">%s</text>`, svgEsc(line2))
	b.WriteString(`</svg>`)
	return b.String()
}
