package views

import (
	"context"

	"chengxin/i18n"
)

// View models of the public disclosure site (no login). Every string is
// already in the reader's language; numbers are formatted by the web layer.

// PubGradeCount is one bar of the grade distribution.
type PubGradeCount struct {
	Grade   string // A, B, C, D, N; "" for vendors not evaluated yet
	Label   string
	Count   int
	Percent string // "12.3%"
}

// PubHomeView is the public home page.
type PubHomeView struct {
	Page
	Total        int
	Unpublished  int // graded vendors without a published grade
	Distribution []PubGradeCount
	Popular      []Option // Value: search URL, Label: category name
}

// PubHit is one vendor in a public result list.
type PubHit struct {
	USCC, Name, URL     string
	Status, StatusLabel string // StatusLabel only when not active
	Districts           string
	Categories          string
	Grade               string // "" when not evaluated
	GradeLabel          string
	Score               string
	Date                string   // the publication behind the grade ("" before the first)
	Note                string   // "not yet published" or "set by the regulator"; "" for a published grade
	Unpublished         bool     // the grade is only the latest evaluation
	Figures             []string // key figures, short phrases
}

// AnyUnpublished reports whether a list shows a grade that is only an
// evaluation, so the page explains what that means.
func AnyUnpublished(hits []PubHit) bool {
	for _, h := range hits {
		if h.Unpublished {
			return true
		}
	}
	return false
}

// PubSearchView is the search page.
type PubSearchView struct {
	Page
	Q                                     string
	CategoryOpts, DistrictOpts, GradeOpts []Option
	SortOpts                              []Option
	Searched                              bool     // a query or filter was given
	Notices                               []string // filters ignored, page past the end
	Matched                               string   // categories the query named
	Total                                 int
	Hits                                  []PubHit
	Pager                                 Pager
	Suggestions                           []Option // Value: URL, Label: text
	FirstPageURL                          string
	JSONURL                               string
	// Chips are the filters in force, each removable.
	Chips []PubChip
	// CategoryFromQ says that the query named a service category, which
	// was selected as the filter ("" otherwise).
	CategoryFromQ string
}

// PubChip is one filter in force on a search, with a link without it.
type PubChip struct {
	Kind, Label, RemoveURL, RemoveLabel string
}

// PubComplaintYear is one year of complaint statistics (or their total).
type PubComplaintYear struct {
	Year     string
	Received int
	Merged   int // duplicates of another complaint about the same service order
	Counted  int
	Open     int
	Outcomes string // closed complaints by outcome: "属实 1、不属实 2" ("—" when none)
}

// PubQuarter is one quarter of callback statistics.
type PubQuarter struct {
	Label     string
	Total     int
	Rated     int
	Satisfied int    // satisfied or basically satisfied
	Rate      string // "94.3%" or "—"
}

// PubSanction is a sanction or commendation on display, with its
// document number and issuing authority ("Issued by …" or "not recorded").
type PubSanction struct {
	Kind, Issued, Until, Summary string
	Reference, Authority         string
}

// PubHistory is one entry of a vendor's grade history: a publication
// (Cause says what published it) or a stored evaluation.
type PubHistory struct {
	Date, Grade, GradeLabel, Score, Rules string
	Cause                                 string
}

// PubFact is one labelled fact of a headline ("公示日期", "2025-03-01").
type PubFact struct {
	Label, Value, TestID string
}

// PubHeadline is a vendor's grade as the one statement every public page
// makes (publicity.Headline in the reader's language): the only grade
// badge on a profile's first screen.
type PubHeadline struct {
	Grade       string // "" when the vendor has no grade at all
	GradeLabel  string
	Meaning     string
	Score       string // "93.1"; "" for N and an override with no publication
	Note        string // one sentence: why the score alone would give another grade (an override: its notice)
	NoteTestID  string // "grade-note", or "override" for an override's notice
	Provisional bool   // the latest evaluation, not yet published
	Facts       []PubFact
	Pending     string // pending-downgrade notice, "" none
	EvalLink    bool   // the profile explains the latest evaluation further down
}

