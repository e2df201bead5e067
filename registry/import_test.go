package registry_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/width"

	"chengxin/i18n"
	"chengxin/registry"
)

const vendorHeader = "uscc,name,legal_rep,phone,address,districts,categories"

// vendorRow is a valid row under vendorHeader.
func vendorRow(code, name string) string {
	return code + "," + name + ",张明,022-23456789,天津市和平区示例路1号,120101,cleaning"
}

func csvText(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

func importVendors(t *testing.T, db *registry.DB, text string, opt registry.ImportOptions) registry.ImportReport {
	t.Helper()
	if opt.Actor == (registry.Actor{}) {
		opt.Actor = cli
	}
	rep, err := db.ImportVendors(context.Background(), strings.NewReader(text), opt)
	if err != nil {
		t.Fatalf("ImportVendors: %v", err)
	}
	return rep
}

type rowErr struct {
	Line  int
	Field string
	Msg   string // a substring of the English message
}

func checkRowErrors(t *testing.T, got []registry.RowError, want []rowErr) {
	t.Helper()
	if len(got) != len(want) {
		var s []string
		for _, e := range got {
			s = append(s, fmt.Sprintf("row %d: %s: %s", e.Line, e.Field, e.Text.In(i18n.EN)))
		}
		t.Fatalf("%d row errors, want %d:\n%s", len(got), len(want), strings.Join(s, "\n"))
	}
	for i, w := range want {
		g := got[i]
		if msg := g.Text.In(i18n.EN); g.Line != w.Line || g.Field != w.Field || !strings.Contains(msg, w.Msg) {
			t.Errorf("error %d: row %d: %s: %s; want row %d: %s: …%s…", i, g.Line, g.Field, msg, w.Line, w.Field, w.Msg)
		}
	}
}

func counts(rep registry.ImportReport) [5]int {
	return [5]int{rep.Created, rep.Updated, rep.Unchanged, rep.Invited, rep.Rejected}
}

func TestImportVendorsRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clk := openDB(t)
	a, b, c, d, e := usccN(601), usccN(602), usccN(603), usccN(604), usccN(605)
	badC, wantC := wrongCheck(c)
	// Columns in another order, with optional ones; line numbers in comments.
	text := csvText(
		"categories,districts,address,phone,legal_rep,name,uscc,licence_valid_until,registered_at", // 1
		`cleaning,120101,天津市和平区示例路1号,022-23456789,张明,甲家政,`+a+`,2027-12-31,`,                        // 2
		`cleaning,120199,天津市和平区示例路2号,022-23456789,张明,乙家政,`+usccN(606)+`,,`,                         // 3: unknown district
		`cleaning,120102,"天津市河东区`,                                    // 4: quoted newline…
		`示例路3号",022-23456789,张明,乙家政,`+b+`,,`,                         // 5: …rejected (control character)
		`nanny,120103,天津市河西区示例路4号,022-23456789,张明,"丙家政`,              // 6: quoted trailing newline…
		`",`+strings.ToLower(c)+`,,2019-01-02`,                       // 7: …trimmed, accepted
		`cleaning,120101,天津市和平区示例路5号,022-23456789,张明,丁家政,`+badC+`,,`, // 8: check character
		`cleaning,120101,天津市和平区示例路6号,022-23456789,张明,甲家政二,`+a+`,,`,   // 9: duplicate of line 2
		`cleaning,120101,too,few`, // 10: field count
		``,                        // (blank line: skipped)
		`cleaning;nanny,120101;120116,天津市滨海新区示例路7号,+86 22 1234,张明,戊家政,`+d+`,2026-01-01,`, // 12
		`cleaning,120101,天津市和平区示例路8号,022-23456789,张明,己家政,`+e+`,2020-01-01,`,              // 13: expired licence, no registered_at
		`cleaning,120101,地址,电话,张明,庚家政,`+usccN(607)+`,,2099-01-01`,                        // 14: two fields
	)
	rep := importVendors(t, db, text, registry.ImportOptions{})
	if want := [5]int{3, 0, 0, 0, 7}; counts(rep) != want { // line 14 has two errors
		t.Errorf("counts %v, want %v", counts(rep), want)
	}
	checkRowErrors(t, rep.Errors, []rowErr{
		{3, "districts", `unknown district code "120199"`},
		{4, "address", "control characters"},
		{8, "uscc", `GB 32100-2015 gives "` + string(wantC) + `"`},
		{9, "uscc", "same code as line 2"},
		{10, "-", "does not match the header"},
		{13, "licence_valid_until", "expired"},
		{14, "phone", "only digits"},
		{14, "registered_at", "future"},
	})
	if got := rep.Summary(); got != "created 3, updated 0, unchanged 0, rejected 7" {
		t.Errorf("Summary = %q", got)
	}
	// Valid rows are stored, rejected ones store nothing.
	va, err := db.FindVendorByUSCC(ctx, a)
	if err != nil || va.Name != "甲家政" || va.LicenceValidUntil == nil {
		t.Errorf("line 2: %+v, %v", va, err)
	}
	vc, err := db.FindVendorByUSCC(ctx, c)
	if err != nil || vc.Name != "丙家政" || !vc.RegisteredAt.Equal(time.Date(2019, 1, 2, 0, 0, 0, 0, registry.Shanghai)) {
		t.Errorf("lines 6–7: %+v, %v", vc, err)
	}
	vd, err := db.FindVendorByUSCC(ctx, d)
	if err != nil || !slices.Equal(vd.Districts, []string{"120101", "120116"}) || !slices.Equal(vd.Categories, []string{"cleaning", "nanny"}) {
		t.Errorf("line 12: %+v, %v", vd, err)
	}
	for _, code := range []string{b, badC, e, usccN(606), usccN(607)} {
		if _, err := db.FindVendorByUSCC(ctx, code); err == nil {
			t.Errorf("rejected %s was stored", code)
		}
	}
	if n := count(t, db, "vendors"); n != 3 {
		t.Errorf("%d vendors, want 3", n)
	}
	if n := count(t, db, "audit_log"); n != 3 {
		t.Errorf("%d audit entries, want 3", n)
	}
	if n := count(t, db, "vendor_districts"); n != 4 {
		t.Errorf("%d vendor_districts rows, want 4", n)
	}

	// The same file again: every stored row is unchanged, nothing is written.
	clk.Advance(time.Hour)
	rep = importVendors(t, db, text, registry.ImportOptions{})
	if want := [5]int{0, 0, 3, 0, 7}; counts(rep) != want {
		t.Errorf("re-import counts %v, want %v", counts(rep), want)
	}
	if len(rep.Errors) != 8 || rep.Errors[3].Line != 9 {
		t.Errorf("re-import errors %+v", rep.Errors)
	}
	if n := count(t, db, "audit_log"); n != 3 {
		t.Errorf("%d audit entries after re-import, want 3", n)
	}
	if v, _ := db.FindVendorByUSCC(ctx, a); !v.UpdatedAt.Equal(t0) {
		t.Errorf("updated_at moved to %v", v.UpdatedAt)
	}

	// A changed row updates that record only.
	changed := strings.Replace(text, "甲家政,", "甲家政（新）,", 1)
	rep = importVendors(t, db, changed, registry.ImportOptions{})
	if want := [5]int{0, 1, 2, 0, 7}; counts(rep) != want {
		t.Errorf("changed counts %v, want %v", counts(rep), want)
	}
	if v, _ := db.FindVendorByUSCC(ctx, a); v.Name != "甲家政（新）" || !v.UpdatedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("updated vendor %+v", v)
	}
	if es := auditFor(t, db, "vendor.update", a); len(es) != 1 || !strings.Contains(es[0].Detail, "甲家政（新）") {
		t.Errorf("vendor.update entries %+v", es)
	}
	if brk, n, err := db.VerifyAudit(ctx); brk != nil || n != 4 || err != nil {
		t.Errorf("VerifyAudit = %+v, %d, %v", brk, n, err)
	}
}

func TestImportVendorsHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
	}{
		{"any order", csvText("phone,uscc,categories,name,districts,address,legal_rep",
			"022-1,"+usccN(611)+",cleaning,甲,120101,天津,张")},
		{"case and spaces", csvText(" USCC ,Name,LEGAL_REP,phone,address,districts, Categories",
			vendorRow(usccN(611), "甲"))},
		{"trailing comma", csvText(vendorHeader+",", vendorRow(usccN(611), "甲")+",")},
		{"CRLF", strings.ReplaceAll(csvText(vendorHeader, vendorRow(usccN(611), "甲")), "\n", "\r\n")},
		{"no final newline", vendorHeader + "\n" + vendorRow(usccN(611), "甲")},
		{"BOM", "\ufeff" + csvText(vendorHeader, vendorRow(usccN(611), "甲"))},
		{"BOM and optional columns", "\ufeff" + csvText(vendorHeader+",licence_no,insurance_valid_until",
			vendorRow(usccN(611), "甲")+",津-001,2026-01-01")},
		{"blank lines", csvText("", vendorHeader, "", vendorRow(usccN(611), "甲"), "", ",,,,,,")},
		{"full-width code", csvText(vendorHeader, vendorRow(width.Widen.String(usccN(611)), "甲"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openDB(t)
			rep := importVendors(t, db, tt.text, registry.ImportOptions{})
			if counts(rep) != [5]int{1, 0, 0, 0, 0} {
				t.Fatalf("counts %v, errors %+v", counts(rep), rep.Errors)
			}
			v, err := db.FindVendorByUSCC(context.Background(), usccN(611))
			if err != nil || v.Name != "甲" {
				t.Errorf("stored %+v, %v", v, err)
			}
		})
	}
}

