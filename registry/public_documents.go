package registry

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// PublicDocument is what the public sees of one vendor, built by
// publicity.BuildDocuments and stored (table public_documents) so that a
// profile, the vendor JSON, a badge or a list row is one indexed read.
// The registry keeps the bytes; publicity decides what they hold.
type PublicDocument struct {
	VendorID int64
	USCC     string
	// Seq is the latest public change (ChangeFeed) the document reflects:
	// it was built after every change up to Seq had committed.
	Seq int64
	// ValidUntil is the first instant at which the document's content
	// changes with time alone; nil: never.
	ValidUntil *time.Time
	ETag       string // of Detail and Profile
	BuiltAt    time.Time
	Detail     []byte // the vendor JSON, exactly as sent
	Item       []byte // the vendor as an item of a list
	Hit        []byte // the vendor as a row of the search page (table public_hits)
	Profile    []byte // the rest of the disclosure page (table public_profiles)
}

// DocumentRead is a stored document as read, and whether it is current:
// no public change to its vendor, or to every vendor, came after its Seq,
// and its ValidUntil has not passed.
type DocumentRead struct {
	PublicDocument
	Current bool
}

// DocumentParts chooses the byte columns a read returns.
type DocumentParts int

// The parts of a document a reader needs.
const (
	PartDetail  DocumentParts = 1 << iota // Detail
	PartItem                              // Item
	PartProfile                           // Profile
	PartHit                               // Hit
)

func (p DocumentParts) columns() string {
	cols := []string{"d.vendor_id", "d.uscc", "d.seq", "d.valid_until", "d.etag", "d.built_at"}
	for _, c := range []struct {
		part DocumentParts
		col  string
	}{{PartHit, "(SELECT h.hit FROM public_hits h WHERE h.vendor_id = d.vendor_id)"},
		{PartDetail, "d.detail"}, {PartProfile, "(SELECT p.profile FROM public_profiles p WHERE p.vendor_id = d.vendor_id)"},
		{PartItem, "d.item"}} {
		if p&c.part != 0 {
			cols = append(cols, c.col)
		} else {
			cols = append(cols, "NULL")
		}
	}
	return strings.Join(cols, ", ")
}

// documentCurrency computes, next to a document d, the latest change to
// its vendor and to every vendor (vendor 0): both index probes
// (public_changes_vendor). scanDocument decides currency from them;
// CurrentPartByID applies the same test in its query (the document walk
// test holds both to it after every kind of change).
const documentCurrency = `coalesce((SELECT max(c.seq) FROM public_changes c WHERE c.vendor_id = d.vendor_id), 0),
	coalesce((SELECT max(c.seq) FROM public_changes c WHERE c.vendor_id = 0), 0)`

// DocumentsByUSCC reads the stored documents filed under a vendor code (a
// code that moved from one vendor to another may be under two until the
// builder catches up) with whether each is current at now.
func (db *DB) DocumentsByUSCC(ctx context.Context, uscc string, parts DocumentParts, now time.Time) ([]DocumentRead, error) {
	st, err := db.prepared(ctx, `SELECT `+parts.columns()+`, `+documentCurrency+` FROM public_documents d WHERE d.uscc = ?`)
	if err != nil {
		return nil, fmt.Errorf("registry: public document: %w", err)
	}
	rows, err := st.QueryContext(ctx, uscc)
	if err != nil {
		return nil, fmt.Errorf("registry: public document: %w", err)
	}
	return scanDocuments(rows, now)
}

// DocumentsByID reads the stored documents of ids with whether each is
// current at now, keyed by vendor id; vendors without one are missing.
func (db *DB) DocumentsByID(ctx context.Context, ids []int64, parts DocumentParts, now time.Time) (map[int64]DocumentRead, error) {
	out := make(map[int64]DocumentRead, len(ids))
	for start := 0; start < len(ids); start += 500 {
		in, args := idList(ids[start:min(len(ids), start+500)])
		query := `SELECT ` + parts.columns() + `, ` + documentCurrency + `
			FROM public_documents d WHERE d.vendor_id IN (` + in + `)`
		rows, err := db.queryIDList(ctx, query, args)
		if err != nil {
			return nil, fmt.Errorf("registry: public documents: %w", err)
		}
		docs, err := scanDocuments(rows, now)
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			out[d.VendorID] = d
		}
	}
	return out, nil
}