// PubProfileView is a vendor's disclosure profile.
type PubProfileView struct {
	Page
	USCC, Name          string
	Status, StatusLabel string
	Districts           string
	Categories          string
	Registered          string
	Headline            PubHeadline
	Reply               string // the vendor's approved public reply
	Predecessors        []string
	PublishedHistory    []PubHistory
	// The latest evaluation, explained in words (never as a second badge).
	Evaluated     bool
	EvalSummary   string // date, score and the grade the rules give
	EvalRelation  string // how it relates to the grade in force
	GradeSentence string
	Reasons       []string
	Components    []ComponentRow
	// Three-year figures, broken down from that evaluation.
	WindowFrom, WindowTo string
	Totals               PubComplaintYear // the sum of Years: the key figures
	Callbacks            int
	Satisfaction         string // "94.3%" or ""
	Years                []PubComplaintYear
	Quarters             []PubQuarter
	CallbackChart        string // inline SVG, numbers also in the table
	SatisfactionChart    string
	Memberships          []MembershipRow
	Sanctions            []PubSanction
	History              []PubHistory
	BadgeURL, QRURL      string
	StickerURL, JSONURL  string
	ShareURL             string // the profile's address, to copy
}

// PubStickerView is the printable A6 window sticker.
type PubStickerView struct {
	Page
	Name, USCC        string
	Evaluated         bool // there is a grade to show
	Published         bool // Score is a published one, not an evaluation's
	Override          bool // the grade is a regulator's override in force
	Grade, GradeLabel string
	Score, AsOf       string // "" when the grade has no score (an override before the first publication)
	OverrideSetOn     string
	QRURL, ProfileURL string
	PrintedOn         string // today's date, printed on the sticker
}

// PubBlackListRow is one vendor on the black list.
type PubBlackListRow struct {
	USCC, Name, URL string
	Issued, Until   string
	Reason          string
	Reference       string // the decision's document number
	Authority       string // the issuing authority, or "not recorded"
}

// PubListView is the red list (Hits) or the black list (Black).
type PubListView struct {
	Page
	Lead  string
	Total int
	Hits  []PubHit
	Black []PubBlackListRow
	Pager Pager
}

// PubOrgRow is one organisation in the public list.
type PubOrgRow struct {
	USCC, Name, URL, Kind, District string
	Members                         int
}

// PubOrgsView lists organisations.
type PubOrgsView struct {
	Page
	Rows []PubOrgRow
}

// PubOrgView is one organisation with its members.
type PubOrgView struct {
	Page
	USCC, Name, Kind, District string
	Total                      int
	Members                    []PubHit
	Pager                      Pager
}

// PubMethodRow is one part of the score in the methodology.
type PubMethodRow struct {
	Label, Max, Explain string
}

// PubMethodologyView explains the scoring model from the rules in force.
type PubMethodologyView struct {
	Page
	Version, Hash string
	Components    []PubMethodRow
	Total         string
	Grades        []PubMethodRow // Label: grade label, Max: threshold text, Explain: meaning
	Rules         []string       // the grade rules (A needs, caps, N)
	Publication   []string
	Window        string
	// Where publication stands: the latest finished run, the next
	// scheduled one (or who starts runs) and the rules in force since when.
	LatestRun, NextRun, RulesInForce string
}

// pubNavCurrent: the nav entry for href is the current section.
func pubNavCurrent(path, href string) bool {
	if href == "/" {
		return path == "/"
	}
	return path == href || (href == "/vendors" && len(path) > len(href) && path[:len(href)+1] == href+"/")
}

// pubOtherLangTag is the lang attribute of the language switch's text.
func pubOtherLangTag(ctx context.Context) string {
	if Lang(ctx) == i18n.EN {
		return "zh-CN"
	}
	return "en"
}
