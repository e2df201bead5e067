package views

// PendingView is a vendor's pending downgrade as its own page shows it.
type PendingView struct {
	Grade, PublicAfter string
	Objected           bool
	CanObject          bool
}

// CaseRow is one objection, reply or application.
type CaseRow struct {
	ID                                string
	Kind, Vendor, VendorUSCC, Subject string
	Text, Attachment                  string
	Opened, Deadline, Age             string
	Overdue                           bool
	Status, StatusCode                string
	Reason, Amended, DecidedBy        string
	DecisionOpts                      []Option
	AmendOpts                         []Option // grades or outcomes, for objections
	TypedReason                       string   // the decision form's reason as typed, kept after an error
}

// InboxRow is one notification.
type InboxRow struct{ At, Text, Link string }

// DueProcess is the vendor's side of due process on its own page.
type DueProcess struct {
	Published  string // the public grade, "" before the first publication
	Pending    *PendingView
	Override   string // "B until 2027-01-01: reason", "" none
	Reply      string // the approved public reply
	Complaints []Option
	// Sanctions are those credit repair may be applied for now; SanctionRows
	// are all of the vendor's sanctions with their state.
	Sanctions    []Option
	SanctionRows []SanctionRow
	Cases        []CaseRow
	Inbox        []InboxRow
	Errs         FieldErrors
	Labels       Labels
}

// ReviewsView is the regulator's review queue.
type ReviewsView struct {
	Page
	Open    []CaseRow
	Decided []CaseRow
	Inbox   []InboxRow
	Errs    FieldErrors
	ErrCase string // the case whose decision form came back with Errs
	Labels  Labels // the decision form's fields, for the error summary
}

// OverrideForm is the regulator's override of a vendor's public grade.
type OverrideForm struct {
	Current   string // the override in force, "" none
	GradeOpts []Option
	Reason    string
	Until     string
	Errs      FieldErrors
}
