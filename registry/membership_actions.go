package registry

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"chengxin/i18n"
)

// Membership actions. The vendor answers an invitation and may leave; the
// association suspends, reinstates, ends, withdraws an unanswered
// invitation or invites again (docs/CONTRACT.md "Console").
const (
	MemberAccept    = "accept"    // vendor: invited → active
	MemberDecline   = "decline"   // vendor: invited → declined
	MemberLeave     = "leave"     // vendor: active or suspended → left
	MemberSuspend   = "suspend"   // association: active → suspended
	MemberReinstate = "reinstate" // association: suspended → active
	MemberEnd       = "end"       // association: active or suspended → left
	MemberWithdraw  = "withdraw"  // association: invited → no membership
	MemberReinvite  = "reinvite"  // association: declined or left → invited
)

// memberTransition is who may take an action, from which statuses, and the
// status it leads to ("" removes the row: a withdrawn invitation).
type memberTransition struct {
	role string
	from []string
	to   string
}

var memberTransitions = map[string]memberTransition{
	MemberAccept:    {RoleVendor, []string{MemberInvited}, MemberActive},
	MemberDecline:   {RoleVendor, []string{MemberInvited}, MemberDeclined},
	MemberLeave:     {RoleVendor, []string{MemberActive, MemberSuspended}, MemberLeft},
	MemberSuspend:   {RoleAssociation, []string{MemberActive}, MemberSuspended},
	MemberReinstate: {RoleAssociation, []string{MemberSuspended}, MemberActive},
	MemberEnd:       {RoleAssociation, []string{MemberActive, MemberSuspended}, MemberLeft},
	MemberWithdraw:  {RoleAssociation, []string{MemberInvited}, ""},
	MemberReinvite:  {RoleAssociation, []string{MemberDeclined, MemberLeft}, MemberInvited},
}

// memberActionOrder is the order actions are offered in.
var memberActionOrder = []string{MemberAccept, MemberDecline, MemberLeave, MemberSuspend, MemberReinstate,
	MemberEnd, MemberWithdraw, MemberReinvite}

// MembershipActions lists what a user of role may do to a membership in
// status, in the order a page offers them.
func MembershipActions(role, status string) []string {
	var out []string
	for _, a := range memberActionOrder {
		if t := memberTransitions[a]; t.role == role && slices.Contains(t.from, status) {
			out = append(out, a)
		}
	}
	return out
}

// IsMembershipAction reports whether a names a membership action.
func IsMembershipAction(a string) bool { _, ok := memberTransitions[a]; return ok }

// RespondToMembership is the vendor's side: accept or decline an invitation
// from the organisation orgUSCC, or leave it. The vendor is the actor's own
// (vendorID); an unknown organisation or membership is ErrNotFound.
func (db *DB) RespondToMembership(ctx context.Context, actor Actor, vendorID int64, orgUSCC, action string) error {
	return db.membershipAction(ctx, actor, RoleVendor, action, func(tx *sql.Tx) (int64, int64, error) {
		var orgID int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM orgs WHERE uscc = ?`, NormalizeUSCC(orgUSCC)).Scan(&orgID)
		if err != nil {
			return 0, 0, fmt.Errorf("registry: org %s: %w", orgUSCC, ErrNotFound)
		}
		return orgID, vendorID, nil
	})
}

// ChangeMembership is the association's side: suspend, reinstate, end,
// withdraw an invitation or invite again, for its member vendorUSCC.
func (db *DB) ChangeMembership(ctx context.Context, actor Actor, orgID int64, vendorUSCC, action string) error {
	return db.membershipAction(ctx, actor, RoleAssociation, action, func(tx *sql.Tx) (int64, int64, error) {
		v, err := findVendor(ctx, tx, NormalizeUSCC(vendorUSCC))
		if err != nil {
			return 0, 0, err
		}
		return orgID, v.ID, nil
	})
}

// membershipAction checks and applies one action inside a transaction; ids
// resolves the organisation and the vendor. A role that may never take the
// action gets ErrForbidden; an action that does not fit the membership's
// current status is a ValidationError on "action" naming the status.
func (db *DB) membershipAction(ctx context.Context, actor Actor, role, action string, ids func(*sql.Tx) (int64, int64, error)) error {
	t, ok := memberTransitions[action]
	if !ok {
		return &ValidationError{Fields: map[string]i18n.Text{"action": i18n.T("membership.unknown_action")}}
	}
	if t.role != role {
		return fmt.Errorf("registry: membership %s by %s: %w", action, role, ErrForbidden)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		orgID, vendorID, err := ids(tx)
		if err != nil {
			return err
		}
		r, err := findMemberRow(ctx, tx, orgID, vendorID)
		if err != nil {
			return err
		}
		if !r.exists {
			return fmt.Errorf("registry: membership of %s in %s: %w", r.vendorUSCC, r.orgUSCC, ErrNotFound)
		}
		if !slices.Contains(t.from, r.status) {
			return &ValidationError{Fields: map[string]i18n.Text{"action": i18n.T("membership.not_now",
				i18n.T("membership_action."+action), i18n.T("membership."+r.status))}}
		}
		return db.applyMembership(ctx, tx, actor, r, action, t.to)
	})
}

func (db *DB) applyMembership(ctx context.Context, tx *sql.Tx, actor Actor, r memberRow, action, to string) error {
	if action == MemberReinvite {
		_, err := db.invite(ctx, tx, actor, r)
		return err
	}
	detail := map[string]any{"org": r.orgUSCC, "from": r.status, "to": to}
	if to == "" {
		if _, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE id = ?`, r.id); err != nil {
			return err
		}
		return db.audit(ctx, tx, actor.String(), "membership."+action, r.vendorUSCC, detail)
	}
	now := formatTime(db.now())
	var err error
	switch action {
	case MemberAccept:
		// The membership starts when the vendor accepts it.
		_, err = tx.ExecContext(ctx, `UPDATE memberships SET status = ?, since = ?, until = NULL, responded_at = ?, updated_at = ?,
			status_by = ? WHERE id = ?`, to, now, now, now, statusBy(actor), r.id)
	case MemberDecline:
		_, err = tx.ExecContext(ctx, `UPDATE memberships SET status = ?, responded_at = ?, updated_at = ?, status_by = ? WHERE id = ?`,
			to, now, now, statusBy(actor), r.id)
	case MemberLeave, MemberEnd:
		_, err = tx.ExecContext(ctx, `UPDATE memberships SET status = ?, until = ?, updated_at = ?, status_by = ? WHERE id = ?`,
			to, now, now, statusBy(actor), r.id)
	default: // suspend, reinstate
		_, err = tx.ExecContext(ctx, `UPDATE memberships SET status = ?, updated_at = ?, status_by = ? WHERE id = ?`,
			to, now, statusBy(actor), r.id)
	}
	if err != nil {
		return fmt.Errorf("registry: membership %s: %w", action, err)
	}
	return db.audit(ctx, tx, actor.String(), "membership."+action, r.vendorUSCC, detail)
}

