package registry

import (
	"context"
	"fmt"
	"math"
	"strings"
)

// VendorFilter selects vendors for the console list. Empty fields match all.
type VendorFilter struct {
	Q        string // substring of the name, or a prefix of the USCC
	District string
	Category string
	Status   string
	OrgID    int64 // members (any membership status) of this organisation
	Page     int   // 1-based
	PerPage  int   // 1–100, default 20
}

// Normalize clamps paging to sane values.
func (f *VendorFilter) Normalize() {
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PerPage < 1 || f.PerPage > 100 {
		f.PerPage = 20
	}
	f.Q = strings.TrimSpace(f.Q)
	if len([]rune(f.Q)) > 100 {
		f.Q = string([]rune(f.Q)[:100])
	}
}

// PageOffset is the number of rows before page (1-based) of perPage rows;
// a page so far out that the offset overflows is past the end (a wrapped,
// negative offset would show the first page under its number).
func PageOffset(page, perPage int) int {
	if page < 1 || perPage < 1 {
		return 0
	}
	if page-1 > math.MaxInt/perPage {
		return math.MaxInt
	}
	return (page - 1) * perPage
}

// FindVendors returns one page of matching vendors, ordered by name then
// USCC, and the total number of matches.
func (db *DB) FindVendors(ctx context.Context, f VendorFilter) ([]Vendor, int, error) {
	f.Normalize()
	where, args := []string{"1=1"}, []any{}
	if f.Q != "" {
		like := db.likeFoldingASCII()
		where = append(where, `(v.name `+like+` ? ESCAPE '\' OR v.uscc `+like+` ? ESCAPE '\')`)
		args = append(args, "%"+escapeLike(f.Q)+"%", escapeLike(NormalizeUSCC(f.Q))+"%")
	}
	if f.District != "" {
		where = append(where, `EXISTS (SELECT 1 FROM vendor_districts d WHERE d.vendor_id = v.id AND d.district = ?)`)
		args = append(args, f.District)
	}
	if f.Category != "" {
		where = append(where, `EXISTS (SELECT 1 FROM vendor_categories c WHERE c.vendor_id = v.id AND c.category = ?)`)
		args = append(args, f.Category)
	}
	if f.Status != "" {
		where, args = append(where, `v.status = ?`), append(args, f.Status)
	}
	if f.OrgID != 0 {
		where = append(where, `EXISTS (SELECT 1 FROM memberships m WHERE m.vendor_id = v.id AND m.org_id = ?)`)
		args = append(args, f.OrgID)
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM vendors v WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("registry: count vendors: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+prefixed("v.", vendorColumns)+` FROM vendors v WHERE `+cond+
		` ORDER BY v.name, v.uscc LIMIT ? OFFSET ?`, append(args, f.PerPage, PageOffset(f.Page, f.PerPage))...)
	if err != nil {
		return nil, 0, fmt.Errorf("registry: find vendors: %w", err)
	}
	defer rows.Close()
	var out []Vendor
	for rows.Next() {
		v, err := scanVendor(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	ptrs := make([]*Vendor, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	return out, total, loadVendorCodes(ctx, db.read, ptrs)
}

// prefixed qualifies a comma-separated column list with a table alias.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// CountVendors returns the number of registered vendors.
func (db *DB) CountVendors(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM vendors`).Scan(&n)
	return n, err
}

// FindVendorsByID loads the given vendors, keyed by id.
func (db *DB) FindVendorsByID(ctx context.Context, ids []int64) (map[int64]Vendor, error) {
	out := make(map[int64]Vendor, len(ids))
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(len(ids), start+500)]
		ph := strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",")
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := db.read.QueryContext(ctx, `SELECT `+vendorColumns+` FROM vendors WHERE id IN (`+ph+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("registry: vendors by id: %w", err)
		}
		var batch []*Vendor
		for rows.Next() {
			v, err := scanVendor(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			batch = append(batch, &v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("registry: vendors by id: %w", err)
		}
		if err := loadVendorCodes(ctx, db.read, batch); err != nil {
			return nil, err
		}
		for _, v := range batch {
			out[v.ID] = *v
		}
	}
	return out, nil
}
