package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"chengxin/registry"
)

// mixedOptions configure the mixed load run (issue 7, point 2).
type mixedOptions struct {
	duration     time.Duration
	readers      int // closed-loop public readers
	ingesters    int // ingest clients, each posting batches back to back
	batch        int
	token        string
	dbPath       string
	publishCmd   string // shell command performing a publication run
	publishAfter time.Duration
	serverLog    string
}

// readKind is one kind of public request in the mix, with its weight.
type readKind struct {
	name   string
	weight int
	url    func(r *rand.Rand) string
}

// mixedStats collects what the readers saw.
type mixedStats struct {
	mu       sync.Mutex
	lat      map[string][]time.Duration
	statuses map[int]int
	errors   []string // 5xx bodies and transport errors, the first few
	locked   int      // responses that mention "database is locked"
	fivexx   int
}

func (s *mixedStats) record(kind string, d time.Duration, status int, body []byte, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lat[kind] = append(s.lat[kind], d)
	s.statuses[status]++
	if bytes.Contains(body, []byte("database is locked")) {
		s.locked++
	}
	if status >= 500 || err != nil {
		s.fivexx++
		if len(s.errors) < 10 {
			s.errors = append(s.errors, fmt.Sprintf("%s: %d %v %.200s", kind, status, err, body))
		}
	}
}

// mixed runs public reads from o.readers connections as fast as the
// server answers, o.ingesters clients posting callback and complaint
// batches back to back, and one publication run after o.publishAfter, all
// at once for o.duration. It then checks that every acknowledged record
// is in the database and that the server never answered 5xx or logged
// "database is locked", and exits non-zero if not.
func mixed(c *http.Client, base string, o mixedOptions) error {
	if o.token == "" || o.dbPath == "" {
		return fmt.Errorf("-mixed needs -token and -db")
	}
	usccs, err := vendorUSCCs(c, base, 5000)
	if err != nil {
		return err
	}
	pick := func(r *rand.Rand) string { return usccs[r.IntN(len(usccs))] }
	kinds := []readKind{
		{"profile", 40, func(r *rand.Rand) string { return base + "/vendors/" + pick(r) }},
		{"search", 25, func(r *rand.Rand) string {
			return fmt.Sprintf("%s/vendors?%s&page=%d", base, searchQueries[r.IntN(len(searchQueries))], 1+r.IntN(10))
		}},
		{"api-vendor", 10, func(r *rand.Rand) string { return base + "/api/v1/vendors/" + pick(r) }},
		{"api-search", 10, func(r *rand.Rand) string {
			return fmt.Sprintf("%s/api/v1/vendors?%s&page=%d", base, searchQueries[r.IntN(len(searchQueries))], 1+r.IntN(10))
		}},
		{"home", 5, func(*rand.Rand) string { return base + "/" }},
		{"lists", 5, func(r *rand.Rand) string { return base + []string{"/lists/red", "/lists/black"}[r.IntN(2)] }},
		{"badge", 5, func(r *rand.Rand) string { return base + "/vendors/" + pick(r) + "/badge.svg" }},
	}
	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	choose := func(r *rand.Rand) readKind {
		n := r.IntN(total)
		for _, k := range kinds {
			if n < k.weight {
				return k
			}
			n -= k.weight
		}
		return kinds[0]
	}

	if o.publishAfter >= o.duration {
		o.publishAfter = o.duration / 5
	}
	stats := &mixedStats{lat: map[string][]time.Duration{}, statuses: map[int]int{}}
	p := &poster{c: c, base: base, token: o.token, acked: map[string][]string{}}
	var ingestBatches, ingestFailures, notAcked atomic.Int64
	var ingestMu sync.Mutex
	var ingestLat []time.Duration
	deadline := time.Now().Add(o.duration)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < o.readers; i++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, 8890))
			for time.Now().Before(deadline) {
				k := choose(rng)
				t := time.Now()
				resp, err := c.Get(k.url(rng))
				if err != nil {
					stats.record(k.name, time.Since(t), 0, nil, err)
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				stats.record(k.name, time.Since(t), resp.StatusCode, bodyIfBad(resp.StatusCode, body), nil)
			}
		}(uint64(i))
	}
	run := time.Now().Format("150405")
	var seq atomic.Int64
	for i := 0; i < o.ingesters; i++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 12345))
			for n := 0; time.Now().Before(deadline); n++ {
				t := time.Now()
				var err error
				var status, acked int
				if n%4 == 3 {
					acked, status, err = p.post("complaints", complaintBatch(rng, usccs, "MIXC-"+run, &seq, o.batch))
				} else {
					acked, status, err = p.post("callbacks", callbackBatch(rng, usccs, "MIXB-"+run, &seq, o.batch))
				}
				ingestBatches.Add(1)
				if err == nil && acked < o.batch {
					notAcked.Add(int64(o.batch - acked)) // valid records the server did not accept
				}
				if err != nil {
					ingestFailures.Add(1)
					stats.mu.Lock()
					if status >= 500 || status == 0 {
						stats.fivexx++
					}
					if strings.Contains(err.Error(), "database is locked") {
						stats.locked++
					}
					if len(stats.errors) < 10 {
						stats.errors = append(stats.errors, "ingest: "+err.Error())
					}
					stats.mu.Unlock()
					continue
				}
				ingestMu.Lock()
				ingestLat = append(ingestLat, time.Since(t))
				ingestMu.Unlock()
			}
		}(i)
	}
	var pubOut []byte
	var pubErr error
	var pubTook time.Duration
	if o.publishCmd != "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(o.publishAfter)
			t := time.Now()
			pubOut, pubErr = exec.Command("sh", "-c", o.publishCmd).CombinedOutput()
			pubTook = time.Since(t)
		}()
	}
	wg.Wait()
	elapsed := min(time.Since(start), o.duration) // request rates are over the load's duration

	fmt.Printf("mixed load: %v, %d public readers, %d ingest clients (batches of %d), publication run after %v\n\n",
		elapsed.Round(time.Second), o.readers, o.ingesters, o.batch, o.publishAfter)
	reads := 0
	var all []time.Duration
	fmt.Printf("  %-12s %9s %8s %8s %8s %8s %8s\n", "reads", "requests", "req/s", "p50", "p95", "p99", "max")
	names := make([]string, 0, len(stats.lat))
	for k := range stats.lat {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		l := stats.lat[k]
		reads += len(l)
		all = append(all, l...)
		pc := percentiles(l)
		fmt.Printf("  %-12s %9d %8.0f %8v %8v %8v %8v\n", k, len(l), float64(len(l))/elapsed.Seconds(), pc[0], pc[1], pc[2], pc[3])
	}
	pc := percentiles(all)
	fmt.Printf("  %-12s %9d %8.0f %8v %8v %8v %8v\n", "all reads", reads, float64(reads)/elapsed.Seconds(), pc[0], pc[1], pc[2], pc[3])
	fmt.Printf("  statuses: %v\n", stats.statuses)
	il := percentiles(ingestLat)
	ackedTotal := len(p.acked["callbacks"]) + len(p.acked["complaints"])
	fmt.Printf("\n  ingest: %d batches, %d failed, %d records acknowledged (%.0f records/s), %d not accepted, batch p50 %v p99 %v max %v\n",
		ingestBatches.Load(), ingestFailures.Load(), ackedTotal, float64(ackedTotal)/elapsed.Seconds(), notAcked.Load(), il[0], il[2], il[3])
	if o.publishCmd != "" {
		fmt.Printf("  publication run: %v, err %v\n    %s\n", pubTook.Round(time.Millisecond), pubErr,
			strings.ReplaceAll(strings.TrimSpace(string(pubOut)), "\n", "\n    "))
	}
	missing, err := missingRecords(o.dbPath, p.acked)
	if err != nil {
		return err
	}
	logLocked := 0
	if o.serverLog != "" {
		if logLocked, err = countErrorsInFile(o.serverLog, "database is locked"); err != nil {
			return err
		}
	}
	fmt.Printf("\n  5xx or transport errors: %d\n  \"database is locked\" in responses: %d, in the server log: %d\n  acknowledged records missing from the database: %d of %d\n",
		stats.fivexx, stats.locked, logLocked, missing, ackedTotal)
	for _, e := range stats.errors {
		fmt.Println("   ", e)
	}
	if stats.fivexx > 0 || stats.locked > 0 || logLocked > 0 || missing > 0 || pubErr != nil || ackedTotal == 0 ||
		ingestFailures.Load() > 0 || notAcked.Load() > 0 {
		return fmt.Errorf("mixed load FAILED")
	}
	fmt.Println("  mixed load passed")
	return nil
}