func utf16(t *testing.T, e unicode.Endianness, bom unicode.BOMPolicy, s string) string {
	t.Helper()
	b, err := unicode.UTF16(e, bom).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestImportFileErrors(t *testing.T) {
	t.Parallel()
	ok := csvText(vendorHeader, vendorRow(usccN(621), "甲"))
	tests := []struct {
		name, text, msg string
	}{
		{"empty", "", "the file is empty"},
		{"whitespace", " \r\n\n\t\n", "the file is empty"},
		{"BOM only", "\ufeff", "the file is empty"},
		{"header only", vendorHeader + "\n", "header but no data rows"},
		{"header only, no newline", vendorHeader, "header but no data rows"},
		{"header and blank lines", vendorHeader + "\n\n,,,,,,\n\n", "header but no data rows"},
		{"unknown column", csvText(vendorHeader+",fax", vendorRow(usccN(621), "甲")+",1"), "unknown columns: fax"},
		{"misspelt column", csvText(strings.Replace(vendorHeader, "districts", "district", 1), vendorRow(usccN(621), "甲")), "unknown columns: district"},
		{"missing columns", csvText("uscc,name,legal_rep,address,districts", usccN(621)+",甲,张,天津,120101"), "missing required columns: phone, categories"},
		{"duplicate column", csvText(vendorHeader+",name", vendorRow(usccN(621), "甲")+",乙"), "duplicate columns: name"},
		{"org header for vendors", csvText("uscc,name,kind,district", usccN(621)+",甲,association,120101"), "unknown columns: kind, district"},
		{"UTF-16LE with BOM", utf16(t, unicode.LittleEndian, unicode.UseBOM, ok), "UTF-16"},
		{"UTF-16BE with BOM", utf16(t, unicode.BigEndian, unicode.UseBOM, ok), "UTF-16"},
		{"UTF-16LE without BOM", utf16(t, unicode.LittleEndian, unicode.IgnoreBOM, ok), "UTF-16"},
		{"UTF-16BE without BOM", utf16(t, unicode.BigEndian, unicode.IgnoreBOM, ok), "UTF-16"},
		{"Latin-1", csvText(vendorHeader, vendorRow(usccN(621), "Caf\xe9,")), "unrecognised encoding"},
		{"binary", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\xff\xfe", "unrecognised encoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openDB(t)
			rep, err := db.ImportVendors(context.Background(), strings.NewReader(tt.text), registry.ImportOptions{Actor: cli})
			fe, isFile := registry.AsFileError(err)
			if !isFile {
				t.Fatalf("err = %v (report %+v), want a FileError", err, rep)
			}
			if msg := fe.Text.In(i18n.EN); !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q, want it to contain %q", msg, tt.msg)
			}
			if zh := fe.Text.In(i18n.ZH); zh == fe.Text.Key || strings.Contains(zh, "%!") {
				t.Errorf("Chinese message %q", zh)
			}
			if counts(rep) != [5]int{} || count(t, db, "vendors") != 0 || count(t, db, "audit_log") != 0 {
				t.Errorf("something was stored: %v", counts(rep))
			}
		})
	}
}

func gb18030(t *testing.T, s string) string {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	if utf8.Valid(b) {
		t.Fatal("the GB18030 fixture is valid UTF-8")
	}
	return string(b)
}

