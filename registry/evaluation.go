package registry

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"chengxin/scoring"
)

// StoredEvaluation is an evaluation as kept in the database.
type StoredEvaluation struct {
	ID       int64
	VendorID int64
	scoring.Evaluation
}

// evaluationBody is what an evaluations row keeps besides its columns. The
// per-complaint items are left out (explain recomputes them) and so are the
// sentences, which scoring.Sentences rebuilds from the body.
type evaluationBody struct {
	ScoreGrade string             `json:"score_grade"`
	Components scoring.Components `json:"components"`
	Reasons    []string           `json:"reasons"`
	Evidence   scoring.Evidence   `json:"evidence"`
	// The two vendor facts sentences read, as they were at evaluation time.
	Status              string     `json:"status"`
	InsuranceValidUntil *time.Time `json:"insurance_valid_until,omitempty"`
}

func marshalRules(r scoring.Rules) (string, error) {
	b, err := json.Marshal(r)
	return string(b), err
}

// LoadInputs reads everything the scoring model needs about one vendor.
func (db *DB) LoadInputs(ctx context.Context, vendorID int64) (scoring.Inputs, error) {
	return loadInputs(ctx, db.read, vendorID)
}

func loadInputs(ctx context.Context, q querier, vendorID int64) (scoring.Inputs, error) {
	var in scoring.Inputs
	var reg string
	var lic, ins *string
	err := q.QueryRowContext(ctx, `SELECT registered_at, status, licence_valid_until, insurance_valid_until FROM vendors WHERE id = ?`, vendorID).
		Scan(&reg, &in.Status, &lic, &ins)
	if errors.Is(err, sql.ErrNoRows) {
		return in, fmt.Errorf("registry: vendor #%d: %w", vendorID, ErrNotFound)
	}
	if err != nil {
		return in, err
	}
	in.RegisteredAt, in.LicenceValidUntil, in.InsuranceValidUntil = parseStored(reg), parseStoredPtr(lic), parseStoredPtr(ins)
	recs, err := loadRecords(ctx, q, vendorID)
	if err != nil {
		return in, err
	}
	in.Callbacks, in.Complaints, in.Volumes, in.Sanctions = recs.Callbacks, recs.Complaints, recs.Volumes, recs.Sanctions
	return in, addPredecessorRecords(ctx, q, vendorID, &in)
}

