-- Public pages: a vendor's disclosure page rendered when its public
-- document is built (0017), stored gzip-compressed, so that the profile a
-- citizen opens is one indexed read of bytes ready to send. A page belongs
-- to the document it was rendered from (doc_etag) and to the program that
-- rendered it (renderer: the executable and the site's base URL); a
-- reader whose document or renderer differs renders the page again.
-- Only the Chinese page is stored; other languages render on request.
CREATE TABLE public_pages (
    vendor_id INTEGER NOT NULL,
    lang      TEXT NOT NULL,
    renderer  TEXT NOT NULL,
    doc_etag  TEXT NOT NULL,  -- public_documents.etag of the document it shows
    etag      TEXT NOT NULL,  -- of the page as sent uncompressed
    body      BLOB NOT NULL,  -- the HTML, gzip-compressed
    PRIMARY KEY (vendor_id, lang)
);