func TestImportVendorsGB18030(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	text := csvText(vendorHeader,
		usccN(631)+",天津市河西区巾帼家政服务有限公司,王芳,022-1,天津市河西区友谊路１号,120103,housekeeping;maternity",
		usccN(632)+",滨海新区“好帮手”保洁中心€,李强,022-2,天津市滨海新区中心大道,120116,cleaning",
	)
	rep := importVendors(t, db, gb18030(t, text), registry.ImportOptions{})
	if counts(rep) != [5]int{2, 0, 0, 0, 0} {
		t.Fatalf("counts %v, errors %+v", counts(rep), rep.Errors)
	}
	for code, want := range map[string][3]string{
		usccN(631): {"天津市河西区巾帼家政服务有限公司", "王芳", "天津市河西区友谊路１号"},
		usccN(632): {"滨海新区“好帮手”保洁中心€", "李强", "天津市滨海新区中心大道"},
	} {
		v, err := db.FindVendorByUSCC(ctx, code)
		if err != nil || v.Name != want[0] || v.LegalRep != want[1] || v.Address != want[2] {
			t.Errorf("%s: %q %q %q, %v", code, v.Name, v.LegalRep, v.Address, err)
		}
	}
	// The same content in UTF-8 is the same data: unchanged.
	rep = importVendors(t, db, text, registry.ImportOptions{})
	if counts(rep) != [5]int{0, 0, 2, 0, 0} {
		t.Errorf("UTF-8 re-import counts %v", counts(rep))
	}
}

// longSuffix makes a name long, so that few rows fill the sniff window.
const longSuffix = "（原天津市和平区示例家政服务中心、天津市河西区示例保洁服务部、天津市南开区示例月嫂服务站、天津市河北区示例育儿嫂服务站合并）"

// bigVendorFile is a file of n valid rows whose names are long Chinese text;
// pad shifts every byte after the header.
func bigVendorFile(n, pad int) string {
	var b strings.Builder
	b.WriteString(vendorHeader + "\n")
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("%s天津市第%d示例家政服务有限公司和平分公司%s", strings.Repeat("x", pad*(1-min(i, 1))), i, longSuffix)
		b.WriteString(vendorRow(usccN(10000+i), name) + "\n")
	}
	return b.String()
}

func TestImportVendorsLargeFiles(t *testing.T) {
	t.Parallel()
	// Files larger than the 64 KiB encoding sniff window, cut inside a character.
	const n, window = 450, 64 << 10
	files := map[string]string{}
	for pad := 0; pad < 64 && len(files) < 2; pad++ {
		text := bigVendorFile(n, pad)
		if len(text) <= window {
			t.Fatalf("file of %d bytes is not larger than the sniff window", len(text))
		}
		if _, ok := files["UTF-8"]; !ok && !utf8.RuneStart(text[window]) {
			files["UTF-8"] = text
		}
		if gb := gb18030(t, text); files["GB18030"] == "" && gbCutInside(gb[:window]) {
			files["GB18030"] = gb
		}
	}
	if len(files) != 2 {
		t.Fatalf("no padding cuts a character at the window: %d files", len(files))
	}
	for name, text := range files {
		t.Run(name, func(t *testing.T) {
			db, _ := openDB(t)
			rep := importVendors(t, db, text, registry.ImportOptions{})
			if counts(rep) != [5]int{n, 0, 0, 0, 0} {
				t.Fatalf("counts %v, first errors %+v", counts(rep), rep.Errors[:min(3, len(rep.Errors))])
			}
			v, err := db.FindVendorByUSCC(context.Background(), usccN(10000+n-1))
			if want := fmt.Sprintf("天津市第%d示例家政服务有限公司和平分公司%s", n-1, longSuffix); err != nil || v.Name != want {
				t.Errorf("last row stored as %q, %v", v.Name, err)
			}
			if got := count(t, db, "vendors"); got != n {
				t.Errorf("%d vendors stored", got)
			}
		})
	}
}

// gbCutInside reports whether a GB18030 prefix ends inside a character.
func gbCutInside(prefix string) bool {
	dst := make([]byte, 4*len(prefix))
	_, n, err := simplifiedchinese.GB18030.NewDecoder().Transform(dst, []byte(prefix), false)
	return err != nil && n < len(prefix)
}

