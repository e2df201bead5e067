package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Name search on SQLite: the FTS5 table vendor_search (trigram tokenizer,
// case folded; migrations/0004_search.sql) holds every vendor's name under
// its id, and vendor_search_terms (fts5vocab) lists the index's trigrams.
// A trigram index matches nothing shorter than three characters, and most
// Chinese searches are two (家政, 保洁): a word of one or two characters
// matches through the index's trigrams that begin with it.
//
// Name search on PostgreSQL: a pg_trgm GIN index on vendors.name_search, the
// name folded as FTS5 folds it (migrations/postgres/0016_search_fold.sql),
// serves one LIKE '%word%' per word; a word under three characters reads
// every folded name, with the same answer. Both engines fold a query word
// with SearchFold (searchfold.go), FTS5's own folding.
// Everything engine-specific about finding vendors by name lives in this
// file.

// NameSearch finds vendors whose names contain given words. It caches, per
// word of one or two characters, the index's trigrams that begin with it;
// whoever follows the public change log (publicity.Catalog) calls
// NamesChanged when names may have changed.
type NameSearch struct {
	db *DB

	mu    sync.Mutex
	terms map[string][]string // short word → the index's trigrams that begin with it
}

// NewNameSearch returns a name search over db with an empty cache.
func (db *DB) NewNameSearch() *NameSearch {
	return &NameSearch{db: db, terms: map[string][]string{}}
}

// NamesChanged forgets what the search cached about the names indexed (on
// SQLite; PostgreSQL's search caches nothing).
func (s *NameSearch) NamesChanged() {
	s.mu.Lock()
	clear(s.terms)
	s.mu.Unlock()
}

// VendorsNamedWithAll returns the ids of the vendors whose name contains
// every one of words (each a non-empty string without spaces; letters
// compared case-insensitively), in no particular order; none for no words.
// Query syntax in a word is plain text.
func (s *NameSearch) VendorsNamedWithAll(ctx context.Context, words []string) ([]int64, error) {
	if len(words) == 0 {
		return nil, nil
	}
	if s.db.pg {
		return s.vendorsNamedWithAllPostgres(ctx, words)
	}
	exprs := make([]string, len(words))
	for i, w := range words {
		e, err := s.wordExpr(ctx, w)
		if err != nil {
			return nil, err
		}
		exprs[i] = e
	}
	if slices.Contains(exprs, "") {
		return nil, nil
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT rowid FROM vendor_search WHERE vendor_search MATCH ?`,
		strings.Join(exprs, " AND "))
	if err != nil {
		return nil, fmt.Errorf("registry: name search: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// wordExpr is the FTS5 expression matching names that contain w: a quoted
// phrase (trigrams) for three characters or more; for one or two, any of
// the index's trigrams that begin with w. "" means no name contains w.
func (s *NameSearch) wordExpr(ctx context.Context, w string) (string, error) {
	w = SearchFold(w)
	if utf8.RuneCountInString(w) >= 3 {
		return ftsPhrase(w), nil
	}
	tris, err := s.shortWordTrigrams(ctx, w)
	if err != nil || len(tris) == 0 {
		return "", err
	}
	q := make([]string, len(tris))
	for i, tri := range tris {
		q[i] = ftsPhrase(tri)
	}
	return "(" + strings.Join(q, " OR ") + ")", nil
}

// shortWordTrigrams returns the trigrams of the index that begin with w
// (one or two characters, folded as the index folds case), cached
// until NamesChanged.
func (s *NameSearch) shortWordTrigrams(ctx context.Context, w string) ([]string, error) {
	s.mu.Lock()
	t, ok := s.terms[w]
	s.mu.Unlock()
	if ok {
		return t, nil
	}
	// Terms sort by their UTF-8 bytes; U+10FFFF sorts after any continuation.
	rows, err := s.db.read.QueryContext(ctx, `SELECT term FROM vendor_search_terms WHERE term >= ? AND term < ?`,
		w, w+"\U0010FFFF")
	if err != nil {
		return nil, fmt.Errorf("registry: search terms: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var term string
		if err := rows.Scan(&term); err != nil {
			return nil, err
		}
		if strings.HasPrefix(term, w) {
			out = append(out, term)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if len(s.terms) >= 2000 {
		clear(s.terms)
	}
	s.terms[w] = out
	s.mu.Unlock()
	return out, nil
}

// ftsPhrase quotes s as an FTS5 string: everything inside is plain text.
func ftsPhrase(s string) string {
	return `"` + strings.ReplaceAll(plainText(s), `"`, `""`) + `"`
}

// plainText drops what a search word cannot usefully hold: NUL and
// characters that are neither printable nor space.
func plainText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == 0 || !unicode.IsPrint(r) && !unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// vendorsNamedWithAllPostgres is VendorsNamedWithAll on PostgreSQL:
// name_search holds each name folded as FTS5 folds it, and a word folded by
// SearchFold is looked for in it.
func (s *NameSearch) vendorsNamedWithAllPostgres(ctx context.Context, words []string) ([]int64, error) {
	where := make([]string, len(words))
	args := make([]any, len(words))
	for i, w := range words {
		where[i] = `name_search LIKE ? ESCAPE '\'`
		args[i] = "%" + escapeLike(SearchFold(plainText(w))) + "%"
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT id FROM vendors WHERE `+strings.Join(where, " AND "), args...)
	if err != nil {
		return nil, fmt.Errorf("registry: name search: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
