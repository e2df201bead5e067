package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
)

// coldVendors lists every vendor's code and name through the JSON API.
func coldVendors(c *http.Client, base string) (codes, names []string, err error) {
	for page := 1; ; page++ {
		body, err := get(c, fmt.Sprintf("%s/api/v1/vendors?per_page=100&page=%d&sort=name", base, page))
		if err != nil {
			return nil, nil, err
		}
		var res struct {
			Items []struct {
				USCC string `json:"uscc"`
				Name string `json:"name"`
			} `json:"items"`
		}
		if err := json.Unmarshal(body, &res); err != nil {
			return nil, nil, err
		}
		if len(res.Items) == 0 {
			break
		}
		for _, it := range res.Items {
			codes, names = append(codes, it.USCC), append(names, it.Name)
		}
	}
	if len(codes) == 0 {
		return nil, nil, fmt.Errorf("the API lists no vendors: is the database seeded?")
	}
	return codes, names, nil
}

// twoCharQueries picks up to n distinct two-character words from vendor
// names (two Chinese characters side by side), in a fixed random order.
func twoCharQueries(names []string, n int) []string {
	seen := map[string]bool{}
	var out []string
	for _, name := range names {
		rs := []rune(name)
		for i := 0; i+1 < len(rs); i++ {
			if !unicode.Is(unicode.Han, rs[i]) || !unicode.Is(unicode.Han, rs[i+1]) {
				continue
			}
			if w := string(rs[i : i+2]); !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	rng := rand.New(rand.NewPCG(7, 7))
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out[:min(n, len(out))]
}

// cold measures the long tail on a freshly started server: every vendor's
// JSON fetched once, then every profile once (nothing of them in any
// in-process cache), then distinct two-character searches nobody asked
// before; each next to a plain Go file server serving one such response's
// bytes to the same client in the same run (the floor). Run it first
// after starting the server: an earlier run leaves pages in its cache.
func cold(c *http.Client, bases []string, conc, searches int) error {
	base := bases[0]
	codes, names, err := coldVendors(c, base)
	if err != nil {
		return err
	}
	fmt.Printf("cold paths: %d vendors, each fetched once, %d connections, %s\n", len(codes), conc, procsText(bases))
	fmt.Printf("  %-50s %9s %8s %8s %8s %8s %7s %6s\n", "case", "req/s", "p50", "p95", "p99", "max", "floor", "non-200")
	row := func(name string, r loadResult, floor float64) {
		fmt.Printf("  %-50s %9.0f %8v %8v %8v %8v %6.0f%% %6d\n", name, r.rps, r.p[0], r.p[1], r.p[2], r.p[3], 100*r.rps/floor, r.bad)
	}
	// The floors serve a vendor that is not fetched by the measured case
	// first, so the server's caches learn nothing from taking them.
	sample := codes[len(codes)-1]
	jsonBytes, err := get(c, base+"/api/v1/vendors/"+sample)
	if err != nil {
		return err
	}
	jsonFloor, stop, err := staticServer(jsonBytes)
	if err != nil {
		return err
	}
	fr := each(c, []string{""}, len(codes), func(int, string) string { return jsonFloor }, conc)
	stop()
	row("floor: file server, one vendor's JSON bytes", fr, fr.rps)
	r := each(c, bases, len(codes)-1, func(i int, base string) string { return base + "/api/v1/vendors/" + codes[i] }, conc)
	row("JSON /api/v1/vendors/{uscc}, every vendor once", r, fr.rps)

	html, err := get(c, base+"/vendors/"+sample)
	if err != nil {
		return err
	}
	htmlFloor, stop, err := staticServer(html)
	if err != nil {
		return err
	}
	fr = each(c, []string{""}, len(codes), func(int, string) string { return htmlFloor }, conc)
	stop()
	row(fmt.Sprintf("floor: file server, one profile's bytes (%.0f KB)", float64(len(html))/1024), fr, fr.rps)
	r = each(c, bases, len(codes)-1, func(i int, base string) string { return base + "/vendors/" + codes[i] }, conc)
	row("profile /vendors/{uscc}, every vendor once", r, fr.rps)
	r = each(c, bases, len(codes)-1, func(i int, base string) string { return base + "/vendors/" + codes[i] }, conc)
	row("profile /vendors/{uscc}, every vendor again", r, fr.rps)

	// As browsers ask: Accept-Encoding gzip. The floor serves the same
	// compressed bytes with Content-Encoding: gzip.
	gz, err := getWith(c, base+"/vendors/"+sample, "Accept-Encoding", "gzip")
	if err != nil {
		return err
	}
	gzFloor, stop, err := staticServer(gz, "Content-Encoding", "gzip")
	if err != nil {
		return err
	}
	fr = each(c, []string{""}, len(codes), func(int, string) string { return gzFloor }, conc)
	stop()
	row(fmt.Sprintf("floor: file server, one profile gzip (%.1f KB)", float64(len(gz))/1024), fr, fr.rps)
	r = each(c, bases, len(codes)-1, func(i int, base string) string { return base + "/vendors/" + codes[i] }, conc, "Accept-Encoding", "gzip")
	row("profile, gzip, every vendor once more", r, fr.rps)

	qs := twoCharQueries(names, searches)
	page, err := get(c, base+"/vendors?q="+url.QueryEscape(qs[0]))
	if err != nil {
		return err
	}
	searchFloor, stop, err := staticServer(page)
	if err != nil {
		return err
	}
	fr = each(c, []string{""}, len(qs), func(int, string) string { return searchFloor }, conc)
	stop()
	row("floor: file server, one search page's bytes", fr, fr.rps)
	r = each(c, bases, len(qs)-1, func(i int, base string) string {
		return base + "/vendors?q=" + url.QueryEscape(qs[i+1]) + "&nocache=1"
	}, conc)
	row(fmt.Sprintf("search page, %d distinct 2-character queries", len(qs)-1), r, fr.rps)
	r = each(c, bases, len(qs)-1, func(i int, base string) string {
		return base + "/api/v1/vendors?q=" + url.QueryEscape(qs[i+1]) + "&nocache=1"
	}, conc)
	row("JSON search, the same queries", r, fr.rps)
	// Pages people asked for before: the first pass puts them in the
	// server's page cache (a few hundred, so they fit the default), the
	// second is served from it. With -page-cache-mb 0 both are rendered.
	hot := qs[1:min(len(qs), 301)]
	hotURL := func(i int, base string) string { return base + "/vendors?q=" + url.QueryEscape(hot[i]) }
	each(c, bases, len(hot), hotURL, conc)
	r = each(c, bases, 10*len(hot), func(i int, base string) string { return hotURL(i%len(hot), base) }, conc)
	row(fmt.Sprintf("search page, %d of them asked again ×10 (page cache)", len(hot)), r, fr.rps)
	fmt.Println()
	return nil
}

// each sends n GETs, url(i, base) for i in 0…n-1, each once, from conc
// connections (connection k to bases[k % len(bases)]), with header.
func each(c *http.Client, bases []string, n int, url func(i int, base string) string, conc int, header ...string) loadResult {
	var next, bad atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	for k := 0; k < conc; k++ {
		wg.Add(1)
		go func(base string) {
			defer wg.Done()
			var mine []time.Duration
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					break
				}
				t := time.Now()
				req, err := http.NewRequest(http.MethodGet, url(i, base), nil)
				if err != nil {
					bad.Add(1)
					continue
				}
				for h := 0; h+1 < len(header); h += 2 {
					req.Header.Set(header[h], header[h+1])
				}
				resp, err := c.Do(req)
				if err != nil {
					bad.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					bad.Add(1)
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}(bases[k%len(bases)])
	}
	wg.Wait()
	return loadResult{rps: float64(n) / time.Since(start).Seconds(), p: percentiles(lat), bad: bad.Load()}
}

// procsText names how many serve processes answer.
func procsText(bases []string) string {
	if len(bases) > 1 {
		return fmt.Sprintf("%d serve processes over one database", len(bases))
	}
	return "one serve process"
}
