package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
	"unicode"

	"chengxin/publicity"
	"chengxin/registry"
	"chengxin/registry/synth"
	"chengxin/web"
)

// benchCity is a generated city of 2,000 vendors, evaluated, published and
// with every public document stored, shared by the read benchmarks.
var benchCity struct {
	once  sync.Once
	db    *registry.DB
	codes []string
	names []string
	err   error
}

func openBenchCity(b *testing.B) *registry.DB {
	b.Helper()
	benchCity.once.Do(func() {
		ctx := context.Background()
		dir, err := filepathTemp()
		if err != nil {
			benchCity.err = err
			return
		}
		db, err := registry.Open(ctx, filepath.Join(dir, "city.db"))
		if err != nil {
			benchCity.err = err
			return
		}
		db.SetSigningKeyPath(filepath.Join(dir, "key"))
		if _, err = synth.Generate(ctx, db, registry.SystemActor, synth.Options{Vendors: 2000, Events: 200000, Seed: 1}); err != nil {
			benchCity.err = err
			return
		}
		if _, err = db.Rescore(ctx, registry.RescoreOptions{}); err != nil {
			benchCity.err = err
			return
		}
		if _, err = publicity.Publish(ctx, db, registry.CLIActor, time.Now().AddDate(0, 0, -1)); err != nil {
			benchCity.err = err
			return
		}
		if _, err = publicity.NewDocuments(db).CatchUp(ctx, true); err != nil {
			benchCity.err = err
			return
		}
		vs, _, err := db.FindVendors(ctx, registry.VendorFilter{PerPage: 2000})
		if err != nil {
			benchCity.err = err
			return
		}
		for _, v := range vs {
			benchCity.codes, benchCity.names = append(benchCity.codes, v.USCC), append(benchCity.names, v.Name)
		}
		benchCity.db = db
	})
	if benchCity.err != nil {
		b.Fatal(benchCity.err)
	}
	return benchCity.db
}

// filepathTemp is a directory for the shared city (b.TempDir ends with
// the first benchmark that asks; the system removes /tmp in its time).
func filepathTemp() (string, error) { return os.MkdirTemp("", "cx-bench-city") }

// benchGet serves GET path through the whole server in this process (no
// network) and fails on anything but 200.
func benchGet(b *testing.B, srv http.Handler, path string) {
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		b.Fatalf("%s: %d", path, rec.Code)
	}
}

// BenchmarkPublicVendorJSON: GET /api/v1/vendors/{uscc}, every vendor in
// turn (a stored document's bytes; no cache in front).
func BenchmarkPublicVendorJSON(b *testing.B) {
	db := openBenchCity(b)
	srv := web.New(web.Config{DB: db})
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		benchGet(b, srv, "/api/v1/vendors/"+benchCity.codes[i%len(benchCity.codes)])
	}
}

// BenchmarkPublicProfile: GET /vendors/{uscc} with the page cache off:
// one stored document read, decoded and rendered per request.
func BenchmarkPublicProfile(b *testing.B) {
	db := openBenchCity(b)
	srv := web.New(web.Config{DB: db, PageCacheBytes: -1})
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		benchGet(b, srv, "/vendors/"+benchCity.codes[i%len(benchCity.codes)])
	}
}

// BenchmarkPublicProfileFromRecords builds the same profiles from the
// records, as every uncached request did before documents were stored.
func BenchmarkPublicProfileFromRecords(b *testing.B) {
	db := openBenchCity(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := publicity.FindProfile(ctx, db, benchCity.codes[i%len(benchCity.codes)], db.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPublicSearchTwoCharacters: the search page for distinct
// two-character words of vendor names, uncached.
func BenchmarkPublicSearchTwoCharacters(b *testing.B) {
	db := openBenchCity(b)
	srv := web.New(web.Config{DB: db, PageCacheBytes: -1})
	var words []string
	seen := map[string]bool{}
	for _, n := range benchCity.names {
		rs := []rune(n)
		for j := 0; j+1 < len(rs); j++ {
			if w := string(rs[j : j+2]); unicode.Is(unicode.Han, rs[j]) && unicode.Is(unicode.Han, rs[j+1]) && !seen[w] {
				seen[w] = true
				words = append(words, w)
			}
		}
	}
	benchGet(b, srv, "/vendors?q="+url.QueryEscape(words[0])) // loads the catalogue
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		benchGet(b, srv, fmt.Sprintf("/vendors?q=%s", url.QueryEscape(words[i%len(words)])))
	}
}