// loadRecords reads one vendor's own callbacks, complaints, volumes and sanctions.
func loadRecords(ctx context.Context, q querier, vendorID int64) (scoring.Inputs, error) {
	var in scoring.Inputs
	rows, err := q.QueryContext(ctx, `SELECT work_order_no, called_at, result FROM callbacks WHERE vendor_id = ?`, vendorID)
	if err != nil {
		return in, err
	}
	for rows.Next() {
		var cb scoring.Callback
		var at string
		if err := rows.Scan(&cb.WorkOrderNo, &at, &cb.Result); err != nil {
			rows.Close()
			return in, err
		}
		cb.CalledAt = parseStored(at)
		in.Callbacks = append(in.Callbacks, cb)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return in, err
	}
	if in.Complaints, err = queryComplaintInputs(ctx, q, `WHERE vendor_id = ?`, vendorID); err != nil {
		return in, err
	}
	rows, err = q.QueryContext(ctx, `SELECT month, source, orders FROM volumes WHERE vendor_id = ?`, vendorID)
	if err != nil {
		return in, err
	}
	for rows.Next() {
		var v scoring.Volume
		if err := rows.Scan(&v.Month, &v.Source, &v.Orders); err != nil {
			rows.Close()
			return in, err
		}
		in.Volumes = append(in.Volumes, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return in, err
	}
	in.Sanctions, err = sanctionInputs(ctx, q, vendorID)
	return in, err
}

func queryComplaintInputs(ctx context.Context, q querier, where string, args ...any) ([]scoring.Complaint, error) {
	rows, err := q.QueryContext(ctx, `SELECT work_order_no, service_order_no, received_at, severity, status, outcome,
		deadline_at, closed_at, late_excused FROM complaints `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scoring.Complaint
	for rows.Next() {
		var c scoring.Complaint
		var received, deadline string
		var closed *string
		if err := rows.Scan(&c.WorkOrderNo, &c.ServiceOrderNo, &received, &c.Severity, &c.Status, &c.Outcome, &deadline, &closed, &c.LateExcused); err != nil {
			return nil, err
		}
		c.ReceivedAt, c.ClosedAt = parseStored(received), parseStoredPtr(closed)
		d := parseStored(deadline)
		c.DeadlineAt = &d
		out = append(out, c)
	}
	return out, rows.Err()
}

// sanctionInputs reads a vendor's sanctions; a lifted sanction's display
// ends when it was lifted, a repaired one no longer counts.
func sanctionInputs(ctx context.Context, q querier, vendorID int64) ([]scoring.Sanction, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, kind, issued_at, display_until, repaired_at, lifted_at FROM sanctions WHERE vendor_id = ?`, vendorID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scoring.Sanction
	for rows.Next() {
		var s scoring.Sanction
		var issued string
		var until, repaired, lifted *string
		if err := rows.Scan(&s.ID, &s.Kind, &issued, &until, &repaired, &lifted); err != nil {
			return nil, err
		}
		s.IssuedAt, s.DisplayUntil, s.Repaired = parseStored(issued), parseStoredPtr(until), repaired != nil
		if l := parseStoredPtr(lifted); l != nil && (s.DisplayUntil == nil || l.Before(*s.DisplayUntil)) {
			s.DisplayUntil = l
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// evalStmts are the prepared statements that store evaluations in one
// transaction (a full rescore stores 100,000 of them).
type evalStmts struct{ insert, upsert, touch *sql.Stmt }

func prepareEvalStmts(ctx context.Context, tx *sql.Tx) (*evalStmts, error) {
	var st evalStmts
	var err error
	if st.insert, err = tx.PrepareContext(ctx, `INSERT INTO evaluations(vendor_id, as_of, rules_version, rules_hash, score, grade, body, created_at)
		VALUES (?,?,?,?,?,?,?,?) RETURNING id`); err != nil {
		return nil, err
	}
	if st.upsert, err = tx.PrepareContext(ctx, `INSERT INTO vendor_scores(vendor_id, evaluation_id, as_of, evaluated_at, rules_version, rules_hash,
		material_hash, score, grade, reasons, callbacks_weight, satisfaction_value, complaint_points, exposure) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT(vendor_id) DO UPDATE SET evaluation_id=excluded.evaluation_id, as_of=excluded.as_of, evaluated_at=excluded.evaluated_at,
		rules_version=excluded.rules_version, rules_hash=excluded.rules_hash, material_hash=excluded.material_hash,
		score=excluded.score, grade=excluded.grade, reasons=excluded.reasons,
		callbacks_weight=excluded.callbacks_weight, satisfaction_value=excluded.satisfaction_value,
		complaint_points=excluded.complaint_points, exposure=excluded.exposure`); err != nil {
		st.insert.Close()
		return nil, err
	}
	if st.touch, err = tx.PrepareContext(ctx, `UPDATE vendor_scores SET evaluated_at = ? WHERE vendor_id = ? AND evaluated_at < ?`); err != nil {
		st.insert.Close()
		st.upsert.Close()
		return nil, err
	}
	return &st, nil
}

func (s *evalStmts) Close() { s.insert.Close(); s.upsert.Close(); s.touch.Close() }

// previousScore is a vendor's current evaluation as a rescore needs it.
type previousScore struct {
	exists       bool
	asOf         string
	score        float64
	grade        string
	materialHash int64
	evaluation   int64
}

// materialHash is FNV-1a over what a citizen or regulator would see change:
// score, grade, reasons, components, record counts, status facts and rules.
// Decay moves the weighted evidence a little every day; that alone does not
// make a new evaluation.
func materialHash(ev scoring.Evaluation) int64 {
	h := fnv.New64a()
	e, c := ev.Evidence, ev.Components
	fmt.Fprintf(h, "%s|%.1f|%s|%s|%.2f|%.2f|%.2f|%.2f|%.2f|%d|%d|%d|%d|%d|%d|%d|%t|%t|%t|%d|%d",
		ev.RulesHash, ev.Score, ev.Grade, strings.Join(ev.Reasons, ","), c.Satisfaction, c.Complaints, c.Qualification, c.Regulatory, c.Bonus,
		e.CallbacksCounted, e.CallbacksLastYear, e.ComplaintsReceived, e.ComplaintsCounted, e.ComplaintsLate, e.ComplaintsOpenPastDeadline,
		e.SanctionsOnDisplay, e.Active, e.LicenceValid, e.InsuranceValid, e.Commendations, e.Orders)
	return int64(h.Sum64())
}

// storeEvaluation keeps ev. When nothing material changed since the
// vendor's current evaluation, it only records that the evaluation was
// confirmed at ev's instant. Otherwise it appends a history row (never
// rewriting one) and, unless ev is older than the current one, makes it
// current. It reports whether a history row was added.
func (db *DB) storeEvaluation(ctx context.Context, st *evalStmts, vendorID int64, ev scoring.Evaluation, in scoring.Inputs, prev previousScore) (bool, error) {
	asOf := formatTime(ev.AsOf)
	mh := materialHash(ev)
	if prev.exists && prev.materialHash == mh {
		if _, err := st.touch.ExecContext(ctx, asOf, vendorID, asOf); err != nil {
			return false, fmt.Errorf("registry: confirm evaluation of vendor #%d: %w", vendorID, err)
		}
		return false, nil
	}
	body, err := json.Marshal(evaluationBody{ScoreGrade: ev.ScoreGrade, Components: ev.Components, Reasons: ev.Reasons, Evidence: ev.Evidence,
		Status: in.Status, InsuranceValidUntil: in.InsuranceValidUntil})
	if err != nil {
		return false, err
	}
	var evalID int64
	err = st.insert.QueryRowContext(ctx, vendorID, asOf, ev.RulesVersion, ev.RulesHash, ev.Score, ev.Grade, string(body), formatTime(db.now())).Scan(&evalID)
	if err != nil {
		return false, fmt.Errorf("registry: store evaluation of vendor #%d: %w", vendorID, err)
	}
	if prev.exists && asOf < prev.asOf {
		return true, nil // a past as-of adds history but does not replace the current evaluation
	}
	e := ev.Evidence
	_, err = st.upsert.ExecContext(ctx, vendorID, evalID, asOf, asOf, ev.RulesVersion, ev.RulesHash, mh, ev.Score, ev.Grade,
		strings.Join(ev.Reasons, ","), e.CallbacksWeight, e.SatisfactionValue, e.ComplaintPoints, e.Exposure)
	if err != nil {
		return true, fmt.Errorf("registry: current evaluation of vendor #%d: %w", vendorID, err)
	}
	return true, nil
}

func loadPrevious(ctx context.Context, q querier, vendorID int64) (previousScore, error) {
	var p previousScore
	err := q.QueryRowContext(ctx, `SELECT as_of, score, grade, material_hash, evaluation_id FROM vendor_scores WHERE vendor_id = ?`, vendorID).
		Scan(&p.asOf, &p.score, &p.grade, &p.materialHash, &p.evaluation)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	p.exists = err == nil
	return p, err
}

// EvaluateVendor evaluates one vendor at asOf under the current rules and
// stores the result.
func (db *DB) EvaluateVendor(ctx context.Context, vendorID int64, asOf time.Time) (scoring.Evaluation, error) {
	rules, err := db.CurrentRules(ctx)
	if err != nil {
		return scoring.Evaluation{}, err
	}
	return db.evaluateVendor(ctx, rules, vendorID, asOf)
}

func (db *DB) evaluateVendor(ctx context.Context, rules scoring.Rules, vendorID int64, asOf time.Time) (scoring.Evaluation, error) {
	in, err := db.LoadInputs(ctx, vendorID)
	if err != nil {
		return scoring.Evaluation{}, err
	}
	ev := scoring.Evaluate(rules, in, asOf)
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		prev, err := loadPrevious(ctx, tx, vendorID)
		if err != nil {
			return err
		}
		st, err := prepareEvalStmts(ctx, tx)
		if err != nil {
			return err
		}
		defer st.Close()
		_, err = db.storeEvaluation(ctx, st, vendorID, ev, in, prev)
		return err
	})
	return ev, err
}

// ProcessMarks re-evaluates up to limit vendors marked since their last
// evaluation, at asOf, and returns how many it evaluated.
func (db *DB) ProcessMarks(ctx context.Context, limit int, asOf time.Time) (int, error) {
	ids, err := db.TakeMarks(ctx, limit)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	done := 0
	rules, err := db.CurrentRules(ctx) // once per pass, not per vendor
	for ; err == nil && done < len(ids); done++ {
		if _, err = db.evaluateVendor(ctx, rules, ids[done], asOf); errors.Is(err, ErrNotFound) {
			err = nil // the vendor is gone
		}
	}
	if err == nil {
		return done, nil
	}
	if done > 0 {
		done-- // the vendor that failed is put back too
	}
	// Put the rest back so nothing is lost, even when ctx was cancelled.
	keep := context.WithoutCancel(ctx)
	if rerr := db.inTx(keep, func(tx *sql.Tx) error { return db.markForEvaluation(keep, tx, ids[done:]) }); rerr != nil {
		return done, errors.Join(err, fmt.Errorf("registry: restore %d marks: %w", len(ids)-done, rerr))
	}
	return done, err
}

// LatestEvaluation returns the vendor's current stored evaluation, or ErrNotFound.
func (db *DB) LatestEvaluation(ctx context.Context, vendorID int64) (StoredEvaluation, error) {
	return db.findEvaluation(ctx, `SELECT e.id, e.vendor_id, e.as_of, e.rules_version, e.rules_hash, e.score, e.grade, e.body,
		v.status, v.insurance_valid_until FROM vendor_scores s JOIN evaluations e ON e.id = s.evaluation_id
		JOIN vendors v ON v.id = s.vendor_id WHERE s.vendor_id = ?`, vendorID)
}

// findEvaluation reads one evaluation (columns as in LatestEvaluation) and
// rebuilds its sentences under the rules it was made with.
func (db *DB) findEvaluation(ctx context.Context, query string, args ...any) (StoredEvaluation, error) {
	var se StoredEvaluation
	var asOf, body string
	var lite scoring.Inputs
	var insurance *string
	err := db.read.QueryRowContext(ctx, query, args...).Scan(&se.ID, &se.VendorID, &asOf, &se.RulesVersion, &se.RulesHash, &se.Score, &se.Grade, &body,
		&lite.Status, &insurance)
	if errors.Is(err, sql.ErrNoRows) {
		return se, ErrNotFound
	}
	if err != nil {
		return se, fmt.Errorf("registry: evaluation: %w", err)
	}
	se.AsOf = parseStored(asOf)
	var b evaluationBody
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		return se, fmt.Errorf("registry: evaluation #%d body: %w", se.ID, err)
	}
	se.ScoreGrade, se.Components, se.Reasons, se.Evidence = b.ScoreGrade, b.Components, b.Reasons, b.Evidence
	if se.Reasons == nil {
		se.Reasons = []string{}
	}
	rules, err := db.RulesByVersion(ctx, se.RulesVersion)
	if err != nil {
		return se, err
	}
	lite.InsuranceValidUntil = parseStoredPtr(insurance)
	if b.Status != "" { // the facts at evaluation time (rows from before they were kept use today's)
		lite.Status, lite.InsuranceValidUntil = b.Status, b.InsuranceValidUntil
	}
	se.Sentences = scoring.Sentences(rules, se.Evaluation, lite)
	return se, nil
}

// CityPriors are the city's current decayed means, next to the rules' priors.
type CityPriors struct {
	Vendors          int
	SatisfactionMean float64 // Σ U / Σ N over current evaluations
	CallbacksWeight  float64 // Σ N
	ComplaintRate    float64 // Σ D / Σ E (points per thousand orders)
	Exposure         float64 // Σ E
}

// CityPriors sums the current evaluations.
func (db *DB) CityPriors(ctx context.Context) (CityPriors, error) {
	var p CityPriors
	var u, d float64
	err := db.read.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(callbacks_weight),0), coalesce(sum(satisfaction_value),0),
		coalesce(sum(complaint_points),0), coalesce(sum(exposure),0) FROM vendor_scores`).Scan(&p.Vendors, &p.CallbacksWeight, &u, &d, &p.Exposure)
	if err != nil {
		return p, fmt.Errorf("registry: city priors: %w", err)
	}
	if p.CallbacksWeight > 0 {
		p.SatisfactionMean = u / p.CallbacksWeight
	}
	if p.Exposure > 0 {
		p.ComplaintRate = d / p.Exposure
	}
	return p, nil
}

// GradeCounts returns how many vendors hold each current evaluated grade.
func (db *DB) GradeCounts(ctx context.Context) (map[string]int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT grade, count(*) FROM vendor_scores GROUP BY grade`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var g string
		var n int
		if err := rows.Scan(&g, &n); err != nil {
			return nil, err
		}
		out[g] = n
	}
	return out, rows.Err()
}
