package migrations_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	_ "modernc.org/sqlite"

	"chengxin/migrations"
	"chengxin/registry"
)

// Every SQLite migration has a PostgreSQL migration of the same name and
// no PostgreSQL migration lacks a SQLite one: the two engines record the
// same names in schema_migrations.
func TestPostgresMigrationFiles(t *testing.T) {
	lite, pg := sqliteNames(t), postgresNames(t)
	if len(lite) == 0 {
		t.Fatal("no SQLite migrations embedded")
	}
	if !slices.Equal(lite, pg) {
		t.Errorf("PostgreSQL migrations %v, want the SQLite names %v", pg, lite)
	}
}

// The PostgreSQL migrations build the schema the SQLite ones build: the
// same tables with the same columns (types translated as
// postgres/0001_registry.sql says), indexes and triggers; the append-only
// tables refuse changes; the public_changes triggers note the same
// changes; usernames are unique and found ignoring ASCII case; and the
// vendor name search proposed in postgres/0004_search.sql finds what FTS5
// finds.
func TestPostgresMigrations(t *testing.T) {
	ctx := context.Background()
	pg := newPostgresDB(t)
	applyPostgres(t, pg, "", "")
	lite := newSQLiteDB(t)
	applySQLite(t, lite, "", "")

	t.Run("schema", func(t *testing.T) { compareSchemas(t, lite, pg) })

	t.Run("append-only", func(t *testing.T) {
		for _, tc := range []struct{ insert, table, msg string }{
			{`INSERT INTO audit_log(id, at, actor, action, subject, detail, prev_hash, hash) VALUES (1, 't', 'cli', 'x', 's', '{}', '', 'h')`,
				"audit_log", "audit_log is append-only"},
			{`INSERT INTO checkpoints(id, hash, at, key_id, signature) VALUES (1, 'h', 't', 'k', 's')`,
				"checkpoints", "checkpoints are append-only"},
		} {
			if _, err := pg.Exec(ctx, tc.insert); err != nil {
				t.Fatal(err)
			}
			for _, stmt := range []string{`UPDATE ` + tc.table + ` SET at = 'changed'`, `DELETE FROM ` + tc.table, `TRUNCATE ` + tc.table} {
				_, err := pg.Exec(ctx, stmt)
				var pgErr *pgconn.PgError
				if !errors.As(err, &pgErr) || pgErr.Message != tc.msg || pgErr.Code != "23000" {
					t.Errorf("%s: %v, want %q (SQLSTATE 23000)", stmt, err, tc.msg)
				}
			}
			var n int
			var at string
			if err := pg.QueryRow(ctx, `SELECT count(*), min(at) FROM `+tc.table).Scan(&n, &at); err != nil || n != 1 || at != "t" {
				t.Errorf("%s after refused changes: %d rows, at %q, %v", tc.table, n, at, err)
			}
		}
	})

	t.Run("public changes", func(t *testing.T) {
		// The same statements on both engines note the same vendors, in
		// the same order, with the same seq.
		steps := []struct {
			stmt string
			want []int64 // vendor_id of the rows it adds to public_changes
		}{
			{vendorInsert(101, "U101", "河西家政"), []int64{101}},
			{`UPDATE vendors SET name = '河西保洁', updated_at = 'u' WHERE id = 101`, []int64{101}},
			{`UPDATE vendors SET updated_at = 'v' WHERE id = 101`, []int64{101}},
			{`INSERT INTO vendor_districts(vendor_id, district) VALUES (101, '120103')`, nil},
			{`INSERT INTO orgs(id, uscc, name, kind, district, created_at, updated_at) VALUES (101, 'O101', '协会', 'association', '120101', 't', 't')`, []int64{-1}},
			{`INSERT INTO memberships(id, org_id, vendor_id, status, since, updated_at) VALUES (101, 101, 101, 'invited', 't', 't')`, []int64{101}},
			{`UPDATE memberships SET status = 'declined', status_by = 'vendor' WHERE id = 101`, []int64{101}},
			{`DELETE FROM memberships WHERE id = 101`, []int64{101}},
			{`UPDATE orgs SET name = '新协会' WHERE id = 101`, []int64{-1}},
			{`INSERT INTO memberships(id, org_id, vendor_id, status, since, updated_at) VALUES (102, 101, 101, 'active', 't', 't')`, []int64{101}},
			{`UPDATE orgs SET name = '又一协会' WHERE id = 101`, []int64{101, -1}}, // each member, then the organisation pages
			{`DELETE FROM memberships WHERE id = 102`, []int64{101}},
			{`INSERT INTO rules_versions(version, hash, body, created_at) VALUES ('r1', 'h', '{}', 't')`, []int64{0}},
			{`INSERT INTO publication_runs(id, period, as_of, status, started_at, actor) VALUES (101, '2025-01', 't', 'running', 't', 'cli')`, []int64{-1}},
			{`INSERT INTO sanctions(id, vendor_id, kind, issued_at, reference, summary, created_by, created_at) VALUES (101, 101, 'warning', 't', 'r', 's', 'cli', 't')`, []int64{101}},
			{`INSERT INTO evaluations(id, vendor_id, as_of, rules_version, rules_hash, score, grade, body, created_at) VALUES (101, 101, 't', 'r1', 'h', 90.5, 'B', '{}', 't')`, []int64{101}},
			{`INSERT INTO vendor_scores(vendor_id, evaluation_id, as_of, evaluated_at, rules_version, rules_hash, material_hash, score, grade, reasons,
				callbacks_weight, satisfaction_value, complaint_points, exposure) VALUES (101, 101, 't', 't', 'r1', 'h', -5, 90.5, 'B', '[]', 1, 1, 0, 1)`, nil},
			{`DELETE FROM vendor_scores WHERE vendor_id = 101`, []int64{101}},
			{`INSERT INTO vendors(id, uscc, name, legal_rep, phone, address, registered_at, created_at, updated_at)
				SELECT id + 1, uscc || 'b', name, legal_rep, phone, address, registered_at, created_at, updated_at FROM vendors WHERE id = 101
				UNION ALL SELECT id + 2, uscc || 'c', name, legal_rep, phone, address, registered_at, created_at, updated_at FROM vendors WHERE id = 101`, []int64{102, 103}},
			{`DELETE FROM vendors WHERE id IN (102, 103)`, []int64{102, 103}},
		}
		var litePrev, pgPrev int64
		if err := lite.QueryRow(`SELECT max(seq) FROM public_changes`).Scan(&litePrev); err != nil {
			t.Fatal(err)
		}
		if err := pg.QueryRow(ctx, `SELECT max(seq) FROM public_changes`).Scan(&pgPrev); err != nil {
			t.Fatal(err)
		}
		if litePrev != pgPrev {
			t.Fatalf("public_changes starts at seq %d on SQLite, %d on PostgreSQL", litePrev, pgPrev)
		}
		for _, s := range steps {
			if _, err := lite.Exec(s.stmt); err != nil {
				t.Fatalf("SQLite: %.60s: %v", s.stmt, err)
			}
			if _, err := pg.Exec(ctx, s.stmt); err != nil {
				t.Fatalf("PostgreSQL: %.60s: %v", s.stmt, err)
			}
			q := `SELECT seq, vendor_id FROM public_changes WHERE seq > ` + fmt.Sprint(litePrev) + ` ORDER BY seq`
			liteRows, pgRows := queryStrings(t, sqliteQuerier{lite}, q), queryStrings(t, pgQuerier{pg}, q)
			var want []string
			for i, v := range s.want {
				want = append(want, fmt.Sprintf("%d|%d", litePrev+int64(i)+1, v))
			}
			if !slices.Equal(liteRows, want) || !slices.Equal(pgRows, want) {
				t.Errorf("%.60s: public_changes gets SQLite %v, PostgreSQL %v, want %v", s.stmt, liteRows, pgRows, want)
			}
			litePrev += int64(len(s.want))
		}
		// A seq that is a multiple of 10,000 drops the changes 200,000 or
		// more behind it that the document builder has handled; others drop
		// nothing.
		q := `SELECT seq, vendor_id FROM public_changes ORDER BY seq`
		before := queryStrings(t, sqliteQuerier{lite}, q)
		for _, step := range []struct {
			checked, seq int
			want         []string
		}{
			{0, 205000, append(slices.Clone(before), "205000|7")},
			{0, 210000, append(slices.Clone(before), "205000|7", "210000|7")}, // not handled: kept
			{210000, 220000, []string{"205000|7", "210000|7", "220000|7"}},
		} {
			for _, stmt := range []string{fmt.Sprintf(`UPDATE public_documents_state SET checked_through = %d`, step.checked),
				fmt.Sprintf(`INSERT INTO public_changes(seq, vendor_id) VALUES (%d, 7)`, step.seq)} {
				if _, err := lite.Exec(stmt); err != nil {
					t.Fatal(err)
				}
				if _, err := pg.Exec(ctx, stmt); err != nil {
					t.Fatal(err)
				}
			}
			if l, p := queryStrings(t, sqliteQuerier{lite}, q), queryStrings(t, pgQuerier{pg}, q); !slices.Equal(l, step.want) || !slices.Equal(p, l) {
				t.Errorf("after seq %d: SQLite %v, PostgreSQL %v, want %v", step.seq, l, p, step.want)
			}
		}
	})

	t.Run("usernames", func(t *testing.T) {
		names := []string{"bob", "Alice", "alice_2", "Zed", "a-b", "A.c", "Kate", "al1ce"}
		for i, n := range names {
			stmt := fmt.Sprintf(`INSERT INTO users(id, username, password_hash, role, created_at) VALUES (%d, '%s', 'h', 'regulator', 't')`, 201+i, n)
			if _, err := lite.Exec(stmt); err != nil {
				t.Fatal(err)
			}
			if _, err := pg.Exec(ctx, stmt); err != nil {
				t.Fatal(err)
			}
		}
		// Unique ignoring ASCII case only, as SQLite's NOCASE.
		for i, c := range []struct {
			name string
			ok   bool
		}{{"ALICE", false}, {"bOB", false}, {"ALİCE", true}, {"\u212Aate", true}} {
			stmt := fmt.Sprintf(`INSERT INTO users(id, username, password_hash, role, created_at) VALUES (%d, '%s', 'h', 'regulator', 't')`, 301+i, c.name)
			_, liteErr := lite.Exec(stmt)
			_, pgErr := pg.Exec(ctx, stmt)
			if (liteErr == nil) != c.ok || (pgErr == nil) != c.ok {
				t.Errorf("adding user %q beside %v: SQLite %v, PostgreSQL %v; want it accepted: %v", c.name, names, liteErr, pgErr, c.ok)
			}
		}
		// The lookup PostgreSQL needs, lower(username) = the typed name
		// folded (ASCII only) in Go, finds what SQLite's username = ? finds.
		for _, typed := range []string{"alice", "ALICE", "aLiCe", "alice ", "ALİCE", "kate", "\u212Aate", "KATE", "al1ce", "AL1CE", "nobody"} {
			l := queryStrings(t, sqliteQuerier{lite}, `SELECT id, username FROM users WHERE username = ?`, typed)
			p := queryStrings(t, pgQuerier{pg}, `SELECT id, username FROM users WHERE lower(username) = $1`, asciiLower(typed))
			if !slices.Equal(l, p) {
				t.Errorf("user %q: SQLite finds %v, PostgreSQL %v", typed, l, p)
			}
		}
		// ORDER BY username (NOCASE) on SQLite is ORDER BY lower(username) here.
		l := queryStrings(t, sqliteQuerier{lite}, `SELECT username FROM users ORDER BY role, username`)
		p := queryStrings(t, pgQuerier{pg}, `SELECT username FROM users ORDER BY role, lower(username)`)
		if !slices.Equal(l, p) {
			t.Errorf("users by name: SQLite %v, PostgreSQL %v", l, p)
		}
	})

	t.Run("search", func(t *testing.T) { compareSearch(t, lite, pg) })
}

