package registry_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"chengxin/internal/testdb"
	"chengxin/registry"
	"chengxin/registry/registrytest"
	"chengxin/registry/synth"
)

// foldCheckedRunes are the code points whose folding the tests check: the
// whole Basic Multilingual Plane (but NUL and surrogates) and the blocks
// beyond it that have letter case (Deseret, which FTS5 folds; Osage, Old
// Hungarian, Warang Citi, Medefaidrin, Adlam, which it does not).
func foldCheckedRunes() []rune {
	var out []rune
	add := func(lo, hi rune) {
		for r := lo; r <= hi; r++ {
			if r < 0xD800 || r > 0xDFFF {
				out = append(out, r)
			}
		}
	}
	add(1, 0xFFFF)
	add(0x10400, 0x104FF)
	add(0x10C80, 0x10CFF)
	add(0x118A0, 0x118FF)
	add(0x16E40, 0x16E9F)
	add(0x1E900, 0x1E95F)
	return out
}

// TestSearchFoldIsFTS5s: SearchFold folds every code point checked as
// FTS5's trigram tokenizer does, read from an FTS5 index of each code
// point written three times (one trigram each).
func TestSearchFoldIsFTS5s(t *testing.T) {
	lite, err := registry.OpenSQLForTools(filepath.Join(t.TempDir(), "fold.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	for _, s := range []string{`CREATE VIRTUAL TABLE f USING fts5(t, tokenize = 'trigram')`,
		`CREATE VIRTUAL TABLE fv USING fts5vocab(f, instance)`} {
		if _, err := lite.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	runes := foldCheckedRunes()
	tx, err := lite.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runes {
		if _, err := tx.Exec(`INSERT INTO f(rowid, t) VALUES (?, ?)`, int64(r), strings.Repeat(string(r), 3)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	rows, err := lite.Query(`SELECT doc, term FROM fv`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n, folded, bad := 0, 0, 0
	for rows.Next() {
		var doc int64
		var term string
		if err := rows.Scan(&doc, &term); err != nil {
			t.Fatal(err)
		}
		n++
		r := rune(doc)
		f, _ := utf8.DecodeRuneInString(term)
		if term != strings.Repeat(string(f), 3) {
			t.Fatalf("%U: trigram %q is not one code point three times", r, term)
		}
		if f != r {
			folded++
		}
		if got := registry.SearchFold(string(r)); got != string(f) && bad < 20 {
			bad++
			t.Errorf("SearchFold(%U %q) = %q, FTS5 folds it to %U %q", r, r, got, f, f)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(runes) {
		t.Errorf("FTS5 indexed %d trigrams for %d code points", n, len(runes))
	}
	if folded < 1000 {
		t.Errorf("FTS5 folded only %d code points", folded)
	}
	t.Logf("%d code points checked, %d folded", n, folded)
}

// TestNameFoldIsSearchFold: on PostgreSQL, the name_fold() function that
// vendors.name_search is made of folds every code point as SearchFold does,
// and name search finds names by their folded text through it.
func TestNameFoldIsSearchFold(t *testing.T) {
	if !testdb.Postgres() {
		t.Skip("PostgreSQL only: name_fold() is PostgreSQL's (SQLite's FTS5 index folds as it indexes)")
	}
	db, _ := openDB(t)
	var sb strings.Builder
	for _, r := range foldCheckedRunes() {
		sb.WriteRune(r)
	}
	all := sb.String()
	var got string
	if err := registrytest.SQL(t, db).QueryRow(`SELECT name_fold(?)`, all).Scan(&got); err != nil {
		t.Fatal(err)
	}
	want := registry.SearchFold(all)
	if got != want {
		g, w := []rune(got), []rune(want)
		if len(g) != len(w) {
			t.Fatalf("name_fold returns %d code points for %d", len(g), len(w))
		}
		in := []rune(all)
		bad := 0
		for i := range g {
			if g[i] != w[i] && bad < 20 {
				bad++
				t.Errorf("name_fold(%U) = %U, SearchFold %U", in[i], g[i], w[i])
			}
		}
	}
}

// TestNameSearchFoldsAsFTS5: names and words fold as FTS5 folds them on
// either engine: İ and Cherokee letters stay as they are (a search for the
// name's own letters finds it, Go's and a locale's lower case does not), µ
// and ſ fold to μ and s, and one- and two-character words fold too.
func TestNameSearchFoldsAsFTS5(t *testing.T) {
	db, _ := openDB(t)
	ctx := context.Background()
	names := []string{"İSTANBUL保姆", "Ꭺ切罗基家政", "µ微ſ保洁", "ＡＢＣ全角家政", "ΣΟΦΙΑ月嫂"}
	ids := map[string]int64{}
	for i, n := range names {
		in := vendorIn(usccN(900 + i))
		in.Name = n
		v, err := db.CreateVendor(ctx, cli, in)
		if err != nil {
			t.Fatal(err)
		}
		ids[n] = v.ID
	}
	s := db.NewNameSearch()
	for _, tc := range []struct {
		word string
		want []string
	}{
		{"İSTANBUL", names[:1]}, {"İs", names[:1]}, {"İ", names[:1]}, {"stanbul", names[:1]}, {"istanbul", nil}, {"i", nil},
		{"Ꭺ", names[1:2]}, {"Ꭺ切", names[1:2]}, {"ꭺ", nil},
		{"μ", names[2:3]}, {"µ", names[2:3]}, {"s保", names[2:3]}, {"S保洁", names[2:3]}, {"ſ", []string{names[0], names[2]}}, // ſ folds to s, and S of İSTANBUL too
		{"ａｂｃ", names[3:4]}, {"ａｂ", names[3:4]}, {"Ａ", names[3:4]}, {"abc", nil}, {"a", names[:1]},
		{"σοφια", names[4:5]}, {"Σο", names[4:5]}, {"ς", names[4:5]},
	} {
		got, err := s.VendorsNamedWithAll(ctx, []string{tc.word})
		if err != nil {
			t.Fatal(err)
		}
		var want []int64
		for _, n := range tc.want {
			want = append(want, ids[n])
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: search %q finds %v, want %v (%q)", testdb.Engine(), tc.word, got, want, tc.want)
		}
	}
}

// BenchmarkNameSearchShort measures name search for words of one, two and
// more characters over 5,000 generated vendors, on the engine testdb
// selects (one- and two-character words: FTS5's vocabulary on SQLite, a
// read of every folded name on PostgreSQL).
func BenchmarkNameSearchShort(b *testing.B) {
	db, err := registry.Open(context.Background(), testdb.DSN(b, "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetSigningKeyPath(filepath.Join(b.TempDir(), "signing-key"))
	ctx := context.Background()
	if _, err := synth.Generate(ctx, db, cli, synth.Options{Vendors: 5000, Events: 5000, Seed: 1, Now: t0}); err != nil {
		b.Fatal(err)
	}
	s := db.NewNameSearch()
	for _, w := range []string{"家", "政", "家政", "保洁", "月嫂", "家政服务", "zz"} {
		b.Run(w, func(b *testing.B) {
			n := 0
			for b.Loop() {
				ids, err := s.VendorsNamedWithAll(ctx, []string{w})
				if err != nil {
					b.Fatal(err)
				}
				n = len(ids)
			}
			b.ReportMetric(float64(n), "vendors")
		})
	}
}