// CurrentPartByID reads one part (PartHit or PartItem) of the stored
// documents of ids that are current at now (see DocumentRead), by vendor;
// a vendor missing from the result has no current document. The currency
// test runs in the query, so a row is two columns: what a page of search
// results reads twenty times. A hit is read from its own table of small
// rows (public_hits, with its document's seq and valid_until).
func (db *DB) CurrentPartByID(ctx context.Context, ids []int64, part DocumentParts, now time.Time) (map[int64][]byte, error) {
	var col, table string
	switch part {
	case PartHit:
		col, table = "d.hit", "public_hits"
	case PartItem:
		col, table = "d.item", "public_documents"
	default:
		return nil, fmt.Errorf("registry: CurrentPartByID reads a hit or an item, not parts %d", part)
	}
	out := make(map[int64][]byte, len(ids))
	at := formatTime(now)
	for start := 0; start < len(ids); start += 500 {
		in, args := idList(ids[start:min(len(ids), start+500)])
		query := `SELECT d.vendor_id, ` + col + ` FROM ` + table + ` d WHERE d.vendor_id IN (` + in + `)
			AND d.seq >= coalesce((SELECT max(c.seq) FROM public_changes c WHERE c.vendor_id = d.vendor_id), 0)
			AND d.seq >= coalesce((SELECT max(c.seq) FROM public_changes c WHERE c.vendor_id = 0), 0)
			AND (d.valid_until IS NULL OR d.valid_until > ?)`
		args = append(args, at)
		rows, err := db.queryIDList(ctx, query, args)
		if err != nil {
			return nil, fmt.Errorf("registry: public documents: %w", err)
		}
		for rows.Next() {
			var id int64
			var b []byte
			if err := rows.Scan(&id, &b); err != nil {
				rows.Close()
				return nil, fmt.Errorf("registry: public documents: %w", err)
			}
			out[id] = b
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("registry: public documents: %w", err)
		}
	}
	return out, nil
}