// A database migrated through 0008 with data in it keeps the same data on
// both engines through 0009 (publication history), 0011 (memberships
// rebuilt) and 0013 (invitations rebuilt): every table holds the same rows
// afterwards.
func TestPostgresDataMigrations(t *testing.T) {
	ctx := context.Background()
	pg := newPostgresDB(t)
	applyPostgres(t, pg, "", "0009")
	lite := newSQLiteDB(t)
	applySQLite(t, lite, "", "0009")
	for _, stmt := range legacyData {
		if _, err := lite.Exec(stmt); err != nil {
			t.Fatalf("SQLite: %.70s: %v", stmt, err)
		}
		if _, err := pg.Exec(ctx, stmt); err != nil {
			t.Fatalf("PostgreSQL: %.70s: %v", stmt, err)
		}
	}
	applyPostgres(t, pg, "0009", "")
	applySQLite(t, lite, "0009", "")
	tables := sqliteTables(t, lite)
	for _, table := range tables {
		// SQLite's columns, which PostgreSQL has too (and vendors.name_search).
		cols := strings.Join(queryStrings(t, sqliteQuerier{lite}, `SELECT '"' || name || '"' FROM pragma_table_info(?) ORDER BY cid`, table.name), ", ")
		l := queryStrings(t, sqliteQuerier{lite}, `SELECT `+cols+` FROM `+table.name)
		p := queryStrings(t, pgQuerier{pg}, `SELECT `+cols+` FROM `+table.name)
		slices.Sort(l)
		slices.Sort(p)
		if !slices.Equal(l, p) {
			t.Errorf("%s after the migrations:\nSQLite     %q\nPostgreSQL %q", table.name, l, p)
		}
	}
	// The fixture reaches every branch of 0009's statements.
	got := queryStrings(t, sqliteQuerier{lite}, `SELECT vendor_id, cause, action, grade_note FROM grade_publications ORDER BY id`)
	want := []string{
		"1|run|first|a_requirements", "2|run|first|", "3|run|first|", "5|run|first|cap_C",
		"1|run|downgrade|cap_D", "3|run|upgrade_held|held", "6|run|first|",
		"2|matured|pending_published|", "5|review|objection_upheld|",
		"3|override|override|override", "4|override|override|override",
	}
	if !slices.Equal(got, want) {
		t.Errorf("grade_publications %q, want %q", got, want)
	}
	if n := len(queryStrings(t, sqliteQuerier{lite}, `SELECT 1 FROM invitations WHERE org_id IS NOT NULL`)); n != 1 {
		t.Errorf("%d invitations attributed to an association, want 1", n)
	}
}

