package scoring

// satisfaction computes Sat = round2(MaxPoints · Q) with Q = (U + m·C)/(N + m) over the
// callbacks in the window (refs into cbs, oldest first), and fills the callback evidence.
// Unreachable callbacks (and unknown results) carry no value and no weight.
func satisfaction(r Rules, cbs []Callback, refs []ref, e *Evidence) float64 {
	s := r.Satisfaction
	var n, u float64
	for _, ref := range refs {
		c, age := &cbs[ref.i], ref.days()
		e.CallbacksCounted++
		lastYear := age <= daysPerYear
		if lastYear {
			e.CallbacksLastYear++
		}
		var v float64
		switch c.Result {
		case ResultSatisfied:
			v = s.Satisfied
			e.CallbacksSatisfied++
		case ResultBasicallySatisfied:
			v = s.BasicallySatisfied
			e.CallbacksBasicallySatisfied++
		case ResultDissatisfied:
			v = s.Dissatisfied
			e.CallbacksDissatisfied++
		default:
			if c.Result == ResultUnreachable {
				e.CallbacksUnreachable++
			}
			continue
		}
		if lastYear && c.Result != ResultDissatisfied {
			e.SatisfiedLastYear++
		}
		w := decay(age, s.HalfLifeDays)
		n += w
		u += w * v
	}
	q := (u + s.PriorWeight*s.PriorMean) / (n + s.PriorWeight)
	e.CallbacksWeight, e.SatisfactionValue, e.SatisfactionShrunk = n, u, q
	return round2(s.MaxPoints * q)
}
