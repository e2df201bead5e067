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

// Save results, as reported by imports and the API.
const (
	ResultCreated   = "created"
	ResultUpdated   = "updated"
	ResultUnchanged = "unchanged"
	ResultRejected  = "rejected"
	ResultInvited   = "invited" // an already registered vendor was invited to become a member
)

type saveMode int

const (
	createOnly saveMode = iota
	updateOnly
	upsert
)

// CreateVendor registers a new vendor; a code already registered is a
// validation error on "uscc".
func (db *DB) CreateVendor(ctx context.Context, actor Actor, in VendorInput) (Vendor, error) {
	var v Vendor
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		_, v, err = db.saveVendor(ctx, tx, actor, in, createOnly)
		return err
	})
	return v, err
}

// UpdateVendor changes an existing vendor's registration fields; the USCC
// itself cannot change (in.USCC must name the vendor).
func (db *DB) UpdateVendor(ctx context.Context, actor Actor, in VendorInput) (Vendor, string, error) {
	var v Vendor
	var result string
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		result, v, err = db.saveVendor(ctx, tx, actor, in, updateOnly)
		return err
	})
	if err == nil && result == ResultUpdated {
		db.signalMarks()
	}
	return v, result, err
}

func (db *DB) saveVendor(ctx context.Context, tx *sql.Tx, actor Actor, in VendorInput, mode saveMode) (string, Vendor, error) {
	old, findErr := findVendor(ctx, tx, NormalizeUSCC(in.USCC))
	f, err := db.validateVendor(in, actor, mode == createOnly, findErr == nil && old.USCCConfirmed)
	exists := findErr == nil
	if findErr != nil && !errors.Is(findErr, ErrNotFound) {
		return "", old, findErr
	}
	if mode == upsert && !exists && err == nil && f.licenceValidUntil != nil && f.licenceValidUntil.Before(db.now()) && f.registeredAt == nil {
		// An upsert that creates follows the creation rules.
		err = (&ValidationError{Fields: map[string]i18n.Text{"licence_valid_until": i18n.T("vendor.licence_expired")}}).Err()
	}
	if err != nil {
		return ResultRejected, old, err
	}
	switch {
	case exists && mode == createOnly:
		return ResultRejected, old, &ValidationError{Fields: map[string]i18n.Text{"uscc": i18n.T("vendor.duplicate", old.Name)}}
	case !exists && mode == updateOnly:
		return ResultRejected, old, fmt.Errorf("registry: vendor %s: %w", f.uscc, ErrNotFound)
	case !exists:
		v, err := db.insertVendor(ctx, tx, actor, f)
		return ResultCreated, v, err
	}
	next := old
	next.USCCConfirmed = old.USCCConfirmed || f.usccConfirmed
	next.Name, next.LegalRep, next.Phone, next.Address, next.LicenceNo = f.name, f.legalRep, f.phone, f.address, f.licenceNo
	next.Districts, next.Categories = f.districts, f.categories
	next.LicenceValidUntil, next.InsuranceValidUntil = f.licenceValidUntil, f.insuranceValidUntil
	if f.registeredAt != nil {
		next.RegisteredAt = f.registeredAt.UTC().Truncate(time.Second)
	}
	changes := vendorChanges(old, next)
	if len(changes) == 0 {
		return ResultUnchanged, old, nil
	}
	next.UpdatedAt = db.now()
	_, err = tx.ExecContext(ctx, `UPDATE vendors SET uscc_confirmed=?, name=?, name_pinyin=?, legal_rep=?, phone=?, address=?, licence_no=?,
		licence_valid_until=?, insurance_valid_until=?, registered_at=?, updated_at=? WHERE id=?`,
		next.USCCConfirmed, next.Name, NamePinyinKey(next.Name), next.LegalRep, next.Phone, next.Address, next.LicenceNo,
		formatTimePtr(next.LicenceValidUntil), formatTimePtr(next.InsuranceValidUntil), formatTime(next.RegisteredAt),
		formatTime(next.UpdatedAt), old.ID)
	if err != nil {
		return "", old, fmt.Errorf("registry: update vendor %s: %w", f.uscc, err)
	}
	if err := writeVendorCodes(ctx, tx, next); err != nil {
		return "", old, err
	}
	if err := db.markForEvaluation(ctx, tx, []int64{old.ID}); err != nil { // licence, insurance and registration feed the score
		return "", old, err
	}
	if f.usccConfirmed && !old.USCCConfirmed && actor.IsRegulator() {
		if err := db.audit(ctx, tx, actor.String(), "uscc.confirm", next.USCC, map[string]any{"expected_check": string(USCCCheckChar(next.USCC[:17]))}); err != nil {
			return "", old, err
		}
	}
	return ResultUpdated, next, db.audit(ctx, tx, actor.String(), "vendor.update", next.USCC, changes)
}

