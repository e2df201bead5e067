package publicity

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"chengxin/registry"
)

// BlackListEntry is a vendor on the 严重失信 list: a blacklist entry on display.
type BlackListEntry struct {
	USCC, Name   string
	IssuedAt     time.Time
	DisplayUntil *time.Time // nil: until lifted
	Summary      string     // the decision's public summary (the reason)
	Reference    string     // the decision's document number
	Authority    string     // the issuing authority, "" when not recorded
}

// BlackList lists blacklist entries on display at now, newest first.
func BlackList(ctx context.Context, db *registry.DB, now time.Time) ([]BlackListEntry, error) {
	ss, err := sanctionsOnDisplay(ctx, db, `s.kind = 'blacklist'`, nil, now)
	if err != nil {
		return nil, err
	}
	out := make([]BlackListEntry, 0, len(ss))
	for _, s := range ss {
		e := BlackListEntry{USCC: s.VendorUSCC, Name: s.VendorName, Summary: s.Summary, Reference: s.Reference}
		if s.Authority != nil {
			e.Authority = *s.Authority
		}
		e.IssuedAt, _ = time.Parse(time.RFC3339, s.IssuedAt)
		if s.DisplayUntil != nil {
			t, _ := time.Parse(time.RFC3339, *s.DisplayUntil)
			e.DisplayUntil = &t
		}
		out = append(out, e)
	}
	return out, nil
}

// GradeCounts counts vendors by the grade the public sees ("" = not
// evaluated), how many vendors there are, and how many of the graded ones
// show only an evaluation (no publication or override yet).
func (c *Catalog) GradeCounts(ctx context.Context) (counts map[string]int, total, unpublished int, err error) {
	if err := c.ensureLoaded(ctx); err != nil {
		return nil, 0, 0, err
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	counts = map[string]int{}
	for i := range c.entries {
		if e := &c.entries[i]; !e.dead {
			counts[e.grade]++
			total++
			if e.grade != "" && !e.published {
				unpublished++
			}
		}
	}
	return counts, total, unpublished, nil
}

// VendorSeq returns the seq of the latest public change to the vendor with
// code uscc or to what every page shows (organisations, rules), as of the
// last Refresh: pages about one vendor stay valid while it holds. ok is
// false for an unknown code.
func (c *Catalog) VendorSeq(ctx context.Context, uscc string) (int64, bool, error) {
	if err := c.ensureLoaded(ctx); err != nil {
		return 0, false, err
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	p, ok := c.byUSCC[uscc]
	if !ok || c.entries[p].dead {
		return 0, false, nil
	}
	return max(c.entries[p].seq, c.global), true, nil
}

// OrgMember is an active member of an organisation with its headline.
type OrgMember struct {
	USCC, Name, Status string
	Headline
	Since time.Time
}

// OrgMembers returns one page of an organisation's active members by name,
// and how many there are.
func OrgMembers(ctx context.Context, db *registry.DB, orgID int64, page, perPage int) ([]OrgMember, int, error) {
	var total int
	if err := db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM memberships WHERE org_id = ? AND status = 'active'`, orgID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("publicity: count members: %w", err)
	}
	rows, err := db.Reader().QueryContext(ctx, `SELECT v.uscc, v.name, v.status, m.since, `+registry.GradeFactsColumns+`
		FROM memberships m JOIN vendors v ON v.id = m.vendor_id`+registry.GradeFactsJoins+`
		WHERE m.org_id = ? AND m.status = 'active' ORDER BY v.name, v.uscc LIMIT ? OFFSET ?`,
		registry.FormatStorage(db.Now()), orgID, perPage, registry.PageOffset(page, perPage))
	if err != nil {
		return nil, 0, fmt.Errorf("publicity: members: %w", err)
	}
	defer rows.Close()
	var out []OrgMember
	var g registry.GradeFactsScanner
	for rows.Next() {
		var m OrgMember
		var since string
		if err := rows.Scan(append([]any{&m.USCC, &m.Name, &m.Status, &since}, g.Dest()...)...); err != nil {
			return nil, 0, err
		}
		m.Since, m.Headline = parseTime(since), HeadlineOf(g.Facts())
		out = append(out, m)
	}
	return out, total, rows.Err()
}

// CSVHeader is the open-data file's header (docs/CONTRACT.md).
var CSVHeader = []string{"uscc", "name", "status", "districts", "categories", "grade", "score", "published_at", "rules_version"}

// WriteVendorsCSV streams every registered vendor as a CSV row to w, in
// USCC order, one row at a time (the file is never held whole), at instant
// now. Grade, score, publication date and rules version are the vendor's
// headline (the grade in force, so an override too), empty until its first
// publication; score is empty for N. flush is called every few hundred rows.
func WriteVendorsCSV(ctx context.Context, db *registry.DB, w io.Writer, now time.Time, flush func()) error {
	rows, err := db.Reader().QueryContext(ctx, `SELECT v.uscc, v.name, v.status,
		coalesce((SELECT group_concat(district, ';') FROM vendor_districts WHERE vendor_id = v.id), ''),
		coalesce((SELECT group_concat(category, ';') FROM vendor_categories WHERE vendor_id = v.id), ''),
		`+registry.GradeFactsColumns+`
		FROM vendors v`+registry.GradeFactsJoins+` ORDER BY v.uscc`, registry.FormatStorage(now))
	if err != nil {
		return fmt.Errorf("publicity: open data: %w", err)
	}
	defer rows.Close()
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	rec := make([]string, len(CSVHeader))
	var g registry.GradeFactsScanner
	n := 0
	for rows.Next() {
		if err := rows.Scan(append([]any{&rec[0], &rec[1], &rec[2], &rec[3], &rec[4]}, g.Dest()...)...); err != nil {
			return err
		}
		o := OpenDataOf(HeadlineOf(g.Facts()))
		rec[1] = neutralizeFormula(rec[1])
		rec[5], rec[6], rec[7], rec[8] = o.Grade, o.Score, o.PublishedAt, o.RulesVersion
		if err := cw.Write(rec); err != nil {
			return err
		}
		if n++; n%500 == 0 {
			cw.Flush()
			if err := cw.Error(); err != nil {
				return err
			}
			if flush != nil {
				flush()
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// OpenDataFields are a headline's cells in the open-data file: all empty
// before the first publication, score empty for N (and under an override
// with no publication behind it).
type OpenDataFields struct {
	Grade, Score, PublishedAt, RulesVersion string
}

// OpenDataOf formats a headline for the open-data file.
func OpenDataOf(h Headline) OpenDataFields {
	var o OpenDataFields
	if !h.Published() {
		return o
	}
	o.Grade, o.RulesVersion = h.Grade, h.RulesVersion
	if h.Score != nil {
		o.Score = FormatScore(*h.Score)
	}
	if h.PublishedAt != nil {
		o.PublishedAt = registry.FormatOutput(*h.PublishedAt)
	}
	return o
}

// FormatScore writes a score as every public surface shows it: one decimal.
func FormatScore(score float64) string { return strconv.FormatFloat(score, 'f', 1, 64) }

// neutralizeFormula keeps spreadsheet programs from running a name that
// starts like a formula: such a cell gets a leading apostrophe.
func neutralizeFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
