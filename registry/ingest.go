package registry

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"chengxin/i18n"
)

// Ingest limits (docs/CONTRACT.md "Ingest API").
const (
	MaxIngestRecords = 10_000
	// ingestTxSize bounds how many records share one write transaction, so
	// the single writer is never held long and readers never wait.
	ingestTxSize = 500
	// ingestYieldAfter: a batch transaction that has written this many
	// records commits early when a small ingest (at most this many records)
	// waits for the writer, so a single record posted during a large batch
	// waits for at most this many. Other writes (the evaluator, another
	// large batch) do not make batches yield.
	ingestYieldAfter = 50
)

// Record statuses beyond the save results.
const ResultSuperseded = "superseded"

// IngestResult is one record's outcome.
type IngestResult struct {
	Index  int               `json:"index"`
	Key    string            `json:"key"`
	Status string            `json:"status"`
	Errors map[string]string `json:"errors,omitempty"`
}

// IngestSummary is the response body of an ingest request.
type IngestSummary struct {
	Accepted int            `json:"accepted"`
	Rejected int            `json:"rejected"`
	Results  []IngestResult `json:"results"`
}

// Count returns how many results have the status.
func (s IngestSummary) Count(status string) int {
	n := 0
	for _, r := range s.Results {
		if r.Status == status {
			n++
		}
	}
	return n
}

// DecodeError rejects a record that could not be decoded into its type
// (unknown fields, wrong types); Key is its natural key when it was readable.
type DecodeError struct {
	Key    string
	Fields map[string]i18n.Text
}

// IngestComplaints validates and upserts complaint records. decodeErrs[i],
// when non-nil, rejects record i before validation.
func (db *DB) IngestComplaints(ctx context.Context, actor Actor, recs []ComplaintInput, decodeErrs []*DecodeError) (IngestSummary, error) {
	return ingest(ctx, db, actor, recs, decodeErrs, prepareComplaint, func(ctx context.Context, tx dbtx, a Actor, c Complaint, _ string) (string, []int64, error) {
		return db.upsertComplaint(ctx, tx, a, c)
	})
}

// IngestCallbacks validates and upserts callback records.
func (db *DB) IngestCallbacks(ctx context.Context, actor Actor, recs []CallbackInput, decodeErrs []*DecodeError) (IngestSummary, error) {
	return ingest(ctx, db, actor, recs, decodeErrs, prepareCallback, func(ctx context.Context, tx dbtx, a Actor, cb Callback, _ string) (string, []int64, error) {
		return db.upsertCallback(ctx, tx, a, cb)
	})
}

// IngestVolumes validates and upserts monthly volume records.
func (db *DB) IngestVolumes(ctx context.Context, actor Actor, recs []VolumeInput, decodeErrs []*DecodeError) (IngestSummary, error) {
	return ingest(ctx, db, actor, recs, decodeErrs, prepareVolume, db.upsertVolume)
}

type preparer[In, Rec any] func(context.Context, *vendorResolver, timeParser, In) (Rec, string, error)
type upserter[Rec any] func(context.Context, dbtx, Actor, Rec, string) (string, []int64, error)