func TestImportVendorsBatches(t *testing.T) {
	t.Parallel()
	// More rows than one transaction batch (500), rejected rows in each batch.
	ctx := context.Background()
	const last = 521 // 520 data rows: two batches
	var b strings.Builder
	b.WriteString(vendorHeader + "\n")
	bad := map[int]bool{2: true, 500: true, 501: true, 502: true, last: true}
	var wantErrs []rowErr
	for line := 2; line <= last; line++ {
		if bad[line] {
			b.WriteString(usccN(20000+line) + ",甲,张,022,天津,120100,cleaning\n")
			wantErrs = append(wantErrs, rowErr{line, "districts", "120100"})
			continue
		}
		b.WriteString(vendorRow(usccN(20000+line), fmt.Sprintf("家政%04d", line)) + "\n")
	}
	text := b.String()
	want := [5]int{last - 1 - len(bad), 0, 0, 0, len(bad)}

	db, _ := openDB(t)
	var progress []int
	dry := importVendors(t, db, text, registry.ImportOptions{DryRun: true, Progress: func(rows int) { progress = append(progress, rows) }})
	if counts(dry) != want {
		t.Errorf("dry run counts %v, want %v", counts(dry), want)
	}
	if n := count(t, db, "vendors") + count(t, db, "audit_log"); n != 0 {
		t.Fatalf("dry run stored %d rows", n)
	}
	if !slices.Equal(progress, []int{last - 1}) { // every 1000 rows and at the end
		t.Errorf("progress calls %v", progress)
	}
	rep := importVendors(t, db, text, registry.ImportOptions{})
	if counts(rep) != want {
		t.Errorf("counts %v, want %v", counts(rep), want)
	}
	checkRowErrors(t, rep.Errors, wantErrs)
	if n := count(t, db, "vendors"); n != want[0] {
		t.Errorf("%d vendors, want %d", n, want[0])
	}
	for _, line := range []int{3, 499, 503, last - 1} {
		if _, err := db.FindVendorByUSCC(ctx, usccN(20000+line)); err != nil {
			t.Errorf("line %d: %v", line, err)
		}
	}
	if brk, n, err := db.VerifyAudit(ctx); brk != nil || n != int64(want[0]) || err != nil {
		t.Errorf("VerifyAudit = %+v, %d, %v", brk, n, err)
	}
}

func TestImportVendorsDryRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	setup := func(t *testing.T) (*registry.DB, registry.Org) {
		db, _ := openDB(t)
		for _, n := range []int{641, 642} {
			if _, err := db.CreateVendor(ctx, cli, vendorIn(usccN(n))); err != nil {
				t.Fatal(err)
			}
		}
		org, err := db.CreateOrg(ctx, cli, orgIn(orgUSCC(41)))
		if err != nil {
			t.Fatal(err)
		}
		return db, org
	}
	in := vendorIn("")
	same := func(code string) string {
		return strings.Join([]string{code, in.Name, in.LegalRep, in.Phone, in.Address, "120101", "cleaning"}, ",")
	}
	text := csvText(vendorHeader,
		same(usccN(641)),                  // unchanged
		vendorRow(usccN(642), "改名家政"),     // updated
		vendorRow(usccN(643), "新家政"),      // created
		vendorRow(usccN(644), "新家政二"),     // created
		vendorRow(usccN(643), "重复"),       // duplicate of line 4
		vendorRow(usccN(645)[:17], "短代码"), // length
		same(usccN(641)),                  // duplicate of line 2
	)
	for _, opt := range []registry.ImportOptions{
		{},
		{OrgID: -1}, // replaced by the org's id
		{OrgID: -1, LinkExisting: true},
	} {
		name := fmt.Sprintf("org=%v/link=%v", opt.OrgID != 0, opt.LinkExisting)
		t.Run(name, func(t *testing.T) {
			db, org := setup(t)
			if opt.OrgID != 0 {
				opt.OrgID = org.ID
			}
			opt.Actor, opt.KeepRows = association, true
			tables := []string{"vendors", "vendor_districts", "memberships", "invitations", "audit_log"}
			before := map[string]int{}
			for _, tb := range tables {
				before[tb] = count(t, db, tb)
			}
			dryOpt := opt
			dryOpt.DryRun = true
			dry := importVendors(t, db, text, dryOpt)
			for _, tb := range tables {
				if n := count(t, db, tb); n != before[tb] {
					t.Errorf("dry run changed %s: %d → %d", tb, before[tb], n)
				}
			}
			if v, _ := db.FindVendorByUSCC(ctx, usccN(642)); v.Name != in.Name {
				t.Errorf("dry run renamed the vendor to %q", v.Name)
			}
			real := importVendors(t, db, text, opt)
			if counts(dry) != counts(real) || !reflect.DeepEqual(dry.Errors, real.Errors) || !reflect.DeepEqual(publicRows(dry.Rows), publicRows(real.Rows)) {
				t.Errorf("dry run reported\n%+v\nthe real run\n%+v", dry, real)
			}
			if len(dry.Invitations) != len(real.Invitations) {
				t.Fatalf("dry run: %d invitations, real run %d", len(dry.Invitations), len(real.Invitations))
			}
			for i, inv := range dry.Invitations {
				// The preview names who gets an invitation; its tokens were rolled back.
				if inv.Token != "" || inv.USCC != real.Invitations[i].USCC || real.Invitations[i].Token == "" {
					t.Errorf("invitation %d: dry run %+v, real run %+v", i, inv, real.Invitations[i])
				}
			}
			if opt.LinkExisting && len(real.Invitations) != 2 {
				t.Errorf("%d invitations, want 2", len(real.Invitations))
			}
			var results []string
			for _, r := range real.Rows {
				results = append(results, fmt.Sprintf("%d:%s", r.Line, r.Result))
			}
			want := []string{"2:unchanged", "3:updated", "4:created", "5:created", "6:rejected", "7:rejected", "8:rejected"}
			switch {
			case opt.LinkExisting:
				want[0], want[1] = "2:invited", "3:invited"
			case opt.OrgID != 0:
				want[0] = "2:updated" // its membership is new
			}
			if !slices.Equal(results, want) {
				t.Errorf("rows %v, want %v", results, want)
			}
			checkRowErrors(t, real.Errors, []rowErr{{6, "uscc", "same code as line 4"}, {7, "uscc", "this has 17"}, {8, "uscc", "same code as line 2"}})
			if got := count(t, db, "vendors"); got != 4 {
				t.Errorf("%d vendors after the real run", got)
			}
		})
	}
}

