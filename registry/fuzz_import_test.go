package registry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"chengxin/i18n"
)

// The import fuzz targets run whole CSV files through the real import path
// (header check, row parsing, validation, per-row savepoints, upserts,
// audit) against a SQLite file opened once per fuzz worker, and check:
//
//   - a file is either rejected with a FileError that leaves the database
//     as it was, or gives a report whose created+updated+unchanged+rejected
//     equals the data rows in the file (counted independently);
//   - every rejected row carries at least one error naming its line and a
//     column of the file (or "-" for a row that is not readable as cells),
//     with a message from the catalog and a label the console can show;
//   - rows that are accepted are stored under their key, and each created
//     or updated row appends exactly one audit entry; a file without created
//     or updated rows writes nothing, anywhere (SQLite's data_version, seen
//     from another connection, does not move; where a repeated code makes
//     a row write and roll back, a digest of every table is compared);
//   - importing the same file again creates nothing and rejects the same
//     rows; unless a key repeats, every accepted row reads back as unchanged
//     (normalisation round-trips) and nothing is written.
//
// The database is reset from a template when it grows, so a failing input
// reproduces on its own (go test -run=FuzzImportX/ID).

// fuzzNow is the fuzz database's clock: 2025-03-15 10:00 in Tianjin.
var fuzzNow = time.Date(2025, 3, 15, 10, 0, 0, 0, Shanghai)

// Fixture codes of the fuzz database.
var (
	fuzzVendorA = MustUSCC("91120101MA05FXB01")
	fuzzVendorB = MustUSCC("91120103MA05FXB02")
	fuzzOrg     = MustUSCC("51120101MJ0FXB001")
)

// importKind is one record type's import entry point and its file layout.
type importKind struct {
	required, optional []string
	run                func(*DB, context.Context, io.Reader, ImportOptions) (ImportReport, error)
	table              string // where accepted rows are stored
	exists             func(ctx context.Context, db *DB, key string) (bool, error)
	repeatsUpdate      bool // a later row with the same key updates an earlier one
}

func existsBy(query string, args func(key string) []any) func(context.Context, *DB, string) (bool, error) {
	return func(ctx context.Context, db *DB, key string) (bool, error) {
		var n int
		err := db.read.QueryRowContext(ctx, query, args(key)...).Scan(&n)
		return n > 0, err
	}
}

func oneKey(key string) []any { return []any{key} }

// threeParts splits a key "USCC/month/source" or "USCC/kind/reference".
func threeParts(key string) []any {
	p := strings.SplitN(key, "/", 3)
	for len(p) < 3 {
		p = append(p, "")
	}
	return []any{p[0], p[1], p[2]}
}

var fuzzKinds = map[string]importKind{
	"complaints": {required: complaintColumnsRequired, optional: complaintColumnsOptional,
		run: (*DB).ImportComplaints, table: "complaints", repeatsUpdate: true,
		exists: existsBy(`SELECT count(*) FROM complaints WHERE work_order_no = ?`, oneKey)},
	"callbacks": {required: callbackColumns, run: (*DB).ImportCallbacks, table: "callbacks", repeatsUpdate: true,
		exists: existsBy(`SELECT count(*) FROM callbacks WHERE work_order_no = ?`, oneKey)},
	"volumes": {required: volumeColumns, run: (*DB).ImportVolumes, table: "volumes", repeatsUpdate: true,
		exists: existsBy(`SELECT count(*) FROM volumes m JOIN vendors v ON v.id = m.vendor_id WHERE v.uscc = ? AND m.month = ? AND m.source = ?`,
			threeParts)},
	"sanctions": {required: sanctionColumnsRequired, optional: sanctionColumnsOptional,
		run: (*DB).ImportSanctions, table: "sanctions", repeatsUpdate: true,
		exists: existsBy(`SELECT count(*) FROM sanctions s JOIN vendors v ON v.id = s.vendor_id WHERE v.uscc = ? AND s.kind = ? AND s.reference = ?`,
			threeParts)},
	"orgs": {required: orgColumnsRequired, optional: orgColumnsOptional, run: (*DB).ImportOrgs, table: "orgs",
		exists: existsBy(`SELECT count(*) FROM orgs WHERE uscc = ?`, oneKey)},
	"vendors": {required: vendorColumnsRequired, optional: vendorColumnsOptional, run: (*DB).ImportVendors, table: "vendors",
		exists: existsBy(`SELECT count(*) FROM vendors WHERE uscc = ?`, oneKey)},
}

