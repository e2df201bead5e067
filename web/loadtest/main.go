// Command loadtest measures a running Chengxin server on loopback, each
// figure next to its floor measured in the same run: sequential search
// latency (cached and uncached); throughput and latency percentiles of
// profile pages, search pages and the JSON API next to a plain Go file
// server serving a profile page's bytes; the open-data CSV; ingest over
// HTTP next to a bare INSERT loop on the same database and engine (SQLite,
// or PostgreSQL where COPY is measured too). Given several -addr (serve
// processes over one database), throughput and ingest spread their
// connections over them. With -mixed it runs public reads, ingest and a
// publication run at once and checks that nothing failed and every
// acknowledged record is stored.
//
// scripts/bench-scale.sh drives it at a given scale and docs/BENCHMARKS.md
// has the figures. By hand:
//
//	go build -o /tmp/cx ./cmd/chengxin
//	/tmp/cx gen -db /tmp/pub.db -vendors 5000 -events 2000000 && /tmp/cx publish -db /tmp/pub.db
//	/tmp/cx serve -db /tmp/pub.db -addr 127.0.0.1:8099 &
//	TOKEN=$(/tmp/cx token add -db /tmp/pub.db -name load -scope ingest | tail -1)
//	go run ./web/loadtest -addr 127.0.0.1:8099 -token $TOKEN -db /tmp/pub.db
//	go run ./web/loadtest -addr 127.0.0.1:8099 -token $TOKEN -db /tmp/pub.db -mixed 5m -c 16 \
//	    -publish-cmd '/tmp/cx publish -db /tmp/pub.db'
//
// On PostgreSQL -db is the server's DSN (postgres://…); with a second
// `serve` on 127.0.0.1:8100 over the same database:
//
//	go run ./web/loadtest -addr 127.0.0.1:8099,127.0.0.1:8100 -only throughput,ingest -token $TOKEN -db $DSN
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8099", "address of the running server; several, comma-separated, for serve processes over one database")
	duration := flag.Duration("duration", 10*time.Second, "how long each throughput case lasts")
	searchN := flag.Int("search-requests", 400, "sequential requests per search latency case")
	conc := flag.Int("c", 8, "concurrent connections for throughput runs and readers in the mixed run")
	only := flag.String("only", "", "run only these parts, comma-separated: search, throughput, csv, ingest, cold (cold runs only when named: start the server just before)")
	coldSearches := flag.Int("cold-searches", 1000, "distinct two-character searches in the cold part")
	serveStatic := flag.String("serve-static", "", "only serve a profile page's bytes with a plain Go file server at this address (for wrk)")
	token := flag.String("token", "", "ingest API token (for -only ingest and -mixed)")
	dbPath := flag.String("db", "", "the server's database file or postgres:// DSN (ingest floor and the mixed run's final check)")
	records := flag.Int("ingest-records", 50000, "records for the ingest measurement")
	batch := flag.Int("batch", 500, "records per ingest request")
	ingesters := flag.Int("ingesters", 2, "concurrent ingest clients")
	mixedFor := flag.Duration("mixed", 0, "run the mixed load (reads + ingest + a publication run) for this long instead")
	publishCmd := flag.String("publish-cmd", "", "shell command that performs a publication run during the mixed load")
	publishAfter := flag.Duration("publish-after", time.Minute, "when the mixed run starts the publication run")
	serverLog := flag.String("server-log", "", `the server's log file, searched for errors that say "database is locked" after the mixed run`)
	flag.Parse()
	var bases []string
	for _, a := range strings.Split(*addr, ",") {
		if a = strings.TrimSpace(a); a != "" {
			bases = append(bases, "http://"+a)
		}
	}
	if len(bases) == 0 {
		fmt.Fprintln(os.Stderr, "loadtest: -addr is empty")
		os.Exit(2)
	}
	base := bases[0]
	parts := map[string]bool{}
	for _, p := range strings.Split(*only, ",") {
		switch p = strings.TrimSpace(p); p {
		case "":
		case "search", "throughput", "csv", "ingest", "cold":
			parts[p] = true
		default:
			fmt.Fprintf(os.Stderr, "loadtest: -only %q: want search, throughput, csv, ingest or cold\n", p)
			os.Exit(2)
		}
	}
	run := func(part string) bool { return (len(parts) == 0 && part != "cold") || parts[part] }
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, DisableCompression: true}, Timeout: time.Minute}
	fail := func(err error) {
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
	}
	for _, b := range bases {
		fail(warm(client, b))
	}
	switch {
	case *serveStatic != "":
		fail(staticOnly(client, base, *serveStatic))
		return
	case *mixedFor > 0:
		fail(mixed(client, base, mixedOptions{duration: *mixedFor, readers: *conc, ingesters: *ingesters, batch: *batch,
			token: *token, dbPath: *dbPath, publishCmd: *publishCmd, publishAfter: *publishAfter, serverLog: *serverLog}))
		return
	}
	if run("cold") {
		fail(cold(client, bases, *conc, *coldSearches))
	}
	if run("search") {
		searches(client, base, *searchN)
	}
	if run("throughput") {
		fail(throughputs(client, bases, *duration, *conc))
	}
	if run("csv") {
		fail(csvDownload(client, base))
	}
	if (len(parts) == 0 && *token != "") || parts["ingest"] {
		fail(ingest(client, bases, *token, *dbPath, *records, *batch, *ingesters))
	}
}