// legacyData is a database under the schema of 0001–0008, written so that
// each statement runs unchanged on both engines. Rows of the WITHOUT ROWID
// tables are inserted out of key order: SQLite reads them in key order,
// PostgreSQL in the order they were written unless told otherwise.
var legacyData = []string{
	`INSERT INTO orgs(id, uscc, name, kind, district, created_at, updated_at) VALUES (1, 'O1', '河西家政协会', 'association', '120103', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')`,
	vendorInsert(1, "V1", "甲"), vendorInsert(2, "V2", "乙"), vendorInsert(3, "V3", "丙"),
	vendorInsert(4, "V4", "丁"), vendorInsert(5, "V5", "戊"), vendorInsert(6, "V6", "己"),
	`INSERT INTO users(id, username, password_hash, role, org_id, vendor_id, created_at) VALUES
		(1, 'Assoc', 'h', 'association', 1, NULL, '2024-01-01T00:00:00Z'),
		(2, 'reg', 'h', 'regulator', NULL, NULL, '2024-01-01T00:00:00Z'),
		(3, 'v1', 'h', 'vendor', NULL, 1, '2024-01-01T00:00:00Z')`,
	`INSERT INTO memberships(id, org_id, vendor_id, status, since, until, updated_at) VALUES
		(42, 1, 1, 'left', '2024-02-01T00:00:00Z', '2024-06-01T00:00:00Z', '2024-06-01T00:00:00Z'),
		(7, 1, 2, 'active', '2024-02-01T00:00:00Z', NULL, '2024-02-01T00:00:00Z')`,
	// Attributed to the association only when created_by names its user
	// exactly (the comparison is case-sensitive).
	`INSERT INTO invitations(token_hash, vendor_id, created_by, created_at, expires_at, used_at) VALUES
		('t2', 2, 'user:Assoc', '2025-01-02T00:00:00Z', '2025-01-09T00:00:00Z', NULL),
		('t1', 1, 'user:reg', '2025-01-02T00:00:00Z', '2025-01-09T00:00:00Z', '2025-01-03T00:00:00Z'),
		('t0', 3, 'user:assoc', '2025-01-01T00:00:00Z', '2025-01-08T00:00:00Z', NULL)`,
	`INSERT INTO publication_runs(id, period, as_of, status, started_at, finished_at, actor, rules_version, vendors) VALUES
		(1, '2025-01', '2025-01-01T00:00:00Z', 'done', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z', 'cli', 'HSCS-1.0', 5),
		(2, '2025-02', '2025-02-01T00:00:00Z', 'done', '2025-02-01T00:00:00Z', '2025-02-01T00:00:00Z', 'cli', 'HSCS-1.1', 5),
		(3, '2025-03', '2025-03-01T00:00:00Z', 'running', '2025-03-01T00:00:00Z', NULL, 'cli', 'HSCS-1.1', 0)`,
	`INSERT INTO evaluations(id, vendor_id, as_of, rules_version, rules_hash, score, grade, body, created_at) VALUES
		(1, 1, '2024-12-31T00:00:00Z', 'HSCS-1.0', 'h', 93, 'B', '{"reasons":["a_requirements"]}', '2024-12-31T00:00:00Z'),
		(2, 1, '2025-01-31T00:00:00Z', 'HSCS-1.1', 'h', 55, 'D', '{"reasons": ["cap_D", "cap_C"], "x": 1}', '2025-01-31T00:00:00Z'),
		(3, 2, '2024-12-31T00:00:00Z', 'HSCS-1.0', 'h', 95, 'A', '{"reasons":"cap_C"}', '2024-12-31T00:00:00Z'),
		(4, 3, '2024-12-31T00:00:00Z', 'HSCS-1.0', 'h', 80, 'B', '{}', '2024-12-31T00:00:00Z'),
		(5, 5, '2024-12-31T00:00:00Z', 'HSCS-1.0', 'h', 70.25, 'C', '{"reasons":["cap_C"]}', '2024-12-31T00:00:00Z'),
		(6, 6, '2024-12-31T00:00:00Z', 'HSCS-1.0', 'h', 0, 'N', '{"reasons":["cap_D"]}', '2024-12-31T00:00:00Z')`,
	`INSERT INTO publications(run_id, vendor_id, evaluated_grade, evaluated_score, published_grade, action) VALUES
		(1, 1, 'B', 93, 'B', 'first'), (1, 2, 'A', 95, 'A', 'first'), (1, 3, 'B', 80, 'B', 'first'), (1, 5, 'C', 70.25, 'C', 'first'),
		(2, 1, 'D', 55, 'D', 'downgrade'), (2, 2, 'C', 70, 'A', 'downgrade_pending'), (2, 3, 'A', 93, 'B', 'upgrade_held'),
		(2, 5, 'C', 70.25, 'C', 'downgrade_kept'), (2, 6, 'N', 0, 'N', 'first'), (3, 1, 'B', 90, 'B', 'first')`,
	`INSERT INTO published_grades(vendor_id, grade, score, published_at, run_id, rules_version) VALUES
		(5, 'C', 70.25, '2025-03-05T00:00:00Z', 2, 'HSCS-1.1'),
		(3, 'B', 80, '2025-02-01T00:00:00Z', 2, 'HSCS-1.1'),
		(2, 'C', 70, '2025-02-15T00:00:00Z', 2, 'HSCS-1.1'),
		(1, 'D', 55, '2025-02-01T00:00:00Z', 2, 'HSCS-1.1')`,
	`INSERT INTO pending_downgrades(vendor_id, grade, score, run_id, public_after, objected_at) VALUES
		(6, 'D', 50, 2, '2025-02-15T00:00:00Z', '2025-02-05T00:00:00Z')`,
	`INSERT INTO cases(id, kind, vendor_id, subject, text, opened_by, opened_at, deadline_at, status, decided_by, decided_at, decision_reason) VALUES
		(1, 'grade_objection', 5, '2', '异议', 'user:v5', '2025-02-03T00:00:00Z', '2025-03-03T00:00:00Z', 'upheld', 'user:reg', '2025-03-05T00:00:00Z', '维持'),
		(2, 'complaint_objection', 2, 'W1', '异议', 'user:v2', '2025-02-03T00:00:00Z', '2025-03-03T00:00:00Z', 'open', NULL, NULL, NULL)`,
	`INSERT INTO grade_overrides(vendor_id, grade, reason, until, set_by, set_at) VALUES
		(4, 'C', '调查期间', '2025-06-01T00:00:00Z', 'user:reg', '2025-01-10T00:00:00Z'),
		(3, 'D', '复核', '2025-06-01T00:00:00Z', 'user:reg', '2025-02-10T00:00:00Z')`,
}

