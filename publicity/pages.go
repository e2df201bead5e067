package publicity

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"

	"chengxin/registry"
)

// A PageRenderer renders a vendor's disclosure page from its stored
// document exactly as an anonymous GET of the profile's address in a
// language shows it. The web server is one; Documents stores what it
// renders next to each document it builds.
type PageRenderer interface {
	// RendererID names what the pages depend on besides the document (the
	// program and the site's base URL): pages of another renderer are
	// rendered again.
	RendererID() string
	RenderProfile(ctx context.Context, p Profile, lang string) ([]byte, error)
}

// StoredPageLang is the language whose profile pages are stored: the
// registry's citizens read Chinese; other languages render on request.
const StoredPageLang = "zh"

// SetPageRenderer makes d store the profile page r renders with every
// document it builds (nil: none).
func (d *Documents) SetPageRenderer(r PageRenderer) {
	d.pagesMu.Lock()
	defer d.pagesMu.Unlock()
	d.pages = r
}

func (d *Documents) renderer() PageRenderer {
	d.pagesMu.Lock()
	defer d.pagesMu.Unlock()
	return d.pages
}

// Page returns the current document of the vendor with code uscc at now
// (without its byte parts) and its stored page in StoredPageLang,
// rendering and storing the page when there is none for this renderer and
// building the document when it is not current; registry.ErrNotFound
// when there is no such vendor. Without a renderer it returns ErrNoPage.
func (d *Documents) Page(ctx context.Context, uscc string, now time.Time) (registry.PublicDocument, registry.StoredPage, error) {
	r := d.renderer()
	if r == nil {
		return registry.PublicDocument{}, registry.StoredPage{}, ErrNoPage
	}
	reads, err := d.db.PagesByUSCC(ctx, uscc, StoredPageLang, r.RendererID(), now)
	if err != nil {
		return registry.PublicDocument{}, registry.StoredPage{}, err
	}
	if len(reads) == 1 && reads[0].Current && reads[0].Page != nil {
		return reads[0].PublicDocument, *reads[0].Page, nil
	}
	// No page of this document by this renderer (just deployed, or the
	// document is changing): the document, built if need be (with its
	// page, rendered and stored then), else its page now.
	doc, built, err := d.byUSCC(ctx, uscc, registry.PartDetail|registry.PartProfile, now)
	if err != nil {
		return registry.PublicDocument{}, registry.StoredPage{}, err
	}
	if built != nil && built.Renderer == r.RendererID() {
		return doc, *built, nil
	}
	pages, err := d.renderPages(ctx, r, []registry.PublicDocument{doc})
	if err != nil {
		return registry.PublicDocument{}, registry.StoredPage{}, err
	}
	d.storeForReader(ctx, func(ctx context.Context) error {
		if err := d.db.PutPages(ctx, pages); err != nil {
			return fmt.Errorf("publicity: store a page a reader rendered: %w", err)
		}
		return nil
	})
	return doc, pages[0], nil
}

// ErrNoPage: pages are not stored (no renderer).
var ErrNoPage = errors.New("publicity: no stored pages")

// renderPages renders the stored page of each of docs (parts Detail and
// Profile) from the document itself, as a reader of it would.
func (d *Documents) renderPages(ctx context.Context, r PageRenderer, docs []registry.PublicDocument) ([]registry.StoredPage, error) {
	out := make([]registry.StoredPage, 0, len(docs))
	id := r.RendererID()
	for _, doc := range docs {
		p, err := DecodeProfile(ctx, d.db, doc)
		if err != nil {
			return nil, err
		}
		html, err := r.RenderProfile(ctx, p, StoredPageLang)
		if err != nil {
			return nil, fmt.Errorf("publicity: render the page of vendor %d: %w", doc.VendorID, err)
		}
		body, err := gzipBytes(html)
		if err != nil {
			return nil, err
		}
		out = append(out, registry.StoredPage{VendorID: doc.VendorID, Lang: StoredPageLang, Renderer: id,
			DocETag: doc.ETag, ETag: ETagOf(html), Body: body})
	}
	return out, nil
}

// ETagOf is the strong ETag of bytes sent as they are (parts, in order):
// of a stored document, a stored page, a cached page.
func ETagOf(parts ...[]byte) string {
	sum := sha256.New()
	for _, b := range parts {
		sum.Write(b)
	}
	return `"` + base64.RawURLEncoding.EncodeToString(sum.Sum(nil)[:12]) + `"`
}

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	return w
}}

// gzipBytes compresses a page for storage (and for sending as it is).
func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(w)
	w.Reset(&buf)
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// pageBatch is how many pages CatchUp renders per transaction.
const pageBatch = 200

// renderMissingPages renders and stores the pages of current documents
// that have none by this renderer (a database from before pages were
// stored, or pages of an earlier program): a full scan, asked once per
// builder. It returns how many it rendered.
func (d *Documents) renderMissingPages(ctx context.Context) (int, error) {
	r := d.renderer()
	if r == nil {
		return 0, nil
	}
	done := 0
	after := int64(0)
	for {
		ids, err := d.db.VendorsWithoutPage(ctx, StoredPageLang, r.RendererID(), after, pageBatch)
		if err != nil || len(ids) == 0 {
			return done, err
		}
		after = ids[len(ids)-1]
		stored, err := d.db.DocumentsByID(ctx, ids, registry.PartDetail|registry.PartProfile, d.db.Now())
		if err != nil {
			return done, err
		}
		docs := make([]registry.PublicDocument, 0, len(ids))
		for _, id := range ids {
			if doc, ok := stored[id]; ok && doc.Current { // stale ones get theirs when built
				docs = append(docs, doc.PublicDocument)
			}
		}
		pages, err := d.renderPages(ctx, r, docs)
		if err != nil {
			return done, err
		}
		if err := d.db.PutPages(ctx, pages); err != nil {
			return done, err
		}
		done += len(pages)
	}
}
