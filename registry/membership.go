package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Membership statuses. Only an active membership is public (profile, org
// page, JSON); the others are seen by the vendor, its association and
// regulators.
const (
	MemberInvited   = "invited"   // the association asked; the vendor has not answered
	MemberActive    = "active"    // the vendor accepted, or the association registered it
	MemberSuspended = "suspended" // suspended by the association
	MemberDeclined  = "declined"  // the vendor declined the invitation
	MemberLeft      = "left"      // ended: the vendor left or the association ended it
)

// MembershipStatuses lists every membership status.
var MembershipStatuses = []string{MemberInvited, MemberActive, MemberSuspended, MemberDeclined, MemberLeft}

// Membership links a vendor to an organisation.
type Membership struct {
	ID          int64
	OrgID       int64
	OrgUSCC     string
	OrgName     string
	VendorID    int64
	VendorUSCC  string
	VendorName  string
	Status      string
	Since       time.Time  // start of the current period (acceptance), or of the invitation while invited
	Until       *time.Time // set when the membership ended
	InvitedAt   *time.Time // the current invitation; nil when none was needed
	RespondedAt *time.Time // when the vendor accepted or declined it
	// StatusBy is who set the status: RoleVendor, RoleAssociation,
	// RoleRegulator, or "" (command line, demo data, older rows).
	StatusBy string
}

// OnboardResult says what onboarding one vendor did.
type OnboardResult struct {
	Vendor Vendor
	// Result is ResultCreated (new vendor registered and made an active
	// member), ResultInvited (an already registered vendor invited; the
	// membership waits for its consent) or ResultUnchanged (already invited
	// or a member).
	Result string
	// Status is the membership's status afterwards.
	Status string
	// InviteToken is a one-time vendor login invitation for a vendor the
	// organisation registered; empty otherwise. Show it once; only its hash is stored.
	InviteToken string
	// NoLogin: the invited vendor has no console login yet, so regulators
	// were asked (in their inbox) to issue its login invitation.
	NoLogin bool
}

// OnboardMember registers a vendor on behalf of an organisation and makes it
// an active member, or, when the USCC is already registered, invites that
// vendor (its record is not changed; the membership is private until the
// vendor accepts it).
func (db *DB) OnboardMember(ctx context.Context, actor Actor, orgID int64, in VendorInput) (OnboardResult, error) {
	var res OnboardResult
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = db.onboardTx(ctx, tx, actor, orgID, in)
		return err
	})
	return res, err
}

func (db *DB) onboardTx(ctx context.Context, tx *sql.Tx, actor Actor, orgID int64, in VendorInput) (OnboardResult, error) {
	var res OnboardResult
	code, err := ParseUSCC(in.USCC)
	if err == nil || errors.Is(err, ErrUSCCCheck) {
		// A registered vendor is invited even when its code fails the check:
		// a regulator confirmed it when registering it.
		v, ferr := findVendor(ctx, tx, code)
		if ferr != nil && !errors.Is(ferr, ErrNotFound) {
			return res, ferr
		}
		if ferr == nil && (err == nil || v.USCCConfirmed) {
			res.Vendor = v
			res.Result, res.Status, res.NoLogin, err = db.inviteMember(ctx, tx, actor, orgID, v)
			return res, err
		}
	}
	_, v, err := db.saveVendor(ctx, tx, actor, in, createOnly)
	if err != nil {
		return res, err
	}
	res.Vendor, res.Result, res.Status = v, ResultCreated, MemberActive
	if _, err := db.ensureMembership(ctx, tx, actor, orgID, v); err != nil {
		return res, err
	}
	res.InviteToken, err = db.createInvitation(ctx, tx, actor, v, orgID)
	return res, err
}

// memberRow is the stored state of one membership, read inside a transaction.
type memberRow struct {
	id, orgID, vendorID int64
	status, statusBy    string
	orgUSCC, orgName    string
	vendorUSCC          string
	exists              bool
}

func findMemberRow(ctx context.Context, tx *sql.Tx, orgID, vendorID int64) (memberRow, error) {
	r := memberRow{orgID: orgID, vendorID: vendorID}
	if err := tx.QueryRowContext(ctx, `SELECT uscc, name FROM orgs WHERE id = ?`, orgID).Scan(&r.orgUSCC, &r.orgName); err != nil {
		return r, fmt.Errorf("registry: org #%d: %w", orgID, ErrNotFound)
	}
	if err := tx.QueryRowContext(ctx, `SELECT uscc FROM vendors WHERE id = ?`, vendorID).Scan(&r.vendorUSCC); err != nil {
		return r, fmt.Errorf("registry: vendor #%d: %w", vendorID, ErrNotFound)
	}
	err := tx.QueryRowContext(ctx, `SELECT id, status, status_by FROM memberships WHERE org_id = ? AND vendor_id = ?`,
		orgID, vendorID).Scan(&r.id, &r.status, &r.statusBy)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return r, nil
	case err != nil:
		return r, fmt.Errorf("registry: membership: %w", err)
	}
	r.exists = true
	return r, nil
}

