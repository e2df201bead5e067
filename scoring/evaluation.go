package scoring

import (
	"encoding/json"
	"math"
	"time"
)

// Evaluation is the result of Evaluate: what a vendor scores under one rules version at
// one instant, with the evidence behind it. It encodes to the JSON of `explain -json`.
type Evaluation struct {
	AsOf         time.Time `json:"as_of"`
	RulesVersion string    `json:"rules_version"`
	RulesHash    string    `json:"rules_hash"`
	// Score S = round1(min(100, sum of components)), 0–100.
	Score float64 `json:"score"`
	// Grade is GradeA…GradeD or GradeN after the A requirements, caps and the N rule.
	Grade string `json:"grade"`
	// ScoreGrade is the letter the score alone earns (before the A requirements, caps and N).
	ScoreGrade string     `json:"score_grade"`
	Components Components `json:"components"`
	// Reasons lists the rules that changed the grade, in the order they apply; never nil.
	Reasons  []string `json:"reasons"`
	Evidence Evidence `json:"evidence"`
	// Items are the complaints in the window, ascending by received_at then work order.
	Items []ComplaintItem `json:"items"`
	// Sentences explain each component (keys Key*) and the grade (SentenceGrade).
	Sentences map[string]Sentence `json:"sentences"`
}

// Components are the five parts of the score, each round2'd, in points.
type Components struct {
	Satisfaction  float64 `json:"satisfaction"`  // 0–35
	Complaints    float64 `json:"complaints"`    // 0–35
	Qualification float64 `json:"qualification"` // 0–15
	Regulatory    float64 `json:"regulatory"`    // 0–15
	Bonus         float64 `json:"bonus"`         // 0–3
}

// Evidence holds the figures behind the components at full precision; its JSON encoding
// rounds real numbers to 4 decimals. Counts are of records in the window at asOf.
type Evidence struct {
	// CallbacksWeight N = Σ w over rated callbacks (decayed count of callbacks).
	CallbacksWeight float64 `json:"callbacks_weight"`
	// SatisfactionValue U = Σ w·value.
	SatisfactionValue float64 `json:"satisfaction_value"`
	// SatisfactionShrunk Q = (U + m·C)/(N + m), 0–1.
	SatisfactionShrunk float64 `json:"satisfaction_shrunk"`
	// CallbacksCounted: callbacks in the window, unreachable ones included.
	CallbacksCounted            int `json:"callbacks_counted"`
	CallbacksSatisfied          int `json:"callbacks_satisfied"`
	CallbacksBasicallySatisfied int `json:"callbacks_basically_satisfied"`
	CallbacksDissatisfied       int `json:"callbacks_dissatisfied"`
	CallbacksUnreachable        int `json:"callbacks_unreachable"`
	// CallbacksLastYear and SatisfiedLastYear (satisfied or basically satisfied): age ≤ 365 days.
	CallbacksLastYear int `json:"callbacks_last_year"`
	SatisfiedLastYear int `json:"satisfied_last_year"`

	// ComplaintPoints D = Σ w·d over the complaints that count (after merging).
	ComplaintPoints float64 `json:"complaint_points"`
	// Exposure E = Σ w·orders/1000 over months in the window.
	Exposure float64 `json:"exposure"`
	// ComplaintRate r = (D + r0·β)/(E + β), verified complaints per 1000 orders, shrunk.
	ComplaintRate float64 `json:"complaint_rate"`
	// ComplaintsReceived: complaints in the window; ComplaintsCounted: those with d > 0
	// after merging by service order; ComplaintsMerged: those merged away.
	ComplaintsReceived int `json:"complaints_received"`
	ComplaintsCounted  int `json:"complaints_counted"`
	ComplaintsMerged   int `json:"complaints_merged"`
	// ComplaintsLate: counted complaints multiplied by the late factor (closed late or open
	// past deadline); ComplaintsOpenPastDeadline: the open ones among them.
	ComplaintsLate             int `json:"complaints_late"`
	ComplaintsOpenPastDeadline int `json:"complaints_open_past_deadline"`
	// SeriousComplaintsRecent: counted serious or major complaints within the A rule's window.
	SeriousComplaintsRecent int `json:"serious_complaints_recent"`
	// Orders: Σ orders_m over months in the window (undecayed); MonthsWithOrders: months with orders_m > 0.
	Orders           int `json:"orders"`
	MonthsWithOrders int `json:"months_with_orders"`

	Active         bool `json:"active"`
	LicenceValid   bool `json:"licence_valid"`
	InsuranceValid bool `json:"insurance_valid"`

	// SanctionsOnDisplay: warnings, fines, serious penalties and blacklist entries on display.
	SanctionsOnDisplay int  `json:"sanctions_on_display"`
	Warnings           int  `json:"warnings"`
	Fines              int  `json:"fines"`
	SeriousPenalties   int  `json:"serious_penalties"`
	Blacklisted        bool `json:"blacklisted"`
	// SanctionPoints: Σ w·p, the points the sanctions on display cost before the floor at 0.
	SanctionPoints float64 `json:"sanction_points"`
	// Commendations with 0 ≤ age ≤ the bonus window (before the bonus cap).
	Commendations int `json:"commendations"`

	// RegisteredDays: age of RegisteredAt in days.
	RegisteredDays float64 `json:"registered_days"`
}

// ComplaintItem is one complaint in the window as the model saw it at asOf.
type ComplaintItem struct {
	WorkOrderNo    string    `json:"work_order_no"`
	ServiceOrderNo string    `json:"service_order_no,omitempty"`
	ReceivedAt     time.Time `json:"received_at"`
	AgeDays        float64   `json:"age_days"`
	Severity       string    `json:"severity"`
	// Closed: status closed and closed_at ≤ asOf; Outcome is the recorded outcome then, else "".
	Closed  bool   `json:"closed"`
	Outcome string `json:"outcome"`
	// Late: the late factor applied (closed after deadline and not excused, or open past deadline).
	Late        bool `json:"late"`
	LateExcused bool `json:"late_excused"`
	// OpenPastDeadline: open at asOf and asOf is after its deadline (counts as substantiated, late).
	OpenPastDeadline bool `json:"open_past_deadline"`
	// MergedAway: another complaint of the same service order counts instead.
	MergedAway bool `json:"merged_away"`
	// Points d, Weight w = 0.5^(age/365), Contribution w·d (0 when merged away).
	Points       float64 `json:"points"`
	Weight       float64 `json:"weight"`
	Contribution float64 `json:"contribution"`
}

// Sentence is a plain-language explanation in Chinese and English.
type Sentence struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// MarshalJSON encodes e with real numbers rounded to 4 decimals.
func (e Evidence) MarshalJSON() ([]byte, error) {
	type plain Evidence
	p := plain(e)
	for _, f := range []*float64{&p.CallbacksWeight, &p.SatisfactionValue, &p.SatisfactionShrunk,
		&p.ComplaintPoints, &p.Exposure, &p.ComplaintRate, &p.SanctionPoints, &p.RegisteredDays} {
		*f = round4(*f)
	}
	return json.Marshal(p)
}

// MarshalJSON encodes c with real numbers rounded to 4 decimals.
func (c ComplaintItem) MarshalJSON() ([]byte, error) {
	type plain ComplaintItem
	p := plain(c)
	p.AgeDays, p.Points, p.Weight, p.Contribution =
		round4(p.AgeDays), round4(p.Points), round4(p.Weight), round4(p.Contribution)
	return json.Marshal(p)
}
