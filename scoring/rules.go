package scoring

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// Rules holds every parameter of the model as data, so a rules version can be loaded from
// a file or the database (ParseRules), hashed (Hash) and compared in a what-if run.
// Durations are in days, points are score points (the score is out of 100).
// A Rules value must pass Validate before it is given to Evaluate.
type Rules struct {
	// Version names the rules, e.g. "HSCS-1.0"; stored with every evaluation.
	Version string `json:"version"`
	// WindowDays: callbacks, complaints and volume months count only when
	// 0 ≤ age ≤ WindowDays (1095, three years).
	WindowDays    float64            `json:"window_days"`
	Satisfaction  SatisfactionRules  `json:"satisfaction"`
	Complaints    ComplaintRules     `json:"complaints"`
	Qualification QualificationRules `json:"qualification"`
	Regulatory    RegulatoryRules    `json:"regulatory"`
	Bonus         BonusRules         `json:"bonus"`
	Grades        GradeRules         `json:"grades"`
	Publication   PublicationRules   `json:"publication"`
}

// SatisfactionRules parameterise Sat = round2(MaxPoints · (U + m·C) / (N + m)).
type SatisfactionRules struct {
	// Values per callback result (0–1); unreachable callbacks carry no value.
	Satisfied          float64 `json:"satisfied"`
	BasicallySatisfied float64 `json:"basically_satisfied"`
	Dissatisfied       float64 `json:"dissatisfied"`
	// HalfLifeDays of a callback's weight (180).
	HalfLifeDays float64 `json:"half_life_days"`
	// PriorWeight m: the prior counts like m fresh callbacks (10).
	PriorWeight float64 `json:"prior_weight"`
	// PriorMean C: the city average satisfaction every vendor starts from (0.80).
	PriorMean float64 `json:"prior_mean"`
	// MaxPoints of the component (35).
	MaxPoints float64 `json:"max_points"`
}

// OutcomeFactors weigh a closed complaint by its outcome (substantiated 1 … 0).
type OutcomeFactors struct {
	Substantiated           float64 `json:"substantiated"`
	PartiallySubstantiated  float64 `json:"partially_substantiated"`
	Mediated                float64 `json:"mediated"`
	Unsubstantiated         float64 `json:"unsubstantiated"`
	Withdrawn               float64 `json:"withdrawn"`
	NotVendorResponsibility float64 `json:"not_vendor_responsibility"`
}

// SeverityFactors weigh a complaint by its severity (general 1, serious 2, major 4).
type SeverityFactors struct {
	General float64 `json:"general"`
	Serious float64 `json:"serious"`
	Major   float64 `json:"major"`
}

// ComplaintRules parameterise d = outcome × severity × late, D = Σ w·d, the exposure
// E = Σ w·orders/OrdersPerUnit, r = (D + r0·β)/(E + β) and Cmp = round2(MaxPoints·2^(−r/RateHalf)).
type ComplaintRules struct {
	Outcome  OutcomeFactors  `json:"outcome"`
	Severity SeverityFactors `json:"severity"`
	// LateFactor multiplies d of a complaint closed after its deadline (1.5).
	LateFactor float64 `json:"late_factor"`
	// HalfLifeDays of complaint points and of monthly exposure alike (365).
	HalfLifeDays float64 `json:"half_life_days"`
	// PriorRate r0, verified complaints per OrdersPerUnit orders (0.5).
	PriorRate float64 `json:"prior_rate"`
	// PriorExposure β, in units of OrdersPerUnit orders (2).
	PriorExposure float64 `json:"prior_exposure"`
	// RateHalf: each RateHalf of r halves the points (1.0).
	RateHalf float64 `json:"rate_half"`
	// OrdersPerUnit: orders in one unit of exposure (1000).
	OrdersPerUnit float64 `json:"orders_per_unit"`
	// MaxPoints of the component (35).
	MaxPoints float64 `json:"max_points"`
}

// QualificationRules: points for an active status with a valid licence, and for insurance.
type QualificationRules struct {
	LicencePoints   float64 `json:"licence_points"`
	InsurancePoints float64 `json:"insurance_points"`
}