// queryIDList runs a read whose arguments are an id list (and perhaps a
// few more): a page of results (up to preparedIDListMax ids) through a
// statement prepared once per list length, since parsing it each time was a
// third of the read; longer lists as one-off queries.
func (db *DB) queryIDList(ctx context.Context, query string, args []any) (*sql.Rows, error) {
	if len(args) > preparedIDListMax+2 {
		return db.read.QueryContext(ctx, query, args...)
	}
	st, err := db.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// preparedIDListMax: id lists up to this long (a page of results) are read
// through prepared statements, one per list length and parts.
const preparedIDListMax = 100

func scanDocuments(rows *sql.Rows, now time.Time) ([]DocumentRead, error) {
	defer rows.Close()
	var out []DocumentRead
	for rows.Next() {
		d, err := scanDocument(rows, now)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// scanDocument scans a row of parts.columns() and documentCurrency, then
// the extra columns into extra.
func scanDocument(rows *sql.Rows, now time.Time, extra ...any) (DocumentRead, error) {
	var d DocumentRead
	var validUntil *string
	var builtAt string
	var vendorLatest, globalLatest int64
	dest := append([]any{&d.VendorID, &d.USCC, &d.Seq, &validUntil, &d.ETag, &builtAt, &d.Hit, &d.Detail, &d.Profile, &d.Item,
		&vendorLatest, &globalLatest}, extra...)
	if err := rows.Scan(dest...); err != nil {
		return d, fmt.Errorf("registry: public documents: %w", err)
	}
	d.ValidUntil, d.BuiltAt = parseStoredPtr(validUntil), parseStored(builtAt)
	d.Current = d.Seq >= vendorLatest && d.Seq >= globalLatest && (validUntil == nil || *validUntil > formatTime(now))
	return d, nil
}

// PutDocuments stores documents, each replacing its vendor's stored one
// unless that reflects a later change (a concurrent builder's newer work
// is never overwritten by older), and then pages rendered from them (see
// putPages).
func (db *DB) PutDocuments(ctx context.Context, docs []PublicDocument, pages []StoredPage) error {
	if len(docs) == 0 && len(pages) == 0 {
		return nil
	}
	return db.inDocumentTx(ctx, func(tx *sql.Tx) error {
		if err := putDocuments(ctx, tx, docs); err != nil {
			return err
		}
		return putPages(ctx, tx, pages)
	})
}

func putDocuments(ctx context.Context, tx *sql.Tx, docs []PublicDocument) error {
	if len(docs) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, `INSERT INTO public_documents(vendor_id, uscc, seq, valid_until, etag, built_at, detail, item)
		VALUES (?,?,?,?,?,?,?,?)
		ON CONFLICT(vendor_id) DO UPDATE SET uscc = excluded.uscc, seq = excluded.seq, valid_until = excluded.valid_until,
			etag = excluded.etag, built_at = excluded.built_at, detail = excluded.detail, item = excluded.item
		WHERE excluded.seq >= public_documents.seq`)
	if err != nil {
		return err
	}
	defer st.Close()
	hits, err := tx.PrepareContext(ctx, `INSERT INTO public_hits(vendor_id, seq, valid_until, hit) VALUES (?,?,?,?)
		ON CONFLICT(vendor_id) DO UPDATE SET seq = excluded.seq, valid_until = excluded.valid_until, hit = excluded.hit
		WHERE excluded.seq >= public_hits.seq`)
	if err != nil {
		return err
	}
	defer hits.Close()
	profiles, err := tx.PrepareContext(ctx, `INSERT INTO public_profiles(vendor_id, seq, profile) VALUES (?,?,?)
		ON CONFLICT(vendor_id) DO UPDATE SET seq = excluded.seq, profile = excluded.profile
		WHERE excluded.seq >= public_profiles.seq`)
	if err != nil {
		return err
	}
	defer profiles.Close()
	for _, d := range docs {
		validUntil := formatTimePtr(d.ValidUntil)
		if _, err := st.ExecContext(ctx, d.VendorID, d.USCC, d.Seq, validUntil, d.ETag, formatTime(d.BuiltAt), d.Detail, d.Item); err != nil {
			return fmt.Errorf("registry: store public document of vendor %d: %w", d.VendorID, err)
		}
		if _, err := hits.ExecContext(ctx, d.VendorID, d.Seq, validUntil, d.Hit); err != nil {
			return fmt.Errorf("registry: store search row of vendor %d: %w", d.VendorID, err)
		}
		if _, err := profiles.ExecContext(ctx, d.VendorID, d.Seq, d.Profile); err != nil {
			return fmt.Errorf("registry: store public profile of vendor %d: %w", d.VendorID, err)
		}
	}
	return nil
}

// deleteOrphanParts removes the hits and profiles of ids (a list, or a
// query that selects them) whose documents are gone.
func deleteOrphanParts(ctx context.Context, tx *sql.Tx, in string, args []any) error {
	for _, table := range []string{"public_hits", "public_profiles"} {
		_, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE vendor_id IN (`+in+`)
			AND NOT EXISTS (SELECT 1 FROM public_documents d WHERE d.vendor_id = `+table+`.vendor_id)`, args...)
		if err != nil {
			return err
		}
	}
	return nil
}

// DeleteDocumentsOfDeleted removes the stored documents of vendors named
// by changes after < seq <= upTo that no longer exist.
func (db *DB) DeleteDocumentsOfDeleted(ctx context.Context, after, upTo int64) error {
	return db.inDocumentTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM public_documents
			WHERE vendor_id IN (SELECT vendor_id FROM public_changes WHERE seq > ? AND seq <= ?)
			AND NOT EXISTS (SELECT 1 FROM vendors v WHERE v.id = public_documents.vendor_id)`, after, upTo)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM public_pages
			WHERE vendor_id IN (SELECT vendor_id FROM public_changes WHERE seq > ? AND seq <= ?)
			AND NOT EXISTS (SELECT 1 FROM public_documents d WHERE d.vendor_id = public_pages.vendor_id)`, after, upTo)
		if err != nil {
			return err
		}
		return deleteOrphanParts(ctx, tx, `SELECT vendor_id FROM public_changes WHERE seq > ? AND seq <= ?`, []any{after, upTo})
	})
}

// DeleteDocuments removes the stored documents of vendors that no longer
// exist (ids of live vendors are left alone).
func (db *DB) DeleteDocuments(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return db.inDocumentTx(ctx, func(tx *sql.Tx) error {
		in, args := idList(ids)
		_, err := tx.ExecContext(ctx, `DELETE FROM public_documents WHERE vendor_id IN (`+in+`)
			AND NOT EXISTS (SELECT 1 FROM vendors v WHERE v.id = public_documents.vendor_id)`, args...)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM public_pages WHERE vendor_id IN (`+in+`)
			AND NOT EXISTS (SELECT 1 FROM public_documents d WHERE d.vendor_id = public_pages.vendor_id)`, args...)
		if err != nil {
			return err
		}
		return deleteOrphanParts(ctx, tx, in, args)
	})
}

