-- A document's profile (the stored form of the disclosure page, about
-- 5 KB, read only to render a page) moves to a table of its own, so that
-- the rest of the row — the vendor JSON and the list item, what the open
-- data serves — fits on one database page: with the profile in it, a row
-- was larger than a page holds and everything after its first few hundred
-- bytes went to overflow pages, two or three extra reads per vendor JSON
-- or list item. Written and removed with its document, under the same
-- newer-wins rule (seq), like public_hits (0019).
CREATE TABLE public_profiles (
    vendor_id INTEGER PRIMARY KEY,
    seq       INTEGER NOT NULL,
    profile   BLOB NOT NULL
);
INSERT INTO public_profiles(vendor_id, seq, profile)
    SELECT vendor_id, seq, profile FROM public_documents;
ALTER TABLE public_documents DROP COLUMN profile;

-- A profile request reads its document's currency by the vendor's code
-- alone (registry.PagesByUSCC): an index that holds all of it spares a
-- read of the row's own page.
DROP INDEX public_documents_uscc;
CREATE INDEX public_documents_uscc ON public_documents(uscc, vendor_id, seq, valid_until, etag, built_at);
