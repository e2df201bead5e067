// Package scoring is the pure HSCS model (Home-Service Credit Score, docs/SCORING.md):
// a versioned Rules value and one vendor's Inputs go in, an Evaluation (components,
// score, grade, reasons, evidence and plain-language sentences) comes out.
//
// Everything is a function of the arguments and the evaluation instant asOf: the package
// reads no clock, touches no database, uses no randomness and never logs. Ages are real
// numbers of days (seconds / 86400); months and dates are Asia/Shanghai (UTC+8, no DST).
package scoring

import "time"

// shanghai is Asia/Shanghai. China has observed no daylight saving time since 1991, so a
// fixed UTC+8 zone is exact for every instant the model deals with and needs no tzdata.
var shanghai = time.FixedZone("CST", 8*3600)

// Vendor statuses (Inputs.Status; "" means StatusActive).
const (
	StatusActive       = "active"
	StatusSuspended    = "suspended"
	StatusDeregistered = "deregistered"
)

// Callback results (Callback.Result).
const (
	ResultSatisfied          = "satisfied"
	ResultBasicallySatisfied = "basically_satisfied"
	ResultDissatisfied       = "dissatisfied"
	ResultUnreachable        = "unreachable"
)

// Complaint statuses (Complaint.Status).
const (
	ComplaintOpen   = "open"
	ComplaintClosed = "closed"
)

// Complaint outcomes (Complaint.Outcome, meaningful for closed complaints only).
const (
	OutcomeSubstantiated           = "substantiated"
	OutcomePartiallySubstantiated  = "partially_substantiated"
	OutcomeMediated                = "mediated"
	OutcomeUnsubstantiated         = "unsubstantiated"
	OutcomeWithdrawn               = "withdrawn"
	OutcomeNotVendorResponsibility = "not_vendor_responsibility"
)

// Complaint severities (Complaint.Severity).
const (
	SeverityGeneral = "general"
	SeveritySerious = "serious"
	SeverityMajor   = "major"
)

// Sanction kinds (Sanction.Kind).
const (
	KindWarning        = "warning"
	KindFine           = "fine"
	KindSeriousPenalty = "serious_penalty"
	KindBlacklist      = "blacklist"
	KindCommendation   = "commendation"
)

// Grades. GradeN (暂不评级, not yet rated) is not on the A–D scale.
const (
	GradeA = "A"
	GradeB = "B"
	GradeC = "C"
	GradeD = "D"
	GradeN = "N"
)

// Reason codes (Evaluation.Reasons): each is reported only when its rule changed the grade.
const (
	ReasonARequirements        = "a_requirements"
	ReasonCapC                 = "cap_C"
	ReasonCapD                 = "cap_D"
	ReasonInsufficientEvidence = "insufficient_evidence"
)

// Component keys, used in JSON and as keys of Evaluation.Sentences (plus SentenceGrade).
const (
	KeySatisfaction  = "satisfaction"
	KeyComplaints    = "complaints"
	KeyQualification = "qualification"
	KeyRegulatory    = "regulatory"
	KeyBonus         = "bonus"
	SentenceGrade    = "grade"
)
