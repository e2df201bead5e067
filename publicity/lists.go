package publicity

import (
	"context"
	"encoding/csv"
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
	ss, err := db.BlacklistOnDisplay(ctx, now)
	if err != nil {
		return nil, err
	}
	out := make([]BlackListEntry, 0, len(ss))
	for _, s := range ss {
		out = append(out, BlackListEntry{USCC: s.VendorUSCC, Name: s.VendorName, IssuedAt: s.IssuedAt, DisplayUntil: s.DisplayUntil,
			Summary: s.Summary, Reference: s.Reference, Authority: s.Authority})
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

// OrgMember is an active member of an organisation with its headline.
type OrgMember struct {
	USCC, Name, Status string
	Headline
	Since time.Time
}

// OrgMembers returns one page of an organisation's active members by name,
// and how many there are.
func OrgMembers(ctx context.Context, db *registry.DB, orgID int64, page, perPage int) ([]OrgMember, int, error) {
	ms, total, err := db.ActiveOrgMembers(ctx, orgID, page, perPage, db.Now())
	if err != nil {
		return nil, 0, err
	}
	var out []OrgMember
	for _, m := range ms {
		out = append(out, OrgMember{USCC: m.USCC, Name: m.Name, Status: m.Status, Since: m.Since, Headline: HeadlineOf(m.Facts)})
	}
	return out, total, nil
}

// CSVHeader is the open-data file's header (docs/CONTRACT.md).
var CSVHeader = []string{"uscc", "name", "status", "districts", "categories", "grade", "score", "published_at", "rules_version"}

// WriteVendorsCSV streams every registered vendor as a CSV row to w, in
// USCC order, one row at a time (the file is never held whole), at instant
// now. Grade, score, publication date and rules version are the vendor's
// headline (the grade in force, so an override too), empty until its first
// publication; score is empty for N. flush is called every few hundred rows.
func WriteVendorsCSV(ctx context.Context, db *registry.DB, w io.Writer, now time.Time, flush func()) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	rec := make([]string, len(CSVHeader))
	n := 0
	err := db.EachOpenDataVendor(ctx, now, func(v registry.OpenDataVendor) error {
		o := OpenDataOf(HeadlineOf(v.Facts))
		rec[0], rec[1], rec[2] = v.USCC, neutralizeFormula(v.Name), v.Status
		rec[3], rec[4] = strings.Join(v.Districts, ";"), strings.Join(v.Categories, ";")
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
		return nil
	})
	if err != nil {
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
