package registry

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// bulkCommitEvery is how many rows a bulk load writes per transaction.
const bulkCommitEvery = 50_000

// BulkLoader writes large amounts of generated or migrated data in big
// transactions. It skips per-record validation and per-record audit
// entries: the caller guarantees valid, new records, and the load as a
// whole is audited once (action "bulk.load") when it closes. Use it for
// synthetic cities (demo, gen) and benchmarks, never for input from
// outside.
//
// On SQLite every row is one prepared INSERT. On PostgreSQL, where each
// statement is a round trip to the server, only organisations and vendors
// (whose new ids the caller needs) are inserted one by one; the rows that
// only refer to them — districts, categories, memberships, complaints,
// callbacks, volumes — are kept and sent with COPY, and re-evaluation marks
// with one upsert, just before each transaction commits. The rows and ids
// stored are the same as by INSERTs in the same order; an error in such a
// row (a duplicate work-order number) surfaces at the next commit or at
// Close instead of at the call that added it.
type BulkLoader struct {
	db     *DB
	ctx    context.Context
	actor  Actor
	conn   *sql.Conn // PostgreSQL: the writer connection of the open transaction
	tx     *sql.Tx
	stmts  map[string]*sql.Stmt
	rows   int
	counts map[string]int
	now    string
	// commitEvery is bulkCommitEvery (tests make it small).
	commitEvery int
	// useCopy sends the rows of bulkCopy's kinds with COPY (PostgreSQL).
	useCopy bool
	// pending holds, per kind, the rows waiting for COPY; marks the vendor
	// ids waiting to be marked, and marked those already sent in this load.
	pending map[string][][]any
	marks   []int64
	marked  map[int64]bool
}

