package registry

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Normalising is idempotent, and a code that passes is 18 characters of
// the alphabet whose last one is its check character.
func FuzzParseUSCC(f *testing.F) {
	for _, s := range []string{"91120103MA06HJ146P", " ９１１２０１０３ＭＡ０６ＨＪ１４６Ｐ ", "91120103ma06hj146p", "12345", "9111000060003IOZSV", "", "\u3000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, err := ParseUSCC(s)
		if NormalizeUSCC(code) != code {
			t.Fatalf("normalising %q twice changes it: %q", s, code)
		}
		if err != nil {
			var ue *USCCError
			if !errors.As(err, &ue) || ue.Text.Key == "" {
				t.Fatalf("%q: an error without a message: %v", s, err)
			}
			return
		}
		if len(code) != USCCLength || USCCCheckChar(code[:17]) != code[17] {
			t.Fatalf("%q passed as %q", s, code)
		}
	})
}

// Times either parse or fail cleanly; RFC 3339 input round-trips.
func FuzzParseInstant(f *testing.F) {
	for _, s := range []string{"2026-11-01", "2026-11-01 09:00", "2026-11-01T09:00:00+08:00", "2026-13-01", "", "9999-12-31T23:59:59Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, bare, err := ParseInstant(s)
		if err != nil {
			return
		}
		if bare && tm.Location() != Shanghai {
			t.Fatalf("%q: a bare date outside Asia/Shanghai: %v", s, tm)
		}
		if _, err := ParseValidUntil(s); err != nil {
			t.Fatalf("%q parses as an instant but not as a validity end: %v", s, err)
		}
		_ = FormatOutput(tm.Truncate(time.Second))
	})
}

// Masking any text is stable (masking masked text changes nothing), adds
// no digit and leaves no unbroken mobile number standing alone; and the text
// generated from the seed (personal numbers in random spellings inside random
// Chinese text, ordinary numbers beside them) masks to exactly its answer.
func FuzzMaskPersonalNumbers(f *testing.F) {
	for i, s := range []string{"电话13812345678", "138 1234 5678", "１３８１２３４５６７８", "ID 12010119900101123X", "订单ORD13812345678",
		"+86 138 1234 5678", "138.1234.5678", "tel13812345678", "(022) 2345 6789", "120101 19900101 123X", "8890-20260314-000123",
		"¥2,500.00", "2026年3月14日", "（+86）022-2345-6789转801", "身份证号：120101-19900101-1234"} {
		f.Add(s, uint64(i))
	}
	f.Fuzz(func(t *testing.T, s string, seed uint64) {
		out := MaskPersonalNumbers(s)
		if again := MaskPersonalNumbers(out); again != out {
			t.Fatalf("masking %q is not stable: %q then %q", s, out, again)
		}
		if m, ok := standaloneMobile(out); ok {
			t.Fatalf("masking %q left the mobile number %q in %q", s, m, out)
		}
		if in, got := countDigits(s), countDigits(out); got > in {
			t.Fatalf("masking %q added digits (%d → %d): %q", s, in, got, out)
		}
		checkMaskDoc(t, genMaskDoc(rand.New(rand.NewPCG(seed, seed>>32|1))))
	})
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); {
		d, size := digitAt(s, i)
		if d != 0 {
			n++
			i += size
			continue
		}
		_, size = utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return n
}

// Any bytes as a vendors CSV: the reader rejects the file or yields rows,
// never panics or loops.
func FuzzCSVRows(f *testing.F) {
	f.Add([]byte("uscc,name,legal_rep,phone,address,districts,categories\n91120103MA06HJ146P,甲,王,022-1,天津,120101,cleaning\n"))
	f.Add([]byte("\xef\xbb\xbfuscc,name\n\"unclosed,x\n"))
	f.Add([]byte("\xff\xfeu\x00s\x00"))
	f.Add([]byte{0xb0, 0xa1, 0xb0, 0xa2, '\n'})
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := openCSV(bytes.NewReader(data), vendorColumnsRequired, vendorColumnsOptional)
		if err != nil {
			if _, ok := AsFileError(err); !ok && !strings.Contains(err.Error(), "read csv") {
				t.Fatalf("not a file error: %v", err)
			}
			return
		}
		for i := 0; i < 100000; i++ {
			row, err := file.next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				return
			}
			_ = row.Get("uscc")
		}
		t.Fatal("more rows than bytes")
	})
}
