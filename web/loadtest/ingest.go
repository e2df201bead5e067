package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite"

	"chengxin/registry"
)

var callbackResults = []string{"satisfied", "satisfied", "satisfied", "basically_satisfied", "dissatisfied", "unreachable"}

// poster sends ingest batches with a bearer token and collects the keys
// the server acknowledged (created, updated or unchanged).
type poster struct {
	c     *http.Client
	base  string
	token string

	mu    sync.Mutex
	acked map[string][]string // endpoint → acknowledged keys
}

// post sends one batch; it returns the number of records acknowledged and
// the HTTP status (0 on a transport error).
func (p *poster) post(endpoint string, batch any) (int, int, error) {
	body, err := json.Marshal(batch)
	if err != nil {
		return 0, 0, err
	}
	req, _ := http.NewRequest(http.MethodPost, p.base+"/api/v1/"+endpoint, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+p.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.c.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return 0, resp.StatusCode, fmt.Errorf("POST %s: %s: %.200s", endpoint, resp.Status, b)
	}
	var res registry.IngestSummary
	if err := json.Unmarshal(b, &res); err != nil {
		return 0, resp.StatusCode, err
	}
	n := 0
	p.mu.Lock()
	for _, r := range res.Results {
		if r.Status == registry.ResultCreated || r.Status == registry.ResultUpdated || r.Status == registry.ResultUnchanged {
			p.acked[endpoint] = append(p.acked[endpoint], r.Key)
			n++
		}
	}
	p.mu.Unlock()
	return n, resp.StatusCode, nil
}

// callbackBatch makes n new callbacks with keys prefix-<seq>.
func callbackBatch(rng *rand.Rand, usccs []string, prefix string, seq *atomic.Int64, n int) []registry.CallbackInput {
	out := make([]registry.CallbackInput, n)
	now := time.Now()
	for i := range out {
		out[i] = registry.CallbackInput{WorkOrderNo: fmt.Sprintf("%s-%08d", prefix, seq.Add(1)), VendorUSCC: usccs[rng.IntN(len(usccs))],
			CalledAt: now.Add(-time.Duration(1+rng.IntN(72)) * time.Hour).Format(time.RFC3339), Result: callbackResults[rng.IntN(len(callbackResults))]}
	}
	return out
}

// complaintBatch makes n new closed complaints with keys prefix-<seq>.
func complaintBatch(rng *rand.Rand, usccs []string, prefix string, seq *atomic.Int64, n int) []registry.ComplaintInput {
	outcomes := []string{"substantiated", "partially_substantiated", "mediated", "unsubstantiated"}
	out := make([]registry.ComplaintInput, n)
	now := time.Now()
	for i := range out {
		recv := now.Add(-time.Duration(72+rng.IntN(240)) * time.Hour) // closed within 60 h: never in the future
		out[i] = registry.ComplaintInput{WorkOrderNo: fmt.Sprintf("%s-%08d", prefix, seq.Add(1)), VendorUSCC: usccs[rng.IntN(len(usccs))],
			ReceivedAt: recv.Format(time.RFC3339), Channel: "phone", Category: "cleaning", Severity: "general", Status: "closed",
			Outcome: outcomes[rng.IntN(len(outcomes))], DeadlineAt: recv.Add(72 * time.Hour).Format(time.RFC3339),
			ClosedAt: recv.Add(time.Duration(1+rng.IntN(60)) * time.Hour).Format(time.RFC3339)}
	}
	return out
}

// ingest measures callbacks posted over HTTP (validation, idempotent
// upsert, audit entry and re-evaluation mark per record) next to the
// floor measured in the same run on the same database: a bare loop of
// prepared INSERTs into the callbacks table, committed every batch rows
// with the server's synchronous=FULL. The floor's rows are deleted after.
func ingest(c *http.Client, base, token, dbPath string, records, batch, workers int) error {
	if token == "" || dbPath == "" {
		return fmt.Errorf("-only ingest needs -token and -db")
	}
	usccs, err := vendorUSCCs(c, base, 500)
	if err != nil {
		return err
	}
	run := time.Now().Format("150405")
	floor, err := bareInsert(dbPath, usccs, "FLOOR-"+run, records, batch)
	if err != nil {
		return fmt.Errorf("bare insert floor: %w", err)
	}
	p := &poster{c: c, base: base, token: token, acked: map[string][]string{}}
	var seq atomic.Int64
	var sent atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var failures atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for sent.Add(int64(batch)) <= int64(records) {
				t := time.Now()
				if _, _, err := p.post("callbacks", callbackBatch(rng, usccs, "LOAD-"+run, &seq, batch)); err != nil {
					failures.Add(1)
					fmt.Println("  ", err)
					continue
				}
				mu.Lock()
				lat = append(lat, time.Since(t))
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	took := time.Since(start)
	acked := len(p.acked["callbacks"])
	rate := float64(acked) / took.Seconds()
	pc := percentiles(lat)
	fmt.Printf("ingest, %d callbacks in batches of %d\n", records, batch)
	fmt.Printf("  %-52s %9.0f records/s\n", "floor: bare prepared INSERT loop, same database", floor)
	fmt.Printf("  %-52s %9.0f records/s  (%d acknowledged in %v, %d failed batches; batch p50 %v p99 %v)\n",
		fmt.Sprintf("POST /api/v1/callbacks, %d clients", workers), rate, acked, took.Round(time.Millisecond), failures.Load(), pc[0], pc[2])
	fmt.Printf("  ratio API / floor: %.0f%%\n\n", 100*rate/floor)
	return nil
}

// bareInsert times prepared INSERTs of n callbacks into the database in
// transactions of batch rows and deletes them again; it returns rows/s.
func bareInsert(dbPath string, usccs []string, prefix string, n, batch int) (float64, error) {
	dsn := "file:" + (&url.URL{Path: dbPath}).EscapedPath() +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	ids := make([]int64, 0, len(usccs))
	for _, u := range usccs {
		var id int64
		if err := db.QueryRow(`SELECT id FROM vendors WHERE uscc = ?`, u).Scan(&id); err != nil {
			return 0, err
		}
		ids = append(ids, id)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Now()
	for done := 0; done < n; {
		tx, err := db.Begin()
		if err != nil {
			return 0, err
		}
		st, err := tx.Prepare(`INSERT INTO callbacks(work_order_no, vendor_id, called_at, result, updated_at) VALUES (?,?,?,?,?)`)
		if err != nil {
			tx.Rollback()
			return 0, err
		}
		now := time.Now().UTC()
		for i := 0; i < batch && done < n; i, done = i+1, done+1 {
			at := now.Add(-time.Duration(1+rng.IntN(72)) * time.Hour).Format(time.RFC3339)
			if _, err := st.Exec(fmt.Sprintf("%s-%08d", prefix, done), ids[rng.IntN(len(ids))], at,
				callbackResults[rng.IntN(len(callbackResults))], now.Format(time.RFC3339)); err != nil {
				tx.Rollback()
				return 0, err
			}
		}
		st.Close()
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	rate := float64(n) / time.Since(start).Seconds()
	_, err = db.Exec(`DELETE FROM callbacks WHERE work_order_no >= ? AND work_order_no < ?`, prefix+"-", prefix+"-~")
	return rate, err
}