// inviteMember asks an already registered vendor to join the organisation:
// a new, declined or ended membership becomes "invited" and the vendor's
// inbox says so; an invited, active or suspended one is left alone.
func (db *DB) inviteMember(ctx context.Context, tx *sql.Tx, actor Actor, orgID int64, v Vendor) (result, status string, noLogin bool, err error) {
	r, err := findMemberRow(ctx, tx, orgID, v.ID)
	if err != nil {
		return "", "", false, err
	}
	switch r.status {
	case MemberInvited, MemberActive, MemberSuspended:
		return ResultUnchanged, r.status, false, nil
	}
	noLogin, err = db.invite(ctx, tx, actor, r)
	return ResultInvited, MemberInvited, noLogin, err
}

// invite stores an invitation (a new row, or a declined or ended one made
// "invited" again), audits it and tells the vendor; when the vendor has no
// console login, regulators are asked to issue one. It reports whether the
// vendor lacks a login.
func (db *DB) invite(ctx context.Context, tx *sql.Tx, actor Actor, r memberRow) (bool, error) {
	now := formatTime(db.now())
	var err error
	if r.exists {
		_, err = tx.ExecContext(ctx, `UPDATE memberships SET status = ?, since = ?, until = NULL, updated_at = ?, invited_at = ?,
			responded_at = NULL, status_by = ? WHERE id = ?`, MemberInvited, now, now, now, statusBy(actor), r.id)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO memberships(org_id, vendor_id, status, since, updated_at, invited_at, status_by)
			VALUES (?,?,?,?,?,?,?)`, r.orgID, r.vendorID, MemberInvited, now, now, now, statusBy(actor))
	}
	if err != nil {
		return false, fmt.Errorf("registry: invite member %s: %w", r.vendorUSCC, err)
	}
	detail := map[string]any{"org": r.orgUSCC, "status": MemberInvited}
	if r.exists {
		detail["from"] = r.status
	}
	if err := db.audit(ctx, tx, actor.String(), "membership.invite", r.vendorUSCC, detail); err != nil {
		return false, err
	}
	if err := db.notify(ctx, tx, RoleVendor, r.vendorID, "inbox.membership_invited", []any{r.orgName}, "/console/me/memberships"); err != nil {
		return false, err
	}
	var logins int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE vendor_id = ? AND disabled = 0`, r.vendorID).Scan(&logins); err != nil {
		return false, err
	}
	if logins > 0 {
		return false, nil
	}
	return true, db.notify(ctx, tx, RoleRegulator, 0, "inbox.membership_no_login", []any{r.orgName, r.vendorUSCC},
		"/console/vendors/"+r.vendorUSCC)
}

// ensureMembership makes the vendor an active member at once, reporting
// whether anything changed. It serves a vendor the organisation registered
// itself and the operator's `import vendors -org`; a membership the vendor
// itself declined or left is not revived (only a new invitation can).
func (db *DB) ensureMembership(ctx context.Context, tx *sql.Tx, actor Actor, orgID int64, v Vendor) (bool, error) {
	r, err := findMemberRow(ctx, tx, orgID, v.ID)
	if err != nil {
		return false, err
	}
	now := formatTime(db.now())
	switch {
	case !r.exists:
		if _, err := tx.ExecContext(ctx, `INSERT INTO memberships(org_id, vendor_id, status, since, updated_at, status_by) VALUES (?,?,?,?,?,?)`,
			orgID, v.ID, MemberActive, now, now, statusBy(actor)); err != nil {
			return false, fmt.Errorf("registry: add member %s: %w", v.USCC, err)
		}
	case r.status == MemberActive, r.statusBy == RoleVendor && (r.status == MemberDeclined || r.status == MemberLeft):
		return false, nil
	default:
		// Rejoining after leaving starts a new period; other statuses resume.
		if _, err := tx.ExecContext(ctx, `UPDATE memberships SET status = ?, until = NULL, updated_at = ?, status_by = ?,
			since = CASE WHEN status IN ('left', 'declined', 'invited') THEN ? ELSE since END WHERE id = ?`,
			MemberActive, now, statusBy(actor), now, r.id); err != nil {
			return false, err
		}
	}
	return true, db.audit(ctx, tx, actor.String(), "membership.add", v.USCC, map[string]any{"org": r.orgUSCC, "status": MemberActive})
}

// statusBy is the memberships.status_by value for an actor.
func statusBy(a Actor) string {
	if a.Kind == "user" {
		return a.Role
	}
	return ""
}
