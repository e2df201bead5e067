package views

// RunRow is one publication run in the regulator's list.
type RunRow struct {
	ID, Period, AsOf, By string
	Vendors, Changed     int
	NewPending           int
	Objections           int
	Status, StatusCode   string
}

// RunsView lists publication runs.
type RunsView struct {
	Page
	Lead    string
	Pending int // downgrades pending now
	Rows    []RunRow
}

// CountRow is one labelled count.
type CountRow struct {
	Label string
	Count int
}

// MatrixRow is one row of a grade transition matrix: From (a label) with
// the counts in the order of the view's grade columns.
type MatrixRow struct {
	From   string
	Counts []int
}

// RunChangeRow is a vendor whose public grade changed in a run.
type RunChangeRow struct {
	USCC, Name       string
	From, To         string // grades; From "" before the first publication
	FromLabel        string
	How              string
	Evaluated, Score string
}

// PendingRow is a pending downgrade, in a run's list or in the list of
// those pending now.
type PendingRow struct {
	USCC, Name   string
	Published    string // the grade public meanwhile, "" none
	Grade        string // the pending grade
	PublicAfter  string
	When         string // "3 days left", "objection period over …"
	Objection    string // "none", "filed 2025-03-04, open"
	Objected     bool
	Run, RunID   string
	State        string // a run's list: still pending, or resolved with the grade now
	StillPending bool
}

// ObjectionRow is a vendor's objection to a run's pending downgrade.
type ObjectionRow struct {
	USCC, Name, Pending string
	Filed, Status       string
	StatusCode          string
	DecidedBy, Reason   string
}

// RunView is one publication run in detail.
type RunView struct {
	Page
	Title        string
	Facts        [][2]string
	Actions      []CountRow
	Grades       []string // matrix columns
	Matrix       []MatrixRow
	Changes      []RunChangeRow
	ChangesTotal int
	Pager        Pager
	Pending      []PendingRow
	Objections   []ObjectionRow
	// Outside are grades published after this run by other paths, up to
	// the next run (Evaluated holds when); OutsideTotal counts them all.
	OutsideTitle string
	Outside      []RunChangeRow
	OutsideTotal int
}

// PendingListView lists the downgrades pending now.
type PendingListView struct {
	Page
	FilterOpts []Option
	Rows       []PendingRow
	Pager      Pager
}

// PublicGradeBox is the public grade as a regulator's vendor page shows it.
type PublicGradeBox struct {
	Grade     string // in force (override or published), "" not published
	Line      string // "Public grade B, score 88.1, published 2025-03-01"
	Override  string // "" none
	Pending   string // "" none
	Objected  string // "" not objected
	PublicURL string
}

// ComplaintRow is one complaint on the regulator's vendor page, with its
// private text.
type ComplaintRow struct {
	WorkOrderNo, Received, Channel, Category string
	Severity, Result, Deadline, Note         string
	Summary, ServiceOrder                    string
	Open                                     bool
}

// ComplaintList is a page of a vendor's complaints.
type ComplaintList struct {
	Total int
	Rows  []ComplaintRow
	Pager Pager
}
