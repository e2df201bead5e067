package registry

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"chengxin/scoring"
)

// RescoreOptions control a full evaluation run.
type RescoreOptions struct {
	// Rules to evaluate with; zero means the current rules.
	Rules *scoring.Rules
	AsOf  time.Time
	// DryRun evaluates every vendor under both the current rules and Rules
	// and reports the grade transitions, storing nothing (what-if).
	DryRun   bool
	Workers  int
	Progress func(done int)
	// Collect, when set, receives every vendor's evaluation (on one
	// goroutine); publication runs decide from them.
	Collect func(vendorID int64, ev scoring.Evaluation)
}

// Transition counts vendors moving from one grade to another.
type Transition struct {
	From, To string
	Vendors  int
}

// Mover is one of the vendors whose score moves most.
type Mover struct {
	VendorID           int64
	USCC, Name         string
	FromScore, ToScore float64
	FromGrade, ToGrade string
}

// RescoreStats summarises a run.
type RescoreStats struct {
	Vendors, Stored, Records int
	// Transitions: from the current (or, in a dry run, the current rules')
	// grade to the new grade; "" is a vendor never evaluated.
	Transitions []Transition
	Movers      []Mover
	Took        time.Duration
}

// maxMovers is how many of the biggest movers a run reports.
const maxMovers = 20

// vendorBatch is one vendor's records from a stream, or the stream's error.
type vendorBatch[T any] struct {
	vendorID int64
	recs     []T
	err      error
}

// streamPacked runs a query of (vendor_id, packed records) ordered by
// vendor_id and sends each vendor's records, unpacked, as one batch.
func streamPacked[T any](ctx context.Context, db *sql.DB, query string, fields int, parse func([]string) T, out chan<- vendorBatch[T]) {
	defer close(out)
	send := func(b vendorBatch[T]) bool {
		select {
		case out <- b:
			return true
		case <-ctx.Done():
			return false
		}
	}
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		send(vendorBatch[T]{err: err})
		return
	}
	defer rows.Close()
	for rows.Next() {
		var b vendorBatch[T]
		var packed string
		if err := rows.Scan(&b.vendorID, &packed); err != nil {
			send(vendorBatch[T]{err: err})
			return
		}
		for _, rec := range strings.Split(packed, "\x1e") {
			f := strings.Split(rec, "\x1f")
			if len(f) != fields {
				send(vendorBatch[T]{err: fmt.Errorf("vendor #%d: a packed record has %d fields, want %d", b.vendorID, len(f), fields)})
				return
			}
			b.recs = append(b.recs, parse(f))
		}
		if !send(b) {
			return
		}
	}
	if err := rows.Err(); err != nil {
		send(vendorBatch[T]{err: err})
	}
}

// take returns the batch for vendorID from a stream, keeping later vendors' batches.
type batchReader[T any] struct {
	ch      <-chan vendorBatch[T]
	pending *vendorBatch[T]
	done    bool
}

func (b *batchReader[T]) take(vendorID int64) ([]T, error) {
	for !b.done {
		if b.pending == nil {
			v, ok := <-b.ch
			if !ok {
				b.done = true
				return nil, nil
			}
			b.pending = &v
		}
		switch {
		case b.pending.err != nil:
			return nil, b.pending.err
		case b.pending.vendorID == vendorID:
			recs := b.pending.recs
			b.pending = nil
			return recs, nil
		case b.pending.vendorID > vendorID:
			return nil, nil
		default:
			b.pending = nil // records of a vendor that no longer exists
		}
	}
	return nil, nil
}

type rescoreItem struct {
	seq        int // the vendor's place in the read order (by id), from 0
	id         int64
	uscc, name string
	in         scoring.Inputs
	prev       previousScore
}

type rescoreResult struct {
	item      rescoreItem
	ev        scoring.Evaluation
	fromGrade string
	fromScore float64
}

