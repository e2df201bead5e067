package publicity

import (
	"slices"
	"time"

	"chengxin/registry"
	"chengxin/scoring"
)

// Headline is the one statement of a vendor's grade that every public
// surface makes — the profile's first screen, search results, the red list,
// organisation pages, the badge, the sticker, the JSON and the open-data
// file — built by HeadlineOf alone, so they cannot disagree (CONTRACT
// "Vendor": grade, score, published_at, grade_since, grade_note).
type Headline struct {
	// Grade is the grade in force: a regulator's override, else the
	// published grade. Before the vendor's first publication it is the
	// latest evaluation's grade, and Provisional is set (pages mark it "not
	// yet published"; the JSON and the open data leave it null). "" when
	// there is nothing at all.
	Grade string
	// Score is the score at the publication behind Grade (the evaluation's
	// when Provisional); nil for N, and under an override with no
	// publication behind it.
	Score *float64
	// PublishedAt is the latest publication that set or confirmed the
	// published grade; nil before the first.
	PublishedAt *time.Time
	// GradeSince is when the grade in force was first published (an
	// override: when it was set); nil before the first publication.
	GradeSince *time.Time
	// Note says why the score alone would give another grade (scoring.Note…):
	// an A without its track record, a cap, an upgrade held for a second
	// run, a regulator's decision on an objection, an override. "" when the
	// grade is what the score gives.
	Note         string
	RulesVersion string // of the publication (of the evaluation when Provisional)
	Provisional  bool
	EvaluatedAt  *time.Time // the evaluation's instant when Provisional
	// Pending is a downgrade waiting for its objection period, shown only
	// when it names a grade worse than Grade (a notice never announces a
	// better grade than the one in force).
	Pending  *HeadlinePending
	Override *registry.OverrideFacts // in force
}

// HeadlinePending is a pending downgrade as the public sees it.
type HeadlinePending struct {
	Grade          string
	PublicAfter    time.Time
	UnderObjection bool // the vendor objected: a regulator decides
}

// HasGrade reports whether there is a grade to show.
func (h Headline) HasGrade() bool { return h.Grade != "" }

// Published reports whether a publication or an override stands behind
// Grade (it is not only the latest evaluation).
func (h Headline) Published() bool { return h.Grade != "" && !h.Provisional }

// HeadlineOf is the rule every public surface follows, from the stored facts.
func HeadlineOf(f registry.GradeFacts) Headline {
	var h Headline
	switch p, e := f.Published, f.Evaluation; {
	case p != nil:
		h.Grade, h.Score, h.Note, h.RulesVersion = p.Grade, scoreOf(p.Grade, p.Score), p.Note, p.RulesVersion
		at, since := p.At, p.Since
		h.PublishedAt, h.GradeSince = &at, &since
	case e != nil && f.Override == nil:
		h.Grade, h.Score, h.Provisional, h.RulesVersion = e.Grade, scoreOf(e.Grade, e.Score), true, e.RulesVersion
		at := e.AsOf
		h.EvaluatedAt = &at
		if e.Grade != scoring.GradeN {
			for _, code := range []string{scoring.NoteCapD, scoring.NoteCapC, scoring.NoteARequirements} {
				if slices.Contains(e.Reasons, code) {
					h.Note = code
					break
				}
			}
		}
	}
	if o := f.Override; o != nil {
		ov := *o
		since := o.SetAt
		h.Grade, h.Note, h.Override, h.GradeSince = o.Grade, scoring.NoteOverride, &ov, &since
		if o.Grade == scoring.GradeN {
			h.Score = nil
		}
	}
	if d := f.Pending; d != nil && scoring.WorseGrade(d.Grade, h.Grade) && !h.Provisional {
		h.Pending = &HeadlinePending{Grade: d.Grade, PublicAfter: d.PublicAfter, UnderObjection: d.Objected}
	}
	return h
}

// scoreOf is a grade's score as shown: none for N.
func scoreOf(grade string, score float64) *float64 {
	if grade == scoring.GradeN {
		return nil
	}
	return &score
}

// ScoreSortKey orders headlines by score, those without one last.
func (h Headline) ScoreSortKey() float64 {
	if h.Score == nil {
		return -1
	}
	return *h.Score
}
