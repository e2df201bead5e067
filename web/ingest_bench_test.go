package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"chengxin/registry"
	"chengxin/web"
)

// benchIngest is a real server on loopback with 100 vendors and an ingest token.
type benchIngest struct {
	url, token string
	usccs      []string
}

func newBenchIngest(b *testing.B) *benchIngest {
	b.Helper()
	ctx := context.Background()
	db, err := registry.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	bi := &benchIngest{}
	for i := 0; i < 100; i++ {
		v, err := db.CreateVendor(ctx, registry.CLIActor, vendorInput(registry.MustUSCC(fmt.Sprintf("9112010%010d", 7000+i)), fmt.Sprintf("压测家政%03d有限公司", i)))
		if err != nil {
			b.Fatal(err)
		}
		bi.usccs = append(bi.usccs, v.USCC)
	}
	bi.token, _, err = db.CreateToken(ctx, registry.CLIActor, "bench", "ingest")
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(web.New(web.Config{DB: db}))
	b.Cleanup(srv.Close)
	bi.url = srv.URL
	return bi
}

// callbacks makes n new callback records starting at sequence number from.
func (bi *benchIngest) callbacks(prefix string, from, n int) []registry.CallbackInput {
	at := time.Now().Add(-time.Hour).Format(time.RFC3339)
	out := make([]registry.CallbackInput, n)
	for i := range out {
		out[i] = registry.CallbackInput{WorkOrderNo: fmt.Sprintf("%s-%09d", prefix, from+i), VendorUSCC: bi.usccs[(from+i)%len(bi.usccs)],
			CalledAt: at, Result: []string{"satisfied", "basically_satisfied", "dissatisfied"}[(from+i)%3]}
	}
	return out
}

func (bi *benchIngest) post(b *testing.B, c *http.Client, body []byte, want int) {
	req, _ := http.NewRequest(http.MethodPost, bi.url+"/api/v1/callbacks", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+bi.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	var sum registry.IngestSummary
	err = json.NewDecoder(resp.Body).Decode(&sum)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || sum.Count(registry.ResultCreated) != want {
		b.Errorf("POST: %s, %d of %d created (%v)", resp.Status, sum.Count(registry.ResultCreated), want, err)
	}
}

// BenchmarkIngestHTTP posts 1,000-record arrays of new callbacks from one
// client to a real server on loopback (decoding, validation, idempotent
// upsert, an audit entry per record, re-evaluation marks, commits with
// synchronous=FULL), then inserts the same number of records with a bare
// prepared INSERT loop in one transaction into a database of the same
// schema: records/s of both and their ratio, measured in one run.
func BenchmarkIngestHTTP(b *testing.B) {
	const batch = 1000
	bi := newBenchIngest(b)
	c := &http.Client{}
	n := 0
	bodies := func() []byte {
		body, _ := json.Marshal(bi.callbacks("BH", n, batch))
		return body
	}
	for b.Loop() {
		b.StopTimer()
		body := bodies()
		b.StartTimer()
		bi.post(b, c, body, batch)
		n += batch
	}
	api := float64(n) / b.Elapsed().Seconds()
	floor := bareInsertRate(b, bi, n, false)
	withAudit := bareInsertRate(b, bi, n, true)
	b.ReportMetric(api, "records/s")
	b.ReportMetric(floor, "floor-records/s")
	b.ReportMetric(floor/api, "x-floor")
	b.ReportMetric(withAudit/api, "x-floor+audit")
}

// bareInsertRate times n callbacks inserted by a prepared INSERT loop in
// one transaction into a fresh database with the registry's schema and
// pragmas (no validation, no marks). With audit, each record also gets a
// bare audit_log row with a SHA-256 chain hash, as every ingested record
// does: the floor for the same durable writes without the service's work.
func bareInsertRate(b *testing.B, bi *benchIngest, n int, audit bool) float64 {
	b.Helper()
	path := filepath.Join(b.TempDir(), "floor.db")
	rdb, err := registry.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	var ids []int64
	for i, u := range bi.usccs {
		v, err := rdb.CreateVendor(context.Background(), registry.CLIActor, vendorInput(u, fmt.Sprintf("底线家政%03d有限公司", i)))
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, v.ID)
	}
	rdb.Close()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	recs := bi.callbacks("FL", 0, n)
	start := time.Now()
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	st, err := tx.Prepare(`INSERT INTO callbacks(work_order_no, vendor_id, called_at, result, updated_at) VALUES (?,?,?,?,?)`)
	if err != nil {
		b.Fatal(err)
	}
	au, err := tx.Prepare(`INSERT INTO audit_log(id, at, actor, action, subject, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)`)
	if err != nil {
		b.Fatal(err)
	}
	var lastID int64
	if err := tx.QueryRow(`SELECT coalesce(max(id), 0) FROM audit_log`).Scan(&lastID); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC().Format(time.RFC3339)
	prev := ""
	for i, r := range recs {
		if _, err := st.Exec(r.WorkOrderNo, ids[i%len(ids)], r.CalledAt, r.Result, now); err != nil {
			b.Fatal(err)
		}
		if audit {
			detail := `{"vendor_id":` + fmt.Sprint(ids[i%len(ids)]) + `,"called_at":"` + r.CalledAt + `","result":"` + r.Result + `"}`
			lastID++
			hash := registry.AuditHash(prev, lastID, now, "token:bench", "callback.create", r.WorkOrderNo, detail)
			if _, err := au.Exec(lastID, now, "token:bench", "callback.create", r.WorkOrderNo, detail, prev, hash); err != nil {
				b.Fatal(err)
			}
			prev = hash
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return float64(n) / time.Since(start).Seconds()
}

// BenchmarkSingleRecordDuringBatch posts single callbacks while another
// client posts 1,000-record arrays back to back; it reports the single
// POSTs' p50 and p99 latency.
func BenchmarkSingleRecordDuringBatch(b *testing.B) {
	bi := newBenchIngest(b)
	c := &http.Client{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := 0; ; n += 1000 {
			select {
			case <-stop:
				return
			default:
			}
			body, _ := json.Marshal(bi.callbacks("BATCH", n, 1000))
			bi.post(b, c, body, 1000)
		}
	}()
	time.Sleep(200 * time.Millisecond) // the batch client is under way
	var lat []time.Duration
	n := 0
	for b.Loop() {
		body, _ := json.Marshal(bi.callbacks("ONE", n, 1))
		start := time.Now()
		bi.post(b, c, body, 1)
		lat = append(lat, time.Since(start))
		n++
		time.Sleep(5 * time.Millisecond) // a hotline agent's pace, not a flood
	}
	close(stop)
	wg.Wait()
	slices.Sort(lat)
	at := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}
