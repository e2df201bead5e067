package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
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
	return p.postTo(p.base, endpoint, batch)
}

// postTo is post to the server at base.
func (p *poster) postTo(base, endpoint string, batch any) (int, int, error) {
	body, err := json.Marshal(batch)
	if err != nil {
		return 0, 0, err
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/"+endpoint, bytes.NewReader(body))
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
// floor measured in the same run on the same database and engine: a bare
// loop of prepared INSERTs into the callbacks table, committed every batch
// rows (on SQLite with the server's synchronous=FULL), and on PostgreSQL
// also COPY of batch rows per transaction. The floor's rows are deleted
// after. Client w posts to bases[w % len(bases)].
func ingest(c *http.Client, bases []string, token, dsn string, records, batch, workers int) error {
	if token == "" || dsn == "" {
		return fmt.Errorf("-only ingest needs -token and -db")
	}
	base := bases[0]
	usccs, err := vendorUSCCs(c, base, 500)
	if err != nil {
		return err
	}
	run := time.Now().Format("150405")
	type floorCase struct {
		name string
		rate float64
	}
	var floors []floorCase
	if registry.IsPostgresDSN(dsn) {
		ins, cp, err := bareInsertPostgres(dsn, usccs, "FLOOR-"+run, records, batch)
		if err != nil {
			return fmt.Errorf("bare insert floor: %w", err)
		}
		floors = []floorCase{{"floor: bare prepared INSERT loop, same database (PostgreSQL)", ins},
			{"floor: COPY, same database (PostgreSQL)", cp}}
	} else {
		ins, err := bareInsert(dsn, usccs, "FLOOR-"+run, records, batch)
		if err != nil {
			return fmt.Errorf("bare insert floor: %w", err)
		}
		floors = []floorCase{{"floor: bare prepared INSERT loop, same database", ins}}
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
			to := bases[w%len(bases)]
			for sent.Add(int64(batch)) <= int64(records) {
				t := time.Now()
				if _, _, err := p.postTo(to, "callbacks", callbackBatch(rng, usccs, "LOAD-"+run, &seq, batch)); err != nil {
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
	servers := ""
	if len(bases) > 1 {
		servers = fmt.Sprintf(" over %d serve processes", len(bases))
	}
	fmt.Printf("ingest, %d callbacks in batches of %d\n", records, batch)
	for _, f := range floors {
		fmt.Printf("  %-60s %9.0f records/s\n", f.name, f.rate)
	}
	fmt.Printf("  %-60s %9.0f records/s  (%d acknowledged in %v, %d failed batches; batch p50 %v p99 %v)\n",
		fmt.Sprintf("POST /api/v1/callbacks, %d clients%s", workers, servers), rate, acked, took.Round(time.Millisecond), failures.Load(), pc[0], pc[2])
	for _, f := range floors {
		fmt.Printf("  ratio API / %s: %.0f%%\n", strings.TrimPrefix(strings.SplitN(f.name, ",", 2)[0], "floor: "), 100*rate/f.rate)
	}
	fmt.Println()
	return nil
}

// floorRow is one callback of the ingest floor.
func floorRow(rng *rand.Rand, ids []int64, prefix string, i int, now time.Time) []any {
	at := now.Add(-time.Duration(1+rng.IntN(72)) * time.Hour).Format(time.RFC3339)
	return []any{fmt.Sprintf("%s-%08d", prefix, i), ids[rng.IntN(len(ids))], at,
		callbackResults[rng.IntN(len(callbackResults))], now.Format(time.RFC3339)}
}

// bareInsert times prepared INSERTs of n callbacks into the SQLite
// database in transactions of batch rows and deletes them again; it
// returns rows/s.
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
			if _, err := st.Exec(floorRow(rng, ids, prefix, done, now)...); err != nil {
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

// bareInsertPostgres times n callbacks written into the PostgreSQL
// database in transactions of batch rows twice — by a prepared INSERT per
// row, then by one COPY per transaction — deleting them after each; it
// returns rows/s of both.
func bareInsertPostgres(dsn string, usccs []string, prefix string, n, batch int) (insert, copied float64, err error) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close(ctx)
	var ids []int64
	if err := conn.QueryRow(ctx, `SELECT array_agg(id) FROM vendors WHERE uscc = ANY($1)`, usccs).Scan(&ids); err != nil {
		return 0, 0, err
	}
	if len(ids) == 0 {
		return 0, 0, fmt.Errorf("none of the API's vendors is in %s", "the database")
	}
	const ins = `INSERT INTO callbacks(work_order_no, vendor_id, called_at, result, updated_at) VALUES ($1,$2,$3,$4,$5)`
	cols := []string{"work_order_no", "vendor_id", "called_at", "result", "updated_at"}
	timeIt := func(prefix string, useCopy bool) (float64, error) {
		rng := rand.New(rand.NewPCG(1, 2))
		start := time.Now()
		for done := 0; done < n; {
			tx, err := conn.Begin(ctx)
			if err != nil {
				return 0, err
			}
			now := time.Now().UTC()
			rows := make([][]any, 0, batch)
			for i := 0; i < batch && done < n; i, done = i+1, done+1 {
				rows = append(rows, floorRow(rng, ids, prefix, done, now))
			}
			if useCopy {
				_, err = tx.CopyFrom(ctx, pgx.Identifier{"callbacks"}, cols, pgx.CopyFromRows(rows))
			} else {
				for _, r := range rows {
					if _, err = tx.Exec(ctx, ins, r...); err != nil {
						break
					}
				}
			}
			if err != nil {
				tx.Rollback(ctx)
				return 0, err
			}
			if err := tx.Commit(ctx); err != nil {
				return 0, err
			}
		}
		rate := float64(n) / time.Since(start).Seconds()
		_, err := conn.Exec(ctx, `DELETE FROM callbacks WHERE work_order_no >= $1 AND work_order_no < $2`, prefix+"-", prefix+"-~")
		return rate, err
	}
	if insert, err = timeIt(prefix+"I", false); err != nil {
		return 0, 0, err
	}
	copied, err = timeIt(prefix+"C", true)
	return insert, copied, err
}
