package scoring

import (
	"slices"
	"time"
)

// The publication rules (docs/SCORING.md "Publication": hysteresis and due
// process) decide which grade is public. They live here, next to the model
// they belong to, and nowhere else: every way a grade becomes public — a
// publication run, a pending downgrade whose objection period ended, a
// regulator's decision on an objection, and a blacklist entry recorded at
// any time, by any path — asks one of the Decide functions below and
// stores what it says. They are pure functions of their arguments, like
// Evaluate. This package is their home rather than the publication layer
// (publicity) because the out-of-cycle publication happens inside the
// transaction that stores a blacklist entry, in the system of record
// (registry), which depends on scoring and not on publicity: a CSV import
// in another process publishes exactly as a run would decide.

// PublicationAction says what the rules did for one vendor.
type PublicationAction string

// Publication actions.
const (
	ActionFirst            PublicationAction = "first"             // first publication, or from or to N
	ActionUnchanged        PublicationAction = "unchanged"         // the evaluated grade equals the published one (confirmed)
	ActionDowngradePending PublicationAction = "downgrade_pending" // a worse grade waits for its objection period
	ActionDowngradeKept    PublicationAction = "downgrade_kept"    // the same worse grade is still pending
	ActionDowngradeNow     PublicationAction = "downgrade_now"     // a blacklist entry on display: downgraded at once
	ActionUpgrade          PublicationAction = "upgrade"           // better grade, held twice above threshold + margin
	ActionUpgradeHeld      PublicationAction = "upgrade_held"      // better grade not yet earned twice (the old one is confirmed)
	ActionPendingPublished PublicationAction = "pending_published" // a pending downgrade became public
	ActionObjectionUpheld  PublicationAction = "objection_upheld"  // a regulator upheld the pending downgrade
	ActionObjectionAmended PublicationAction = "objection_amended" // a regulator set another grade instead
	ActionNone             PublicationAction = "none"              // nothing to publish (out of cycle)
	// ActionSuperseded: a run leaves alone a grade published after its
	// instant by another path (a blacklisting while the run evaluated).
	ActionSuperseded PublicationAction = "superseded"
)

// Grade notes (CONTRACT "grade_note"): why a published grade differs from
// the grade its score alone would give.
const (
	NoteARequirements = ReasonARequirements // A needs a track record
	NoteCapC          = ReasonCapC          // not active, or a serious penalty on display
	NoteCapD          = ReasonCapD          // a blacklist entry on display
	NoteHeld          = "held"              // an upgrade waiting for a second run
	NoteReview        = "review"            // set by a regulator's decision on an objection
	NoteOverride      = "override"          // a regulator's override in force
)

// PendingGrade is a downgrade waiting for its objection period to end.
type PendingGrade struct {
	Grade       string
	Score       float64 // the score it was evaluated at
	Note        string  // the grade note it is published with
	RunID       int64
	PublicAfter time.Time
	// Objected: the vendor objected in time; a regulator decides, so no
	// run publishes or replaces it.
	Objected bool
}

// PublicationState is what the rules know about one vendor before deciding.
type PublicationState struct {
	Published     string        // the published grade, "" before the first publication
	Pending       *PendingGrade // nil when none
	PreviousScore *float64      // the evaluated score at the vendor's previous publication run
}

// PublicationDecision is the outcome for one vendor.
type PublicationDecision struct {
	Action PublicationAction
	// Publish: Published, with Score and Note, becomes public at the
	// decision's instant, set or confirmed (an entry in the vendor's
	// publication history). Without it the published grade stays as it was.
	Publish   bool
	Published string // the published grade after the decision ("" none)
	Score     float64
	Note      string
	// PublishedBy is the action that published (Action may name a later
	// step, such as a new pending downgrade after a matured one).
	PublishedBy PublicationAction
	// Pending after the decision (nil: none); PendingChanged says it was
	// created, replaced, withdrawn or published.
	Pending        *PendingGrade
	PendingChanged bool
}

// Changed reports whether the decision changes the published grade of st.
func (d PublicationDecision) Changed(st PublicationState) bool {
	return d.Publish && d.Published != st.Published
}

// GradeNote is the note a published evaluation carries: the rule that
// made its grade differ from the grade of its score alone ("" when they
// agree, and for N, which shows no score).
func GradeNote(r Rules, ev Evaluation) string {
	scoreGrade := ev.ScoreGrade
	if scoreGrade == "" {
		scoreGrade = GradeForScore(r.Grades, ev.Score)
	}
	if ev.Grade == GradeN || ev.Grade == scoreGrade {
		return ""
	}
	for _, code := range []string{NoteCapD, NoteCapC, NoteARequirements} { // the last rule that lowered it decides
		if slices.Contains(ev.Reasons, code) {
			return code
		}
	}
	return ""
}

