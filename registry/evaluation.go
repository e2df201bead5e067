package registry

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
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

// evaluationBody is what an evaluations row keeps besides its columns: the
// per-complaint items are left out (explain recomputes them).
type evaluationBody struct {
	ScoreGrade string                      `json:"score_grade"`
	Components scoring.Components          `json:"components"`
	Reasons    []string                    `json:"reasons"`
	Evidence   scoring.Evidence            `json:"evidence"`
	Sentences  map[string]scoring.Sentence `json:"sentences"`
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

// previousScore is what decides whether a new evaluation is worth a row.
type previousScore struct {
	exists     bool
	asOf       string
	score      float64
	grade      string
	reasons    string
	rulesHash  string
	evaluation int64
}

func (p previousScore) same(ev scoring.Evaluation) bool {
	return p.exists && p.score == ev.Score && p.grade == ev.Grade && p.reasons == strings.Join(ev.Reasons, ",") && p.rulesHash == ev.RulesHash
}

// evalStmts are the prepared statements that store evaluations in one
// transaction (a full rescore stores 100,000 of them).
type evalStmts struct{ insert, upsert *sql.Stmt }

func prepareEvalStmts(ctx context.Context, tx *sql.Tx) (*evalStmts, error) {
	ins, err := tx.PrepareContext(ctx, `INSERT INTO evaluations(vendor_id, as_of, rules_version, rules_hash, score, grade, body, created_at)
		VALUES (?,?,?,?,?,?,?,?)`)
	if err != nil {
		return nil, err
	}
	up, err := tx.PrepareContext(ctx, `INSERT INTO vendor_scores(vendor_id, evaluation_id, as_of, rules_version, body, evaluated_at, rules_hash,
		score, grade, reasons, callbacks_weight, satisfaction_value, complaint_points, exposure) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT(vendor_id) DO UPDATE SET evaluation_id=excluded.evaluation_id, as_of=excluded.as_of, rules_version=excluded.rules_version,
		body=excluded.body, evaluated_at=excluded.evaluated_at,
		rules_hash=excluded.rules_hash, score=excluded.score, grade=excluded.grade, reasons=excluded.reasons,
		callbacks_weight=excluded.callbacks_weight, satisfaction_value=excluded.satisfaction_value,
		complaint_points=excluded.complaint_points, exposure=excluded.exposure`)
	if err != nil {
		ins.Close()
		return nil, err
	}
	return &evalStmts{insert: ins, upsert: up}, nil
}

func (s *evalStmts) Close() { s.insert.Close(); s.upsert.Close() }

// storeEvaluation keeps ev: a history row in evaluations when the score,
// grade, reasons or rules differ from the vendor's latest (history is never
// rewritten), and the vendor's current evaluation in full when ev is not
// older than it.
func (db *DB) storeEvaluation(ctx context.Context, st *evalStmts, vendorID int64, ev scoring.Evaluation, prev previousScore) (bool, error) {
	asOf := formatTime(ev.AsOf)
	now := formatTime(db.now())
	evalID := prev.evaluation
	stored := false
	body, err := json.Marshal(evaluationBody{ScoreGrade: ev.ScoreGrade, Components: ev.Components, Reasons: ev.Reasons,
		Evidence: ev.Evidence, Sentences: ev.Sentences})
	if err != nil {
		return false, err
	}
	if !prev.same(ev) {
		res, err := st.insert.ExecContext(ctx, vendorID, asOf, ev.RulesVersion, ev.RulesHash, ev.Score, ev.Grade, string(body), now)
		if err != nil {
			return false, fmt.Errorf("registry: store evaluation of vendor #%d: %w", vendorID, err)
		}
		evalID, _ = res.LastInsertId()
		stored = true
	}
	if prev.exists && asOf < prev.asOf {
		return stored, nil // a past as-of adds history but does not replace the current score
	}
	e := ev.Evidence
	_, err = st.upsert.ExecContext(ctx,
		vendorID, evalID, asOf, ev.RulesVersion, string(body), now, ev.RulesHash, ev.Score, ev.Grade, strings.Join(ev.Reasons, ","),
		e.CallbacksWeight, e.SatisfactionValue, e.ComplaintPoints, e.Exposure)
	if err != nil {
		return stored, fmt.Errorf("registry: current score of vendor #%d: %w", vendorID, err)
	}
	return stored, nil
}

func loadPrevious(ctx context.Context, q querier, vendorID int64) (previousScore, error) {
	var p previousScore
	err := q.QueryRowContext(ctx, `SELECT as_of, score, grade, reasons, rules_hash, evaluation_id FROM vendor_scores WHERE vendor_id = ?`, vendorID).
		Scan(&p.asOf, &p.score, &p.grade, &p.reasons, &p.rulesHash, &p.evaluation)
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
		_, err = db.storeEvaluation(ctx, st, vendorID, ev, prev)
		return err
	})
	return ev, err
}

// ProcessMarks re-evaluates up to limit vendors marked since their last
// evaluation, at asOf, and returns how many it evaluated.
func (db *DB) ProcessMarks(ctx context.Context, limit int, asOf time.Time) (int, error) {
	ids, err := db.TakeMarks(ctx, limit)
	if err != nil {
		return 0, err
	}
	for i, id := range ids {
		if _, err := db.EvaluateVendor(ctx, id, asOf); err != nil && !errors.Is(err, ErrNotFound) {
			// Put the rest back so nothing is lost.
			db.inTx(context.WithoutCancel(ctx), func(tx *sql.Tx) error { return db.markForEvaluation(ctx, tx, ids[i:]) })
			return i, err
		}
	}
	return len(ids), nil
}

// LatestEvaluation returns the vendor's current stored evaluation, or ErrNotFound.
func (db *DB) LatestEvaluation(ctx context.Context, vendorID int64) (StoredEvaluation, error) {
	return db.findEvaluation(ctx, `SELECT evaluation_id, vendor_id, as_of, rules_version, rules_hash, score, grade, body
		FROM vendor_scores WHERE vendor_id = ?`, vendorID)
}

func (db *DB) findEvaluation(ctx context.Context, query string, args ...any) (StoredEvaluation, error) {
	var se StoredEvaluation
	var asOf, body string
	err := db.read.QueryRowContext(ctx, query, args...).Scan(&se.ID, &se.VendorID, &asOf, &se.RulesVersion, &se.RulesHash, &se.Score, &se.Grade, &body)
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
	se.ScoreGrade, se.Components, se.Reasons, se.Evidence, se.Sentences = b.ScoreGrade, b.Components, b.Reasons, b.Evidence, b.Sentences
	if se.Reasons == nil {
		se.Reasons = []string{}
	}
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
