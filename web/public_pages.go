package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"

	"chengxin/i18n"
	"chengxin/publicity"
)

// The Chinese disclosure page of every vendor is rendered when its public
// document is built and stored with it, gzip-compressed
// (publicity.PageRenderer): opening a profile is then one indexed read of
// bytes ready to send, sent as they are to clients that accept gzip.

// RendererID names what a stored page depends on besides its document:
// this program (a hash of its executable: templates, messages and styles
// are compiled in) and the site's base URL (the page's share link).
func (ps *publicSite) RendererID() string {
	ps.rendererOnce.Do(func() {
		h := sha256.Sum256([]byte(executableHash() + "\x00" + ps.s.publicBase()))
		ps.rendererID = hex.EncodeToString(h[:12])
	})
	return ps.rendererID
}

// executableHash is the SHA-256 of this process's executable, read once
// per process (every server of a test binary shares it).
var executableHash = sync.OnceValue(func() string {
	h := sha256.New()
	if exe, err := os.Executable(); err == nil {
		if f, err := os.Open(exe); err == nil {
			io.Copy(h, f)
			f.Close()
		}
	}
	return hex.EncodeToString(h.Sum(nil))
})

// RenderProfile renders p's disclosure page in lang as an anonymous GET of
// /vendors/{uscc} gets it.
func (ps *publicSite) RenderProfile(ctx context.Context, p publicity.Profile, lang string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "/vendors/"+p.Vendor.USCC, nil)
	if err != nil {
		return nil, err
	}
	w := &pubCapture{header: http.Header{}}
	c := ps.s.e.NewContext(req, w)
	c.SetPath("/vendors/:uscc")
	c.SetParamNames("uscc")
	c.SetParamValues(p.Vendor.USCC)
	c.Set(ctxLang, lang)
	if err := ps.profilePage(c, p); err != nil {
		return nil, err
	}
	return w.buf.Bytes(), nil
}

// storedPageRequest: the request gets the stored page — the stored
// language, and no query but that language.
func storedPageRequest(c echo.Context) bool {
	if lang(c) != publicity.StoredPageLang {
		return false
	}
	q := c.Request().URL.Query()
	switch len(q) {
	case 0:
		return true
	case 1:
		l := q["lang"]
		return len(l) == 1 && i18n.Normalize(l[0]) == publicity.StoredPageLang
	}
	return false
}

// serveStoredPage answers a profile request from the vendor's stored page:
// the gzip bytes as stored to a client that accepts them, otherwise the
// page uncompressed. handled is false when the
// page cannot be used (no renderer): the caller renders.
func (ps *publicSite) serveStoredPage(c echo.Context, code string) (handled bool, err error) {
	doc, page, err := ps.docs.Page(c.Request().Context(), code, ps.s.now())
	switch {
	case errors.Is(err, publicity.ErrNoPage):
		return false, nil
	case publicity.IsNotFound(err):
		return true, ps.notFound(c)
	case err != nil:
		return true, err
	}
	h := c.Response().Header()
	h.Add("Vary", "Accept-Encoding")
	if acceptsGzip(c.Request()) {
		etag := strings.TrimSuffix(page.ETag, `"`) + `-gz"` // another representation, another tag
		h.Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", etag)
		h.Set("Last-Modified", doc.BuiltAt.UTC().Format(http.TimeFormat))
		if pubNotModified(c.Request(), etag, doc.BuiltAt) {
			h.Del(echo.HeaderContentType)
			return true, c.NoContent(http.StatusNotModified)
		}
		h.Set(echo.HeaderContentEncoding, "gzip")
		h.Set(echo.HeaderContentLength, strconv.Itoa(len(page.Body)))
		return true, c.Blob(http.StatusOK, echo.MIMETextHTMLCharsetUTF8, page.Body)
	}
	// Uncompressed for the rare client that does not take gzip; not kept in
	// the page cache, which would fill with the long tail of profiles.
	html, err := gunzip(page.Body)
	if err != nil {
		return true, err
	}
	return true, pubServe(c, &pubPageEntry{body: html, etag: page.ETag, modified: doc.BuiltAt,
		header: http.Header{echo.HeaderContentType: {echo.MIMETextHTMLCharsetUTF8}, "Cache-Control": {"no-cache"}}})
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip
// (RFC 9110 12.5.3: named, or "*", without q=0).
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "x-gzip" && coding != "*" {
			continue
		}
		if q, ok := strings.CutPrefix(strings.ReplaceAll(strings.TrimSpace(params), " ", ""), "q="); ok {
			if v, err := strconv.ParseFloat(q, 64); err == nil && v == 0 {
				return false
			}
		}
		return true
	}
	return false
}

var gzipReaders sync.Pool

// maxDeflateRatio bounds how much DEFLATE can expand its input (1032:1).
const maxDeflateRatio = 1032

// gunzip decompresses a stored page into a slice of exactly its size (the
// gzip trailer's ISIZE: the pages are ours, one member each, far below
// 4 GiB), checking the trailer's CRC.
func gunzip(b []byte) ([]byte, error) {
	zr, _ := gzipReaders.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(bytes.NewReader(b))
	} else {
		err = zr.Reset(bytes.NewReader(b))
	}
	if err != nil {
		return nil, err
	}
	defer gzipReaders.Put(zr)
	size := uint64(binary.LittleEndian.Uint32(b[len(b)-4:]))
	if size > maxDeflateRatio*uint64(len(b)) { // a damaged trailer must not make a huge allocation
		return nil, fmt.Errorf("web: stored page of %d bytes claims %d bytes expanded", len(b), size)
	}
	out := make([]byte, size)
	if _, err := io.ReadFull(zr, out); err != nil {
		return nil, err
	}
	var more [1]byte // reading to the end checks the CRC and the size
	if n, err := zr.Read(more[:]); n != 0 || err != io.EOF {
		if err == nil || err == io.EOF {
			err = errors.New("web: stored page longer than its gzip trailer says")
		}
		return nil, err
	}
	return out, nil
}