func (db *DB) insertVendor(ctx context.Context, tx *sql.Tx, actor Actor, f vendorFields) (Vendor, error) {
	now := db.now()
	v := Vendor{USCC: f.uscc, USCCConfirmed: f.usccConfirmed, Name: f.name, LegalRep: f.legalRep, Phone: f.phone,
		Address: f.address, Districts: f.districts, Categories: f.categories, LicenceNo: f.licenceNo,
		LicenceValidUntil: f.licenceValidUntil, InsuranceValidUntil: f.insuranceValidUntil,
		RegisteredAt: now, Status: VendorActive, CreatedAt: now, UpdatedAt: now}
	if f.registeredAt != nil {
		v.RegisteredAt = f.registeredAt.UTC().Truncate(time.Second)
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO vendors(uscc, uscc_confirmed, name, name_pinyin, legal_rep, phone, address, licence_no,
		licence_valid_until, insurance_valid_until, registered_at, status, created_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`, v.USCC, v.USCCConfirmed, v.Name, NamePinyinKey(v.Name), v.LegalRep, v.Phone, v.Address, v.LicenceNo,
		formatTimePtr(v.LicenceValidUntil), formatTimePtr(v.InsuranceValidUntil), formatTime(v.RegisteredAt), v.Status,
		formatTime(now), formatTime(now)).Scan(&v.ID)
	if err != nil {
		return v, fmt.Errorf("registry: insert vendor %s: %w", v.USCC, err)
	}
	if err := writeVendorCodes(ctx, tx, v); err != nil {
		return v, err
	}
	if v.USCCConfirmed {
		if err := db.audit(ctx, tx, actor.String(), "uscc.confirm", v.USCC, map[string]any{"expected_check": string(USCCCheckChar(v.USCC[:17]))}); err != nil {
			return v, err
		}
	}
	return v, db.audit(ctx, tx, actor.String(), "vendor.create", v.USCC, vendorAuditFields(v))
}

func writeVendorCodes(ctx context.Context, tx *sql.Tx, v Vendor) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM vendor_districts WHERE vendor_id = ?`, v.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM vendor_categories WHERE vendor_id = ?`, v.ID); err != nil {
		return err
	}
	for _, d := range v.Districts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO vendor_districts(vendor_id, district) VALUES (?, ?)`, v.ID, d); err != nil {
			return err
		}
	}
	for _, c := range v.Categories {
		if _, err := tx.ExecContext(ctx, `INSERT INTO vendor_categories(vendor_id, category) VALUES (?, ?)`, v.ID, c); err != nil {
			return err
		}
	}
	return nil
}

func outPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return FormatOutput(*t)
}

// vendorAuditFields is the vendor's registration as the audit log records it.
func vendorAuditFields(v Vendor) map[string]any {
	return map[string]any{
		"name": v.Name, "legal_rep": v.LegalRep, "phone": v.Phone, "address": v.Address,
		"districts": v.Districts, "categories": v.Categories, "licence_no": v.LicenceNo,
		"licence_valid_until": outPtr(v.LicenceValidUntil), "insurance_valid_until": outPtr(v.InsuranceValidUntil),
		"registered_at": FormatOutput(v.RegisteredAt), "status": v.Status,
	}
}

// vendorChanges lists changed fields as {"field": [old, new]}.
func vendorChanges(old, next Vendor) map[string][2]any {
	a, b := vendorAuditFields(old), vendorAuditFields(next)
	out := map[string][2]any{}
	for k, av := range a {
		bv := b[k]
		if as, ok := av.([]string); ok {
			if !slices.Equal(as, bv.([]string)) {
				out[k] = [2]any{av, bv}
			}
			continue
		}
		if av != bv {
			out[k] = [2]any{av, bv}
		}
	}
	if old.USCCConfirmed != next.USCCConfirmed {
		out["uscc_confirmed"] = [2]any{old.USCCConfirmed, next.USCCConfirmed}
	}
	return out
}

// SetVendorStatus suspends, deregisters or reactivates a vendor, with a reason
// recorded in the audit log.
func (db *DB) SetVendorStatus(ctx context.Context, actor Actor, uscc, status, reason string) (Vendor, error) {
	var verr ValidationError
	if !slices.Contains([]string{VendorActive, VendorSuspended, VendorDeregistered}, status) {
		verr.Add("status", i18n.T("field.oneof", "active, suspended, deregistered"))
	}
	reason = cleanText(reason)
	if reason == "" {
		verr.Add("reason", i18n.T("field.reason_required"))
	} else if len([]rune(reason)) > 500 {
		verr.Add("reason", i18n.T("field.too_long", 500))
	}
	reason = MaskPersonalNumbers(reason)
	if err := verr.Err(); err != nil {
		return Vendor{}, err
	}
	var v Vendor
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if v, err = findVendor(ctx, tx, NormalizeUSCC(uscc)); err != nil {
			return err
		}
		if v.Status == status {
			return nil
		}
		old := v.Status
		v.Status, v.UpdatedAt = status, db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE vendors SET status = ?, updated_at = ? WHERE id = ?`, status, formatTime(v.UpdatedAt), v.ID); err != nil {
			return err
		}
		if err := db.markForEvaluation(ctx, tx, []int64{v.ID}); err != nil { // status feeds the score
			return err
		}
		return db.audit(ctx, tx, actor.String(), "vendor.status", v.USCC, map[string]any{"from": old, "to": status, "reason": reason})
	})
	if err == nil {
		db.signalMarks()
	}
	return v, err
}
