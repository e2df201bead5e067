package web

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
)

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write([]byte(s))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestGunzipStoredPage: a stored page comes back whole, sized by its
// trailer; a trailer that lies about the size or a damaged body is an
// error, never a short or padded page.
func TestGunzipStoredPage(t *testing.T) {
	page := strings.Repeat("<p>诚信家政服务有限公司</p>\n", 700)
	z := gzipped(t, page)
	for range 3 { // the reader is pooled: each use starts afresh
		got, err := gunzip(z)
		if err != nil || string(got) != page {
			t.Fatalf("gunzip = %d bytes, %v; want the %d-byte page", len(got), err, len(page))
		}
	}
	if got, err := gunzip(gzipped(t, "")); err != nil || len(got) != 0 {
		t.Fatalf("empty page: %q, %v", got, err)
	}
	for name, damage := range map[string]func([]byte){
		"size too small": func(b []byte) { binary.LittleEndian.PutUint32(b[len(b)-4:], uint32(len(page)-1)) },
		"size too large": func(b []byte) { binary.LittleEndian.PutUint32(b[len(b)-4:], uint32(len(page)+1)) },
		"crc":            func(b []byte) { b[len(b)-8] ^= 1 },
		"size absurd":    func(b []byte) { binary.LittleEndian.PutUint32(b[len(b)-4:], 1<<31) },
	} {
		b := bytes.Clone(z)
		damage(b)
		if got, err := gunzip(b); err == nil {
			t.Errorf("%s: gunzip returned %d bytes and no error", name, len(got))
		}
	}
}
