-- Public pages (see the SQLite file, 0018_public_pages.sql).
CREATE TABLE public_pages (
    vendor_id BIGINT NOT NULL,
    lang      TEXT COLLATE "C" NOT NULL,
    renderer  TEXT COLLATE "C" NOT NULL,
    doc_etag  TEXT COLLATE "C" NOT NULL,
    etag      TEXT COLLATE "C" NOT NULL,
    body      BYTEA NOT NULL,
    PRIMARY KEY (vendor_id, lang)
);
-- The body is gzip already: TOAST need not try to compress it again.
ALTER TABLE public_pages ALTER COLUMN body SET STORAGE EXTERNAL;
