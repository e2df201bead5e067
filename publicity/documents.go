package publicity

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"chengxin/registry"
)

// Documents serves and keeps current the stored public documents of
// vendors (see document.go). A read is one indexed lookup that also tells
// whether the document is current; one that is not (a change its builder
// has not reached yet, a sanction whose display just ended) is built,
// stored and served on the spot, so a reader never sees an outdated
// record. Keep, run by the serving process, builds the documents of every
// change as it commits; with several processes on one database, one of
// them builds at a time (a lease in the database).
type Documents struct {
	db   *registry.DB
	feed *registry.ChangeFeed
	who  string // this process, for the builder's lease

	pagesMu  sync.Mutex
	pages    PageRenderer // renders the page stored with each document; nil: none
	storeErr func(error)  // told of a reader's store that failed; nil: nobody
	// readerStoresFrom: readers store what they build from this instant
	// (Unix nanoseconds) on; see storeForReader.
	readerStoresFrom atomic.Int64
}

// SetStoreErrorReport sets what is told when a reader could not store a
// document or page it built (the server's log). The reader serves what it
// built either way; the builder stores it later.
func (d *Documents) SetStoreErrorReport(report func(error)) {
	d.pagesMu.Lock()
	defer d.pagesMu.Unlock()
	d.storeErr = report
}

// readerStoreWait bounds how long a reader waits to store what it built:
// SQLite's write lock may be held longer by another process (a
// publication run writes every vendor), and a citizen's page must not
// wait for it, or fail. After a store that failed, readers do not try
// again for readerStoreBackoff: while a long write holds the lock, one
// reader in that time waits, not every one.
const (
	readerStoreWait    = 500 * time.Millisecond
	readerStoreBackoff = 5 * time.Second
)

// storeForReader runs store for a reader within readerStoreWait (whatever
// the reader's own context), reporting a failure instead of returning it;
// within readerStoreBackoff of a failure it does not run it.
func (d *Documents) storeForReader(ctx context.Context, store func(ctx context.Context) error) {
	if time.Now().UnixNano() < d.readerStoresFrom.Load() {
		return // the builder (or a later reader) stores it
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readerStoreWait)
	defer cancel()
	if err := store(ctx); err != nil {
		d.readerStoresFrom.Store(time.Now().Add(readerStoreBackoff).UnixNano())
		d.pagesMu.Lock()
		report := d.storeErr
		d.pagesMu.Unlock()
		if report != nil {
			report(err)
		}
	}
}

// NewDocuments returns the documents of db.
func NewDocuments(db *registry.DB) *Documents {
	host, _ := os.Hostname()
	return &Documents{db: db, feed: db.NewChangeFeed(), who: fmt.Sprintf("%s:%d:%p", host, os.Getpid(), db)}
}

// ByUSCC returns the current document of the vendor with code uscc at now
// with the parts asked for, building it when the stored one is not
// current, or registry.ErrNotFound.
func (d *Documents) ByUSCC(ctx context.Context, uscc string, parts registry.DocumentParts, now time.Time) (registry.PublicDocument, error) {
	doc, _, err := d.byUSCC(ctx, uscc, parts, now)
	return doc, err
}

// byUSCC is ByUSCC that also returns the page it rendered when it built
// the document (nil when it read a current one, or has no renderer).
func (d *Documents) byUSCC(ctx context.Context, uscc string, parts registry.DocumentParts, now time.Time) (registry.PublicDocument, *registry.StoredPage, error) {
	docs, err := d.db.DocumentsByUSCC(ctx, uscc, parts, now)
	if err != nil {
		return registry.PublicDocument{}, nil, err
	}
	if len(docs) == 1 && docs[0].Current {
		return docs[0].PublicDocument, nil, nil
	}
	v, err := d.db.FindVendorByUSCC(ctx, uscc)
	if err != nil {
		return registry.PublicDocument{}, nil, err
	}
	built, pages, err := d.buildForReader(ctx, []int64{v.ID}, now)
	if err != nil {
		return registry.PublicDocument{}, nil, err
	}
	if len(built) != 1 {
		return registry.PublicDocument{}, nil, registry.ErrNotFound // deleted meanwhile
	}
	if len(pages) == 1 {
		return built[0], &pages[0], nil
	}
	return built[0], nil, nil
}