func vendorInsert(id int, uscc, name string) string {
	return fmt.Sprintf(`INSERT INTO vendors(id, uscc, name, legal_rep, phone, address, registered_at, created_at, updated_at)
		VALUES (%d, '%s', '%s', '张', '022', '天津', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z')`,
		id, uscc, strings.ReplaceAll(name, "'", "''"))
}

// asciiLower folds ASCII letters only, as SQLite's NOCASE does.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// compareSearch checks the name search postgres/0016_search_fold.sql
// proposes against SQLite's FTS5 search as registry runs it: a word
// (folded by registry.SearchFold, FTS5's folding, on both) of three
// characters or more is a quoted trigram phrase, a shorter one any of the
// vocabulary's trigrams that begin with it; words are ANDed.
func compareSearch(t *testing.T, lite *sql.DB, pg *pgx.Conn) {
	ctx := context.Background()
	names := []string{"天津家政服务有限公司", "保洁ABC公司", "ａｂｃ家政", "Éclair家政", "100%满意保洁", "a_b清洁", "O'Brien家政", "小家",
		"ΣΑΣ服务", "和平区月嫂中心", "家", "河东 家政 公司", `引号"家政`, "abc", "İSTANBUL保姆", "Ꭺ切罗基", "µ微ſ"}
	for i, n := range names {
		stmt := vendorInsert(401+i, fmt.Sprintf("S%d", i), n)
		if _, err := lite.Exec(stmt); err != nil {
			t.Fatal(err)
		}
		if _, err := pg.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	queries := [][]string{{"家政"}, {"家"}, {"政服"}, {"服务有限"}, {"ABC"}, {"abc"}, {"ＡＢＣ"}, {"Ab"}, {"é"}, {"É"}, {"%"}, {"_"},
		{"100%"}, {"a_b"}, {"o'b"}, {`"家`}, {"σ"}, {"ασ"}, {"σ服"}, {"月嫂"}, {"家政", "公司"}, {"家", "保洁"}, {"无此"}, {"司"}, {"c"},
		{"İs"}, {"istanbul"}, {"İSTANBUL"}, {"Ꭺ"}, {"ꭺ"}, {"μ"}, {"µ"}, {"s微"}, {"ſ"}, {"ς"}}
	like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	for _, words := range queries {
		// SQLite, as publicity.Catalog.termExpr and ftsNames.
		var exprs []string
		for _, w := range words {
			w = registry.SearchFold(w)
			if utf8.RuneCountInString(w) >= 3 {
				exprs = append(exprs, ftsPhrase(w))
				continue
			}
			terms := queryStrings(t, sqliteQuerier{lite}, `SELECT term FROM vendor_search_terms WHERE term >= ? AND term < ?`, w, w+"\U0010FFFF")
			var or []string
			for _, term := range terms {
				if strings.HasPrefix(term, w) {
					or = append(or, ftsPhrase(term))
				}
			}
			if len(or) == 0 {
				exprs = nil
				break
			}
			exprs = append(exprs, "("+strings.Join(or, " OR ")+")")
		}
		var l []string
		if exprs != nil {
			l = queryStrings(t, sqliteQuerier{lite}, `SELECT rowid FROM vendor_search WHERE vendor_search MATCH ? ORDER BY rowid`, strings.Join(exprs, " AND "))
		}
		// PostgreSQL.
		var where []string
		var args []any
		for i, w := range words {
			where = append(where, fmt.Sprintf(`name_search LIKE '%%' || $%d || '%%'`, i+1))
			args = append(args, like.Replace(registry.SearchFold(w)))
		}
		p := queryStrings(t, pgQuerier{pg}, `SELECT id FROM vendors WHERE `+strings.Join(where, " AND ")+` ORDER BY id`, args...)
		if !slices.Equal(l, p) {
			t.Errorf("search %q: SQLite finds %v, PostgreSQL %v", words, l, p)
		}
	}
	// The index serves the query (for three characters or more).
	if _, err := pg.Exec(ctx, `SET enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	defer pg.Exec(ctx, `RESET enable_seqscan`)
	plan := strings.Join(queryStrings(t, pgQuerier{pg}, `EXPLAIN SELECT id FROM vendors
		WHERE name_search LIKE '%家政服%'`), "\n")
	if !strings.Contains(plan, "vendors_name_trgm") {
		t.Errorf("the search does not use vendors_name_trgm:\n%s", plan)
	}
}

// ftsPhrase quotes s as an FTS5 string (publicity's phrase, for the
// printable text used here).
func ftsPhrase(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// compareSchemas checks that pg has every table, column, index and trigger
// lite has, translated, and nothing else but what postgres/ adds on purpose.
func compareSchemas(t *testing.T, lite *sql.DB, pg *pgx.Conn) {
	ctx := context.Background()
	tables := sqliteTables(t, lite)
	var liteNames []string
	for _, tb := range tables {
		liteNames = append(liteNames, tb.name)
	}
	pgNames := queryStrings(t, pgQuerier{pg}, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if !slices.Equal(liteNames, pgNames) {
		t.Errorf("tables: SQLite %v, PostgreSQL %v", liteNames, pgNames)
	}
	for _, tb := range tables {
		// Columns, in order: name, type, NOT NULL, default, identity.
		rows, err := lite.Query(`SELECT name, type, "notnull", coalesce(dflt_value, ''), pk FROM pragma_table_info(?) ORDER BY cid`, tb.name)
		if err != nil {
			t.Fatal(err)
		}
		type col struct {
			name, typ, dflt string
			notNull, pk     bool
		}
		var cols []col
		pkCols := 0
		for rows.Next() {
			var c col
			var pk int
			if err := rows.Scan(&c.name, &c.typ, &c.notNull, &c.dflt, &pk); err != nil {
				t.Fatal(err)
			}
			c.pk = pk > 0
			if c.pk {
				pkCols++
			}
			cols = append(cols, c)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		pgTypes := map[string]string{"INTEGER": "bigint", "TEXT": "text", "REAL": "double precision", "BLOB": "bytea"}
		var want []string
		for _, c := range cols {
			rowid := !tb.withoutRowid && c.typ == "INTEGER" && c.pk && pkCols == 1
			identity, coll := "", ""
			if rowid {
				identity = "d"
			}
			if c.typ == "TEXT" {
				coll = "C"
			}
			want = append(want, fmt.Sprintf("%s %s collate=%s notnull=%v default=%s identity=%s",
				c.name, pgTypes[c.typ], coll, c.notNull || c.pk, c.dflt, identity))
		}
		got := queryStrings(t, pgQuerier{pg}, `SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
				|| ' collate=' || coalesce(co.collname, '') || ' notnull=' || a.attnotnull
				|| ' default=' || coalesce(replace(pg_get_expr(d.adbin, d.adrelid), '::text', ''), '') || ' identity=' || a.attidentity::text
			FROM pg_attribute a
			LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
			LEFT JOIN pg_collation co ON co.oid = a.attcollation
			WHERE a.attrelid = (current_schema() || '.' || $1)::regclass AND a.attnum > 0 AND NOT a.attisdropped
			ORDER BY a.attnum`, tb.name)
		got = slices.DeleteFunc(got, func(c string) bool { return postgresOnly[tb.name+"."+strings.Fields(c)[0]] })
		if !slices.Equal(got, want) {
			t.Errorf("%s columns:\nPostgreSQL %q\nwant       %q", tb.name, got, want)
		}

		// Indexes: every SQLite index (named or made for a key) has one
		// on the same columns, as unique, as partial; named ones by name.
		liteIdx := map[string]string{} // description → name ("" when SQLite made it for a key)
		if pkCols == 1 && !tb.withoutRowid {
			for _, c := range cols {
				if c.pk && c.typ == "INTEGER" {
					liteIdx[indexDesc(true, []string{c.name}, "")] = ""
				}
			}
		}
		for _, ix := range queryStrings(t, sqliteQuerier{lite}, `SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, tb.name) {
			f := strings.Split(ix, "|")
			var keys []string
			for _, k := range queryStrings(t, sqliteQuerier{lite}, `SELECT name, coll FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno`, f[0]) {
				name, coll, _ := strings.Cut(k, "|")
				if coll == "NOCASE" {
					name = "lower(" + name + ")"
				}
				keys = append(keys, name)
			}
			where := ""
			if f[3] == "1" {
				var def string
				if err := lite.QueryRow(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`, f[0]).Scan(&def); err != nil {
					t.Fatal(err)
				}
				_, where, _ = strings.Cut(def, " WHERE ")
			}
			name := f[0]
			if f[2] != "c" {
				name = ""
			}
			liteIdx[indexDesc(f[1] == "1", keys, where)] = name
		}
		pgIdx := map[string]string{}
		for _, ix := range queryStrings(t, pgQuerier{pg}, `SELECT i.relname, x.indisunique, coalesce(pg_get_expr(x.indpred, x.indrelid), ''),
				array_to_string(ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(1, x.indnkeyatts) k), ',')
			FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
			WHERE x.indrelid = (current_schema() || '.' || $1)::regclass`, tb.name) {
			f := strings.Split(ix, "|")
			pgIdx[indexDesc(f[1] == "true", strings.Split(f[3], ","), f[2])] = f[0]
		}
		for desc, name := range liteIdx {
			pgName, ok := pgIdx[desc]
			switch {
			case !ok:
				t.Errorf("%s: PostgreSQL lacks the index %s %s", tb.name, name, desc)
			case name != "" && pgName != name:
				t.Errorf("%s: index %s is called %s on PostgreSQL", tb.name, name, pgName)
			}
			delete(pgIdx, desc)
		}
		for desc, name := range pgIdx {
			if !postgresOnly[name] {
				t.Errorf("%s: PostgreSQL has an index SQLite lacks: %s %s", tb.name, name, desc)
			}
		}
	}

	// Triggers: name, table, timing and event, row level, WHEN or not. The
	// vendor_search triggers feed FTS5, which PostgreSQL does without.
	trig := regexp.MustCompile(`(?is)^CREATE TRIGGER (\w+) (BEFORE|AFTER) (INSERT|UPDATE|DELETE|TRUNCATE)( OF \w+)? ON (?:public\.)?(\w+)(?: FOR EACH (ROW|STATEMENT))?(\s+WHEN)?`)
	describe := func(def string) string {
		m := trig.FindStringSubmatch(def)
		if m == nil {
			t.Fatalf("trigger not understood: %s", def)
		}
		level := m[6]
		if level == "" {
			level = "ROW" // SQLite's only kind
		}
		return fmt.Sprintf("%s on %s: %s %s%s for each %s when=%v", m[1], m[5], strings.ToUpper(m[2]), strings.ToUpper(m[3]), m[4], level, m[7] != "")
	}
	var liteTrig, pgTrig []string
	for _, def := range queryStrings(t, sqliteQuerier{lite}, `SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name NOT LIKE 'vendor_search%'`) {
		liteTrig = append(liteTrig, describe(def))
	}
	for _, def := range queryStrings(t, pgQuerier{pg}, `SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal`) {
		d := describe(def)
		if !postgresOnly[strings.Fields(d)[0]] {
			pgTrig = append(pgTrig, d)
		}
	}
	slices.Sort(liteTrig)
	slices.Sort(pgTrig)
	if len(liteTrig) < 30 || !slices.Equal(liteTrig, pgTrig) {
		t.Errorf("triggers:\nSQLite     %q\nPostgreSQL %q", liteTrig, pgTrig)
	}
	var n int
	if err := pg.QueryRow(ctx, `SELECT count(*) FROM pg_trigger WHERE tgname IN ('audit_log_no_truncate', 'checkpoints_no_truncate')`).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d TRUNCATE guards, want 2 (%v)", n, err)
	}
}

// postgresOnly names what the PostgreSQL migrations add on purpose: the
// name folded as FTS5 folds it (vendors.name_search, 0016) and its trigram
// index for name search (0004, 0016), and the TRUNCATE guards of the
// append-only tables (0001, 0014).
var postgresOnly = map[string]bool{"vendors_name_trgm": true, "audit_log_no_truncate": true, "checkpoints_no_truncate": true,
	"vendors.name_search": true}

var predicateNoise = strings.NewReplacer("(", "", ")", "", " ", "", "::text", "", `"`, "")

func indexDesc(unique bool, keys []string, where string) string {
	for i, k := range keys {
		keys[i] = strings.ReplaceAll(k, `"`, "")
	}
	return fmt.Sprintf("unique=%v (%s) where %s", unique, strings.Join(keys, ", "), strings.ToLower(predicateNoise.Replace(where)))
}

type sqliteTable struct {
	name         string
	withoutRowid bool
}

// sqliteTables lists lite's ordinary tables: not SQLite's own, not FTS5's
// virtual tables nor their shadow tables.
func sqliteTables(t *testing.T, lite *sql.DB) []sqliteTable {
	var out []sqliteTable
	for _, s := range queryStrings(t, sqliteQuerier{lite}, `SELECT name, wr FROM pragma_table_list
		WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`) {
		name, wr, _ := strings.Cut(s, "|")
		out = append(out, sqliteTable{name, wr == "1"})
	}
	if len(out) < 30 {
		t.Fatalf("only %d SQLite tables: %v", len(out), out)
	}
	return out
}

func sqliteNames(t *testing.T) []string {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}

func postgresNames(t *testing.T) []string {
	paths, err := fs.Glob(migrations.Postgres, "postgres/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range paths {
		names = append(names, strings.TrimPrefix(p, "postgres/"))
	}
	slices.Sort(names)
	return names
}

// newPostgresDB creates a database of its own on the server
// CHENGXIN_TEST_POSTGRES names (skipping the test when it is unset) and
// drops it when the test ends.
func newPostgresDB(t *testing.T) *pgx.Conn {
	t.Helper()
	url := os.Getenv("CHENGXIN_TEST_POSTGRES")
	if url == "" {
		t.Skip("CHENGXIN_TEST_POSTGRES is not set (a PostgreSQL server URL, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable): PostgreSQL migrations not tested")
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("CHENGXIN_TEST_POSTGRES: %v", err)
	}
	name := fmt.Sprintf("migrations_test_%d_%d", os.Getpid(), time.Now().UnixNano())
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		admin.Close(ctx)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(ctx, `DROP DATABASE `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("dropping %s: %v", name, err)
		}
		admin.Close(ctx)
	})
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database = name
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	return conn
}

func newSQLiteDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "schema.db")+"?_pragma=foreign_keys(ON)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// applyPostgres applies the PostgreSQL migrations whose names sort from
// from (inclusive) to until (exclusive; "" for no bound), each in its own
// transaction.
func applyPostgres(t *testing.T, conn *pgx.Conn, from, until string) {
	t.Helper()
	ctx := context.Background()
	for _, name := range postgresNames(t) {
		if name < from || until != "" && name >= until {
			continue
		}
		body, err := migrations.Postgres.ReadFile("postgres/" + name)
		if err != nil {
			t.Fatal(err)
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, string(body))
			return err
		})
		if err != nil {
			t.Fatalf("PostgreSQL migration %s: %v", name, err)
		}
	}
}