// DecideRun applies the rules at a publication run at instant at (run id
// runID) to one vendor whose evaluation at that instant is ev.
func DecideRun(r Rules, st PublicationState, ev Evaluation, at time.Time, runID int64) PublicationDecision {
	// A pending downgrade whose period ended without objection is published
	// first, before this run's grade is compared.
	d := DecideMatured(st, at)
	if d.Action == ActionNone {
		d.Action = ""
	}
	gOld, gNew := d.Published, ev.Grade
	note := GradeNote(r, ev)
	switch {
	case gOld == "" || gOld == GradeN || gNew == GradeN:
		if gNew != gOld {
			d.publish(gNew, ev.Score, note, ActionFirst)
		} else {
			d.publish(gNew, ev.Score, note, ActionUnchanged)
		}
		d.withdrawPending()
	case gNew == gOld:
		d.publish(gNew, ev.Score, note, ActionUnchanged)
		d.withdrawPending()
	case WorseGrade(gNew, gOld):
		switch {
		case ev.Evidence.Blacklisted: // the listing had its own due process
			d.publish(gNew, ev.Score, note, ActionDowngradeNow)
			d.withdrawPending()
		case d.Pending != nil && d.Pending.Objected:
			// A regulator is deciding on the objection to the pending
			// downgrade; a new worse grade does not discard that case.
			d.act(ActionDowngradeKept)
		case d.Pending != nil && d.Pending.Grade == gNew:
			d.act(ActionDowngradeKept)
		default:
			d.Pending = &PendingGrade{Grade: gNew, Score: ev.Score, Note: note, RunID: runID,
				PublicAfter: at.Add(time.Duration(r.Publication.ObjectionDays*24) * time.Hour)}
			d.PendingChanged = true
			d.act(ActionDowngradePending)
		}
	default: // better
		threshold, _ := r.Grades.Threshold(gNew)
		need := threshold + r.Publication.UpgradeMargin
		if st.PreviousScore != nil && ev.Score >= need && *st.PreviousScore >= need {
			d.publish(gNew, ev.Score, note, ActionUpgrade)
		} else {
			// The old grade stays, confirmed at this run's score, which
			// alone would give a better grade: the note says why.
			d.publish(gOld, ev.Score, NoteHeld, ActionUpgradeHeld)
		}
		d.withdrawPending()
	}
	return d
}

// DecideMatured publishes a pending downgrade whose objection period ended
// by at without an objection, with the score and note it was evaluated at
// (a run does it first; a scheduler may do it on that day already).
func DecideMatured(st PublicationState, at time.Time) PublicationDecision {
	d := PublicationDecision{Action: ActionNone, Published: st.Published, Pending: st.Pending}
	if p := st.Pending; p != nil && !p.Objected && !at.Before(p.PublicAfter) {
		d.publish(p.Grade, p.Score, p.Note, ActionPendingPublished)
		d.withdrawPending()
	}
	return d
}

// DecideObjection carries out a regulator's decision on the vendor's
// objection to its pending downgrade: upheld, the pending grade is
// published now; amended, the grade the regulator set (A–D or N) is
// published instead, with the pending evaluation's score. A pending
// downgrade is required (ok is false without one).
func DecideObjection(r Rules, st PublicationState, upheld bool, amended string) (d PublicationDecision, ok bool) {
	p := st.Pending
	if p == nil {
		return PublicationDecision{Action: ActionNone, Published: st.Published}, false
	}
	d = PublicationDecision{Published: st.Published, Pending: p}
	switch {
	case upheld:
		d.publish(p.Grade, p.Score, p.Note, ActionObjectionUpheld)
	default:
		note := ""
		switch {
		case amended == p.Grade:
			note = p.Note
		case amended != GradeN && amended != GradeForScore(r.Grades, p.Score):
			note = NoteReview
		}
		d.publish(amended, p.Score, note, ActionObjectionAmended)
	}
	d.withdrawPending()
	return d, true
}

// DecideBlacklisted is the out-of-cycle rule: when a blacklist entry is
// recorded, the vendor is evaluated at that instant (ev) and, when the
// entry is on display and the evaluated grade is worse than the published
// one (or the published grade is N), that grade is published at once and a
// pending downgrade is withdrawn. A vendor never published gets its first
// publication this way once publication has started (any run recorded);
// before the first run nothing is published out of cycle. An entry not on
// display at ev's instant (a past one, migrated) publishes nothing; the
// next run applies the usual rules.
func DecideBlacklisted(r Rules, st PublicationState, ev Evaluation, started bool) PublicationDecision {
	d := PublicationDecision{Action: ActionNone, Published: st.Published, Pending: st.Pending}
	if !ev.Evidence.Blacklisted {
		return d
	}
	switch {
	case st.Published == "":
		if !started {
			return d
		}
		d.publish(ev.Grade, ev.Score, GradeNote(r, ev), ActionFirst)
	case st.Published == GradeN || WorseGrade(ev.Grade, st.Published):
		d.publish(ev.Grade, ev.Score, GradeNote(r, ev), ActionDowngradeNow)
	default:
		return d // already as bad: nothing is pending below D
	}
	d.withdrawPending()
	return d
}

// publish sets the published grade. A pending downgrade published at the
// start of a run that the run's evaluation then confirms stays that run's
// action.
func (d *PublicationDecision) publish(grade string, score float64, note string, action PublicationAction) {
	if d.Action == ActionPendingPublished && action == ActionUnchanged {
		action = ActionPendingPublished
	}
	d.Publish, d.Published, d.Score, d.Note, d.Action, d.PublishedBy = true, grade, score, note, action, action
}

// act records an action that publishes nothing new.
func (d *PublicationDecision) act(a PublicationAction) { d.Action = a }

// withdrawPending drops a pending downgrade; an objection to it becomes moot.
func (d *PublicationDecision) withdrawPending() {
	if d.Pending != nil {
		d.Pending, d.PendingChanged = nil, true
	}
}