var bulkSQL = map[string]string{
	"org":       `INSERT INTO orgs(uscc, name, kind, district, contact_phone, created_at, updated_at) VALUES (?,?,?,?,?,?,?) RETURNING id`,
	"vendor":    `INSERT INTO vendors(uscc, name, name_pinyin, legal_rep, phone, address, licence_no, licence_valid_until, insurance_valid_until, registered_at, status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id`,
	"district":  `INSERT INTO vendor_districts(vendor_id, district) VALUES (?,?)`,
	"category":  `INSERT INTO vendor_categories(vendor_id, category) VALUES (?,?)`,
	"member":    `INSERT INTO memberships(org_id, vendor_id, status, since, updated_at) VALUES (?,?,?,?,?)`,
	"complaint": `INSERT INTO complaints(work_order_no, vendor_id, received_at, channel, category, severity, status, outcome, deadline_at, closed_at, service_order_no, summary, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
	"callback":  `INSERT INTO callbacks(work_order_no, vendor_id, called_at, result, updated_at) VALUES (?,?,?,?,?)`,
	"volume":    `INSERT INTO volumes(vendor_id, month, source, orders, updated_at) VALUES (?,?,?,?,?)`,
	"mark":      `INSERT INTO reeval_marks(vendor_id, marked_at) VALUES (?,?) ON CONFLICT(vendor_id) DO UPDATE SET marked_at = excluded.marked_at`,
}

// bulkCopyTarget is the table and columns a kind of row is copied into:
// the columns of its statement in bulkSQL, in the same order.
type bulkCopyTarget struct {
	table string
	cols  []string
}

// bulkCopy lists the kinds sent with COPY on PostgreSQL, in the order they
// are sent.
var bulkCopy = []struct {
	kind string
	bulkCopyTarget
}{
	{"district", bulkCopyTarget{"vendor_districts", []string{"vendor_id", "district"}}},
	{"category", bulkCopyTarget{"vendor_categories", []string{"vendor_id", "category"}}},
	{"member", bulkCopyTarget{"memberships", []string{"org_id", "vendor_id", "status", "since", "updated_at"}}},
	{"complaint", bulkCopyTarget{"complaints", []string{"work_order_no", "vendor_id", "received_at", "channel", "category", "severity",
		"status", "outcome", "deadline_at", "closed_at", "service_order_no", "summary", "updated_at"}}},
	{"callback", bulkCopyTarget{"callbacks", []string{"work_order_no", "vendor_id", "called_at", "result", "updated_at"}}},
	{"volume", bulkCopyTarget{"volumes", []string{"vendor_id", "month", "source", "orders", "updated_at"}}},
}

// bulkMarkSQL marks many vendors at once on PostgreSQL (ids distinct).
const bulkMarkSQL = `INSERT INTO reeval_marks(vendor_id, marked_at) SELECT unnest($1::bigint[]), $2
ON CONFLICT(vendor_id) DO UPDATE SET marked_at = excluded.marked_at`

// NewBulkLoader starts a bulk load.
func (db *DB) NewBulkLoader(ctx context.Context, actor Actor) (*BulkLoader, error) {
	return db.newBulkLoader(ctx, actor, db.pg, bulkCommitEvery)
}

func (db *DB) newBulkLoader(ctx context.Context, actor Actor, useCopy bool, commitEvery int) (*BulkLoader, error) {
	// Statements run without cancellation: with a cancellable context the
	// driver starts a watcher goroutine per statement. The caller checks ctx
	// between records instead.
	b := &BulkLoader{db: db, ctx: context.WithoutCancel(ctx), actor: actor, counts: map[string]int{}, now: formatTime(db.now()),
		commitEvery: commitEvery, useCopy: useCopy && db.pg, pending: map[string][][]any{}, marked: map[int64]bool{}}
	return b, b.begin()
}

func (b *BulkLoader) begin() error {
	if !b.useCopy {
		tx, err := b.db.beginWrite(b.ctx)
		if err != nil {
			return fmt.Errorf("registry: bulk begin: %w", err)
		}
		b.tx, b.stmts = tx, map[string]*sql.Stmt{}
		return nil
	}
	// COPY needs the connection the transaction runs on: take the
	// writer's connection and begin on it as beginWrite does.
	conn, err := b.db.write.Conn(b.ctx)
	if err != nil {
		return fmt.Errorf("registry: bulk begin: %w", err)
	}
	tx, err := conn.BeginTx(b.ctx, nil)
	if err == nil {
		if _, err = tx.ExecContext(b.ctx, `SELECT pg_advisory_xact_lock(?)`, pgWriteLock); err != nil {
			tx.Rollback()
		}
	}
	if err != nil {
		conn.Close()
		return fmt.Errorf("registry: bulk begin: %w", err)
	}
	b.conn, b.tx, b.stmts = conn, tx, map[string]*sql.Stmt{}
	return nil
}

// exec runs one bulk statement (or, for the kinds sent with COPY, keeps
// its row); with id non-nil the statement returns the new row's id
// (RETURNING id) into it.
func (b *BulkLoader) exec(kind string, id *int64, args ...any) error {
	switch {
	case b.useCopy && kind == "mark": // Mark keeps it in b.marks
	case b.useCopy && id == nil:
		b.pending[kind] = append(b.pending[kind], args)
	default:
		if err := b.execNow(kind, id, args); err != nil {
			return err
		}
	}
	b.counts[kind]++
	if b.rows++; b.rows%b.commitEvery == 0 {
		if err := b.commit(); err != nil {
			return err
		}
		if err := b.begin(); err != nil {
			return err
		}
	}
	return nil
}

func (b *BulkLoader) execNow(kind string, id *int64, args []any) error {
	st, ok := b.stmts[kind]
	if !ok {
		var err error
		if st, err = b.tx.PrepareContext(b.ctx, bulkSQL[kind]); err != nil {
			return fmt.Errorf("registry: bulk prepare %s: %w", kind, err)
		}
		b.stmts[kind] = st
	}
	var err error
	if id != nil {
		err = st.QueryRowContext(b.ctx, args...).Scan(id)
	} else {
		_, err = st.ExecContext(b.ctx, args...)
	}
	if err != nil {
		return fmt.Errorf("registry: bulk %s: %w", kind, err)
	}
	return nil
}

// flush sends the rows kept for COPY and the marks, in the open
// transaction.
func (b *BulkLoader) flush() error {
	if len(b.marks) == 0 && len(b.pending) == 0 {
		return nil
	}
	err := b.conn.Raw(func(dc any) error {
		pc, ok := dc.(*pgConn)
		if !ok {
			return fmt.Errorf("registry: bulk copy: the writer's connection is a %T", dc)
		}
		conn := pc.base.Conn()
		for _, c := range bulkCopy {
			rows := b.pending[c.kind]
			if len(rows) == 0 {
				continue
			}
			n, err := conn.CopyFrom(b.ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(rows))
			if err != nil {
				return fmt.Errorf("registry: bulk copy %s: %w", c.table, err)
			}
			if n != int64(len(rows)) {
				return fmt.Errorf("registry: bulk copy %s: %d of %d rows stored", c.table, n, len(rows))
			}
		}
		if len(b.marks) > 0 {
			if _, err := conn.Exec(b.ctx, bulkMarkSQL, b.marks, b.now); err != nil {
				return fmt.Errorf("registry: bulk marks: %w", err)
			}
		}
		return nil
	})
	clear(b.pending)
	b.marks = b.marks[:0]
	return err
}

func (b *BulkLoader) commit() error {
	if b.useCopy {
		if err := b.flush(); err != nil {
			return err
		}
	}
	for _, st := range b.stmts {
		st.Close()
	}
	err := b.tx.Commit()
	b.tx = nil
	if b.conn != nil {
		b.conn.Close()
		b.conn = nil
	}
	if err != nil {
		return fmt.Errorf("registry: bulk commit: %w", err)
	}
	return nil
}

// Org inserts an organisation and returns its id.
func (b *BulkLoader) Org(o Org) (int64, error) {
	var id int64
	err := b.exec("org", &id, o.USCC, o.Name, o.Kind, o.District, o.ContactPhone, b.now, b.now)
	return id, err
}

// Vendor inserts a vendor with its districts and categories and returns its id.
func (b *BulkLoader) Vendor(v Vendor) (int64, error) {
	status := v.Status
	if status == "" {
		status = VendorActive
	}
	var id int64
	err := b.exec("vendor", &id, v.USCC, v.Name, NamePinyinKey(v.Name), v.LegalRep, v.Phone, v.Address, v.LicenceNo, formatTimePtr(v.LicenceValidUntil),
		formatTimePtr(v.InsuranceValidUntil), formatTime(v.RegisteredAt), status, b.now, b.now)
	if err != nil {
		return 0, err
	}
	for _, d := range v.Districts {
		if err := b.exec("district", nil, id, d); err != nil {
			return 0, err
		}
	}
	for _, c := range v.Categories {
		if err := b.exec("category", nil, id, c); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// Membership makes a vendor an active member of an organisation since a date.
func (b *BulkLoader) Membership(orgID, vendorID int64, since time.Time) error {
	err := b.exec("member", nil, orgID, vendorID, MemberActive, formatTime(since), b.now)
	return err
}

// Complaint inserts a complaint (its summary is masked here too).
func (b *BulkLoader) Complaint(c Complaint) error {
	err := b.exec("complaint", nil, c.WorkOrderNo, c.VendorID, formatTime(c.ReceivedAt), c.Channel, c.Category, c.Severity, c.Status,
		c.Outcome, formatTime(c.DeadlineAt), formatTimePtr(c.ClosedAt), c.ServiceOrderNo, MaskPersonalNumbers(c.Summary), b.now)
	return err
}

// Callback inserts a callback.
func (b *BulkLoader) Callback(cb Callback) error {
	err := b.exec("callback", nil, cb.WorkOrderNo, cb.VendorID, formatTime(cb.CalledAt), cb.Result, b.now)
	return err
}

// Volume inserts a monthly volume.
func (b *BulkLoader) Volume(v Volume) error {
	err := b.exec("volume", nil, v.VendorID, v.Month, v.Source, v.Orders, b.now)
	return err
}

// Mark queues a vendor for evaluation.
func (b *BulkLoader) Mark(vendorID int64) error {
	if b.useCopy {
		if !b.marked[vendorID] { // marked_at is the load's time for every mark
			b.marked[vendorID] = true
			b.marks = append(b.marks, vendorID)
		}
		return b.exec("mark", nil, vendorID, b.now)
	}
	err := b.exec("mark", nil, vendorID, b.now)
	return err
}

// Rows is the number of rows written so far.
func (b *BulkLoader) Rows() int { return b.rows }

// Close commits the rest and writes one audit entry with the counts.
func (b *BulkLoader) Close(subject string) error {
	if b.tx != nil {
		if err := b.commit(); err != nil {
			b.Abort()
			return err
		}
	}
	counts := map[string]int{}
	for k, n := range b.counts {
		if k != "mark" {
			counts[k] = n
		}
	}
	err := b.db.inTx(b.ctx, func(tx *sql.Tx) error {
		return b.db.audit(b.ctx, tx, b.actor.String(), "bulk.load", subject, counts)
	})
	if err != nil {
		return err
	}
	if b.counts["mark"] > 0 {
		b.db.signalMarks()
	}
	if b.db.pg {
		return b.vacuum()
	}
	return b.db.Checkpoint(b.ctx)
}

// bulkTables names the table each kind of row goes to.
var bulkTables = map[string]string{"org": "orgs", "vendor": "vendors", "district": "vendor_districts", "category": "vendor_categories",
	"member": "memberships", "complaint": "complaints", "callback": "callbacks", "volume": "volumes", "mark": "reeval_marks"}

// vacuum runs VACUUM (ANALYZE) on the PostgreSQL tables the load wrote
// (what SQLite's checkpoint is to the SQLite file): without planner
// statistics the next queries guess (a full rescore's GROUP BY vendor
// spilled a hash aggregate to disk), and until the visibility map is set
// the covering indexes cannot answer index-only. Autovacuum would get there
// in its own time, or never where it is off; the command after a bulk load
// (rescore after gen) should not wait for it. 2 s for 2 million records.
func (b *BulkLoader) vacuum() error {
	var tables []string
	for kind, n := range b.counts {
		if n > 0 && bulkTables[kind] != "" {
			tables = append(tables, bulkTables[kind])
		}
	}
	if b.counts["vendor"] > 0 || b.counts["member"] > 0 || b.counts["org"] > 0 {
		tables = append(tables, "public_changes") // their triggers write it
	}
	if len(tables) == 0 {
		return nil
	}
	sort.Strings(tables)
	if _, err := b.db.write.ExecContext(b.ctx, `VACUUM (ANALYZE) `+strings.Join(tables, ", ")); err != nil {
		return fmt.Errorf("registry: bulk load: vacuum: %w", err)
	}
	return nil
}

// Abort rolls back the open transaction (rows already committed stay).
func (b *BulkLoader) Abort() {
	if b.tx != nil {
		for _, st := range b.stmts {
			st.Close()
		}
		b.tx.Rollback()
		b.tx = nil
	}
	if b.conn != nil {
		b.conn.Close()
		b.conn = nil
	}
	clear(b.pending)
	b.marks = b.marks[:0]
}