func bodyIfBad(status int, body []byte) []byte {
	if status >= 500 || bytes.Contains(body, []byte("database is locked")) {
		return body
	}
	return nil
}

// missingRecords counts acknowledged keys absent from the database,
// reading it with a read-only connection of its own.
func missingRecords(dbPath string, acked map[string][]string) (int, error) {
	driver, dsn, param := "sqlite", "file:"+(&url.URL{Path: dbPath}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(10000)", "?"
	if registry.IsPostgresDSN(dbPath) {
		driver, dsn, param = "pgx", dbPath, "$1" // pgx's own database/sql driver
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	missing := 0
	for endpoint, keys := range acked {
		table := map[string]string{"callbacks": "callbacks", "complaints": "complaints"}[endpoint]
		st, err := db.Prepare(`SELECT count(*) FROM ` + table + ` WHERE work_order_no = ` + param)
		if err != nil {
			return 0, err
		}
		for _, k := range keys {
			var n int
			if err := st.QueryRow(k).Scan(&n); err != nil {
				st.Close()
				return 0, err
			}
			if n == 0 {
				missing++
			}
		}
		st.Close()
	}
	return missing, nil
}

// countErrorsInFile counts the error lines of a server log (slog's
// level=ERROR) that contain s: a failure, where a warning about work put
// off (a reader's store deferred to the builder) is not one.
func countErrorsInFile(path, s string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if line := sc.Text(); strings.Contains(line, s) && strings.Contains(line, "level=ERROR") {
			n++
		}
	}
	return n, sc.Err()
}