// inDocumentTx runs fn in a transaction that writes only public documents.
// On PostgreSQL it does not take the write lock (beginWrite): documents
// note no public change, so their writes need no place in its order, and
// the conditional upsert settles concurrent builders row by row.
func (db *DB) inDocumentTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if !db.pg {
		return db.inTx(ctx, fn)
	}
	tx, err := db.write.BeginTx(ctx, nil)
	return runTx(tx, err, fn)
}

// DocumentsCheckedThrough is the seq up to which every change is in the
// documents of its vendors.
func (db *DB) DocumentsCheckedThrough(ctx context.Context) (int64, error) {
	var seq int64
	err := db.read.QueryRowContext(ctx, `SELECT checked_through FROM public_documents_state WHERE id = 1`).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("registry: public documents state: %w", err)
	}
	return seq, nil
}

// SetDocumentsCheckedThrough records that every change up to seq is in the
// documents (it never moves back).
func (db *DB) SetDocumentsCheckedThrough(ctx context.Context, seq int64) error {
	return db.inDocumentTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE public_documents_state SET checked_through = ? WHERE id = 1 AND checked_through < ?`, seq, seq)
		return err
	})
}

// DocumentsWork tells, with reads only, whether the document builder has
// anything to do at now: changes past its checked_through, or documents
// past their ValidUntil.
func (db *DB) DocumentsWork(ctx context.Context, now time.Time) (bool, error) {
	st, err := db.prepared(ctx, `SELECT (SELECT coalesce(max(seq), 0) FROM public_changes) > checked_through
		OR EXISTS (SELECT 1 FROM public_documents WHERE valid_until IS NOT NULL AND valid_until <= ?)
		FROM public_documents_state WHERE id = 1`)
	if err != nil {
		return false, fmt.Errorf("registry: public documents state: %w", err)
	}
	var work bool
	if err := st.QueryRowContext(ctx, formatTime(now)).Scan(&work); err != nil {
		return false, fmt.Errorf("registry: public documents state: %w", err)
	}
	return work, nil
}

// ClaimDocumentBuilder makes the caller (named by who) the one process that
// keeps documents current until now+lease, when no other holds the claim:
// several serving processes share one database, and one builds. It
// reports whether the caller holds it.
func (db *DB) ClaimDocumentBuilder(ctx context.Context, who string, now time.Time, lease time.Duration) (bool, error) {
	var n int64
	err := db.inDocumentTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE public_documents_state SET builder = ?, lease_until = ?
			WHERE id = 1 AND (builder = ? OR lease_until < ?)`, who, formatTime(now.Add(lease)), who, formatTime(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return false, fmt.Errorf("registry: claim document builder: %w", err)
	}
	return n == 1, nil
}

