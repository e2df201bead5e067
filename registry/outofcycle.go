package registry

import (
	"context"
	"database/sql"
	"fmt"

	"chengxin/scoring"
)

// publishOutOfCycle is docs/SCORING.md's out-of-cycle publication. Called inside
// the transaction that stores blacklist entry sanctionID — whatever stored
// it: the console, a CSV import in this or another process — it evaluates
// the vendor at this instant (storing the evaluation, so every page that
// shows the latest evaluation agrees), asks the publication rules
// (scoring.DecideBlacklisted) and applies their decision through the same
// writer as runs: the worse grade is public at once, in the vendor's
// publication history with the entry as its cause, and audited; a pending
// downgrade is withdrawn. Public pages follow within a second through the
// published grade's change-log trigger, in every process.
func (db *DB) publishOutOfCycle(ctx context.Context, tx *sql.Tx, actor Actor, vendorID, sanctionID int64, uscc, reference string) error {
	now := db.now()
	rules, err := db.CurrentRules(ctx)
	if err != nil {
		return err
	}
	in, err := loadInputs(ctx, tx, vendorID)
	if err != nil {
		return err
	}
	ev := scoring.Evaluate(rules, in, now)
	prev, err := loadPrevious(ctx, tx, vendorID)
	if err != nil {
		return err
	}
	es, err := prepareEvalStmts(ctx, tx)
	if err != nil {
		return err
	}
	_, err = db.storeEvaluation(ctx, es, vendorID, ev, in, prev)
	es.Close()
	if err != nil {
		return err
	}
	st, err := publicationState(ctx, tx, vendorID)
	if err != nil {
		return err
	}
	var started bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM publication_runs WHERE status = 'done')`).Scan(&started); err != nil {
		return err
	}
	d := scoring.DecideBlacklisted(rules, st, ev, started)
	if !d.Publish {
		return nil
	}
	w, err := db.newPubWriter(ctx, tx, actor)
	if err != nil {
		return err
	}
	defer w.close()
	id, err := w.apply(ctx, vendorID, st, d, now, rules.Version, PublicationCause{Kind: CauseBlacklist, SanctionID: sanctionID})
	if err != nil {
		return fmt.Errorf("registry: out-of-cycle publication of %s: %w", uscc, err)
	}
	if err := db.notify(ctx, tx, RoleVendor, vendorID, "inbox.published_out_of_cycle", []any{reference, d.Published}, "/console/me"); err != nil {
		return err
	}
	detail := map[string]any{"sanction": sanctionID, "reference": reference, "publication": id, "before": st.Published,
		"grade": d.Published, "score": d.Score, "action": string(d.Action), "pending_withdrawn": st.Pending != nil && d.Pending == nil}
	if st.Pending != nil {
		detail["pending_was"] = st.Pending.Grade
	}
	return db.audit(ctx, tx, actor.String(), "publication.out_of_cycle", uscc, detail)
}