// Items returns the list-item JSON of ids at now, in that order, building
// those whose stored documents are not current; vendors that no longer
// exist are left out.
func (d *Documents) Items(ctx context.Context, ids []int64, now time.Time) ([][]byte, error) {
	items, err := d.currentPart(ctx, ids, registry.PartItem, now)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(ids))
	for _, id := range ids {
		if item, ok := items[id]; ok {
			out = append(out, item)
		}
	}
	return out, nil
}

// Hits returns ids as rows of the search page at now, in that order, like Items.
func (d *Documents) Hits(ctx context.Context, ids []int64, now time.Time) ([]Hit, error) {
	hits, err := d.currentPart(ctx, ids, registry.PartHit, now)
	if err != nil {
		return nil, err
	}
	out := make([]Hit, 0, len(ids))
	for _, id := range ids {
		b, ok := hits[id]
		if !ok {
			continue
		}
		var h Hit
		if err := decodeStored(b, &h); err != nil {
			return nil, fmt.Errorf("publicity: stored document of vendor %d: %w", id, err)
		}
		out = append(out, h)
	}
	return out, nil
}

// currentPart returns one part (registry.PartHit or PartItem) of the
// documents of ids at now, building and storing those not current; vendors
// that no longer exist are left out.
func (d *Documents) currentPart(ctx context.Context, ids []int64, part registry.DocumentParts, now time.Time) (map[int64][]byte, error) {
	out, err := d.db.CurrentPartByID(ctx, ids, part, now)
	if err != nil {
		return nil, err
	}
	var stale []int64
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			stale = append(stale, id)
		}
	}
	if len(stale) == 0 {
		return out, nil
	}
	built, _, err := d.buildForReader(ctx, stale, now)
	if err != nil {
		return nil, err
	}
	for _, doc := range built {
		if part == registry.PartHit {
			out[doc.VendorID] = doc.Hit
		} else {
			out[doc.VendorID] = doc.Item
		}
	}
	return out, nil
}

// buildAndStore builds the documents of ids from the records and their
// pages (with a renderer), stores them, drops those of deleted vendors and
// returns the built documents.
func (d *Documents) buildAndStore(ctx context.Context, ids []int64, now time.Time) ([]registry.PublicDocument, error) {
	docs, pages, gone, err := d.buildWithPages(ctx, ids, now)
	if err != nil {
		return nil, err
	}
	if err := d.db.PutDocuments(ctx, docs, pages); err != nil {
		return nil, err
	}
	return docs, d.db.DeleteDocuments(ctx, gone)
}

// buildWithPages builds the documents of ids and, with a renderer, their
// pages; vendors that no longer exist are in gone.
func (d *Documents) buildWithPages(ctx context.Context, ids []int64, now time.Time) (docs []registry.PublicDocument, pages []registry.StoredPage, gone []int64, err error) {
	if docs, gone, err = d.build(ctx, ids, now); err != nil {
		return nil, nil, nil, err
	}
	if r := d.renderer(); r != nil {
		if pages, err = d.renderPages(ctx, r, docs); err != nil {
			return nil, nil, nil, err
		}
	}
	return docs, pages, gone, nil
}

// buildForReader builds the documents of ids, which a reader found not
// current, and their pages, and stores them if it can (storeForReader): a
// read never fails, nor waits long, because a writer holds the database.
func (d *Documents) buildForReader(ctx context.Context, ids []int64, now time.Time) ([]registry.PublicDocument, []registry.StoredPage, error) {
	docs, pages, gone, err := d.buildWithPages(ctx, ids, now)
	if err != nil {
		return nil, nil, err
	}
	d.storeForReader(ctx, func(ctx context.Context) error {
		if err := d.db.PutDocuments(ctx, docs, pages); err != nil {
			return fmt.Errorf("publicity: store documents a reader built: %w", err)
		}
		return d.db.DeleteDocuments(ctx, gone)
	})
	return docs, pages, nil
}

