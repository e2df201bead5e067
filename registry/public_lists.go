package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The reads in this file feed public lists: an organisation's members, the
// open-data file, search results and the in-memory search catalog
// (publicity.Catalog). Each row carries the vendor's GradeFacts at the
// instant now (overrides in force then), from which publicity.HeadlineOf
// makes what the public sees.

// OrgMemberFacts is an active member of an organisation with its grade facts.
type OrgMemberFacts struct {
	USCC, Name, Status string
	Since              time.Time
	Facts              GradeFacts
}

// ActiveOrgMembers returns one page of an organisation's active members by
// name then code, with their grade facts at now, and how many there are.
func (db *DB) ActiveOrgMembers(ctx context.Context, orgID int64, page, perPage int, now time.Time) ([]OrgMemberFacts, int, error) {
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE org_id = ? AND status = 'active'`, orgID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("registry: count members: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT v.uscc, v.name, v.status, m.since, `+gradeFactsColumns+`
		FROM memberships m JOIN vendors v ON v.id = m.vendor_id`+gradeFactsJoins+`
		WHERE m.org_id = ? AND m.status = 'active' ORDER BY v.name, v.uscc LIMIT ? OFFSET ?`,
		formatTime(now), orgID, perPage, PageOffset(page, perPage))
	if err != nil {
		return nil, 0, fmt.Errorf("registry: members: %w", err)
	}
	defer rows.Close()
	var out []OrgMemberFacts
	var g gradeFactsScanner
	for rows.Next() {
		var m OrgMemberFacts
		var since string
		if err := rows.Scan(append([]any{&m.USCC, &m.Name, &m.Status, &since}, g.dest()...)...); err != nil {
			return nil, 0, err
		}
		m.Since, m.Facts = parseStored(since), g.facts()
		out = append(out, m)
	}
	return out, total, rows.Err()
}

// OpenDataVendor is one registered vendor as the open-data file lists it.
type OpenDataVendor struct {
	USCC, Name, Status string
	Districts          []string // codes, never nil
	Categories         []string // codes, never nil
	Facts              GradeFacts
}

// EachOpenDataVendor calls fn with every registered vendor in USCC order
// and its grade facts at now, one row at a time (the register is never held
// whole); an error from fn stops the walk and is returned.
func (db *DB) EachOpenDataVendor(ctx context.Context, now time.Time, fn func(OpenDataVendor) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT v.uscc, v.name, v.status,
		coalesce((SELECT group_concat(district, ';') FROM vendor_districts WHERE vendor_id = v.id), ''),
		coalesce((SELECT group_concat(category, ';') FROM vendor_categories WHERE vendor_id = v.id), ''),
		`+gradeFactsColumns+`
		FROM vendors v`+gradeFactsJoins+` ORDER BY v.uscc`, formatTime(now))
	if err != nil {
		return fmt.Errorf("registry: open data: %w", err)
	}
	defer rows.Close()
	var g gradeFactsScanner
	for rows.Next() {
		var v OpenDataVendor
		var dists, cats string
		if err := rows.Scan(append([]any{&v.USCC, &v.Name, &v.Status, &dists, &cats}, g.dest()...)...); err != nil {
			return err
		}
		v.Districts, v.Categories, v.Facts = splitStoredCodes(dists), splitStoredCodes(cats), g.facts()
		if err := fn(v); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CatalogVendor is one vendor of the in-memory search catalog.
type CatalogVendor struct {
	ID                 int64
	USCC, Name, Status string
	// SortKey orders names in pinyin order (NamePinyinKey).
	SortKey    string
	Districts  []string // codes, never nil
	Categories []string // codes, never nil
	Facts      GradeFacts
}

// EachCatalogVendor calls fn with each of the vendors ids (every vendor when
// ids is nil), in no particular order, with grade facts at now; an error
// from fn stops the walk and is returned. Deleted vendors are simply not
// among them.
func (db *DB) EachCatalogVendor(ctx context.Context, ids []int64, now time.Time, fn func(CatalogVendor) error) error {
	where, args := "", []any{formatTime(now)}
	if ids != nil {
		in, idArgs := idList(ids)
		where, args = ` WHERE v.id IN (`+in+`)`, append(args, idArgs...)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT v.id, v.uscc, v.name, v.name_pinyin, v.status,
		coalesce((SELECT group_concat(district, ';') FROM vendor_districts WHERE vendor_id = v.id), ''),
		coalesce((SELECT group_concat(category, ';') FROM vendor_categories WHERE vendor_id = v.id), ''),
		`+gradeFactsColumns+`
		FROM vendors v`+gradeFactsJoins+where, args...)
	if err != nil {
		return fmt.Errorf("registry: catalog: %w", err)
	}
	defer rows.Close()
	var g gradeFactsScanner
	for rows.Next() {
		var v CatalogVendor
		var dists, cats string
		if err := rows.Scan(append([]any{&v.ID, &v.USCC, &v.Name, &v.SortKey, &v.Status, &dists, &cats}, g.dest()...)...); err != nil {
			return err
		}
		if v.SortKey == "" { // written by a path that does not set it yet
			v.SortKey = NamePinyinKey(v.Name)
		}
		v.Districts, v.Categories, v.Facts = splitStoredCodes(dists), splitStoredCodes(cats), g.facts()
		if err := fn(v); err != nil {
			return err
		}
	}
	return rows.Err()
}

// splitStoredCodes reads a list of codes as group_concat(…, ';') writes it,
// sorted: neither engine promises the order an aggregate meets its rows in
// (SQLite's follows the primary key, PostgreSQL's the heap).
func splitStoredCodes(s string) []string {
	if s == "" {
		return []string{}
	}
	codes := strings.Split(s, ";")
	slices.Sort(codes)
	return codes
}
