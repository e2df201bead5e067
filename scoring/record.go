package scoring

import (
	"math"
	"time"
)

// qualification: LicencePoints when the vendor is active and its licence is valid at asOf
// (nil = no expiry; valid through the instant LicenceValidUntil itself), plus
// InsurancePoints when insurance is in force at asOf (nil = none). Membership earns nothing.
func qualification(q QualificationRules, in Inputs, asOf time.Time, e *Evidence) float64 {
	e.LicenceValid = in.LicenceValidUntil == nil || !asOf.After(*in.LicenceValidUntil)
	e.InsuranceValid = in.InsuranceValidUntil != nil && !asOf.After(*in.InsuranceValidUntil)
	var pts float64
	if e.Active && e.LicenceValid {
		pts += q.LicencePoints
	}
	if e.InsuranceValid {
		pts += q.InsurancePoints
	}
	return round2(pts)
}

// sanctions computes Reg = round2(max(0, MaxPoints − Σ w·p)) over the sanctions on display
// at asOf (ss sorted ascending by issued_at then id) and the bonus
// round2(min(MaxPoints, PerCommendation·commendations with 0 ≤ age ≤ WindowDays)).
// A sanction is on display when issued_at ≤ asOf, display_until is nil or later than asOf,
// and it is not repaired; its age is not cut by the three-year window. Blacklist entries
// cost no points (they cap the grade); commendations ignore display and repair.
func sanctions(r Rules, ss []Sanction, asOf time.Time, e *Evidence) (reg, bonus float64) {
	rr := r.Regulatory
	var pts float64
	for i := range ss {
		s := &ss[i]
		age := ageDays(asOf, s.IssuedAt)
		if s.Kind == KindCommendation {
			if inWindow(age, r.Bonus.WindowDays) {
				e.Commendations++
			}
			continue
		}
		if age < 0 || s.Repaired || (s.DisplayUntil != nil && !s.DisplayUntil.After(asOf)) {
			continue
		}
		var p float64
		switch s.Kind {
		case KindWarning:
			p = rr.Points.Warning
			e.Warnings++
		case KindFine:
			p = rr.Points.Fine
			e.Fines++
		case KindSeriousPenalty:
			p = rr.Points.SeriousPenalty
			e.SeriousPenalties++
		case KindBlacklist:
			e.Blacklisted = true
		default:
			continue // unknown kind: not a sanction this model knows
		}
		e.SanctionsOnDisplay++
		pts += p * decay(age, rr.HalfLifeDays)
	}
	e.SanctionPoints = pts
	reg = round2(math.Max(0, rr.MaxPoints-pts))
	bonus = round2(math.Min(r.Bonus.MaxPoints, r.Bonus.PerCommendation*float64(e.Commendations)))
	return reg, bonus
}
