-- Organisations, vendors, memberships, users, sessions, invitations and the audit log.
-- Times are RFC 3339 UTC text written by the application.

CREATE TABLE orgs (
    id            INTEGER PRIMARY KEY,
    uscc          TEXT NOT NULL UNIQUE,
    uscc_confirmed INTEGER NOT NULL DEFAULT 0,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('association','chamber','community','intermediary')),
    district      TEXT NOT NULL,
    contact_phone TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE vendors (
    id                    INTEGER PRIMARY KEY,
    uscc                  TEXT NOT NULL UNIQUE,
    uscc_confirmed        INTEGER NOT NULL DEFAULT 0,
    name                  TEXT NOT NULL,
    legal_rep             TEXT NOT NULL,
    phone                 TEXT NOT NULL,
    address               TEXT NOT NULL,
    licence_no            TEXT NOT NULL DEFAULT '',
    licence_valid_until   TEXT,
    insurance_valid_until TEXT,
    registered_at         TEXT NOT NULL,
    status                TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','suspended','deregistered')),
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE INDEX vendors_name ON vendors(name);
CREATE INDEX vendors_status ON vendors(status);

CREATE TABLE vendor_districts (
    vendor_id INTEGER NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,
    district  TEXT NOT NULL,
    PRIMARY KEY (vendor_id, district)
);
CREATE INDEX vendor_districts_district ON vendor_districts(district, vendor_id);

CREATE TABLE vendor_categories (
    vendor_id INTEGER NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,
    category  TEXT NOT NULL,
    PRIMARY KEY (vendor_id, category)
);
CREATE INDEX vendor_categories_category ON vendor_categories(category, vendor_id);

CREATE TABLE memberships (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES orgs(id),
    vendor_id  INTEGER NOT NULL REFERENCES vendors(id),
    status     TEXT NOT NULL CHECK (status IN ('invited','active','suspended','left')),
    since      TEXT NOT NULL,
    until      TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (org_id, vendor_id)
);
CREATE INDEX memberships_vendor ON memberships(vendor_id);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('regulator','association','vendor')),
    org_id        INTEGER REFERENCES orgs(id),
    vendor_id     INTEGER REFERENCES vendors(id),
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    CHECK ((role = 'association') = (org_id IS NOT NULL)),
    CHECK ((role = 'vendor') = (vendor_id IS NOT NULL))
);

-- Server-side sessions; the cookie carries a random token, only its SHA-256 is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- One-time vendor login invitations; only the token's SHA-256 is stored.
CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    vendor_id  INTEGER NOT NULL REFERENCES vendors(id),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);

-- Uploaded CSV files between preview and confirmation.
CREATE TABLE staged_imports (
    id         TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    filename   TEXT NOT NULL,
    content    BLOB NOT NULL,
    created_at TEXT NOT NULL
);

-- Append-only, hash-chained audit log (CONTRACT.md "Audit log").
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log(subject);
CREATE INDEX audit_log_action ON audit_log(action);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
