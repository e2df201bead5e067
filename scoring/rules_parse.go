package scoring

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
)

// Validate reports every parameter outside its sane range, one line per problem, each
// naming the field by its JSON path (e.g. "complaints.half_life_days must be > 0, got 0").
func (r Rules) Validate() error {
	var v validator
	v.nonEmpty("version", r.Version)
	v.positive("window_days", r.WindowDays)
	v.check(!(r.WindowDays > maxWindowDays), fmt.Sprintf("window_days must be ≤ %d, got %g", maxWindowDays, r.WindowDays))

	s := r.Satisfaction
	v.between("satisfaction.satisfied", s.Satisfied, 0, 1)
	v.between("satisfaction.basically_satisfied", s.BasicallySatisfied, 0, 1)
	v.between("satisfaction.dissatisfied", s.Dissatisfied, 0, 1)
	v.check(s.Satisfied >= s.BasicallySatisfied && s.BasicallySatisfied >= s.Dissatisfied,
		"satisfaction values must satisfy satisfied ≥ basically_satisfied ≥ dissatisfied")
	v.positive("satisfaction.half_life_days", s.HalfLifeDays)
	v.positive("satisfaction.prior_weight", s.PriorWeight)
	v.between("satisfaction.prior_mean", s.PriorMean, 0, 1)
	v.between("satisfaction.max_points", s.MaxPoints, 0, 100)

	c := r.Complaints
	for _, f := range []struct {
		name string
		val  float64
	}{
		{"substantiated", c.Outcome.Substantiated},
		{"partially_substantiated", c.Outcome.PartiallySubstantiated},
		{"mediated", c.Outcome.Mediated},
		{"unsubstantiated", c.Outcome.Unsubstantiated},
		{"withdrawn", c.Outcome.Withdrawn},
		{"not_vendor_responsibility", c.Outcome.NotVendorResponsibility},
	} {
		v.between("complaints.outcome."+f.name, f.val, 0, c.Outcome.Substantiated)
	}
	v.nonNegative("complaints.severity.general", c.Severity.General)
	v.nonNegative("complaints.severity.serious", c.Severity.Serious)
	v.nonNegative("complaints.severity.major", c.Severity.Major)
	v.atLeast("complaints.late_factor", c.LateFactor, 1)
	v.positive("complaints.half_life_days", c.HalfLifeDays)
	v.nonNegative("complaints.prior_rate", c.PriorRate)
	v.positive("complaints.prior_exposure", c.PriorExposure)
	v.positive("complaints.rate_half", c.RateHalf)
	v.positive("complaints.orders_per_unit", c.OrdersPerUnit)
	v.between("complaints.max_points", c.MaxPoints, 0, 100)

	v.between("qualification.licence_points", r.Qualification.LicencePoints, 0, 100)
	v.between("qualification.insurance_points", r.Qualification.InsurancePoints, 0, 100)

	g := r.Regulatory
	v.between("regulatory.max_points", g.MaxPoints, 0, 100)
	v.nonNegative("regulatory.points.warning", g.Points.Warning)
	v.nonNegative("regulatory.points.fine", g.Points.Fine)
	v.nonNegative("regulatory.points.serious_penalty", g.Points.SeriousPenalty)
	v.positive("regulatory.half_life_days", g.HalfLifeDays)

	v.nonNegative("bonus.per_commendation", r.Bonus.PerCommendation)
	v.between("bonus.max_points", r.Bonus.MaxPoints, 0, 100)
	v.between("bonus.window_days", r.Bonus.WindowDays, 0, maxWindowDays)

	gr := r.Grades
	v.between("grades.a", gr.A, 0, 100)
	v.between("grades.b", gr.B, 0, 100)
	v.between("grades.c", gr.C, 0, 100)
	v.check(gr.A > gr.B && gr.B > gr.C,
		fmt.Sprintf("grade thresholds must descend (a > b > c), got a=%g b=%g c=%g", gr.A, gr.B, gr.C))
	v.nonNegative("grades.a_min_callback_weight", gr.AMinCallbackWeight)
	v.nonNegative("grades.a_min_registered_days", gr.AMinRegisteredDays)
	v.nonNegative("grades.a_serious_complaint_days", gr.ASeriousComplaintDays)
	v.nonNegative("grades.n_min_callback_weight", gr.NMinCallbackWeight)
	v.nonNegative("grades.n_min_registered_days", gr.NMinRegisteredDays)

	v.nonNegative("publication.upgrade_margin", r.Publication.UpgradeMargin)
	v.nonNegative("publication.objection_days", r.Publication.ObjectionDays)
	return v.err()
}