func TestImportVendorsOnboarding(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, clk := openDB(t)
	org, err := db.CreateOrg(ctx, cli, orgIn(orgUSCC(51)))
	if err != nil {
		t.Fatal(err)
	}
	existing, err := db.CreateVendor(ctx, cli, vendorIn(usccN(651)))
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	text := csvText(vendorHeader,
		vendorRow(strings.ToLower(usccN(651)), "协会填写的名字"), // existing: invited, not modified
		vendorRow(usccN(652), "新会员甲"),
		vendorRow(usccN(653), "新会员乙"),
		usccN(654)+",新会员丙,张,022,天津,120101,unknown", // rejected
	)
	opt := registry.ImportOptions{Actor: association, OrgID: org.ID, LinkExisting: true}
	rep := importVendors(t, db, text, opt)
	if counts(rep) != [5]int{2, 0, 0, 1, 1} {
		t.Fatalf("counts %v, errors %+v", counts(rep), rep.Errors)
	}
	if got := rep.Summary(); got != "created 2, updated 0, unchanged 0, rejected 1, invited 1" {
		t.Errorf("Summary = %q", got)
	}
	checkRowErrors(t, rep.Errors, []rowErr{{5, "categories", `unknown service category "unknown"`}})
	if v, _ := db.FindVendorByUSCC(ctx, usccN(651)); v.Name != existing.Name || !v.UpdatedAt.Equal(existing.UpdatedAt) {
		t.Errorf("existing vendor modified: %+v", v)
	}
	if len(rep.Invitations) != 2 {
		t.Fatalf("invitations %+v", rep.Invitations)
	}
	for i, want := range []struct{ code, name string }{{usccN(652), "新会员甲"}, {usccN(653), "新会员乙"}} {
		inv := rep.Invitations[i]
		if inv.USCC != want.code || inv.Name != want.name || inv.Token == "" {
			t.Errorf("invitation %d: %+v", i, inv)
		}
		if v, err := db.FindInvitation(ctx, inv.Token); err != nil || v.USCC != want.code {
			t.Errorf("FindInvitation(%d) = %+v, %v", i, v, err)
		}
	}
	ms, err := db.MembersOfOrg(ctx, org.ID, registry.MemberActive)
	if err != nil || len(ms) != 2 {
		t.Fatalf("active members %+v, %v", ms, err)
	}
	// The registered vendor is invited: private until it accepts.
	if ms, _ := db.MembersOfOrg(ctx, org.ID, registry.MemberInvited); len(ms) != 1 || ms[0].VendorUSCC != usccN(651) {
		t.Fatalf("invited members %+v", ms)
	}
	if n := count(t, db, "invitations"); n != 2 {
		t.Errorf("%d invitations stored", n)
	}
	// Again: everyone is already a member or invited.
	rep = importVendors(t, db, text, opt)
	if counts(rep) != [5]int{0, 0, 3, 0, 1} || len(rep.Invitations) != 0 {
		t.Errorf("second onboarding %v, invitations %d", counts(rep), len(rep.Invitations))
	}
	if n := count(t, db, "invitations"); n != 2 {
		t.Errorf("%d invitations stored", n)
	}

	// Without LinkExisting, OrgID makes members and updates records from the rows.
	org2, err := db.CreateOrg(ctx, cli, orgIn(orgUSCC(52)))
	if err != nil {
		t.Fatal(err)
	}
	rep = importVendors(t, db, text, registry.ImportOptions{OrgID: org2.ID})
	if counts(rep) != [5]int{0, 3, 0, 0, 1} || len(rep.Invitations) != 0 {
		t.Errorf("org import %v, invitations %d", counts(rep), len(rep.Invitations))
	}
	if v, _ := db.FindVendorByUSCC(ctx, usccN(651)); v.Name != "协会填写的名字" {
		t.Errorf("vendor not updated: %q", v.Name)
	}
	if ms, _ := db.MembersOfOrg(ctx, org2.ID, ""); len(ms) != 3 {
		t.Errorf("%d members of the second org", len(ms))
	}
	// An unknown organisation rejects every row and stores nothing.
	before := count(t, db, "audit_log")
	rep = importVendors(t, db, csvText(vendorHeader, vendorRow(usccN(655), "无组织")), registry.ImportOptions{OrgID: 9999})
	if counts(rep) != [5]int{0, 0, 0, 0, 1} || count(t, db, "audit_log") != before {
		t.Errorf("unknown org: %v, %+v", counts(rep), rep.Errors)
	}
	if _, err := db.FindVendorByUSCC(ctx, usccN(655)); err == nil {
		t.Error("vendor stored for an unknown organisation")
	}
}

