package views

// LoginView is the console login page.
type LoginView struct {
	Page
	Username string
	Error    string
	Next     string // a local console path to return to after signing in
}

// VendorRow is one vendor in a console list.
type VendorRow struct {
	USCC, Name          string
	Status, StatusLabel string
	Districts           string // names, joined
	Categories          string // names, joined
	Confirmed           bool   // USCC confirmed by a regulator despite its check character
	MemberStatus        string // association lists: membership status label
	MemberStatusCode    string
	MemberNote          string   // when the invitation was made or answered
	MemberActions       []Option // what the association may do now (value: action, label: button)
}

// Pager is a page of results with links.
type Pager struct {
	Total, PageNo, Pages int
	PrevURL, NextURL     string
}

// VendorListView is the regulator's vendor list.
type VendorListView struct {
	Page
	Q                                      string
	DistrictOpts, CategoryOpts, StatusOpts []Option
	Rows                                   []VendorRow
	Pager                                  Pager
}

// VendorValues are a vendor form's values as typed.
type VendorValues struct {
	USCC, Name, LegalRep, Phone, Address string
	LicenceNo, LicenceValidUntil         string
	InsuranceValidUntil, RegisteredAt    string
}

// VendorFormView is the create / edit / onboard form.
type VendorFormView struct {
	Page
	Heading      string
	Action       string // form action URL
	Editing      bool   // the USCC is fixed
	Values       VendorValues
	DistrictOpts []Option
	CategoryOpts []Option
	Errs         FieldErrors
	Labels       Labels
	// ShowConfirm offers the regulator's check-character confirmation.
	ShowConfirm bool
	Submit      string
}

// MembershipRow is one membership as shown on a vendor or org page.
type MembershipRow struct {
	OrgUSCC, OrgName       string
	VendorUSCC, VendorName string
	Status, StatusCode     string
	Since, Until           string
	Note                   string   // when the invitation was made or answered
	Actions                []Option // what the viewer may do now (value: action, label: button)
}

// VendorDetailView is the regulator's view of one vendor.
type VendorDetailView struct {
	Page
	USCC, Name, Status, StatusCode string
	Confirmed                      bool
	Fields                         [][2]string // label, value
	Memberships                    []MembershipRow
	StatusOpts                     []Option
	Errs                           FieldErrors
	Reason                         string
	InviteURL                      string
	Login                          string // the vendor's console username, when it has one
	LoginDisabled                  bool
	Audit                          []AuditRow
	Evaluation                     *EvaluationView
	Sanctions                      []SanctionRow
	SanctionForm                   SanctionForm
	Override                       OverrideForm
	Predecessors                   []string // "USCC 名称（理由）"
	PredecessorErrs                FieldErrors
	PredecessorUSCC                string // the predecessor form's values, kept when it comes back with errors
	PredecessorReason              string
	Labels                         Labels // the page's form fields (but the sanction form's) for error summaries
}

// OrgRow is one organisation in a list.
type OrgRow struct {
	USCC, Name, Kind, District, Phone string
	Members                           int
}

// OrgListView lists organisations with the create form.
type OrgListView struct {
	Page
	Q        string
	Rows     []OrgRow
	Values   OrgValues
	KindOpts []Option
	DistOpts []Option
	Errs     FieldErrors
	Labels   Labels
}

// OrgValues are the organisation form's values.
type OrgValues struct{ USCC, Name, Phone string }

// UserRow is one account.
type UserRow struct {
	ID                          int64
	Username, Role, Of, Created string
	Disabled                    bool
	Self                        bool // the signed-in regulator (cannot disable itself)
}

// UserListView lists users with the create form.
type UserListView struct {
	Page
	Rows     []UserRow
	Username string
	OrgUSCC  string
	RoleOpts []Option
	Errs     FieldErrors
	Labels   Labels
}

// AuditRow is one audit log entry.
type AuditRow struct {
	ID                                 int64
	At, Actor, Action, Subject, Detail string
}

// AuditListView is the audit log page.
type AuditListView struct {
	Page
	Actor, Action, Subject string
	Rows                   []AuditRow
	NextURL                string
	Verified               string // result of the chain check, when requested
	VerifiedOK             bool
}

// MembersView is an association's member list.
type MembersView struct {
	Page
	OrgName    string
	Status     string
	StatusOpts []Option
	Rows       []VendorRow
	ChangeOpts []Option
	InviteURL  string
	InviteFor  string
}

