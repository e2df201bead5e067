package publicity

import (
	"time"

	"chengxin/scoring"
)

// Action says what a publication run did for one vendor.
type Action string

// Actions of a publication run (docs/SCORING.md "Publication").
const (
	ActionFirst            Action = "first"             // first publication, or from/to N
	ActionUnchanged        Action = "unchanged"         // evaluated grade equals the published one
	ActionDowngradePending Action = "downgrade_pending" // a worse grade waits for its objection period
	ActionDowngradeKept    Action = "downgrade_kept"    // the same worse grade is still pending
	ActionDowngradeNow     Action = "downgrade_now"     // blacklisted: downgraded at once
	ActionUpgrade          Action = "upgrade"           // better grade, held twice above threshold + margin
	ActionUpgradeHeld      Action = "upgrade_held"      // better grade not yet earned twice
	ActionPendingPublished Action = "pending_published" // an earlier pending downgrade became public
)

// Pending is a downgrade waiting for its objection period to end.
type Pending struct {
	Grade       string
	Score       float64
	RunID       int64
	PublicAfter time.Time
	// Objected: the vendor objected in time; a regulator decides, so the
	// run neither publishes nor replaces it.
	Objected bool
}

// State is what a run knows about one vendor before deciding.
type State struct {
	Published     string // published grade, "" before the first publication
	PublishedAt   time.Time
	Pending       *Pending // nil when none
	PreviousScore *float64 // the vendor's evaluated score at its previous publication run
}

// Decision is the outcome for one vendor at one run.
type Decision struct {
	Action Action
	// Published is the grade public after the run; PublishedChanged says
	// whether this run changed it.
	Published        string
	PublishedChanged bool
	// Pending after the run (nil: none). PendingChanged says it was created,
	// replaced, withdrawn or published by this run.
	Pending        *Pending
	PendingChanged bool
}

// Decide applies the publication rules of docs/SCORING.md to one vendor at a run
// at instant `at` (run id runID): ev is the vendor's evaluation at that
// instant, blacklisted whether a blacklist entry is on display. It is pure.
func Decide(rules scoring.Rules, st State, ev scoring.Evaluation, blacklisted bool, at time.Time, runID int64) Decision {
	d := Decision{Published: st.Published, Pending: st.Pending}
	// A pending downgrade whose period ended without objection is published
	// first, before this run's grade is compared.
	if p := st.Pending; p != nil && !p.Objected && !at.Before(p.PublicAfter) {
		d.Published, d.PublishedChanged = p.Grade, true
		d.Pending, d.PendingChanged = nil, true
		d.Action = ActionPendingPublished
	}
	gOld, gNew := d.Published, ev.Grade
	switch {
	case gOld == "" || gOld == scoring.GradeN || gNew == scoring.GradeN:
		if gNew != gOld {
			d.Published, d.PublishedChanged = gNew, true
			d.Action = ActionFirst
		} else if d.Action == "" {
			d.Action = ActionUnchanged
		}
		d.withdrawPending()
	case gNew == gOld:
		d.withdrawPending()
		if d.Action == "" {
			d.Action = ActionUnchanged
		}
	case scoring.WorseGrade(gNew, gOld):
		switch {
		case blacklisted:
			d.Published, d.PublishedChanged = gNew, true
			d.withdrawPending()
			d.Action = ActionDowngradeNow
		case d.Pending != nil && d.Pending.Objected:
			// A regulator is deciding on the objection to the pending
			// downgrade; a new worse grade does not discard that case.
			d.Action = ActionDowngradeKept
		case d.Pending != nil && d.Pending.Grade == gNew:
			d.Action = ActionDowngradeKept
		default:
			d.Pending = &Pending{Grade: gNew, Score: ev.Score, RunID: runID,
				PublicAfter: at.Add(time.Duration(rules.Publication.ObjectionDays*24) * time.Hour)}
			d.PendingChanged = true
			d.Action = ActionDowngradePending
		}
	default: // better
		threshold, _ := rules.Grades.Threshold(gNew)
		need := threshold + rules.Publication.UpgradeMargin
		if st.PreviousScore != nil && ev.Score >= need && *st.PreviousScore >= need {
			d.Published, d.PublishedChanged = gNew, true
			d.Action = ActionUpgrade
		} else {
			d.Action = ActionUpgradeHeld
		}
		d.withdrawPending()
	}
	return d
}

// withdrawPending drops a pending downgrade; an objection to it becomes moot.
func (d *Decision) withdrawPending() {
	if d.Pending != nil {
		d.Pending, d.PendingChanged = nil, true
	}
}