const orgHeader = "uscc,name,kind,district,contact_phone"

func TestImportOrgs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	a, b := orgUSCC(61), orgUSCC(62)
	text := csvText("kind,uscc,district,name",
		"association,"+a+",120101,天津示例家政协会",
		"chamber,"+b+",120116,滨海示例商会",
		"club,"+orgUSCC(63)+",120101,俱乐部",
		"community,"+orgUSCC(64)+",999999,社区",
		"intermediary,"+a+",120101,重复",
	)
	rep, err := db.ImportOrgs(ctx, strings.NewReader(text), registry.ImportOptions{Actor: cli})
	if err != nil {
		t.Fatal(err)
	}
	if counts(rep) != [5]int{2, 0, 0, 0, 3} {
		t.Fatalf("counts %v, errors %+v", counts(rep), rep.Errors)
	}
	checkRowErrors(t, rep.Errors, []rowErr{{4, "kind", "must be one of"}, {5, "district", `"999999"`}, {6, "uscc", "same code as line 2"}})
	if o, err := db.FindOrgByUSCC(ctx, b); err != nil || o.Kind != "chamber" || o.District != "120116" || o.ContactPhone != "" {
		t.Errorf("org %+v, %v", o, err)
	}
	rep, _ = db.ImportOrgs(ctx, strings.NewReader(text), registry.ImportOptions{Actor: cli})
	if counts(rep) != [5]int{0, 0, 2, 0, 3} {
		t.Errorf("re-import counts %v", counts(rep))
	}
	text2 := csvText(orgHeader, a+",天津示例家政协会,association,120101,022-1234")
	rep, _ = db.ImportOrgs(ctx, strings.NewReader(text2), registry.ImportOptions{Actor: cli})
	if counts(rep) != [5]int{0, 1, 0, 0, 0} {
		t.Errorf("update counts %v", counts(rep))
	}
	if es := auditFor(t, db, "org.update", a); len(es) != 1 || !strings.Contains(es[0].Detail, "022-1234") {
		t.Errorf("org.update entries %+v", es)
	}
	_, err = db.ImportOrgs(ctx, strings.NewReader(csvText(vendorHeader, vendorRow(a, "x"))), registry.ImportOptions{Actor: cli})
	if _, ok := registry.AsFileError(err); !ok {
		t.Errorf("a vendor file as orgs: %v", err)
	}
	if h := registry.OrgCSVHeader(); strings.Join(h, ",") != orgHeader {
		t.Errorf("OrgCSVHeader = %v", h)
	}
	if h := registry.VendorCSVHeader(); strings.Join(h, ",") != vendorHeader+",licence_no,licence_valid_until,insurance_valid_until,registered_at" {
		t.Errorf("VendorCSVHeader = %v", h)
	}
}

