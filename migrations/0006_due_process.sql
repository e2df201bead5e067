-- Due process: cases a vendor opens (objections to a pending downgrade or
-- to a complaint's outcome, a public reply, a credit-repair application)
-- and a regulator decides with a written reason; grade overrides; the
-- in-console inbox.

CREATE TABLE cases (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('grade_objection','complaint_objection','reply','repair')),
    vendor_id       INTEGER NOT NULL REFERENCES vendors(id),
    subject         TEXT NOT NULL,      -- run id, work order number, sanction id, or '' for a reply
    text            TEXT NOT NULL,
    attachment      TEXT NOT NULL DEFAULT '',
    opened_by       TEXT NOT NULL,      -- audit actor
    opened_at       TEXT NOT NULL,
    deadline_at     TEXT NOT NULL,      -- when a regulator should have decided
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','upheld','amended','rejected','approved','withdrawn')),
    decided_by      TEXT,
    decided_at      TEXT,
    decision_reason TEXT,
    amended_value   TEXT
);
CREATE INDEX cases_open ON cases(status, deadline_at);
CREATE INDEX cases_vendor ON cases(vendor_id, id);
-- One open case per vendor, kind and subject.
CREATE UNIQUE INDEX cases_one_open ON cases(vendor_id, kind, subject) WHERE status = 'open';

-- The vendor's public reply: the latest approved one.
CREATE TABLE vendor_replies (
    vendor_id   INTEGER PRIMARY KEY REFERENCES vendors(id),
    text        TEXT NOT NULL,
    approved_at TEXT NOT NULL,
    case_id     INTEGER NOT NULL REFERENCES cases(id)
) WITHOUT ROWID;

-- A regulator's override of the published grade, with a reason and an expiry.
CREATE TABLE grade_overrides (
    vendor_id INTEGER PRIMARY KEY REFERENCES vendors(id),
    grade     TEXT NOT NULL CHECK (grade IN ('A','B','C','D','N')),
    reason    TEXT NOT NULL,
    until     TEXT NOT NULL,
    set_by    TEXT NOT NULL,
    set_at    TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE notifications (
    id        INTEGER PRIMARY KEY,
    role      TEXT NOT NULL,           -- 'regulator' (every regulator) or 'vendor'
    vendor_id INTEGER REFERENCES vendors(id),
    at        TEXT NOT NULL,
    key       TEXT NOT NULL,           -- i18n message key
    args      TEXT NOT NULL DEFAULT '[]',
    link      TEXT NOT NULL DEFAULT '',
    read_at   TEXT
);
CREATE INDEX notifications_inbox ON notifications(role, vendor_id, id);
