package registry

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// StoredPage is a vendor's disclosure page rendered from its public
// document when that was built (table public_pages), so that opening a
// profile is one indexed read of bytes ready to send.
type StoredPage struct {
	VendorID int64
	Lang     string
	// Renderer names the program that rendered it (its executable and
	// the site's base URL): another one renders the page again.
	Renderer string
	DocETag  string // the ETag of the document it was rendered from
	ETag     string // of the uncompressed page
	Body     []byte // the HTML, gzip-compressed
}

// PageRead is a vendor's stored document, without its byte parts, and the
// page in a language by a renderer rendered from exactly that document;
// Page is nil when there is none.
type PageRead struct {
	DocumentRead
	Page *StoredPage
}

// PagesByUSCC reads, for the vendors filed under code uscc (see
// DocumentsByUSCC), the document's currency at now and the page in lang by
// renderer: one indexed read that never touches the document's parts.
func (db *DB) PagesByUSCC(ctx context.Context, uscc, lang, renderer string, now time.Time) ([]PageRead, error) {
	st, err := db.prepared(ctx, `SELECT `+DocumentParts(0).columns()+`, `+documentCurrency+`, p.etag, p.body
		FROM public_documents d
		LEFT JOIN public_pages p ON p.vendor_id = d.vendor_id AND p.lang = ? AND p.renderer = ? AND p.doc_etag = d.etag
		WHERE d.uscc = ?`)
	if err != nil {
		return nil, fmt.Errorf("registry: public page: %w", err)
	}
	rows, err := st.QueryContext(ctx, lang, renderer, uscc)
	if err != nil {
		return nil, fmt.Errorf("registry: public page: %w", err)
	}
	defer rows.Close()
	var out []PageRead
	for rows.Next() {
		var etag *string
		var body []byte
		d, err := scanDocument(rows, now, &etag, &body)
		if err != nil {
			return nil, err
		}
		r := PageRead{DocumentRead: d}
		if etag != nil {
			r.Page = &StoredPage{VendorID: d.VendorID, Lang: lang, Renderer: renderer, DocETag: d.ETag, ETag: *etag, Body: body}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// PutPages stores pages (see putPages).
func (db *DB) PutPages(ctx context.Context, pages []StoredPage) error {
	return db.PutDocuments(ctx, nil, pages)
}

// putPages stores pages, each replacing its vendor's page in that
// language, but only while the vendor's stored document is still the one
// the page was rendered from: a page never outlives or precedes its
// document.
func putPages(ctx context.Context, tx *sql.Tx, pages []StoredPage) error {
	if len(pages) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO public_pages(vendor_id, lang, renderer, doc_etag, etag, body)
		SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM public_documents d WHERE d.vendor_id = ? AND d.etag = ?)
		ON CONFLICT(vendor_id, lang) DO UPDATE SET renderer = excluded.renderer, doc_etag = excluded.doc_etag,
			etag = excluded.etag, body = excluded.body`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, p := range pages {
		if _, err := st.ExecContext(ctx, p.VendorID, p.Lang, p.Renderer, p.DocETag, p.ETag, p.Body, p.VendorID, p.DocETag); err != nil {
			return fmt.Errorf("registry: store public page of vendor %d: %w", p.VendorID, err)
		}
	}
	return nil
}

// VendorsWithoutPage lists, in id order after after, at most limit
// vendors whose stored document has no page in lang by renderer rendered
// from it.
func (db *DB) VendorsWithoutPage(ctx context.Context, lang, renderer string, after int64, limit int) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT d.vendor_id FROM public_documents d
		LEFT JOIN public_pages p ON p.vendor_id = d.vendor_id AND p.lang = ?
		WHERE d.vendor_id > ? AND (p.vendor_id IS NULL OR p.renderer <> ? OR p.doc_etag <> d.etag)
		ORDER BY d.vendor_id LIMIT ?`, lang, after, renderer, limit)
	if err != nil {
		return nil, fmt.Errorf("registry: vendors without a page: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("registry: vendors without a page: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// AnalyzeDocuments refreshes PostgreSQL's statistics of the stored
// documents, hits, profiles and pages after the builder wrote many of them: without them
// (a new database, autovacuum not yet round) the planner may scan every
// page to find one. SQLite plans these reads by their indexes alone.
func (db *DB) AnalyzeDocuments(ctx context.Context) error {
	if !db.pg {
		return nil
	}
	if _, err := db.write.ExecContext(ctx, `ANALYZE public_documents, public_hits, public_profiles, public_pages`); err != nil {
		return fmt.Errorf("registry: analyze public documents: %w", err)
	}
	return nil
}