// tianjinDistrict maps the 地区 column ("河西", "滨海", "自贸区") to a district code.
func tianjinDistrict(t *testing.T, area string) string {
	t.Helper()
	if area == "自贸区" { // the Tianjin free trade zone lies in Binhai New Area
		area = "滨海"
	}
	var found []string
	for _, d := range registry.Districts() {
		if strings.HasPrefix(d.NameZH, area) {
			found = append(found, d.Code)
		}
	}
	if len(found) != 1 {
		t.Fatalf("地区 %q matches districts %v", area, found)
	}
	return found[0]
}

func TestImportTianjinCompanies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := openDB(t)
	rows := readCSV(t, "testdata/tianjin_housekeeping_companies_2019.csv")
	var b strings.Builder
	b.WriteString("uscc,name,address,districts,categories,legal_rep,phone,registered_at\n")
	quote := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	want := map[string]map[string]string{}
	for _, r := range rows {
		code := r["统一社会信用代码"]
		want[code] = r
		fmt.Fprintf(&b, "%s,%s,%s,%s,cleaning,法定代表人,022-00000000,%s\n", code, quote(r["企业名称"]), quote(r["注册地址"]),
			tianjinDistrict(t, r["地区"]), r["注册日期"])
	}
	rep := importVendors(t, db, b.String(), registry.ImportOptions{})
	if counts(rep) != [5]int{178, 0, 0, 0, 0} {
		t.Fatalf("counts %v, errors %+v", counts(rep), rep.Errors)
	}
	if len(want) != 178 {
		t.Errorf("%d distinct codes", len(want))
	}
	for code, r := range want {
		v, err := db.FindVendorByUSCC(ctx, code)
		if err != nil {
			t.Errorf("%s: %v", code, err)
			continue
		}
		reg, _, _ := registry.ParseInstant(r["注册日期"])
		if v.Name != r["企业名称"] || v.Address != r["注册地址"] || !v.RegisteredAt.Equal(reg) || len(v.Districts) != 1 {
			t.Errorf("%s stored as %q %q %v %v", code, v.Name, v.Address, v.RegisteredAt, v.Districts)
		}
	}
	// Every district of the file is found by the filter.
	vs, total, err := db.FindVendors(ctx, registry.VendorFilter{District: "120116", PerPage: 100})
	if err != nil || total != 40 || len(vs) != 40 {
		t.Errorf("Binhai New Area: %d vendors (total %d), %v; want 40 (滨海 32 + 自贸区 8)", len(vs), total, err)
	}
	if _, total, _ := db.FindVendors(ctx, registry.VendorFilter{Q: "家政"}); total == 0 {
		t.Error("no company name contains 家政")
	}
	if brk, n, err := db.VerifyAudit(ctx); brk != nil || n != 178 || err != nil {
		t.Errorf("VerifyAudit = %+v, %d, %v", brk, n, err)
	}
}

type publicRow struct {
	Line              int
	Key, Name, Result string
	Errors            []registry.RowError
}

// publicRows drops RowOutcome's unexported fields (invitation tokens).
func publicRows(rows []registry.RowOutcome) []publicRow {
	var out []publicRow
	for _, r := range rows {
		out = append(out, publicRow{r.Line, r.Key, r.Name, r.Result, r.Errors})
	}
	return out
}

// An unclosed quote is reported at its line instead of silently swallowing
// the rows after it; a stray quote in an unquoted cell rejects only its row.
func TestImportVendorsQuotes(t *testing.T) {
	t.Parallel()
	db, _ := openDB(t)
	code := func(i int) string { return registry.MustUSCC(fmt.Sprintf("91120101MA0Q0%04d", i)) }
	rep := importVendors(t, db, csvText(vendorHeader,
		vendorRow(code(1), "正常一"),
		vendorRow(code(2), `带"引号"的名字`),
		vendorRow(code(3), "正常三"),
		vendorRow(code(4), `"未闭合的名字`),
		vendorRow(code(5), "正常五"),
	), registry.ImportOptions{})
	checkRowErrors(t, rep.Errors, []rowErr{
		{Line: 3, Field: "-", Msg: "double quote inside an unquoted cell"},
		{Line: 5, Field: "-", Msg: "quote opened on line 5 is never closed"},
	})
	if rep.Created != 2 {
		t.Errorf("created %d, want 2 (lines 2 and 4)", rep.Created)
	}
}