// hostileCells are cell values every seed file carries somewhere.
var hostileCells = []string{
	`' OR 1=1 --`, `"; DROP TABLE vendors; --`, `Robert'); DELETE FROM audit_log;--`, `=HYPERLINK("http://x","y")`,
	"\x01\x7f", "a\u202eb", "ＡＢＣ１２３", "%", "_", "\\", `NEAR(a b)`, "*", "\ufffd", strings.Repeat("长", 300),
	"1e309", "-1", "9223372036854775808", "2025-02-30", "0000-00-00", "2025-03-15T10:00:00+99:00",
}

// csvLine joins cells as a CSV line, quoting when needed.
func csvLine(cells ...string) string {
	out := make([]string, len(cells))
	for i, c := range cells {
		if strings.ContainsAny(c, ",\"\r\n") || strings.TrimSpace(c) != c {
			c = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
		}
		out[i] = c
	}
	return strings.Join(out, ",")
}

// fuzzSeeds are realistic and hostile files of a kind: a valid file, the
// same rows with hostile cells, broken structure and other encodings.
func fuzzSeeds(kind string) [][]byte {
	k := fuzzKinds[kind]
	header := append(slices.Clone(k.required), k.optional...)
	var good [][]string
	switch kind {
	case "complaints":
		good = [][]string{
			{"8890-20250301-0001", fuzzVendorA, "2025-03-01 09:00", "phone", "cleaning", "closed", "2025-03-04 09:00", "general", "substantiated", "2025-03-02 17:00", "SO-1", "客户电话13812345678，保洁不到位"},
			{"8890-20250301-0002", fuzzVendorB, "2025-03-01T10:00:00+08:00", "wechat", "housekeeping", "open", "2025-03-04", "", "", "", "", ""},
			{"8890-20250301-0001", fuzzVendorA, "2025-03-01 09:00", "phone", "cleaning", "closed", "2025-03-04 09:00", "serious", "mediated", "2025-03-03", "", "更新"},
		}
	case "callbacks":
		good = [][]string{
			{"8890-20250301-0001", fuzzVendorA, "2025-03-05 10:00", "satisfied"},
			{"8890-20250301-0002", strings.ToLower(fuzzVendorB), "2025-03-05", "unreachable"},
		}
	case "volumes":
		good = [][]string{
			{fuzzVendorA, "2025-02", "120", "dispatch"},
			{fuzzVendorA, "2025-02", "130", "vendor_report"},
			{fuzzVendorB, "2025-01", "0", "dispatch"},
		}
	case "sanctions":
		good = [][]string{
			{fuzzVendorA, "warning", "2025-01-10", "津市监警〔2025〕1号", "未按约定时间提供服务，经查属实", "", "天津市市场监督管理委员会"},
			{fuzzVendorB, "blacklist", "2025-02-01", "津市监黑〔2025〕2号", "严重失信", "2027-02-01", ""},
		}
	case "orgs":
		good = [][]string{
			{fuzzOrg, "天津市家庭服务业协会", "association", "120101", "022-88886666"},
			{MustUSCC("51120103MJ0FXB002"), "河西区社区服务中心", "community", "120103", ""},
		}
	case "vendors":
		good = [][]string{
			{"91120103MA06HJ146P", "天津大脑英才培训学校有限公司河西校区", "张三", "022-12345678", "天津市河西区梅江街道郁江道37号永利大厦1-1013", "120103", "cleaning;housekeeping", "", "", "", ""},
			{fuzzVendorA, "和平区示范家政服务有限公司", "张明", "022-2345 6789", "天津市和平区示例路 1 号", "120101；120103", "cleaning，eldercare", "JZ-001", "2030-12-31", "2026-01-01", "2020-05-01"},
		}
	}
	lines := func(rows [][]string) string {
		out := []string{csvLine(header...)}
		for _, r := range rows {
			out = append(out, csvLine(r...))
		}
		return strings.Join(out, "\n") + "\n"
	}
	text := lines(good)
	// Every cell of the first row replaced in turn by a hostile value.
	var hostile [][]string
	for i := range header {
		r := slices.Clone(good[0])
		r[i] = hostileCells[i%len(hostileCells)]
		hostile = append(hostile, r)
	}
	// And the rest of the hostile values, one row each, in the key column.
	for i := len(header); i < len(hostileCells); i++ {
		r := slices.Clone(good[len(good)-1])
		r[0] = hostileCells[i]
		hostile = append(hostile, r)
	}
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String(text)
	shuffled := slices.Clone(header)
	slices.Reverse(shuffled)
	seeds := []string{
		text,
		"\ufeff" + strings.ReplaceAll(text, "\n", "\r\n"),
		gb,
		lines(hostile),
		text + "\n\n,,,\n" + csvLine(good[0]...)[:10] + "\n",        // blank rows, a short row
		text + `"unterminated,` + strings.Join(good[0], ",") + "\n", // an unclosed quote swallowing the end
		strings.Replace(text, "\n", "\n"+`a"b,c`+"\n", 1),           // a bare quote
		strings.Join(shuffled, ",") + "\n",                          // header only
		strings.Join(header, ",") + ",extra\n" + strings.Join(good[0], ",") + ",x\n",
		strings.Join(header[1:], ",") + "\n" + strings.Join(good[0][1:], ",") + "\n",
		strings.Join(append(slices.Clone(header), header[0]), ",") + "\n",
		strings.Join(header, ",") + ",\n" + strings.Join(good[0], ",") + "\n", // trailing comma
		"",
		"\xff\xfe" + "u\x00s\x00c\x00c\x00",
		strings.Join(header, "\x00,") + "\n",
		text + strings.Join(good[0], "\x00,") + "\n", // a NUL: not text
		text + "\xff\xfe\xfd\n",                      // neither UTF-8 nor GB18030
	}
	out := make([][]byte, len(seeds))
	for i, s := range seeds {
		out[i] = []byte(s)
	}
	return out
}

