package scoring

import (
	"math"
	"strconv"
)

// Rate is n out of total as the ratio every public figure uses, rounded
// half up to three decimals (0.943: a percentage with one decimal); nil
// when total is 0. The JSON carries it as it is.
func Rate(n, total int) *float64 {
	if total <= 0 {
		return nil
	}
	r := math.Floor(float64(n)*1000/float64(total)+0.5) / 1000
	return &r
}

// Percent writes a ratio (0–1) as every sentence, page, chart and badge
// shows a percentage: one decimal and a percent sign, "94.3%". It is the
// only percentage formatter; give it a ratio Rate rounded, so that the
// page and the JSON agree to the digit.
func Percent(ratio float64) string {
	return strconv.FormatFloat(math.Floor(ratio*1000+0.5)/10, 'f', 1, 64) + "%"
}
