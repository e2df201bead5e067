package registry

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// ChangeFeed reads the log of public changes (table public_changes):
// triggers on the tables behind public pages (migrations/0004_search.sql
// and later) and NoteExpiredOverrides append a row with a rising seq for
// every change to what public pages show, naming the vendor changed,
// vendor 0 for a change to every vendor's record (scoring rules), or -1
// for a change to pages about no one vendor (organisations, publication
// runs; an organisation's change also names each of its members). Caches of
// public pages (publicity.Catalog) follow it and reload only what changed.
// A ChangeFeed keeps the one statement that runs on every request prepared.
type ChangeFeed struct {
	db *DB

	once      sync.Once
	latest    *sql.Stmt // SELECT max(seq): prepared, it runs on every request
	latestErr error
}

// NewChangeFeed returns a reader of the public change log.
func (db *DB) NewChangeFeed() *ChangeFeed { return &ChangeFeed{db: db} }

// Latest returns the seq of the latest public change (0: none yet).
func (f *ChangeFeed) Latest(ctx context.Context) (int64, error) {
	f.once.Do(func() {
		f.latest, f.latestErr = f.db.read.PrepareContext(context.WithoutCancel(ctx), `SELECT coalesce(max(seq), 0) FROM public_changes`)
	})
	if f.latestErr != nil {
		return 0, fmt.Errorf("registry: public changes: %w", f.latestErr)
	}
	var latest int64
	if err := f.latest.QueryRowContext(ctx).Scan(&latest); err != nil {
		return 0, fmt.Errorf("registry: public changes: %w", err)
	}
	return latest, nil
}

// Oldest returns the seq of the oldest change still in the log (0: the log
// is empty). The log is pruned: a reader that has seen less than Oldest-1
// missed changes and must reload everything.
func (f *ChangeFeed) Oldest(ctx context.Context) (int64, error) {
	var oldest int64
	if err := f.db.read.QueryRowContext(ctx, `SELECT coalesce(min(seq), 0) FROM public_changes`).Scan(&oldest); err != nil {
		return 0, fmt.Errorf("registry: public changes: %w", err)
	}
	return oldest, nil
}

// PublicChanges summarises the changes of a range of the log.
type PublicChanges struct {
	// Vendors are the vendors changed, by id, each with the seq of its
	// latest change in the range. A vendor deleted since is among them.
	Vendors []VendorChange
	// Global is the seq of the latest change in the range to every
	// vendor's record (rules); 0 when there was none.
	Global int64
	// Pages is the seq of the latest change in the range to pages about no
	// one vendor (organisations, publication runs); 0 when there was none.
	Pages int64
}

// VendorChange is one vendor's latest change in a range of the log.
type VendorChange struct {
	VendorID, Seq int64
}

// Since summarises the changes with after < seq <= upTo.
func (f *ChangeFeed) Since(ctx context.Context, after, upTo int64) (PublicChanges, error) {
	var out PublicChanges
	rows, err := f.db.read.QueryContext(ctx, `SELECT vendor_id, max(seq) FROM public_changes WHERE seq > ? AND seq <= ? GROUP BY vendor_id`, after, upTo)
	if err != nil {
		return out, fmt.Errorf("registry: public changes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c VendorChange
		if err := rows.Scan(&c.VendorID, &c.Seq); err != nil {
			return out, err
		}
		switch c.VendorID {
		case 0: // the log's mark of a change to every vendor
			out.Global = c.Seq
			continue
		case -1: // the mark of a change to pages about no one vendor
			out.Pages = c.Seq
			continue
		}
		out.Vendors = append(out.Vendors, c)
	}
	return out, rows.Err()
}