// fuzzStore is one worker's database, reset from a template when it grows.
type fuzzStore struct {
	dir      string
	template string
	digest   string // digestQuery of the schema
	db       *DB
	probe    *sql.Conn // one reader connection, whose data_version moves when the writer commits changes
	n        int
	// cached is the digest of the database at data_version cachedAt.
	cached   string
	cachedAt int64
}

func newFuzzStore(f *testing.F) *fuzzStore {
	f.Helper()
	ctx := context.Background()
	s := &fuzzStore{dir: f.TempDir()}
	s.template = filepath.Join(s.dir, "template.db")
	db, err := Open(ctx, s.template)
	if err != nil {
		f.Fatal(err)
	}
	db.Now = func() time.Time { return fuzzNow }
	for _, code := range []string{fuzzVendorA, fuzzVendorB} {
		if _, err := db.CreateVendor(ctx, CLIActor, VendorInput{USCC: code, Name: "天津" + code[10:] + "家政服务有限公司", LegalRep: "张明",
			Phone: "022-2345 6789", Address: "天津市和平区示例路 1 号", Districts: []string{"120101"}, Categories: []string{"cleaning"}}); err != nil {
			f.Fatal(err)
		}
	}
	if _, err := db.CreateOrg(ctx, CLIActor, OrgInput{USCC: fuzzOrg, Name: "天津市家庭服务业协会", Kind: "association", District: "120101"}); err != nil {
		f.Fatal(err)
	}
	if err := db.Checkpoint(ctx); err != nil {
		f.Fatal(err)
	}
	s.digest = digestQuery(f, db)
	db.Close()
	s.reset(f)
	f.Cleanup(s.close)
	return s
}

