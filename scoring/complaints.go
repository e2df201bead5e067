package scoring

import (
	"math"
	"time"
)

// complaintPoints evaluates every complaint in the window (refs into cs, oldest first), merges
// complaints sharing a service order, sets D in e and returns one item per complaint.
func complaintPoints(r Rules, cs []Complaint, refs []ref, asOf time.Time, e *Evidence) []ComplaintItem {
	cr := r.Complaints
	items := make([]ComplaintItem, 0, len(refs))
	for _, ref := range refs {
		c, age := &cs[ref.i], ref.days()
		it := ComplaintItem{
			WorkOrderNo:    c.WorkOrderNo,
			ServiceOrderNo: c.ServiceOrderNo,
			ReceivedAt:     c.ReceivedAt,
			AgeDays:        age,
			Severity:       c.Severity,
			LateExcused:    c.LateExcused,
			Weight:         decay(age, cr.HalfLifeDays),
		}
		sev := severityFactor(cr.Severity, c.Severity)
		// Closed at asOf only when status is closed and closed_at ≤ asOf.
		it.Closed = c.Status == ComplaintClosed && c.ClosedAt != nil && !c.ClosedAt.After(asOf)
		switch {
		case it.Closed:
			it.Outcome = c.Outcome
			it.Points = outcomeFactor(cr.Outcome, c.Outcome) * sev
			if c.DeadlineAt != nil && c.ClosedAt.After(*c.DeadlineAt) && !c.LateExcused {
				it.Late = true
				it.Points *= cr.LateFactor
			}
		case c.DeadlineAt != nil && asOf.After(*c.DeadlineAt):
			// Open past its deadline: substantiated and late; late_excused does not apply.
			it.OpenPastDeadline, it.Late = true, true
			it.Points = cr.Outcome.Substantiated * sev * cr.LateFactor
		}
		it.Contribution = it.Weight * it.Points
		items = append(items, it)
	}
	mergeServiceOrders(items)

	var d float64
	for i := range items {
		it := &items[i]
		e.ComplaintsReceived++
		if it.MergedAway {
			e.ComplaintsMerged++
			continue
		}
		d += it.Contribution
		if it.Points <= 0 {
			continue
		}
		e.ComplaintsCounted++
		if it.Late {
			e.ComplaintsLate++
		}
		if it.OpenPastDeadline {
			e.ComplaintsOpenPastDeadline++
		}
		if (it.Severity == SeveritySerious || it.Severity == SeverityMajor) &&
			it.AgeDays <= r.Grades.ASeriousComplaintDays {
			e.SeriousComplaintsRecent++
		}
	}
	e.ComplaintPoints = d
	return items
}

// mergeServiceOrders keeps, among items sharing a non-empty service order number, the one
// with the largest w·d (on a tie the earlier, items being sorted ascending) and marks the
// others merged away, with no contribution.
func mergeServiceOrders(items []ComplaintItem) {
	var best map[string]int
	for i := range items {
		son := items[i].ServiceOrderNo
		if son == "" {
			continue
		}
		if best == nil {
			best = make(map[string]int)
		}
		j, seen := best[son]
		switch {
		case !seen:
			best[son] = i
		case items[i].Contribution > items[j].Contribution:
			items[j].MergedAway = true
			best[son] = i
		default:
			items[i].MergedAway = true
		}
	}
	for i := range items {
		if items[i].MergedAway {
			items[i].Contribution = 0
		}
	}
}

func severityFactor(f SeverityFactors, severity string) float64 {
	switch severity {
	case SeveritySerious:
		return f.Serious
	case SeverityMajor:
		return f.Major
	}
	return f.General // general, and an unknown or empty severity
}

func outcomeFactor(f OutcomeFactors, outcome string) float64 {
	switch outcome {
	case OutcomeSubstantiated:
		return f.Substantiated
	case OutcomePartiallySubstantiated:
		return f.PartiallySubstantiated
	case OutcomeMediated:
		return f.Mediated
	case OutcomeUnsubstantiated:
		return f.Unsubstantiated
	case OutcomeWithdrawn:
		return f.Withdrawn
	case OutcomeNotVendorResponsibility:
		return f.NotVendorResponsibility
	}
	return 0 // an unknown outcome costs nothing
}

// complaintsComponent computes r = (D + r0·β)/(E + β) and Cmp = round2(MaxPoints·2^(−r/r_half)).
func complaintsComponent(cr ComplaintRules, e *Evidence) float64 {
	r := (e.ComplaintPoints + cr.PriorRate*cr.PriorExposure) / (e.Exposure + cr.PriorExposure)
	e.ComplaintRate = r
	return round2(cr.MaxPoints * math.Exp2(-r/cr.RateHalf))
}
