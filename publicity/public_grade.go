package publicity

// PublicGrade is the grade a list shows for a vendor, by the rule every
// public page follows: a regulator's override in force, else the published
// grade, else (before the vendor's first publication) the latest
// evaluation, which the page marks as not yet published.
type PublicGrade struct {
	Grade     string   // "" when the vendor has not been evaluated
	Score     *float64 // the published score, or the evaluation's before publication; nil under an override with no publication
	Published bool     // a publication stands behind Grade or Score
	Override  bool     // a regulator's override in force sets Grade
}

// Evaluated reports whether there is a grade to show.
func (g PublicGrade) Evaluated() bool { return g.Grade != "" }

// Unpublished reports whether the grade is only the latest evaluation.
func (g PublicGrade) Unpublished() bool { return g.Grade != "" && !g.Published && !g.Override }

// publicGradeColumns selects a PublicGrade (Grade, Score, Published,
// Override) from the joins in publicGradeJoins, whose one parameter is the
// current instant in storage form.
const publicGradeColumns = `coalesce(o.grade, p.grade, s.grade, ''),
		CASE WHEN p.grade IS NOT NULL THEN p.score WHEN o.grade IS NULL THEN s.score END,
		p.grade IS NOT NULL, o.grade IS NOT NULL`

const publicGradeJoins = ` LEFT JOIN vendor_scores s ON s.vendor_id = v.id LEFT JOIN published_grades p ON p.vendor_id = v.id
		LEFT JOIN grade_overrides o ON o.vendor_id = v.id AND o.until > ?`