// Rescore evaluates every vendor at opt.AsOf, reading each vendor's records
// in vendor order from streaming queries (never the whole database), with
// evaluation spread over worker goroutines and results stored in batches.
func (db *DB) Rescore(ctx context.Context, opt RescoreOptions) (RescoreStats, error) {
	start := time.Now()
	var st RescoreStats
	current, err := db.CurrentRules(ctx)
	if err != nil {
		return st, err
	}
	rules := current
	if opt.Rules != nil {
		rules = *opt.Rules
	}
	if err := rules.Validate(); err != nil {
		return st, err
	}
	if opt.AsOf.IsZero() {
		opt.AsOf = db.now()
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 8)
	items := make(chan rescoreItem, 256)
	results := make(chan rescoreResult, 256)

	go db.readVendorsForRescore(ctx, items, errc)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range items {
				r := rescoreResult{item: it, ev: scoring.Evaluate(rules, it.in, opt.AsOf)}
				if opt.DryRun {
					before := scoring.Evaluate(current, it.in, opt.AsOf)
					r.fromGrade, r.fromScore = before.Grade, before.Score
				} else if it.prev.exists {
					r.fromGrade, r.fromScore = it.prev.grade, it.prev.score
				}
				select {
				case results <- r:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	// Batches are stored by a writer goroutine, so reading and evaluating
	// go on while a batch commits.
	writes := make(chan []rescoreResult, 2)
	writeErr := make(chan error, 1)
	var stored int
	go func() {
		var failed error
		for batch := range writes {
			if failed != nil {
				continue // drain
			}
			failed = db.inTx(ctx, func(tx *sql.Tx) error {
				stmts, err := prepareEvalStmts(ctx, tx)
				if err != nil {
					return err
				}
				defer stmts.Close()
				for _, r := range batch {
					ok, err := db.storeEvaluation(ctx, stmts, r.item.id, r.ev, r.item.in, r.item.prev)
					if err != nil {
						return err
					}
					if ok {
						stored++
					}
				}
				return nil
			})
			if failed != nil {
				cancel()
			}
		}
		writeErr <- failed
	}()
	transitions := map[[2]string]int{}
	var batch []rescoreResult
	send := func() {
		if len(batch) > 0 && !opt.DryRun {
			writes <- batch
		}
		batch = nil
	}
	readFailed := func() error {
		select {
		case err := <-errc: // never store a batch once reading has failed
			return fmt.Errorf("registry: rescore: %w", err)
		default:
			return nil
		}
	}
	var runErr error
	// Workers finish in any order; results are taken in the order vendors
	// were read (by id), so evaluations get their ids, and batches their
	// members, the same way on every run and engine.
	ahead := map[int]rescoreResult{}
	next := 0
	inOrder := func(yield func(rescoreResult) bool) {
		for r := range results {
			ahead[r.item.seq] = r
			for {
				r, ok := ahead[next]
				if !ok {
					break
				}
				delete(ahead, next)
				next++
				if !yield(r) {
					return
				}
			}
		}
	}
	for r := range inOrder {
		st.Vendors++
		st.Records += len(r.item.in.Callbacks) + len(r.item.in.Complaints) + len(r.item.in.Volumes) + len(r.item.in.Sanctions)
		transitions[[2]string{r.fromGrade, r.ev.Grade}]++
		if opt.Collect != nil {
			opt.Collect(r.item.id, r.ev)
		}
		st.Movers = addMover(st.Movers, r)
		batch = append(batch, r)
		if len(batch) >= 1000 {
			if runErr = readFailed(); runErr != nil {
				cancel()
				break
			}
			send()
		}
		if opt.Progress != nil && st.Vendors%1000 == 0 {
			opt.Progress(st.Vendors)
		}
	}
	if runErr == nil {
		runErr = readFailed()
	}
	if runErr == nil && ctx.Err() == nil {
		send()
	}
	close(writes)
	if err := <-writeErr; err != nil {
		return st, fmt.Errorf("registry: rescore: store: %w", err)
	}
	if runErr != nil {
		return st, runErr
	}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	st.Stored = stored
	if !opt.DryRun {
		if err := db.Checkpoint(ctx); err != nil {
			return st, err
		}
	}
	if opt.Progress != nil {
		opt.Progress(st.Vendors)
	}
	for k, n := range transitions {
		st.Transitions = append(st.Transitions, Transition{From: k[0], To: k[1], Vendors: n})
	}
	sort.Slice(st.Transitions, func(i, j int) bool {
		a, b := st.Transitions[i], st.Transitions[j]
		if a.From != b.From {
			return a.From < b.From
		}
		return a.To < b.To
	})
	st.Took = time.Since(start)
	if !opt.DryRun {
		db.stats.rescores.Add(1)
		db.stats.rescoreNs.Store(int64(st.Took))
	}
	return st, nil
}

// addMover keeps the maxMovers biggest score changes, compared in tenths
// (scores are round1'd) with ties to the lower vendor id, so the list does
// not depend on the order workers finish in.
func addMover(ms []Mover, r rescoreResult) []Mover {
	if r.fromGrade == "" {
		return ms
	}
	m := Mover{VendorID: r.item.id, USCC: r.item.uscc, Name: r.item.name, FromScore: r.fromScore, ToScore: r.ev.Score,
		FromGrade: r.fromGrade, ToGrade: r.ev.Grade}
	delta := func(m Mover) int64 { return int64(math.Round(math.Abs(m.ToScore-m.FromScore) * 10)) }
	before := func(a, b Mover) bool { // a ranks before b
		return delta(a) > delta(b) || (delta(a) == delta(b) && a.VendorID < b.VendorID)
	}
	if delta(m) == 0 || (len(ms) == maxMovers && !before(m, ms[len(ms)-1])) {
		return ms
	}
	i := sort.Search(len(ms), func(i int) bool { return before(m, ms[i]) })
	ms = append(ms, Mover{})
	copy(ms[i+1:], ms[i:])
	ms[i] = m
	if len(ms) > maxMovers {
		ms = ms[:maxMovers]
	}
	return ms
}

// readVendorsForRescore merges the vendor list with four record streams, all
// in vendor order, into one item per vendor.
func (db *DB) readVendorsForRescore(ctx context.Context, out chan<- rescoreItem, errc chan<- error) {
	defer close(out)
	cbs := make(chan vendorBatch[scoring.Callback], 64)
	cps := make(chan vendorBatch[scoring.Complaint], 64)
	vols := make(chan vendorBatch[scoring.Volume], 64)
	sancs := make(chan vendorBatch[scoring.Sanction], 64)
	// Each stream is one GROUP BY vendor query that packs a vendor's records
	// into one string (fields split by the unit separator, records by the
	// record separator; neither can occur in stored text, which is printable),
	// so the driver hands over 100,000 rows instead of 10 million.
	go streamPacked(ctx, db.read, `SELECT vendor_id, group_concat(called_at || char(31) || result || char(31) || work_order_no, char(30))
		FROM callbacks GROUP BY vendor_id ORDER BY vendor_id`, 3,
		func(f []string) scoring.Callback {
			return scoring.Callback{CalledAt: parseStored(f[0]), Result: f[1], WorkOrderNo: f[2]}
		}, cbs)
	go streamPacked(ctx, db.read, `SELECT vendor_id, group_concat(received_at || char(31) || severity || char(31) || status || char(31) ||
		outcome || char(31) || deadline_at || char(31) || coalesce(closed_at, '') || char(31) || late_excused || char(31) ||
		work_order_no || char(31) || service_order_no, char(30)) FROM complaints GROUP BY vendor_id ORDER BY vendor_id`, 9,
		func(f []string) scoring.Complaint {
			c := scoring.Complaint{ReceivedAt: parseStored(f[0]), Severity: f[1], Status: f[2], Outcome: f[3],
				LateExcused: f[6] == "1", WorkOrderNo: f[7], ServiceOrderNo: f[8]}
			d := parseStored(f[4])
			c.DeadlineAt = &d
			if f[5] != "" {
				closed := parseStored(f[5])
				c.ClosedAt = &closed
			}
			return c
		}, cps)
	go streamPacked(ctx, db.read, `SELECT vendor_id, group_concat(month || char(31) || source || char(31) || orders, char(30))
		FROM volumes GROUP BY vendor_id ORDER BY vendor_id`, 3,
		func(f []string) scoring.Volume {
			n, _ := strconv.Atoi(f[2])
			return scoring.Volume{Month: f[0], Source: f[1], Orders: n}
		}, vols)
	go streamPacked(ctx, db.read, `SELECT vendor_id, group_concat(id || char(31) || kind || char(31) || issued_at || char(31) ||
		coalesce(display_until, '') || char(31) || coalesce(repaired_at, '') || char(31) || coalesce(lifted_at, ''), char(30))
		FROM sanctions GROUP BY vendor_id ORDER BY vendor_id`, 6,
		func(f []string) scoring.Sanction {
			id, _ := strconv.ParseInt(f[0], 10, 64)
			s := scoring.Sanction{ID: id, Kind: f[1], IssuedAt: parseStored(f[2]), Repaired: f[4] != ""}
			if f[3] != "" {
				until := parseStored(f[3])
				s.DisplayUntil = &until
			}
			if f[5] != "" {
				if l := parseStored(f[5]); s.DisplayUntil == nil || l.Before(*s.DisplayUntil) {
					s.DisplayUntil = &l
				}
			}
			return s
		}, sancs)
	successors, err := db.successorsWithPredecessors(ctx)
	if err != nil {
		errc <- err
		return
	}
	cbR, cpR, volR, sancR := &batchReader[scoring.Callback]{ch: cbs}, &batchReader[scoring.Complaint]{ch: cps},
		&batchReader[scoring.Volume]{ch: vols}, &batchReader[scoring.Sanction]{ch: sancs}
	rows, err := db.read.QueryContext(ctx, `SELECT v.id, v.uscc, v.name, v.registered_at, v.status, v.licence_valid_until, v.insurance_valid_until,
		s.as_of, s.score, s.grade, s.material_hash, s.evaluation_id
		FROM vendors v LEFT JOIN vendor_scores s ON s.vendor_id = v.id ORDER BY v.id`)
	if err != nil {
		errc <- err
		return
	}
	defer rows.Close()
	for seq := 0; rows.Next(); seq++ {
		it := rescoreItem{seq: seq}
		var reg string
		var lic, ins, asOf, grade *string
		var score *float64
		var evalID, mh *int64
		if err := rows.Scan(&it.id, &it.uscc, &it.name, &reg, &it.in.Status, &lic, &ins, &asOf, &score, &grade, &mh, &evalID); err != nil {
			errc <- err
			return
		}
		it.in.RegisteredAt, it.in.LicenceValidUntil, it.in.InsuranceValidUntil = parseStored(reg), parseStoredPtr(lic), parseStoredPtr(ins)
		if evalID != nil {
			it.prev = previousScore{exists: true, asOf: *asOf, score: *score, grade: *grade, materialHash: *mh, evaluation: *evalID}
		}
		var errs [4]error
		it.in.Callbacks, errs[0] = cbR.take(it.id)
		it.in.Complaints, errs[1] = cpR.take(it.id)
		it.in.Volumes, errs[2] = volR.take(it.id)
		it.in.Sanctions, errs[3] = sancR.take(it.id)
		if successors[it.id] { // a re-registered business: its predecessors' records count too
			if err := addPredecessorRecords(ctx, db.read, it.id, &it.in); err != nil {
				errc <- err
				return
			}
		}
		for _, err := range errs {
			if err != nil {
				errc <- err // this vendor's records are incomplete: stop before evaluating it
				return
			}
		}
		select {
		case out <- it:
		case <-ctx.Done():
			return
		}
	}
	if err := rows.Err(); err != nil {
		errc <- err
	}
	// Drain the streams so their goroutines end.
	for _, r := range []interface{ drain() }{cbR, cpR, volR, sancR} {
		r.drain()
	}
}

func (b *batchReader[T]) drain() {
	for range b.ch {
	}
}

// AggregateRecords runs one SQL GROUP BY vendor aggregate over every
// callback, complaint and volume: the floor a full rescore is measured
// against (it reads the same records and does no scoring).
func (db *DB) AggregateRecords(ctx context.Context) (vendors, records int, took time.Duration, err error) {
	start := time.Now()
	seen := map[int64]bool{}
	for _, q := range []string{
		`SELECT vendor_id, count(*), count(*) FILTER (WHERE result = 'satisfied'), max(called_at) FROM callbacks GROUP BY vendor_id`,
		`SELECT vendor_id, count(*), count(*) FILTER (WHERE outcome = 'substantiated'), max(received_at) FROM complaints GROUP BY vendor_id`,
		`SELECT vendor_id, count(*), sum(orders), max(month) FROM volumes GROUP BY vendor_id`,
	} {
		rows, err := db.read.QueryContext(ctx, q)
		if err != nil {
			return 0, 0, 0, err
		}
		for rows.Next() {
			var id int64
			var n int
			var s any
			var m string
			if err := rows.Scan(&id, &n, &s, &m); err != nil {
				rows.Close()
				return 0, 0, 0, err
			}
			seen[id] = true
			records += n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, 0, 0, err
		}
	}
	return len(seen), records, time.Since(start), nil
}