// ImportRow is one previewed CSV row.
type ImportRow struct {
	Line        int
	Key, Name   string
	Result      string // created, updated, unchanged, linked, rejected
	ResultLabel string
	Errors      []string
}

// ImportView is the upload form, the preview and the result of an import.
type ImportView struct {
	Page
	Heading    string
	Explain    string // what the upload does
	Action     string // upload URL
	ConfirmURL string
	// Templates are downloadable CSV templates (Value: URL, Label: text).
	Templates []Option
	// KindOpts, when set, offer a choice of record type in the upload form.
	KindOpts  []Option
	Kind      string
	BackURL   string
	BackLabel string
	// Hidden is how many checked rows the preview does not list (only the
	// first rows and every rejected row are listed).
	Hidden      int
	StageID     string
	Filename    string
	FileError   string
	Rows        []ImportRow
	Summary     string
	Counts      map[string]int
	Done        bool
	Invitations []InviteLink
	NoLogin     []string // invited vendors without a console login ("name USCC")
	MaxMB       int
}

// InviteLink is a one-time vendor login link shown once.
type InviteLink struct{ USCC, Name, URL string }

// InviteView is the page where a vendor accepts its login invitation.
type InviteView struct {
	Page
	VendorName string
	Username   string
	Errs       FieldErrors
	Labels     Labels
	Invalid    bool
	HasLogin   bool // the vendor got a login meanwhile
}

// VendorHomeView is a vendor's own record.
type VendorHomeView struct {
	Page
	USCC, Name, Status string
	Fields             [][2]string
	Memberships        []MembershipRow
	PendingInvites     int // membership invitations waiting for the vendor's answer
	Evaluation         *EvaluationView
	Due                DueProcess
}

// TokenRow is one API token (never its secret).
type TokenRow struct {
	ID                              int64
	Name, Scope, Created, CreatedBy string
	LastUsed, Revoked               string
	Active                          bool
}

// TokensView lists API tokens and creates new ones.
type TokensView struct {
	Page
	Rows      []TokenRow
	Name      string
	Errs      FieldErrors
	Labels    Labels
	NewSecret string // shown once, right after creation
	NewName   string
}

// ComponentRow is one score component with its plain-language sentence.
type ComponentRow struct {
	Label    string
	Points   string // "33.1"
	Max      string // "35"
	Sentence string
}

// ComplaintItemRow is one complaint's contribution, for the vendor's own evidence.
type ComplaintItemRow struct {
	WorkOrderNo, ReceivedAt, Severity, Outcome, Note string
	Points, Weight, Contribution                     string
}

// EvaluationView is an evaluation as console pages show it.
type EvaluationView struct {
	Score, Grade, GradeLabel string
	AsOf, RulesVersion       string
	GradeSentence            string
	Reasons                  []string
	Components               []ComponentRow
	Items                    []ComplaintItemRow // only on the vendor's own page
}

// TransitionRow is one row of a grade transition matrix.
type TransitionRow struct {
	From   string
	Counts []int // in the order of RulesView.Grades
}

// MoverRow is one of the vendors whose score moves most under candidate rules.
type MoverRow struct {
	USCC, Name, From, To, Delta string
}

// WhatIfView is the result of evaluating every vendor under candidate rules.
type WhatIfView struct {
	Version, Hash string
	Vendors       int
	Took          string
	Matrix        []TransitionRow
	Movers        []MoverRow
	StageID       string // set when the candidate can be adopted
}

// RulesView is the regulator's rules and calibration page.
type RulesView struct {
	Page
	Version, Hash string
	Params        [][2]string
	Priors        [][3]string // what, city value, rules value
	Distribution  []Option    // Value: grade, Label: count
	Grades        []string
	WhatIf        *WhatIfView
	FileError     string
}

// SanctionRow is one sanction on the regulator's vendor page.
type SanctionRow struct {
	ID                             int64
	Kind, Issued, Until, Reference string
	Summary, State                 string
	Active                         bool
}

// SanctionForm is the new-sanction form's state.
type SanctionForm struct {
	Kind, IssuedAt, DisplayUntil, Reference, Summary string
	KindOpts                                         []Option
	Errs                                             FieldErrors
	Labels                                           Labels
}
