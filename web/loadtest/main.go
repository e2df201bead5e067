// Command loadtest measures the public site of a running Chengxin server on
// loopback (issue 5's performance figures): search latency for a name
// substring, a synonym and a filter (cached and uncached), profile page
// throughput next to a plain Go static file server serving the same HTML
// bytes (run in this process, measured in the same run), and the time to
// stream /open-data/vendors.csv.
//
//	go build -o /tmp/cx ./cmd/chengxin
//	/tmp/cx gen -db /tmp/pub.db -vendors 100000 -events 2000000 && /tmp/cx rescore -db /tmp/pub.db
//	/tmp/cx serve -db /tmp/pub.db -addr 127.0.0.1:8099 &
//	go run ./web/loadtest -addr 127.0.0.1:8099 -duration 10s
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8099", "address of the running server")
	duration := flag.Duration("duration", 10*time.Second, "how long each throughput run lasts")
	searchN := flag.Int("search-requests", 400, "requests per search case")
	conc := flag.Int("c", 8, "concurrent connections for throughput runs")
	only := flag.String("only", "", "run one part: search, profile or csv")
	serveStatic := flag.String("serve-static", "", "only serve a profile page's bytes with a plain Go file server at this address (for wrk)")
	flag.Parse()
	base := "http://" + *addr
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, DisableCompression: true}, Timeout: time.Minute}
	if err := warm(client, base); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
	if *serveStatic != "" {
		if err := staticOnly(client, base, *serveStatic); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		return
	}
	if *only == "" || *only == "search" {
		searches(client, base, *searchN)
	}
	if *only == "" || *only == "profile" {
		if err := profile(client, base, *duration, *conc); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
	}
	if *only == "" || *only == "csv" {
		if err := csvDownload(client, base); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
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
	resp, err := c.Get(u)
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

var profileLink = regexp.MustCompile(`href="(/vendors/[0-9A-Z]{18})"`)

// profile compares the throughput of a profile page with a plain Go file
// server serving the same bytes, in the same run and conditions.
func profile(c *http.Client, base string, d time.Duration, conc int) error {
	page, err := get(c, base+"/vendors?q="+url.QueryEscape("安心"))
	if err != nil {
		return err
	}
	m := profileLink.FindSubmatch(page)
	if m == nil {
		return fmt.Errorf("no profile link in the search results")
	}
	path := string(m[1])
	html, err := get(c, base+path)
	if err != nil {
		return err
	}
	css, _ := get(c, base+"/static/app.css")
	fmt.Printf("profile %s: %d bytes HTML + %d bytes CSS = %.1f KB\n", path, len(html), len(css), float64(len(html)+len(css))/1024)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "cx-static")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(dir+"/profile.html", html, 0o644); err != nil {
		return err
	}
	static := &http.Server{Handler: http.FileServer(http.Dir(dir))}
	go static.Serve(ln)
	defer static.Shutdown(context.Background())
	staticURL := "http://" + ln.Addr().String() + "/profile.html"
	if b, err := get(c, staticURL); err != nil || !bytes.Equal(b, html) {
		return fmt.Errorf("static server does not serve the same bytes: %v", err)
	}

	fmt.Printf("throughput, %d connections, %v each (load generator in this process)\n", conc, d)
	app := run(c, base+path, d, conc, nil)
	stat := run(c, staticURL, d, conc, nil)
	cond := run(c, base+path, d, conc, http.Header{"If-None-Match": {etagOf(c, base+path)}})
	fmt.Printf("  %-44s %9.0f req/s  p95 %v\n", "app profile page (200)", app.rps, app.p95)
	fmt.Printf("  %-44s %9.0f req/s  p95 %v\n", "plain Go file server, same bytes", stat.rps, stat.p95)
	fmt.Printf("  %-44s %9.0f req/s  p95 %v\n", "app profile page, If-None-Match (304)", cond.rps, cond.p95)
	fmt.Printf("  ratio app / static: %.0f%%\n\n", 100*app.rps/stat.rps)
	return nil
}

func etagOf(c *http.Client, u string) string {
	resp, err := c.Get(u)
	if err != nil {
		return ""
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.Header.Get("ETag")
}

type result struct {
	rps float64
	p95 time.Duration
}

// run sends GETs to u from conc goroutines for d.
func run(c *http.Client, u string, d time.Duration, conc int, h http.Header) result {
	var count atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := 0; i < conc; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) {
				req, _ := http.NewRequest(http.MethodGet, u, nil)
				for k, v := range h {
					req.Header[k] = v
				}
				start := time.Now()
				resp, err := c.Do(req)
				if err != nil {
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mine = append(mine, time.Since(start))
				count.Add(1)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return result{rps: float64(count.Load()) / d.Seconds(), p95: percentiles(lat)[1]}
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

// staticOnly serves one profile page's bytes at addr with http.FileServer
// until interrupted, so an outside load generator (wrk) can compare.
func staticOnly(c *http.Client, base, addr string) error {
	page, err := get(c, base+"/vendors?q="+url.QueryEscape("安心"))
	if err != nil {
		return err
	}
	m := profileLink.FindSubmatch(page)
	if m == nil {
		return fmt.Errorf("no profile link in the search results")
	}
	html, err := get(c, base+string(m[1]))
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "cx-static")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(dir+"/profile.html", html, 0o644); err != nil {
		return err
	}
	fmt.Printf("serving %s (%d bytes) as http://%s/profile.html\n", m[1], len(html), addr)
	return http.ListenAndServe(addr, http.FileServer(http.Dir(dir)))
}
