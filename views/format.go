package views

import "strconv"

// Percent writes a ratio (0–1; publicity.Rate rounds the public ones to
// three decimals) as every page, chart and badge shows a percentage: one
// decimal and a percent sign, "94.3%". It is the site's only percentage
// formatter; the JSON carries the ratio itself.
func Percent(ratio float64) string {
	return strconv.FormatFloat(ratio*100, 'f', 1, 64) + "%"
}