// ingest is the shared pipeline: validate every record, let the last of
// several records with one key win, then upsert in bounded transactions,
// marking changed vendors for re-evaluation. Every result is durable
// (committed with synchronous=FULL) when ingest returns.
func ingest[In, Rec any](ctx context.Context, db *DB, actor Actor, recs []In, decodeErrs []*DecodeError, prepare preparer[In, Rec], upsert upserter[Rec]) (IngestSummary, error) {
	sum := IngestSummary{Results: make([]IngestResult, len(recs))}
	resolver := newVendorResolver(db, db.read)
	tp := timeParser{strict: true, now: db.now()}
	prepared := make([]Rec, len(recs))
	last := map[string]int{}
	for i, in := range recs {
		res := &sum.Results[i]
		res.Index = i
		if i < len(decodeErrs) && decodeErrs[i] != nil {
			res.Key, res.Status, res.Errors = decodeErrs[i].Key, ResultRejected, renderFields(decodeErrs[i].Fields)
			continue
		}
		if bad := notUTF8Fields(in); bad != nil {
			res.Key, res.Status, res.Errors = strings.ToValidUTF8(keyField(in), "\uFFFD"), ResultRejected, bad
			continue
		}
		rec, key, err := prepare(ctx, resolver, tp, in)
		res.Key = key
		if err != nil {
			if v, ok := AsValidation(err); ok {
				res.Status, res.Errors = ResultRejected, v.Messages(i18n.EN)
				continue
			}
			return sum, err
		}
		prepared[i] = rec
		if j, dup := last[key]; dup {
			sum.Results[j].Status = ResultSuperseded
		}
		last[key] = i
	}
	var winners []int
	for i := range sum.Results {
		if sum.Results[i].Status == "" {
			winners = append(winners, i)
		}
	}
	begin := db.inTx
	if len(winners) <= ingestYieldAfter {
		begin = db.inTxUrgent // a few records: large batches make way for it
	}
	for next := 0; next < len(winners); {
		end := next
		err := begin(ctx, func(sqlTx *sql.Tx) error {
			tx := newStmtTx(sqlTx)
			var touched []int64
			for ; end < len(winners) && end-next < ingestTxSize; end++ {
				if end-next >= ingestYieldAfter && db.stats.waiting.Load() > 0 {
					break // commit now and let the waiting writer (often one hotline record) in
				}
				i := winners[end]
				status, ids, err := upsert(ctx, tx, actor, prepared[i], sum.Results[i].Key)
				if err != nil {
					return err
				}
				sum.Results[i].Status = status
				touched = append(touched, ids...)
			}
			return db.markForEvaluation(ctx, tx, touched)
		})
		if err != nil {
			for _, i := range winners[next:end] {
				sum.Results[i].Status = ""
			}
			return sum, fmt.Errorf("registry: ingest: %w", err)
		}
		db.signalMarks()
		next = end
	}
	for _, r := range sum.Results {
		if r.Status == ResultRejected {
			sum.Rejected++
		} else {
			sum.Accepted++
		}
	}
	return sum, nil
}

func renderFields(fields map[string]i18n.Text) map[string]string {
	out := make(map[string]string, len(fields))
	for k, t := range fields {
		out[k] = t.In(i18n.EN)
	}
	return out
}

// signalMarks wakes whoever waits for re-evaluation marks, without blocking.
func (db *DB) signalMarks() {
	select {
	case db.marks <- struct{}{}:
	default:
	}
}

// MarkSignal receives a value after commits that marked vendors for
// re-evaluation (several commits may share one signal).
func (db *DB) MarkSignal() <-chan struct{} { return db.marks }

// TakeMarks removes and returns up to limit vendors marked for
// re-evaluation, oldest first.
func (db *DB) TakeMarks(ctx context.Context, limit int) ([]int64, error) {
	var ids []int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT vendor_id FROM reeval_marks ORDER BY marked_at, vendor_id LIMIT ?`, limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `DELETE FROM reeval_marks WHERE vendor_id = ?`, id); err != nil {
				return err
			}
		}
		return nil
	})
	return ids, err
}

// CountMarks returns how many vendors wait for re-evaluation.
func (db *DB) CountMarks(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM reeval_marks`).Scan(&n)
	return n, err
}

// notUTF8Fields names the string fields of a record that are not valid
// UTF-8 (by their JSON names). Such a record is rejected, never stored with
// its bytes replaced: two work-order numbers that differ only in bad bytes
// would otherwise collapse into one key.
func notUTF8Fields(rec any) map[string]string {
	v := reflect.ValueOf(rec)
	var out map[string]string
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.Kind() != reflect.String || utf8.ValidString(f.String()) {
			continue
		}
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		if out == nil {
			out = map[string]string{}
		}
		out[name] = i18n.T("record.not_utf8").In(i18n.EN)
	}
	return out
}

// keyField is a record's work-order number, when it has one (for results).
func keyField(rec any) string {
	if f := reflect.ValueOf(rec).FieldByName("WorkOrderNo"); f.IsValid() {
		return f.String()
	}
	return ""
}
