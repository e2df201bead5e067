package views

// MyMembershipsView is a vendor's memberships: invitations to answer and
// memberships it may leave.
type MyMembershipsView struct {
	Page
	Invitations []MembershipRow
	Others      []MembershipRow
	Error       string // why the last action could not be taken
}
