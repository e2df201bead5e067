package scoring

// GradeRank orders the letter grades: A 4, B 3, C 2, D 1 (higher is better). GradeN and
// any other string rank 0: "not yet rated" is not on the A–D scale.
func GradeRank(g string) int {
	switch g {
	case GradeA:
		return 4
	case GradeB:
		return 3
	case GradeC:
		return 2
	case GradeD:
		return 1
	}
	return 0
}

// WorseGrade reports whether a is a worse letter grade than b (e.g. WorseGrade("C", "B")).
// It is false whenever either is N (or not a grade): N is neither better nor worse.
func WorseGrade(a, b string) bool {
	ra, rb := GradeRank(a), GradeRank(b)
	return ra > 0 && rb > 0 && ra < rb
}

// GradeForScore is the letter a score earns by the thresholds alone: A when
// score ≥ g.A, B when ≥ g.B, C when ≥ g.C, else D. Score is the round1'd score S.
func GradeForScore(g GradeRules, score float64) string {
	switch {
	case score >= g.A:
		return GradeA
	case score >= g.B:
		return GradeB
	case score >= g.C:
		return GradeC
	}
	return GradeD
}

// Threshold is the minimum score of a letter grade (A, B or C; D has 0); ok is false for
// GradeN and unknown strings. The publication layer adds UpgradeMargin to it.
func (g GradeRules) Threshold(grade string) (score float64, ok bool) {
	switch grade {
	case GradeA:
		return g.A, true
	case GradeB:
		return g.B, true
	case GradeC:
		return g.C, true
	case GradeD:
		return 0, true
	}
	return 0, false
}

// grade applies, in order, the A requirements, the caps and the N rule to the score's
// grade. A reason code is added each time a rule changes the grade at its step, so a
// vendor whose A is lowered to B and then left unrated carries both a_requirements and
// insufficient_evidence.
func grade(g GradeRules, scoreGrade string, e *Evidence) (string, []string) {
	reasons := []string{}
	out := scoreGrade

	// 1. A needs a track record.
	if out == GradeA && !(e.CallbacksWeight >= g.AMinCallbackWeight &&
		e.RegisteredDays >= g.AMinRegisteredDays && e.SeriousComplaintsRecent == 0) {
		out = GradeB
		reasons = append(reasons, ReasonARequirements)
	}

	// 2. Caps: the lowest applicable one; its code only when it changed the grade.
	capGrade, code := "", ""
	if !e.Active || e.SeriousPenalties > 0 {
		capGrade, code = GradeC, ReasonCapC
	}
	if e.Blacklisted {
		capGrade, code = GradeD, ReasonCapD
	}
	if capGrade != "" && WorseGrade(capGrade, out) {
		out = capGrade
		reasons = append(reasons, code)
	}

	// 3. Not yet rated: no negative evidence and too little of it, or too new.
	negative := e.ComplaintPoints > 0 || e.Warnings > 0 || e.Fines > 0 ||
		e.SeriousPenalties > 0 || e.Blacklisted || !e.Active
	if !negative && (e.CallbacksWeight < g.NMinCallbackWeight || e.RegisteredDays < g.NMinRegisteredDays) {
		out = GradeN
		reasons = append(reasons, ReasonInsufficientEvidence)
	}
	return out, reasons
}
