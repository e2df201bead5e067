package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"chengxin/i18n"
)

// Vendor statuses.
const (
	VendorActive       = "active"
	VendorSuspended    = "suspended"
	VendorDeregistered = "deregistered"
)

// Vendor is a registered home-service business.
type Vendor struct {
	ID                  int64
	USCC                string
	USCCConfirmed       bool // the code fails the GB 32100 check but a regulator confirmed it
	Name                string
	LegalRep            string
	Phone               string
	Address             string
	Districts           []string // GB/T 2260 codes
	Categories          []string // service category codes
	LicenceNo           string
	LicenceValidUntil   *time.Time // nil: no expiry
	InsuranceValidUntil *time.Time // nil: no insurance
	RegisteredAt        time.Time
	Status              string
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// VendorInput is a vendor as typed into a form or a CSV row, before validation.
type VendorInput struct {
	USCC                string   `json:"uscc"`
	Name                string   `json:"name" validate:"required,max=200,printable"`
	LegalRep            string   `json:"legal_rep" validate:"required,max=200,printable"`
	Phone               string   `json:"phone" validate:"required,max=32,phone"`
	Address             string   `json:"address" validate:"required,max=200,printable"`
	Districts           []string `json:"districts" validate:"min=1,max=16,dive,district"`
	Categories          []string `json:"categories" validate:"min=1,max=13,dive,category"`
	LicenceNo           string   `json:"licence_no" validate:"max=64,printable"`
	LicenceValidUntil   string   `json:"licence_valid_until"`
	InsuranceValidUntil string   `json:"insurance_valid_until"`
	RegisteredAt        string   `json:"registered_at"`
	// ConfirmUSCC accepts a code whose only fault is its check character; only
	// a regulator may set it, after checking the business licence.
	ConfirmUSCC bool `json:"-"`
}

// vendorFields is a validated VendorInput.
type vendorFields struct {
	uscc                string
	usccConfirmed       bool
	name, legalRep      string
	phone, address      string
	districts           []string
	categories          []string
	licenceNo           string
	licenceValidUntil   *time.Time
	insuranceValidUntil *time.Time
	registeredAt        *time.Time // nil: now (on create) or unchanged (on update)
}

// checkVendorUSCC normalises and checks a code, applying a regulator's
// confirmation. knownConfirmed says a record with this code was already
// confirmed, so its check-character failure is no longer an error.
func checkVendorUSCC(raw string, confirm, knownConfirmed bool, actor Actor, verr *ValidationError) (code string, confirmed bool) {
	code, err := ParseUSCC(raw)
	if raw == "" {
		verr.Add("uscc", i18n.T("field.required"))
		return code, false
	}
	var ue *USCCError
	if errors.As(err, &ue) {
		if ue.Code == "check" && knownConfirmed {
			return code, true
		}
		if ue.Code == "check" && confirm {
			if actor.IsRegulator() {
				return code, true
			}
			verr.Add("uscc", i18n.T("uscc.confirm_regulator_only"))
			return code, false
		}
		if ue.Code == "check" {
			verr.Add("uscc", i18n.T("uscc.check_confirmable", string(code[17]), string(ue.Expected)))
		} else {
			verr.Add("uscc", ue.Text)
		}
	}
	return code, false
}

// validateVendor checks in; creating applies the creation-only rules (no past
// licence validity unless registered_at migrates an older record).
func (db *DB) validateVendor(in VendorInput, actor Actor, creating, knownConfirmed bool) (vendorFields, error) {
	var verr ValidationError
	f := vendorFields{
		name: cleanText(in.Name), legalRep: cleanText(in.LegalRep), phone: strings.TrimSpace(in.Phone),
		address: cleanText(in.Address), licenceNo: cleanText(in.LicenceNo),
	}
	f.uscc, f.usccConfirmed = checkVendorUSCC(in.USCC, in.ConfirmUSCC, knownConfirmed, actor, &verr)
	clean := in
	clean.Name, clean.LegalRep, clean.Phone, clean.Address, clean.LicenceNo = f.name, f.legalRep, f.phone, f.address, f.licenceNo
	clean.Districts, clean.Categories = normCodes(in.Districts), normCodes(in.Categories)
	checkStruct(clean, &verr)
	f.districts, f.categories = clean.Districts, clean.Categories
	now := db.now()
	if s := strings.TrimSpace(in.RegisteredAt); s != "" {
		t, _, err := ParseInstant(s)
		switch {
		case err != nil:
			verr.Add("registered_at", i18n.T("field.time"))
		case t.After(now.Add(FutureSkew)):
			verr.Add("registered_at", i18n.T("field.future"))
		default:
			f.registeredAt = &t
		}
	}
	parseUntil := func(field, s string) *time.Time {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
		t, err := ParseValidUntil(s)
		if err != nil {
			verr.Add(field, i18n.T("field.date"))
			return nil
		}
		return &t
	}
	f.licenceValidUntil = parseUntil("licence_valid_until", in.LicenceValidUntil)
	f.insuranceValidUntil = parseUntil("insurance_valid_until", in.InsuranceValidUntil)
	if creating && f.licenceValidUntil != nil && f.licenceValidUntil.Before(now) && f.registeredAt == nil {
		verr.Add("licence_valid_until", i18n.T("vendor.licence_expired"))
	}
	return f, verr.Err()
}

func normCodes(in []string) []string {
	var out []string
	for _, c := range in {
		out = append(out, splitCodes(c)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

const vendorColumns = `id, uscc, uscc_confirmed, name, legal_rep, phone, address, licence_no,
	licence_valid_until, insurance_valid_until, registered_at, status, created_at, updated_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanVendor(r rowScanner) (Vendor, error) {
	var v Vendor
	var lic, ins *string
	var reg, created, updated string
	err := r.Scan(&v.ID, &v.USCC, &v.USCCConfirmed, &v.Name, &v.LegalRep, &v.Phone, &v.Address, &v.LicenceNo,
		&lic, &ins, &reg, &v.Status, &created, &updated)
	if err != nil {
		return v, err
	}
	v.LicenceValidUntil, v.InsuranceValidUntil = parseStoredPtr(lic), parseStoredPtr(ins)
	v.RegisteredAt, v.CreatedAt, v.UpdatedAt = parseStored(reg), parseStored(created), parseStored(updated)
	return v, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// FindVendorByUSCC returns the vendor with the (normalised) code, or ErrNotFound.
func (db *DB) FindVendorByUSCC(ctx context.Context, uscc string) (Vendor, error) {
	return findVendor(ctx, db.read, NormalizeUSCC(uscc))
}

// FindVendorByID returns the vendor with the id, or ErrNotFound.
func (db *DB) FindVendorByID(ctx context.Context, id int64) (Vendor, error) {
	v, err := scanVendor(db.read.QueryRowContext(ctx, `SELECT `+vendorColumns+` FROM vendors WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return v, fmt.Errorf("registry: vendor #%d: %w", id, ErrNotFound)
	}
	if err != nil {
		return v, err
	}
	return v, loadVendorCodes(ctx, db.read, []*Vendor{&v})
}

func findVendor(ctx context.Context, q querier, uscc string) (Vendor, error) {
	v, err := scanVendor(q.QueryRowContext(ctx, `SELECT `+vendorColumns+` FROM vendors WHERE uscc = ?`, uscc))
	if errors.Is(err, sql.ErrNoRows) {
		return v, fmt.Errorf("registry: vendor %s: %w", uscc, ErrNotFound)
	}
	if err != nil {
		return v, fmt.Errorf("registry: vendor %s: %w", uscc, err)
	}
	return v, loadVendorCodes(ctx, q, []*Vendor{&v})
}

// loadVendorCodes fills Districts and Categories for the given vendors.
func loadVendorCodes(ctx context.Context, q querier, vs []*Vendor) error {
	if len(vs) == 0 {
		return nil
	}
	byID := make(map[int64]*Vendor, len(vs))
	ph := make([]string, 0, len(vs))
	args := make([]any, 0, len(vs))
	for _, v := range vs {
		byID[v.ID] = v
		ph = append(ph, "?")
		args = append(args, v.ID)
	}
	in := strings.Join(ph, ",")
	rows, err := q.QueryContext(ctx, `SELECT vendor_id, 'd', district FROM vendor_districts WHERE vendor_id IN (`+in+`)
		UNION ALL SELECT vendor_id, 'c', category FROM vendor_categories WHERE vendor_id IN (`+in+`)
		ORDER BY 1, 2, 3`, append(args, args...)...)
	if err != nil {
		return fmt.Errorf("registry: vendor codes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var kind, code string
		if err := rows.Scan(&id, &kind, &code); err != nil {
			return err
		}
		if kind == "d" {
			byID[id].Districts = append(byID[id].Districts, code)
		} else {
			byID[id].Categories = append(byID[id].Categories, code)
		}
	}
	return rows.Err()
}
