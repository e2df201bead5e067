package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"chengxin/i18n"
)

// Membership statuses.
const (
	MemberInvited   = "invited"
	MemberActive    = "active"
	MemberSuspended = "suspended"
	MemberLeft      = "left"
)

// MembershipStatuses lists every membership status.
var MembershipStatuses = []string{MemberInvited, MemberActive, MemberSuspended, MemberLeft}

// Membership links a vendor to an organisation.
type Membership struct {
	ID         int64
	OrgID      int64
	OrgUSCC    string
	OrgName    string
	VendorID   int64
	VendorUSCC string
	VendorName string
	Status     string
	Since      time.Time
	Until      *time.Time // set when the vendor left
}

// OnboardResult says what onboarding one vendor did.
type OnboardResult struct {
	Vendor Vendor
	// Result is ResultCreated (new vendor registered and made a member),
	// ResultLinked (an existing vendor made a member) or ResultUnchanged
	// (already an active member).
	Result string
	// InviteToken is a one-time vendor login invitation for a vendor the
	// organisation registered; empty otherwise. Show it once; only its hash is stored.
	InviteToken string
}

// OnboardMember registers a vendor on behalf of an organisation, or links it
// when the USCC is already registered (its record is not changed), and makes
// it an active member.
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
		// A registered vendor is linked even when its code fails the check:
		// a regulator confirmed it when registering it.
		v, ferr := findVendor(ctx, tx, code)
		if ferr != nil && !errors.Is(ferr, ErrNotFound) {
			return res, ferr
		}
		if ferr == nil && (err == nil || v.USCCConfirmed) {
			res.Vendor = v
			changed, err := db.ensureMembership(ctx, tx, actor, orgID, v)
			res.Result = ResultLinked
			if !changed {
				res.Result = ResultUnchanged
			}
			return res, err
		}
	}
	_, v, err := db.saveVendor(ctx, tx, actor, in, createOnly)
	if err != nil {
		return res, err
	}
	res.Vendor, res.Result = v, ResultCreated
	if _, err := db.ensureMembership(ctx, tx, actor, orgID, v); err != nil {
		return res, err
	}
	res.InviteToken, err = db.createInvitation(ctx, tx, actor, v, orgID)
	return res, err
}

// ensureMembership makes the vendor an active member, reporting whether
// anything changed.
func (db *DB) ensureMembership(ctx context.Context, tx *sql.Tx, actor Actor, orgID int64, v Vendor) (bool, error) {
	var orgUSCC string
	if err := tx.QueryRowContext(ctx, `SELECT uscc FROM orgs WHERE id = ?`, orgID).Scan(&orgUSCC); err != nil {
		return false, fmt.Errorf("registry: org #%d: %w", orgID, ErrNotFound)
	}
	now := formatTime(db.now())
	var id int64
	var status string
	err := tx.QueryRowContext(ctx, `SELECT id, status FROM memberships WHERE org_id = ? AND vendor_id = ?`, orgID, v.ID).Scan(&id, &status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := tx.ExecContext(ctx, `INSERT INTO memberships(org_id, vendor_id, status, since, updated_at) VALUES (?,?,?,?,?)`,
			orgID, v.ID, MemberActive, now, now); err != nil {
			return false, fmt.Errorf("registry: add member %s: %w", v.USCC, err)
		}
	case err != nil:
		return false, err
	case status == MemberActive:
		return false, nil
	default:
		// Rejoining after leaving starts a new period; other statuses resume.
		if _, err := tx.ExecContext(ctx, `UPDATE memberships SET status = ?, until = NULL, updated_at = ?,
			since = CASE WHEN status = 'left' THEN ? ELSE since END WHERE id = ?`, MemberActive, now, now, id); err != nil {
			return false, err
		}
	}
	return true, db.audit(ctx, tx, actor.String(), "membership.add", v.USCC, map[string]any{"org": orgUSCC, "status": MemberActive})
}

// SetMembershipStatus changes a member's status; "left" records the end date.
func (db *DB) SetMembershipStatus(ctx context.Context, actor Actor, orgID int64, vendorUSCC, status string) error {
	if !slices.Contains(MembershipStatuses, status) {
		return &ValidationError{Fields: map[string]i18n.Text{"status": i18n.T("field.oneof", "invited, active, suspended, left")}}
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		var old, orgUSCC string
		err := tx.QueryRowContext(ctx, `SELECT m.id, m.status, o.uscc FROM memberships m JOIN vendors v ON v.id = m.vendor_id
			JOIN orgs o ON o.id = m.org_id WHERE m.org_id = ? AND v.uscc = ?`, orgID, NormalizeUSCC(vendorUSCC)).Scan(&id, &old, &orgUSCC)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("registry: membership %s: %w", vendorUSCC, ErrNotFound)
		}
		if err != nil || old == status {
			return err
		}
		now := formatTime(db.now())
		var until any
		if status == MemberLeft {
			until = now
		}
		// Rejoining after leaving starts a new membership period.
		if _, err := tx.ExecContext(ctx, `UPDATE memberships SET status = ?, until = ?, updated_at = ?,
			since = CASE WHEN status = 'left' THEN ? ELSE since END WHERE id = ?`, status, until, now, now, id); err != nil {
			return err
		}
		return db.audit(ctx, tx, actor.String(), "membership.status", NormalizeUSCC(vendorUSCC), map[string]any{"org": orgUSCC, "from": old, "to": status})
	})
}

const membershipSelect = `SELECT m.id, m.org_id, o.uscc, o.name, m.vendor_id, v.uscc, v.name, m.status, m.since, m.until
	FROM memberships m JOIN orgs o ON o.id = m.org_id JOIN vendors v ON v.id = m.vendor_id `

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
		var until *string
		if err := rows.Scan(&m.ID, &m.OrgID, &m.OrgUSCC, &m.OrgName, &m.VendorID, &m.VendorUSCC, &m.VendorName, &m.Status, &since, &until); err != nil {
			return nil, err
		}
		m.Since, m.Until = parseStored(since), parseStoredPtr(until)
		out = append(out, m)
	}
	return out, rows.Err()
}

// MembershipsOfVendor lists a vendor's memberships, active first.
func (db *DB) MembershipsOfVendor(ctx context.Context, vendorID int64) ([]Membership, error) {
	return db.queryMemberships(ctx, `WHERE m.vendor_id = ? ORDER BY m.status <> 'active', o.name`, vendorID)
}

// MembersOfOrg lists an organisation's memberships by vendor name, optionally
// only those with status.
func (db *DB) MembersOfOrg(ctx context.Context, orgID int64, status string) ([]Membership, error) {
	if status != "" {
		return db.queryMemberships(ctx, `WHERE m.org_id = ? AND m.status = ? ORDER BY v.name, v.uscc`, orgID, status)
	}
	return db.queryMemberships(ctx, `WHERE m.org_id = ? ORDER BY v.name, v.uscc`, orgID)
}