const membershipSelect = `SELECT m.id, m.org_id, o.uscc, o.name, m.vendor_id, v.uscc, v.name, m.status, m.since, m.until,
	m.invited_at, m.responded_at, m.status_by
	FROM memberships m JOIN orgs o ON o.id = m.org_id JOIN vendors v ON v.id = m.vendor_id `

// memberStatusOrder sorts invitations waiting for an answer first, ended ones last.
const memberStatusOrder = `CASE m.status WHEN 'invited' THEN 0 WHEN 'active' THEN 1 WHEN 'suspended' THEN 2
	WHEN 'declined' THEN 3 ELSE 4 END`

func (db *DB) queryMemberships(ctx context.Context, where string, args ...any) ([]Membership, error) {
	rows, err := db.read.QueryContext(ctx, membershipSelect+where, args...)
	if err != nil {
		return nil, fmt.Errorf("registry: memberships: %w", err)
	}
	defer rows.Close()
	var out []Membership
	for rows.Next() {
		var m Membership
		var since string
		var until, invited, responded *string
		if err := rows.Scan(&m.ID, &m.OrgID, &m.OrgUSCC, &m.OrgName, &m.VendorID, &m.VendorUSCC, &m.VendorName, &m.Status,
			&since, &until, &invited, &responded, &m.StatusBy); err != nil {
			return nil, err
		}
		m.Since, m.Until = parseStored(since), parseStoredPtr(until)
		m.InvitedAt, m.RespondedAt = parseStoredPtr(invited), parseStoredPtr(responded)
		out = append(out, m)
	}
	return out, rows.Err()
}

// MembershipsOfVendor lists all of a vendor's memberships, whatever their
// status (for its own console and regulators; public pages read active ones
// only): open invitations first, then active, suspended, declined, ended.
func (db *DB) MembershipsOfVendor(ctx context.Context, vendorID int64) ([]Membership, error) {
	return db.queryMemberships(ctx, `WHERE m.vendor_id = ? ORDER BY `+memberStatusOrder+`, o.name, o.uscc`, vendorID)
}

// MembersOfOrg lists an organisation's memberships by vendor name, optionally
// only those with status.
func (db *DB) MembersOfOrg(ctx context.Context, orgID int64, status string) ([]Membership, error) {
	if status != "" {
		return db.queryMemberships(ctx, `WHERE m.org_id = ? AND m.status = ? ORDER BY v.name, v.uscc`, orgID, status)
	}
	return db.queryMemberships(ctx, `WHERE m.org_id = ? ORDER BY v.name, v.uscc`, orgID)
}
