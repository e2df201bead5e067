package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// vendorUSCCs lists up to n vendors' codes through the JSON API.
func vendorUSCCs(c *http.Client, base string, n int) ([]string, error) {
	var out []string
	for page := 1; len(out) < n; page++ {
		body, err := get(c, fmt.Sprintf("%s/api/v1/vendors?per_page=100&page=%d&sort=name", base, page))
		if err != nil {
			return nil, err
		}
		var res struct {
			Items []struct {
				USCC string `json:"uscc"`
			} `json:"items"`
		}
		if err := json.Unmarshal(body, &res); err != nil {
			return nil, err
		}
		if len(res.Items) == 0 {
			break
		}
		for _, it := range res.Items {
			out = append(out, it.USCC)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the API lists no vendors: is the database seeded?")
	}
	return out[:min(n, len(out))], nil
}

// searchQueries are what citizens type: names, two-character words,
// synonyms, pinyin initials and filters.
var searchQueries = []string{
	"q=" + url.QueryEscape("安心家政"), "q=" + url.QueryEscape("保洁"), "q=" + url.QueryEscape("保姆"),
	"q=" + url.QueryEscape("小时工"), "q=" + url.QueryEscape("月嫂"), "q=tjjz", "district=120101&grade=B&sort=score",
	"category=cleaning&sort=grade", "q=" + url.QueryEscape("家政") + "&district=120103", "q=" + url.QueryEscape("搬家"),
}

// throughputCase is one URL generator measured under concurrent load: url
// makes the next URL on the server at base.
type throughputCase struct {
	name string
	url  func(rng *rand.Rand, base string) string
}

// throughputs measures each public read next to a plain Go file server
// serving the profile page's bytes (the floor), in the same run: requests
// per second and latency percentiles from conc closed-loop connections,
// connection i sending to bases[i % len(bases)] (serve processes over one
// database; the floor is one file server).
func throughputs(c *http.Client, bases []string, d time.Duration, conc int) error {
	base := bases[0]
	usccs, err := vendorUSCCs(c, base, 2000)
	if err != nil {
		return err
	}
	html, err := get(c, base+"/vendors/"+usccs[0])
	if err != nil {
		return err
	}
	css, _ := get(c, base+"/static/app.css")
	fmt.Printf("profile page: %d bytes HTML + %d bytes CSS = %.1f KB\n", len(html), len(css), float64(len(html)+len(css))/1024)
	staticURL, stop, err := staticServer(html)
	if err != nil {
		return err
	}
	defer stop()
	pick := func(rng *rand.Rand) string { return usccs[rng.IntN(len(usccs))] }
	cases := []throughputCase{
		{"floor: plain Go file server, profile bytes", func(*rand.Rand, string) string { return staticURL }},
		{"profile, one vendor (page cache)", func(_ *rand.Rand, base string) string { return base + "/vendors/" + usccs[0] }},
		{fmt.Sprintf("profiles, %d vendors at random", len(usccs)), func(r *rand.Rand, base string) string { return base + "/vendors/" + pick(r) }},
		{"search page, uncached (10 queries × 5 pages)", func(r *rand.Rand, base string) string {
			return fmt.Sprintf("%s/vendors?%s&page=%d&nocache=%d", base, searchQueries[r.IntN(len(searchQueries))], 1+r.IntN(5), r.Uint64())
		}},
		{"JSON vendor /api/v1/vendors/{uscc}, random", func(r *rand.Rand, base string) string { return base + "/api/v1/vendors/" + pick(r) }},
		{"JSON search /api/v1/vendors, uncached", func(r *rand.Rand, base string) string {
			return fmt.Sprintf("%s/api/v1/vendors?%s&page=%d&nocache=%d", base, searchQueries[r.IntN(len(searchQueries))], 1+r.IntN(5), r.Uint64())
		}},
		{"badge.svg, random", func(r *rand.Rand, base string) string { return base + "/vendors/" + pick(r) + "/badge.svg" }},
	}
	procs := "one serve process"
	if len(bases) > 1 {
		procs = fmt.Sprintf("%d serve processes over one database", len(bases))
	}
	fmt.Printf("throughput, %d connections, %v per case, %s (load generator in this process)\n", conc, d, procs)
	fmt.Printf("  %-46s %9s %8s %8s %8s %8s %7s %6s\n", "case", "req/s", "p50", "p95", "p99", "max", "floor", "non-200")
	var floor float64
	for i, tc := range cases {
		r := load(c, bases, tc.url, d, conc)
		if i == 0 {
			floor = r.rps
		}
		fmt.Printf("  %-46s %9.0f %8v %8v %8v %8v %6.0f%% %6d\n", tc.name, r.rps, r.p[0], r.p[1], r.p[2], r.p[3], 100*r.rps/floor, r.bad)
	}
	fmt.Println()
	return nil
}

// fileServer serves body as /profile.html with http.FileServer from a
// temporary directory; cleanup removes the directory.
func fileServer(body []byte) (http.Handler, func(), error) {
	dir, err := os.MkdirTemp("", "cx-static")
	if err != nil {
		return nil, nil, err
	}
	if err := os.WriteFile(dir+"/profile.html", body, 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return http.FileServer(http.Dir(dir)), func() { os.RemoveAll(dir) }, nil
}

// staticServer serves body with fileServer on a loopback port, with header
// (name, value, …) on every response.
func staticServer(body []byte, header ...string) (string, func(), error) {
	files, cleanup, err := fileServer(body)
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cleanup()
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for h := 0; h+1 < len(header); h += 2 {
			w.Header().Set(header[h], header[h+1])
		}
		files.ServeHTTP(w, r)
	})}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/profile.html", func() {
		srv.Shutdown(context.Background())
		cleanup()
	}, nil
}

// loadResult is one closed-loop load run.
type loadResult struct {
	rps float64
	p   [4]time.Duration // p50, p95, p99, max
	bad int64            // responses other than 200/304
}

// load sends GETs to next(rng, base) from conc goroutines for d, goroutine
// i to bases[i % len(bases)].
func load(c *http.Client, bases []string, next func(*rand.Rand, string) string, d time.Duration, conc int) loadResult {
	var count, bad atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := 0; i < conc; i++ {
		wg.Add(1)
		go func(seed uint64, base string) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, 42))
			var mine []time.Duration
			for time.Now().Before(deadline) {
				start := time.Now()
				resp, err := c.Get(next(rng, base))
				if err != nil {
					bad.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotModified {
					bad.Add(1)
				}
				mine = append(mine, time.Since(start))
				count.Add(1)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}(uint64(i), bases[i%len(bases)])
	}
	wg.Wait()
	return loadResult{rps: float64(count.Load()) / d.Seconds(), p: percentiles(lat), bad: bad.Load()}
}
