package views

// InvitationRow is one vendor login invitation in the console list.
type InvitationRow struct {
	ID          int64
	Vendor      string // name (USCC)
	VendorUSCC  string
	IssuedBy    string // association name, or the actor for a regulator
	Created     string
	Expires     string
	Status      string // registry status code: open, used, revoked, expired, superseded
	StatusLabel string // localized status with its date and who
	Revocable   bool
}

// InvitationsView lists invitations: a regulator sees all, an association
// its own.
type InvitationsView struct {
	Page
	Rows      []InvitationRow
	Regulator bool // link vendors to their console pages
	Limit     int  // the newest this many are listed
}
