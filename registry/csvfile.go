package registry

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"chengxin/i18n"
)

// FileError rejects a whole file (wrong header, wrong encoding, empty).
type FileError struct{ Text i18n.Text }

func (e *FileError) Error() string { return "file rejected: " + e.Text.In(i18n.EN) }

// AsFileError returns the FileError inside err, if any.
func AsFileError(err error) (*FileError, bool) {
	var f *FileError
	ok := errors.As(err, &f)
	return f, ok
}

// csvFile reads a CSV file row by row (never whole), decoding GB18030 when
// the file is not UTF-8, and gives cells by header name.
type csvFile struct {
	r       *csv.Reader
	columns map[string]int
	Header  []string
	// encoding is the file's encoding as detected ("UTF-8" or "GB18030").
	encoding string
}

// sniffSize is how much of a file is examined to decide its encoding.
const sniffSize = 64 << 10

// decodeCSV returns a reader of UTF-8 text and the encoding it was read in:
// a UTF-8 BOM is dropped, a file whose first 64 KiB are not valid UTF-8 is
// decoded as GB18030 (what Excel in China saves). Bytes further on that are
// not valid in that encoding are caught cell by cell (csvFile.next).
func decodeCSV(r io.Reader) (io.Reader, string, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, "", fmt.Errorf("registry: read csv: %w", err)
	}
	if len(bytes.TrimSpace(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")))) == 0 {
		return nil, "", &FileError{Text: i18n.T("csv.empty")}
	}
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		br.Discard(3)
		return br, "UTF-8", nil
	case bytes.HasPrefix(head, []byte("\xff\xfe")), bytes.HasPrefix(head, []byte("\xfe\xff")):
		return nil, "", &FileError{Text: i18n.T("csv.utf16")}
	}
	// UTF-16 without a BOM is valid UTF-8 (ASCII with a NUL beside every
	// character): without this it would fail later with a garbled header.
	if looksUTF16(head) {
		return nil, "", &FileError{Text: i18n.T("csv.utf16")}
	}
	if validUTF8Prefix(head, len(head) == sniffSize) || mostlyUTF8(head) {
		return br, "UTF-8", nil
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return nil, "", &FileError{Text: i18n.T("csv.encoding")}
	}
	if !validGB18030Prefix(head, len(head) == sniffSize) {
		return nil, "", &FileError{Text: i18n.T("csv.encoding")}
	}
	return transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder()), "GB18030", nil
}

// looksUTF16 reports whether b looks like UTF-16 without a BOM: at least half
// of its byte pairs have a NUL on the same side (the high byte of ASCII).
func looksUTF16(b []byte) bool {
	var even, odd int
	for i, c := range b {
		if c == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	pairs := len(b) / 2
	return pairs > 0 && (2*even >= pairs || 2*odd >= pairs)
}

// mostlyUTF8 reports whether b is UTF-8 text with a few damaged bytes: it
// holds multi-byte UTF-8 characters and at most one invalid byte for every
// 20 of them. GB18030 text read as UTF-8 has several invalid bytes for each
// sequence that happens to be valid, so it never passes; a UTF-8 file with a
// stray byte is read as UTF-8 and the row holding it is rejected, instead of
// the whole file being taken for GB18030 and imported as mojibake.
func mostlyUTF8(b []byte) bool {
	var valid, invalid int
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			invalid++
		case size > 1:
			valid++
		}
		i += size
	}
	return valid > 0 && invalid*20 <= valid
}

// validUTF8Prefix reports whether b is valid UTF-8, allowing a rune cut off at
// the end when b is only a prefix of the file.
func validUTF8Prefix(b []byte, truncated bool) bool {
	if utf8.Valid(b) {
		return true
	}
	if !truncated {
		return false
	}
	for cut := 1; cut <= 3 && cut < len(b); cut++ {
		if utf8.Valid(b[:len(b)-cut]) {
			return true
		}
	}
	return false
}

