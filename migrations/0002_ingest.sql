-- Hotline evidence: complaints, callbacks, monthly volumes; API tokens;
-- vendors waiting for re-evaluation.

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    scope        TEXT NOT NULL CHECK (scope IN ('ingest')),
    token_hash   TEXT NOT NULL UNIQUE,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

CREATE TABLE complaints (
    id               INTEGER PRIMARY KEY,
    work_order_no    TEXT NOT NULL UNIQUE,
    vendor_id        INTEGER NOT NULL REFERENCES vendors(id),
    received_at      TEXT NOT NULL,
    channel          TEXT NOT NULL,
    category         TEXT NOT NULL,
    severity         TEXT NOT NULL,
    status           TEXT NOT NULL,
    outcome          TEXT NOT NULL DEFAULT '',
    deadline_at      TEXT NOT NULL,
    closed_at        TEXT,
    service_order_no TEXT NOT NULL DEFAULT '',
    summary          TEXT NOT NULL DEFAULT '',
    late_excused     INTEGER NOT NULL DEFAULT 0,
    updated_at       TEXT NOT NULL
);
CREATE INDEX complaints_vendor ON complaints(vendor_id, received_at);

CREATE TABLE callbacks (
    id            INTEGER PRIMARY KEY,
    work_order_no TEXT NOT NULL UNIQUE,
    vendor_id     INTEGER NOT NULL REFERENCES vendors(id),
    called_at     TEXT NOT NULL,
    result        TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX callbacks_vendor ON callbacks(vendor_id, called_at);

CREATE TABLE volumes (
    vendor_id  INTEGER NOT NULL REFERENCES vendors(id),
    month      TEXT NOT NULL,
    source     TEXT NOT NULL,
    orders     INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (vendor_id, month, source)
) WITHOUT ROWID;

-- Vendors whose evidence changed since their last evaluation.
CREATE TABLE reeval_marks (
    vendor_id INTEGER PRIMARY KEY REFERENCES vendors(id),
    marked_at TEXT NOT NULL
) WITHOUT ROWID;