// ReleaseDocumentBuilder gives up the claim (a process that stops).
func (db *DB) ReleaseDocumentBuilder(ctx context.Context, who string) error {
	return db.inDocumentTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE public_documents_state SET lease_until = '' WHERE id = 1 AND builder = ?`, who)
		return err
	})
}

// StaleDocumentVendors lists, at most limit, vendors whose documents need
// building at now: those named by a change above after (with the seq of
// their latest change), every vendor whose document is older than a change
// to every vendor, and documents past their ValidUntil. missing adds
// vendors with no document at all (a full scan; the builder asks once).
func (db *DB) StaleDocumentVendors(ctx context.Context, after, upTo int64, now time.Time, missing bool, limit int) ([]int64, error) {
	seen := map[int64]bool{}
	var out []int64
	add := func(query string, args ...any) error {
		if len(out) >= limit {
			return nil
		}
		rows, err := db.read.QueryContext(ctx, query+` LIMIT ?`, append(args, limit-len(out))...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
		return rows.Err()
	}
	var global int64
	err := db.read.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM public_changes WHERE vendor_id = 0 AND seq > ? AND seq <= ?`, after, upTo).Scan(&global)
	if err != nil {
		return nil, fmt.Errorf("registry: stale documents: %w", err)
	}
	steps := []func() error{
		func() error {
			return add(`SELECT DISTINCT c.vendor_id FROM public_changes c
				LEFT JOIN public_documents d ON d.vendor_id = c.vendor_id
				WHERE c.seq > ? AND c.seq <= ? AND c.vendor_id > 0 AND (d.seq IS NULL OR d.seq < c.seq)
				AND EXISTS (SELECT 1 FROM vendors v WHERE v.id = c.vendor_id)`, after, upTo)
		},
		func() error {
			if global == 0 {
				return nil
			}
			return add(`SELECT vendor_id FROM public_documents WHERE seq < ?`, global)
		},
		func() error {
			return add(`SELECT vendor_id FROM public_documents WHERE valid_until IS NOT NULL AND valid_until <= ?`, formatTime(now))
		},
		func() error {
			if !missing {
				return nil
			}
			return add(`SELECT v.id FROM vendors v WHERE NOT EXISTS (SELECT 1 FROM public_documents d WHERE d.vendor_id = v.id)`)
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, fmt.Errorf("registry: stale documents: %w", err)
		}
	}
	return out, nil
}

// NextPublicTimeChange returns, for each of ids that has one, the first
// instant after now at which what the public sees of the vendor changes
// with time alone: a sanction becoming visible, lifted or ending its
// display, an override expiring, a pending downgrade's objection period
// ending.
func (db *DB) NextPublicTimeChange(ctx context.Context, ids []int64, now time.Time) (map[int64]time.Time, error) {
	out := map[int64]time.Time{}
	at := formatTime(now)
	for start := 0; start < len(ids); start += 300 {
		in, args := idList(ids[start:min(len(ids), start+300)])
		var all []any
		for range 5 {
			all = append(all, args...)
			all = append(all, at)
		}
		rows, err := db.read.QueryContext(ctx, `SELECT vendor_id, min(t) FROM (
			SELECT vendor_id, issued_at AS t FROM sanctions WHERE vendor_id IN (`+in+`) AND repaired_at IS NULL AND issued_at > ?
			UNION ALL SELECT vendor_id, lifted_at FROM sanctions WHERE vendor_id IN (`+in+`) AND repaired_at IS NULL AND lifted_at > ?
			UNION ALL SELECT vendor_id, display_until FROM sanctions WHERE vendor_id IN (`+in+`) AND repaired_at IS NULL AND display_until > ?
			UNION ALL SELECT vendor_id, until FROM grade_overrides WHERE vendor_id IN (`+in+`) AND until > ?
			UNION ALL SELECT vendor_id, public_after FROM pending_downgrades WHERE vendor_id IN (`+in+`) AND public_after > ?
		) x GROUP BY vendor_id`, all...)
		if err != nil {
			return nil, fmt.Errorf("registry: public time changes: %w", err)
		}
		for rows.Next() {
			var id int64
			var t string
			if err := rows.Scan(&id, &t); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = parseStored(t)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
