-- The vendor as a row of the search page and lists (public_documents.hit,
-- about 500 bytes) moves to a table of small rows of its own. Stored after
-- the document's other small columns it no longer fit on the row's first
-- page and spilled into an overflow page, so twenty search results read
-- twenty documents' first pages and twenty overflow pages; here several
-- hits share a page and each is one read. A hit has its document's
-- currency (seq, valid_until) and is written with it, in one transaction
-- (registry.PutDocuments), and removed with it.
CREATE TABLE public_hits (
    vendor_id   INTEGER PRIMARY KEY,
    seq         INTEGER NOT NULL,
    valid_until TEXT,
    hit         BLOB NOT NULL
);
INSERT INTO public_hits(vendor_id, seq, valid_until, hit)
    SELECT vendor_id, seq, valid_until, hit FROM public_documents;
ALTER TABLE public_documents DROP COLUMN hit;