// SanctionPoints are the points a sanction on display costs before decay.
type SanctionPoints struct {
	Warning        float64 `json:"warning"`
	Fine           float64 `json:"fine"`
	SeriousPenalty float64 `json:"serious_penalty"`
}

// RegulatoryRules parameterise Reg = round2(max(0, MaxPoints − Σ w·p)).
type RegulatoryRules struct {
	MaxPoints    float64        `json:"max_points"`
	Points       SanctionPoints `json:"points"`
	HalfLifeDays float64        `json:"half_life_days"`
}

// BonusRules: PerCommendation points per commendation with 0 ≤ age ≤ WindowDays, at most MaxPoints.
type BonusRules struct {
	PerCommendation float64 `json:"per_commendation"`
	MaxPoints       float64 `json:"max_points"`
	WindowDays      float64 `json:"window_days"`
}

// GradeRules hold the score thresholds (a score ≥ threshold earns the grade) and the
// evidence requirements of grade A and of a letter grade (N rule).
type GradeRules struct {
	A float64 `json:"a"`
	B float64 `json:"b"`
	C float64 `json:"c"`
	// A needs callback weight N ≥ AMinCallbackWeight, registration ≥ AMinRegisteredDays and
	// no counted serious or major complaint with age ≤ ASeriousComplaintDays.
	AMinCallbackWeight    float64 `json:"a_min_callback_weight"`
	AMinRegisteredDays    float64 `json:"a_min_registered_days"`
	ASeriousComplaintDays float64 `json:"a_serious_complaint_days"`
	// Without negative evidence, N < NMinCallbackWeight or registration < NMinRegisteredDays
	// gives grade N.
	NMinCallbackWeight float64 `json:"n_min_callback_weight"`
	NMinRegisteredDays float64 `json:"n_min_registered_days"`
}

// PublicationRules are used by the publication layer, not by Evaluate.
type PublicationRules struct {
	// UpgradeMargin: an upgrade needs scores ≥ the new grade's threshold + margin (2.0).
	UpgradeMargin float64 `json:"upgrade_margin"`
	// ObjectionDays before a pending downgrade becomes public (14).
	ObjectionDays float64 `json:"objection_days"`
}

// DefaultRules returns rules version HSCS-1.0 exactly as docs/SCORING.md states it.
func DefaultRules() Rules {
	return Rules{
		Version:    "HSCS-1.0",
		WindowDays: 1095,
		Satisfaction: SatisfactionRules{
			Satisfied: 1.0, BasicallySatisfied: 0.7, Dissatisfied: 0.0,
			HalfLifeDays: 180, PriorWeight: 10, PriorMean: 0.80, MaxPoints: 35,
		},
		Complaints: ComplaintRules{
			Outcome: OutcomeFactors{
				Substantiated: 1, PartiallySubstantiated: 0.5, Mediated: 0.25,
			},
			Severity:     SeverityFactors{General: 1, Serious: 2, Major: 4},
			LateFactor:   1.5,
			HalfLifeDays: 365, PriorRate: 0.5, PriorExposure: 2, RateHalf: 1.0,
			OrdersPerUnit: 1000, MaxPoints: 35,
		},
		Qualification: QualificationRules{LicencePoints: 8, InsurancePoints: 7},
		Regulatory: RegulatoryRules{
			MaxPoints:    15,
			Points:       SanctionPoints{Warning: 2, Fine: 5, SeriousPenalty: 10},
			HalfLifeDays: 365,
		},
		Bonus: BonusRules{PerCommendation: 2, MaxPoints: 3, WindowDays: 730},
		Grades: GradeRules{
			A: 90, B: 75, C: 60,
			AMinCallbackWeight: 20, AMinRegisteredDays: 365, ASeriousComplaintDays: 365,
			NMinCallbackWeight: 5, NMinRegisteredDays: 90,
		},
		Publication: PublicationRules{UpgradeMargin: 2.0, ObjectionDays: 14},
	}
}

// Hash returns "sha256:<hex>" over the canonical JSON encoding of r: fields in declaration
// order, no whitespace, numbers in Go's shortest round-trip form. Any parameter change,
// the version name included, changes the hash.
func (r Rules) Hash() string {
	b, err := json.Marshal(r)
	if err != nil { // only non-finite numbers fail; such rules never pass Validate
		b = []byte(err.Error())
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
