package registry

import "context"

// NewBulkLoaderForTest starts a bulk load that sends rows with COPY only
// when useCopy is set (and the engine is PostgreSQL), committing every
// commitEvery rows, for tests that compare the two paths.
func (db *DB) NewBulkLoaderForTest(ctx context.Context, actor Actor, useCopy bool, commitEvery int) (*BulkLoader, error) {
	return db.newBulkLoader(ctx, actor, useCopy, commitEvery)
}

// UsesCopyForTest reports whether the load sends rows with COPY.
func (b *BulkLoader) UsesCopyForTest() bool { return b.useCopy }