// maxWindowDays bounds the windows (100 years) so that they convert to a time.Duration.
const maxWindowDays = 36500

type validator struct{ errs []error }

func (v *validator) check(ok bool, msg string) {
	if !ok {
		v.errs = append(v.errs, errors.New(msg))
	}
}

func (v *validator) nonEmpty(name, s string) { v.check(s != "", name+" must not be empty") }

func (v *validator) finite(name string, x float64) bool {
	ok := !math.IsNaN(x) && !math.IsInf(x, 0)
	v.check(ok, fmt.Sprintf("%s must be a finite number, got %g", name, x))
	return ok
}

func (v *validator) positive(name string, x float64) {
	if v.finite(name, x) {
		v.check(x > 0, fmt.Sprintf("%s must be > 0, got %g", name, x))
	}
}

func (v *validator) nonNegative(name string, x float64) { v.atLeast(name, x, 0) }

func (v *validator) atLeast(name string, x, lo float64) {
	if v.finite(name, x) {
		v.check(x >= lo, fmt.Sprintf("%s must be ≥ %g, got %g", name, lo, x))
	}
}

func (v *validator) between(name string, x, lo, hi float64) {
	if v.finite(name, x) {
		v.check(x >= lo && x <= hi, fmt.Sprintf("%s must be between %g and %g, got %g", name, lo, hi, x))
	}
}

func (v *validator) err() error {
	if len(v.errs) == 0 {
		return nil
	}
	return fmt.Errorf("invalid rules: %w", errors.Join(v.errs...))
}

// ParseRules reads rules from JSON. Every field must be present (a forgotten parameter must
// not silently become zero), unknown or misspelt fields are rejected, and the result must
// pass Validate. Errors name the field by its JSON path.
func ParseRules(data []byte) (Rules, error) {
	var raw any
	if err := json.Unmarshal(data, &raw); err != nil {
		return Rules{}, fmt.Errorf("rules: %w", err)
	}
	var want any
	template, _ := json.Marshal(DefaultRules())
	_ = json.Unmarshal(template, &want)
	if errs := compareShape("", want, raw); len(errs) > 0 {
		return Rules{}, fmt.Errorf("rules: %w", errors.Join(errs...))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Rules
	if err := dec.Decode(&r); err != nil {
		return Rules{}, fmt.Errorf("rules: %w", err)
	}
	if err := r.Validate(); err != nil {
		return Rules{}, err
	}
	return r, nil
}

// compareShape checks that got has exactly the keys of want, with values of the same JSON
// kind (object, string or number), recursively; it reports paths like "bonus.max_points".
func compareShape(path string, want, got any) []error {
	name := path
	if name == "" {
		name = "rules document"
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []error{fmt.Errorf("%s must be a JSON object", name)}
		}
		var errs []error
		for _, k := range sortedKeys(g) {
			if _, known := w[k]; !known {
				errs = append(errs, fmt.Errorf("unknown field %s", join(path, k)))
			}
		}
		for _, k := range sortedKeys(w) {
			gv, present := g[k]
			if !present {
				errs = append(errs, fmt.Errorf("missing field %s", join(path, k)))
				continue
			}
			errs = append(errs, compareShape(join(path, k), w[k], gv)...)
		}
		return errs
	case string:
		if _, ok := got.(string); !ok {
			return []error{fmt.Errorf("%s must be a string", name)}
		}
	case float64:
		if _, ok := got.(float64); !ok {
			return []error{fmt.Errorf("%s must be a number", name)}
		}
	}
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
