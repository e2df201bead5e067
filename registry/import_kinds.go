package registry

import (
	"context"
	"database/sql"
	"io"
)

// CSV columns per record type (docs/CONTRACT.md "CSV files").
var (
	orgColumnsRequired    = []string{"uscc", "name", "kind", "district"}
	orgColumnsOptional    = []string{"contact_phone"}
	vendorColumnsRequired = []string{"uscc", "name", "legal_rep", "phone", "address", "districts", "categories"}
	vendorColumnsOptional = []string{"licence_no", "licence_valid_until", "insurance_valid_until", "registered_at"}
)

// VendorCSVHeader is the header of a vendor file, for templates.
func VendorCSVHeader() []string {
	return append(append([]string{}, vendorColumnsRequired...), vendorColumnsOptional...)
}

// OrgCSVHeader is the header of an organisation file, for templates.
func OrgCSVHeader() []string {
	return append(append([]string{}, orgColumnsRequired...), orgColumnsOptional...)
}

// ImportOrgs reads an organisations CSV; re-importing a USCC updates it.
func (db *DB) ImportOrgs(ctx context.Context, r io.Reader, opt ImportOptions) (ImportReport, error) {
	return db.runImport(ctx, r, orgColumnsRequired, orgColumnsOptional, opt, func(ctx context.Context, tx *sql.Tx, row csvRow) (RowOutcome, error) {
		in := OrgInput{USCC: row.Get("uscc"), Name: row.Get("name"), Kind: row.Get("kind"), District: row.Get("district"), ContactPhone: row.Get("contact_phone")}
		result, o, err := db.saveOrg(ctx, tx, opt.Actor, in, upsert)
		return RowOutcome{Key: o.USCC, Name: in.Name, Result: result}, err
	})
}

// ImportVendors reads a vendors CSV. Without LinkExisting a known USCC is
// updated from the row; with OrgID every row's vendor becomes a member.
func (db *DB) ImportVendors(ctx context.Context, r io.Reader, opt ImportOptions) (ImportReport, error) {
	return db.runImport(ctx, r, vendorColumnsRequired, vendorColumnsOptional, opt, func(ctx context.Context, tx *sql.Tx, row csvRow) (RowOutcome, error) {
		in := VendorInput{USCC: row.Get("uscc"), Name: row.Get("name"), LegalRep: row.Get("legal_rep"), Phone: row.Get("phone"),
			Address: row.Get("address"), Districts: []string{row.Get("districts")}, Categories: []string{row.Get("categories")},
			LicenceNo: row.Get("licence_no"), LicenceValidUntil: row.Get("licence_valid_until"),
			InsuranceValidUntil: row.Get("insurance_valid_until"), RegisteredAt: row.Get("registered_at")}
		out := RowOutcome{Key: NormalizeUSCC(in.USCC), Name: in.Name}
		if opt.LinkExisting && opt.OrgID != 0 {
			res, err := db.onboardTx(ctx, tx, opt.Actor, opt.OrgID, in)
			out.Result, out.invite, out.NoLogin = res.Result, res.InviteToken, res.NoLogin
			if res.Vendor.Name != "" {
				out.Name = res.Vendor.Name
			}
			return out, err
		}
		result, v, err := db.saveVendor(ctx, tx, opt.Actor, in, upsert)
		out.Result = result
		if err == nil && opt.OrgID != 0 {
			var changed bool
			changed, err = db.ensureMembership(ctx, tx, opt.Actor, opt.OrgID, v)
			if changed && result == ResultUnchanged {
				out.Result = ResultUpdated
			}
		}
		return out, err
	})
}