// build builds the documents of ids at now from the records (vendors that
// no longer exist are returned in gone).
func (d *Documents) build(ctx context.Context, ids []int64, now time.Time) (docs []registry.PublicDocument, gone []int64, err error) {
	seq, err := d.feed.Latest(ctx) // first: every change up to it is in what is read next
	if err != nil {
		return nil, nil, err
	}
	return buildDocuments(ctx, d.db, ids, seq, now)
}

// Build builds the documents of ids at now from the records, without
// storing them: what a stored document must equal.
func (d *Documents) Build(ctx context.Context, ids []int64, now time.Time) ([]registry.PublicDocument, error) {
	docs, _, err := d.build(ctx, ids, now)
	return docs, err
}

// analyzeAfter: a catch-up that built this many documents or pages has the
// database's statistics of them refreshed.
const analyzeAfter = 1000

// documentBatch is how many documents the builder makes per transaction.
const documentBatch = 200

// CatchUp builds the documents of every change committed since the last
// catch-up (of any process), of every vendor without one when missing is
// set, and of those whose content changed with time, in batches, with
// their pages; when missing is set, also the pages of current documents
// that have none by this renderer (a new release). It returns how many
// documents and pages it built. Changes it has handled may then be pruned
// from the log.
func (d *Documents) CatchUp(ctx context.Context, missing bool) (int, error) {
	latest, err := d.feed.Latest(ctx)
	if err != nil {
		return 0, err
	}
	through, err := d.db.DocumentsCheckedThrough(ctx)
	if err != nil {
		return 0, err
	}
	built := 0
	for {
		now := d.db.Now()
		ids, err := d.db.StaleDocumentVendors(ctx, through, latest, now, missing, documentBatch)
		if err != nil {
			return built, err
		}
		if len(ids) == 0 {
			break
		}
		docs, err := d.buildAndStore(ctx, ids, now)
		if err != nil {
			return built, err
		}
		built += len(docs)
		if len(docs) == 0 { // every one of them deleted
			break
		}
	}
	if missing {
		n, err := d.renderMissingPages(ctx)
		if err != nil {
			return built, err
		}
		built += n
	}
	if built >= analyzeAfter {
		if err := d.db.AnalyzeDocuments(ctx); err != nil {
			return built, err
		}
	}
	if latest > through {
		if err := d.db.DeleteDocumentsOfDeleted(ctx, through, latest); err != nil {
			return built, err
		}
		if err := d.db.SetDocumentsCheckedThrough(ctx, latest); err != nil {
			return built, err
		}
	}
	return built, nil
}

// BuilderLease is how long a builder's claim lasts without renewal.
const BuilderLease = 30 * time.Second

// Keep keeps the documents current until ctx ends: every interval it
// claims the builder's lease and, holding it, catches up. The first pass
// also builds the documents of vendors without one (a database from an
// earlier version, or one just generated). After each pass that built
// something or failed, report is told how many it built, in how long, and
// the error (retried next time).
func (d *Documents) Keep(ctx context.Context, interval time.Duration, report func(built int, took time.Duration, err error)) {
	missing := true
	t := time.NewTicker(interval)
	defer t.Stop()
	defer d.db.ReleaseDocumentBuilder(context.WithoutCancel(ctx), d.who)
	for {
		start := time.Now()
		built := 0
		// Only a pass with work to do writes (claims the lease): a write
		// makes every reader of an SQLite database drop its page cache.
		work, err := d.db.DocumentsWork(ctx, d.db.Now())
		ok := false
		if err == nil && (work || missing) {
			ok, err = d.db.ClaimDocumentBuilder(ctx, d.who, d.db.Now(), BuilderLease)
		}
		switch {
		case err == nil && ok:
			built, err = d.CatchUp(ctx, missing)
			if err == nil {
				missing = false
			}
		case err == nil:
			missing = false // another process builds, the missing ones too
		}
		if ctx.Err() != nil {
			return
		}
		if built > 0 || err != nil {
			report(built, time.Since(start), err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
