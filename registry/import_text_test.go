package registry_test

import (
	"context"
	"strings"
	"testing"

	"chengxin/registry"
)

// A cell that is not valid text rejects its row, naming the column, and the
// other rows are stored: in a UTF-8 file (a stray byte, also one past the
// 64 KiB the encoding is guessed from, which used to be stored as it was)
// and in a GB18030 file (bytes the decoder cannot map, which it used to turn
// into U+FFFD silently). Two names that differ only in their bad bytes can
// no longer collapse into one.
func TestImportRejectsCellsThatAreNotText(t *testing.T) {
	t.Parallel()
	t.Run("UTF-8", func(t *testing.T) {
		db, _ := openDB(t)
		text := csvText(vendorHeader,
			vendorRow(usccN(701), "天津市和平区示例家政服务有限公司"),
			vendorRow(usccN(702), "天津市河西区\xff示例保洁有限公司"),
			strings.Replace(vendorRow(usccN(703), "天津市南开区示例搬家有限公司"), "张明", "张\xc3", 1),
			vendorRow(usccN(704), "天津市河北区示例维修中心\ufffd"), // a literal U+FFFD is valid UTF-8
		)
		rep := importVendors(t, db, text, registry.ImportOptions{})
		checkRowErrors(t, rep.Errors, []rowErr{{3, "name", "not valid UTF-8 text"}, {4, "legal_rep", "not valid UTF-8 text"}})
		if counts(rep) != [5]int{2, 0, 0, 0, 2} || count(t, db, "vendors") != 2 {
			t.Fatalf("counts %v, %d vendors", counts(rep), count(t, db, "vendors"))
		}
	})
	t.Run("UTF-8 past the sniff window", func(t *testing.T) {
		db, _ := openDB(t)
		text := bigVendorFile(450, 0)
		i := strings.LastIndex(text, usccN(10449)+",")
		if i < 64<<10 {
			t.Fatalf("the last row starts at %d, inside the sniff window", i)
		}
		i += len(usccN(10449)) + 1
		text = text[:i] + "\xfe\xfe" + text[i:]
		rep := importVendors(t, db, text, registry.ImportOptions{})
		checkRowErrors(t, rep.Errors, []rowErr{{451, "name", "not valid UTF-8 text"}})
		if counts(rep) != [5]int{449, 0, 0, 0, 1} {
			t.Fatalf("counts %v", counts(rep))
		}
	})
	t.Run("GB18030 past the sniff window", func(t *testing.T) {
		db, _ := openDB(t)
		text := gb18030(t, bigVendorFile(450, 0))
		i := strings.LastIndex(text, usccN(10449)+",")
		if i < 64<<10 {
			t.Fatalf("the last row starts at %d, inside the sniff window", i)
		}
		i += len(usccN(10449)) + 1
		text = text[:i] + "\xff" + text[i:] // 0xFF starts no GB18030 sequence: the decoder yields U+FFFD
		rep := importVendors(t, db, text, registry.ImportOptions{})
		checkRowErrors(t, rep.Errors, []rowErr{{451, "name", "not valid GB18030 text"}})
		if counts(rep) != [5]int{449, 0, 0, 0, 1} {
			t.Fatalf("counts %v", counts(rep))
		}
	})
	t.Run("GB18030 inside the sniff window", func(t *testing.T) {
		// Where the encoding is guessed, a bad byte leaves no encoding that
		// reads the file: the whole file is refused and nothing stored.
		db, _ := openDB(t)
		text := gb18030(t, csvText(vendorHeader, vendorRow(usccN(711), "天津市和平区示例家政服务有限公司"))) +
			gb18030(t, usccN(712)+",天津市河西区") + "\xff" + gb18030(t, "示例保洁有限公司,张明,022-1,天津市和平区示例路1号,120101,cleaning\n")
		_, err := db.ImportVendors(context.Background(), strings.NewReader(text), registry.ImportOptions{Actor: cli})
		if fe, ok := registry.AsFileError(err); !ok || !strings.Contains(fe.Error(), "UTF-8 or GB18030") || count(t, db, "vendors") != 0 {
			t.Fatalf("a GB18030 file with a bad byte: %v", err)
		}
	})
}