// warm loads the server's in-memory catalog (the first search after a
// start reads every vendor once).
func warm(c *http.Client, base string) error {
	start := time.Now()
	body, err := get(c, base+"/vendors?q="+url.QueryEscape("家政"))
	if err != nil {
		return err
	}
	if !bytes.Contains(body, []byte("hit-link")) {
		return fmt.Errorf("warm-up search found nothing: is the database seeded?")
	}
	fmt.Printf("warm-up (catalog load + first search): %v\n\n", time.Since(start).Round(time.Millisecond))
	return nil
}

func get(c *http.Client, u string) ([]byte, error) {
	return getWith(c, u)
}

// getWith is get with request headers (name, value, …).
func getWith(c *http.Client, u string, header ...string) ([]byte, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	for h := 0; h+1 < len(header); h += 2 {
		req.Header.Set(header[h], header[h+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return b, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return b, nil
}

// searchCase is one kind of search; uncached runs add a parameter the
// server ignores, so every request misses the page cache and searches.
type searchCase struct{ name, query string }

func searches(c *http.Client, base string, n int) {
	cases := []searchCase{
		{"name substring 安心家政 (trigram)", "q=" + url.QueryEscape("安心家政")},
		{"name, two characters 保洁", "q=" + url.QueryEscape("保洁")},
		{"synonym 保姆 (→ housekeeping)", "q=" + url.QueryEscape("保姆")},
		{"synonym 小时工 (→ cleaning)", "q=" + url.QueryEscape("小时工")},
		{"filter district+grade, by score", "district=120101&grade=B&sort=score"},
		{"filter category, by grade", "category=cleaning&sort=grade"},
		{"name + filter 家政, district", "q=" + url.QueryEscape("家政") + "&district=120103"},
		{"pinyin initials tjjz", "q=tjjz"},
		{"JSON API 保姆, 100 per page", "api:q=" + url.QueryEscape("保姆") + "&per_page=100"},
	}
	fmt.Printf("search latency, %d sequential requests per case (page 1..20 rotating)\n", n)
	fmt.Printf("%-36s %10s %10s %10s %10s\n", "case", "p50", "p95", "p99", "max")
	for _, cached := range []bool{false, true} {
		label := "uncached (every request searches)"
		if cached {
			label = "cached (repeated URLs, page cache)"
		}
		fmt.Println(label)
		for _, sc := range cases {
			path, q := "/vendors?", sc.query
			if rest, ok := strings.CutPrefix(q, "api:"); ok {
				path, q = "/api/v1/vendors?", rest
			}
			var lat []time.Duration
			if cached { // every URL once, so the measured requests all hit the cache
				for i := 0; i < 20; i++ {
					get(c, base+path+q+fmt.Sprintf("&page=%d", 1+i))
				}
			}
			for i := 0; i < n; i++ {
				u := base + path + q + fmt.Sprintf("&page=%d", 1+i%20)
				if !cached {
					u += fmt.Sprintf("&nocache=%d", time.Now().UnixNano())
				}
				start := time.Now()
				resp, err := c.Get(u)
				if err != nil {
					fmt.Println("  error:", err)
					break
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat = append(lat, time.Since(start))
			}
			p := percentiles(lat)
			fmt.Printf("  %-34s %10v %10v %10v %10v\n", sc.name, p[0], p[1], p[2], p[3])
		}
	}
	fmt.Println()
}

func percentiles(d []time.Duration) [4]time.Duration {
	if len(d) == 0 {
		return [4]time.Duration{}
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	at := func(p float64) time.Duration {
		return d[min(len(d)-1, int(p*float64(len(d))))].Round(10 * time.Microsecond)
	}
	return [4]time.Duration{at(0.50), at(0.95), at(0.99), d[len(d)-1].Round(10 * time.Microsecond)}
}

// csvDownload times the open-data file and checks it.
func csvDownload(c *http.Client, base string) error {
	start := time.Now()
	resp, err := c.Get(base + "/open-data/vendors.csv")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	r := bufio.NewReaderSize(resp.Body, 64<<10)
	var first time.Duration
	rows, size := 0, 0
	for {
		line, err := r.ReadSlice('\n')
		if len(line) > 0 && rows == 0 {
			first = time.Since(start)
			if !bytes.HasPrefix(line, []byte("\ufeffuscc,name,status,")) {
				return fmt.Errorf("no BOM and header: %q", line)
			}
		}
		if len(line) > 0 {
			rows++
			size += len(line)
		}
		if err == io.EOF {
			break
		}
		if err != nil && err != bufio.ErrBufferFull {
			return err
		}
	}
	fmt.Printf("open-data CSV: %d vendors, %.1f MB in %v (first line after %v, ETag %s)\n",
		rows-1, float64(size)/(1<<20), time.Since(start).Round(time.Millisecond), first.Round(time.Microsecond), resp.Header.Get("ETag"))
	return nil
}

// staticOnly serves the profile page of the first vendor by name (the one
// scripts/bench-scale.sh points wrk at) with a plain Go file server at addr
// until interrupted, so an outside load generator compares the same bytes.
func staticOnly(c *http.Client, base, addr string) error {
	usccs, err := vendorUSCCs(c, base, 1)
	if err != nil {
		return err
	}
	html, err := get(c, base+"/vendors/"+usccs[0])
	if err != nil {
		return err
	}
	files, cleanup, err := fileServer(html)
	if err != nil {
		return err
	}
	defer cleanup()
	fmt.Printf("serving /vendors/%s (%d bytes) as http://%s/profile.html\n", usccs[0], len(html), addr)
	return http.ListenAndServe(addr, files)
}