// validGB18030Prefix reports whether b decodes as GB18030 without invalid
// sequences (the decoder does not fail: it writes U+FFFD), allowing a
// sequence cut off at the end when b is only a prefix of the file.
func validGB18030Prefix(b []byte, truncated bool) bool {
	dst := make([]byte, 3*len(b)+utf8.UTFMax) // 1 byte → at most 3 (0x80 → €)
	n, _, err := simplifiedchinese.GB18030.NewDecoder().Transform(dst, b, !truncated)
	if err != nil && !(truncated && errors.Is(err, transform.ErrShortSrc)) {
		return false
	}
	return !bytes.ContainsRune(dst[:n], utf8.RuneError)
}

// openCSV decodes r, reads the header and checks it against the record
// type's required and optional columns (any order; unknown columns reject the file).
func openCSV(r io.Reader, required, optional []string) (*csvFile, error) {
	text, encoding, err := decodeCSV(r)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(text)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = false // an unclosed quote must be reported, not swallow the rows after it
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &FileError{Text: i18n.T("csv.empty")}
	}
	if err != nil {
		return nil, &FileError{Text: i18n.T("csv.unreadable", err.Error())}
	}
	f := &csvFile{r: cr, columns: map[string]int{}, encoding: encoding}
	var unknown, dup []string
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		f.Header = append(f.Header, h)
		switch {
		case h == "" && i == len(header)-1:
			continue // a trailing comma in the header
		case !slices.Contains(required, h) && !slices.Contains(optional, h):
			unknown = append(unknown, strings.ToValidUTF8(header[i], "\uFFFD"))
		case f.has(h):
			dup = append(dup, h)
		}
		f.columns[h] = i
	}
	var missing []string
	for _, h := range required {
		if !f.has(h) {
			missing = append(missing, h)
		}
	}
	switch {
	case len(unknown) > 0:
		return nil, &FileError{Text: i18n.T("csv.unknown_columns", strings.Join(unknown, ", "), strings.Join(append(slices.Clone(required), optional...), ", "))}
	case len(dup) > 0:
		return nil, &FileError{Text: i18n.T("csv.duplicate_columns", strings.Join(dup, ", "))}
	case len(missing) > 0:
		return nil, &FileError{Text: i18n.T("csv.missing_columns", strings.Join(missing, ", "))}
	}
	return f, nil
}

func (f *csvFile) has(col string) bool { _, ok := f.columns[col]; return ok }

// csvRow is one data row: its line number in the file and cells by column name.
type csvRow struct {
	Line  int
	cells []string
	file  *csvFile
	Blank bool
	// Problem is set when the row could not be read as cells (wrong cell
	// count, a stray or unclosed quote).
	Problem i18n.Text
	// NotText names the columns whose cells are not valid text in the
	// file's encoding: invalid UTF-8, or bytes GB18030 could not decode
	// (the decoder turns them into U+FFFD, which no real GB18030 file
	// carries).
	NotText []string
}

// Get returns the trimmed cell of a column ("" when absent).
func (r csvRow) Get(col string) string {
	i, ok := r.file.columns[col]
	if !ok || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
}

// next reads the next row; io.EOF at the end.
func (f *csvFile) next() (csvRow, error) {
	rec, err := f.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			problem := i18n.T("csv.field_count")
			switch {
			case errors.Is(pe.Err, csv.ErrQuote):
				problem = i18n.T("csv.quote", pe.StartLine)
			case errors.Is(pe.Err, csv.ErrBareQuote):
				problem = i18n.T("csv.bare_quote")
			}
			return csvRow{Line: pe.StartLine, file: f, Problem: problem}, nil
		}
		return csvRow{}, err
	}
	line, _ := f.r.FieldPos(0)
	row := csvRow{Line: line, cells: rec, file: f}
	blank := true
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			blank = false
			break
		}
	}
	row.Blank = blank
	for i, c := range rec {
		if !utf8.ValidString(c) || f.encoding == "GB18030" && strings.ContainsRune(c, utf8.RuneError) {
			col := "-"
			if i < len(f.Header) && f.Header[i] != "" {
				col = strings.ToValidUTF8(f.Header[i], "\uFFFD")
			}
			row.NotText = append(row.NotText, col)
		}
	}
	trailing := len(f.Header) > 0 && f.Header[len(f.Header)-1] == ""
	if len(rec) != len(f.Header) && !(trailing && len(rec) == len(f.Header)-1) && !blank {
		row.Problem = i18n.T("csv.field_count")
	}
	return row, nil
}