func (s *fuzzStore) close() {
	if s.db != nil {
		s.probe.Close()
		s.db.Close()
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(s.db.Path() + suffix)
		}
	}
}

// reset replaces the database with a fresh copy of the template.
func (s *fuzzStore) reset(tb testing.TB) {
	tb.Helper()
	s.close()
	s.n++
	s.cached = ""
	path := filepath.Join(s.dir, fmt.Sprintf("fuzz%d.db", s.n))
	content, err := os.ReadFile(s.template)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, content, 0o600); err != nil {
		tb.Fatal(err)
	}
	db, err := Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	db.Now = func() time.Time { return fuzzNow }
	// Durability is not under test here: skip the fsyncs.
	if _, err := db.write.Exec(`PRAGMA synchronous = OFF`); err != nil {
		tb.Fatal(err)
	}
	if s.probe, err = db.read.Conn(context.Background()); err != nil {
		tb.Fatal(err)
	}
	s.db = db
}

// dbState is what a cheap look at the database tells.
type dbState struct {
	version     int64 // PRAGMA data_version of the probe connection
	audit, rows int   // audit entries, rows of the kind's table
}

func (s *fuzzStore) state(tb testing.TB, table string) dbState {
	tb.Helper()
	var st dbState
	err := s.probe.QueryRowContext(context.Background(), `SELECT (SELECT data_version FROM pragma_data_version),
		(SELECT count(*) FROM audit_log), (SELECT count(*) FROM "`+table+`")`).Scan(&st.version, &st.audit, &st.rows)
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// digestAt returns the digest of the database, which is at data_version v.
func (s *fuzzStore) digestAt(tb testing.TB, v int64) string {
	tb.Helper()
	if s.cached == "" || s.cachedAt != v {
		s.cached, s.cachedAt = dbDigest(tb, s.probe, s.digest), v
	}
	return s.cached
}

// digestQuery builds one statement that renders every row of every table
// (virtual tables are covered by their shadow tables) as text, so that any
// write shows.
func digestQuery(tb testing.TB, db *DB) string {
	tb.Helper()
	ctx := context.Background()
	rows, err := db.read.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
		AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name`)
	if err != nil {
		tb.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			tb.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	var parts []string
	for _, table := range tables {
		rs, err := db.read.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
		if err != nil {
			tb.Fatal(err)
		}
		var cols, order []string
		for rs.Next() {
			var c string
			if err := rs.Scan(&c); err != nil {
				tb.Fatal(err)
			}
			cols = append(cols, `quote("`+c+`")`)
			order = append(order, fmt.Sprint(len(cols)))
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			tb.Fatal(err)
		}
		parts = append(parts, fmt.Sprintf(`SELECT '%s', coalesce(group_concat(%s, char(10)), '') FROM (SELECT * FROM "%s" ORDER BY %s)`,
			table, strings.Join(cols, ` || ',' || `), table, strings.Join(order, ", ")))
	}
	return strings.Join(parts, "\nUNION ALL ")
}

// dbDigest hashes the rows digestQuery renders.
func dbDigest(tb testing.TB, conn *sql.Conn, query string) string {
	tb.Helper()
	rows, err := conn.QueryContext(context.Background(), query)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	h := sha256.New()
	for rows.Next() {
		var table, text string
		if err := rows.Scan(&table, &text); err != nil {
			tb.Fatal(err)
		}
		fmt.Fprintf(h, "%s\n%s\n", table, text)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// fileRows counts a file's data rows the way an import reads them (nil
// error and the count of non-blank rows, or the error that rejects the
// file), and whether two rows name the same "uscc".
func fileRows(data []byte, k importKind) (n int, dupCodes bool, err error) {
	f, err := openCSV(bytes.NewReader(data), k.required, k.optional)
	if err != nil {
		return 0, false, err
	}
	codes := map[string]bool{}
	for {
		row, err := f.next()
		if errors.Is(err, io.EOF) {
			return n, dupCodes, nil
		}
		if err != nil {
			return n, dupCodes, err
		}
		if row.Blank {
			continue
		}
		n++
		if code := NormalizeUSCC(row.Get("uscc")); code != "" {
			dupCodes = dupCodes || codes[code]
			codes[code] = true
		}
	}
}

// fieldLabel reports whether the console can name a field in a preview row.
func fieldLabel(field string) bool { return i18n.Has("field." + field) }

// checkMessage fails unless t is a catalog message that renders without
// formatting errors (arguments replaced, as user text may contain "%!").
func checkMessage(tb testing.TB, what string, t i18n.Text) {
	tb.Helper()
	if !i18n.Has(t.Key) {
		tb.Fatalf("%s: message key %q is not in the catalog", what, t.Key)
	}
	plain := i18n.Text{Key: t.Key, Args: make([]any, len(t.Args))}
	for i, a := range t.Args {
		switch a.(type) {
		case string, []byte:
			plain.Args[i] = "x"
		default:
			plain.Args[i] = a
		}
	}
	for _, lang := range []string{i18n.ZH, i18n.EN} {
		if msg := plain.In(lang); msg == "" || strings.Contains(msg, "%!") {
			tb.Fatalf("%s: message %q renders as %q in %s", what, t.Key, msg, lang)
		}
	}
}

func fuzzImport(f *testing.F, kind string) {
	k := fuzzKinds[kind]
	for _, seed := range fuzzSeeds(kind) {
		f.Add(seed)
	}
	store := newFuzzStore(f)
	columns := append(append([]string{"-"}, k.required...), k.optional...)
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		if st := store.state(t, k.table); st.audit > 500 {
			store.reset(t)
		}
		db := store.db
		want, dupCodes, fileErr := fileRows(data, k)
		s0 := store.state(t, k.table)
		// A row that writes and is then rolled back (a repeated code in
		// an organisation or vendor file) moves data_version without
		// changing anything: only then is the content compared.
		var before string
		if dupCodes && !k.repeatsUpdate {
			before = store.digestAt(t, s0.version)
		}
		opt := ImportOptions{Actor: CLIActor, KeepRows: true}
		rep, err := k.run(db, ctx, bytes.NewReader(data), opt)
		s1 := store.state(t, k.table)

		if err != nil {
			ferr, ok := AsFileError(err)
			if !ok {
				t.Fatalf("%s import failed without a file error (a 500 in the console): %v", kind, err)
			}
			checkMessage(t, "file error", ferr.Text)
			if fileErr == nil && want > 0 {
				t.Fatalf("%s: %d readable rows, yet the file was rejected: %v", kind, want, err)
			}
			if s1.version != s0.version && want <= importBatch {
				t.Fatalf("%s: a rejected file changed the database", kind)
			}
			return
		}
		if fileErr != nil {
			t.Fatalf("%s: the file fails to read (%v) but was imported: %+v", kind, fileErr, rep)
		}
		got := rep.Created + rep.Updated + rep.Unchanged + rep.Invited + rep.Rejected
		if got != want || len(rep.Rows) != want {
			t.Fatalf("%s: %d data rows, report counts %d (%s), %d row outcomes", kind, want, got, rep.Summary(), len(rep.Rows))
		}
		if rep.Invited != 0 || len(rep.Invitations) != 0 {
			t.Fatalf("%s: a plain import linked or invited: %+v", kind, rep)
		}

		// Row outcomes: file order, errors only on rejected rows, each
		// naming its line and a column.
		var nErrs int
		keys := map[string]int{}
		last := 1
		for _, r := range rep.Rows {
			if r.Line <= last {
				t.Fatalf("%s: row lines out of order: %d after %d", kind, r.Line, last)
			}
			last = r.Line
			if r.Key != "" {
				keys[r.Key]++
			}
			switch r.Result {
			case ResultRejected:
				if len(r.Errors) == 0 {
					t.Fatalf("%s: line %d rejected without a message", kind, r.Line)
				}
				for _, e := range r.Errors {
					nErrs++
					if e.Line != r.Line {
						t.Fatalf("%s: line %d has an error on line %d", kind, r.Line, e.Line)
					}
					if !slices.Contains(columns, e.Field) {
						t.Fatalf("%s: line %d: error on %q, not a column of the file (%s)", kind, r.Line, e.Field, e.Text.In(i18n.EN))
					}
					if !fieldLabel(e.Field) {
						t.Fatalf("%s: line %d: the console has no label for field %q", kind, r.Line, e.Field)
					}
					checkMessage(t, fmt.Sprintf("line %d %s", r.Line, e.Field), e.Text)
				}
			case ResultCreated, ResultUpdated, ResultUnchanged:
				if len(r.Errors) != 0 {
					t.Fatalf("%s: line %d %s with errors %v", kind, r.Line, r.Result, r.Errors)
				}
				if r.Key == "" {
					t.Fatalf("%s: line %d %s without a key", kind, r.Line, r.Result)
				}
				ok, err := k.exists(ctx, db, r.Key)
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					t.Fatalf("%s: line %d %s, but %q is not stored", kind, r.Line, r.Result, r.Key)
				}
			default:
				t.Fatalf("%s: line %d: result %q", kind, r.Line, r.Result)
			}
		}
		if nErrs != len(rep.Errors) {
			t.Fatalf("%s: %d row errors in the rows, %d in the report", kind, nErrs, len(rep.Errors))
		}

		// What changed: one audit entry per created or updated row, the
		// record table grew by the rows created, nothing at all without them.
		if d := s1.audit - s0.audit; d != rep.Created+rep.Updated {
			t.Fatalf("%s: %d audit entries for %s", kind, d, rep.Summary())
		}
		if d := s1.rows - s0.rows; d != rep.Created {
			t.Fatalf("%s: %s grew by %d for %s", kind, k.table, d, rep.Summary())
		}
		if rep.Created+rep.Updated == 0 && s1.version != s0.version {
			if before == "" {
				t.Fatalf("%s: nothing created or updated (%s), yet the database was written", kind, rep.Summary())
			}
			if store.digestAt(t, s1.version) != before {
				t.Fatalf("%s: nothing created or updated (%s), yet the database changed", kind, rep.Summary())
			}
		}

		// Again: nothing new, the same rows rejected; unless a key repeats,
		// every accepted row reads back unchanged and nothing is written.
		rep2, err := k.run(db, ctx, bytes.NewReader(data), opt)
		if err != nil {
			t.Fatalf("%s: the second import failed: %v", kind, err)
		}
		s2 := store.state(t, k.table)
		if rep2.Created != 0 || rep2.Rejected != rep.Rejected {
			t.Fatalf("%s: imported again: %s, first %s", kind, rep2.Summary(), rep.Summary())
		}
		repeated := dupCodes
		for _, n := range keys {
			repeated = repeated || n > 1
		}
		if !repeated {
			if rep2.Updated != 0 || rep2.Unchanged != rep.Created+rep.Updated+rep.Unchanged {
				for i, r := range rep2.Rows {
					if r.Result != ResultUnchanged && r.Result != ResultRejected {
						t.Errorf("line %d: %s, then %s", r.Line, rep.Rows[i].Result, r.Result)
					}
				}
				t.Fatalf("%s: imported again: %s, first %s", kind, rep2.Summary(), rep.Summary())
			}
			if s2.version != s1.version {
				t.Fatalf("%s: importing unchanged rows wrote to the database", kind)
			}
		}
	})
}

func FuzzImportComplaints(f *testing.F) { fuzzImport(f, "complaints") }
func FuzzImportCallbacks(f *testing.F)  { fuzzImport(f, "callbacks") }
func FuzzImportVolumes(f *testing.F)    { fuzzImport(f, "volumes") }
func FuzzImportSanctions(f *testing.F)  { fuzzImport(f, "sanctions") }
func FuzzImportOrgs(f *testing.F)       { fuzzImport(f, "orgs") }
func FuzzImportVendors(f *testing.F)    { fuzzImport(f, "vendors") }