// applySQLite applies the SQLite migrations in the same way, as
// registry.Migrate does.
func applySQLite(t *testing.T, db *sql.DB, from, until string) {
	t.Helper()
	for _, name := range sqliteNames(t) {
		if name < from || until != "" && name >= until {
			continue
		}
		body, err := migrations.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(string(body)); err != nil {
			tx.Rollback()
			t.Fatalf("SQLite migration %s: %v", name, err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
}

// querier runs a query on either engine and returns its rows, each row's
// values joined by "|" (NULL as "NULL").
type querier interface {
	rows(q string, args ...any) ([]string, error)
}

type sqliteQuerier struct{ db *sql.DB }

func (s sqliteQuerier) rows(q string, args ...any) ([]string, error) {
	rows, err := s.db.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out = append(out, joinValues(vals))
	}
	return out, rows.Err()
}

type pgQuerier struct{ conn *pgx.Conn }

func (p pgQuerier) rows(q string, args ...any) ([]string, error) {
	rows, err := p.conn.Query(context.Background(), q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, err
		}
		out = append(out, joinValues(vals))
	}
	return out, rows.Err()
}

func joinValues(vals []any) string {
	s := make([]string, len(vals))
	for i, v := range vals {
		switch v := v.(type) {
		case nil:
			s[i] = "NULL"
		case []byte:
			s[i] = fmt.Sprintf("x'%x'", v)
		default:
			s[i] = fmt.Sprint(v)
		}
	}
	return strings.Join(s, "|")
}

func queryStrings(t *testing.T, db querier, q string, args ...any) []string {
	t.Helper()
	out, err := db.rows(q, args...)
	if err != nil {
		t.Fatalf("%.80s: %v", q, err)
	}
	return out
}
