-- Scoring: rules versions, sanctions (read by the model), stored evaluations
-- and each vendor's current score; covering indexes so a full rescore reads
-- every vendor's records in vendor order without touching the tables.

CREATE TABLE rules_versions (
    version    TEXT PRIMARY KEY,
    hash       TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    adopted_at TEXT,
    adopted_by TEXT,
    active     INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX rules_versions_active ON rules_versions(active) WHERE active = 1;

CREATE TABLE sanctions (
    id            INTEGER PRIMARY KEY,
    vendor_id     INTEGER NOT NULL REFERENCES vendors(id),
    kind          TEXT NOT NULL CHECK (kind IN ('warning','fine','serious_penalty','blacklist','commendation')),
    issued_at     TEXT NOT NULL,
    display_until TEXT,
    reference     TEXT NOT NULL,
    summary       TEXT NOT NULL,
    repaired_at   TEXT,
    lifted_at     TEXT,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (vendor_id, kind, reference)
);
CREATE INDEX sanctions_vendor ON sanctions(vendor_id, issued_at);

-- Evaluation history: a row whenever anything material in a vendor's
-- evaluation changes; rows are never rewritten.
CREATE TABLE evaluations (
    id            INTEGER PRIMARY KEY,
    vendor_id     INTEGER NOT NULL REFERENCES vendors(id),
    as_of         TEXT NOT NULL,
    rules_version TEXT NOT NULL,
    rules_hash    TEXT NOT NULL,
    score         REAL NOT NULL,
    grade         TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX evaluations_vendor ON evaluations(vendor_id, id);

-- Each vendor's current evaluation: a pointer to its latest history row,
-- the figures public pages sort and filter on, and the sums behind the
-- city's priors. evaluated_at is the latest instant the evaluation was
-- confirmed unchanged (material_hash covers score, grade, reasons,
-- components, counts and rules).
CREATE TABLE vendor_scores (
    vendor_id     INTEGER PRIMARY KEY REFERENCES vendors(id),
    evaluation_id INTEGER NOT NULL REFERENCES evaluations(id),
    as_of         TEXT NOT NULL,
    evaluated_at  TEXT NOT NULL,
    rules_version TEXT NOT NULL,
    rules_hash    TEXT NOT NULL,
    material_hash INTEGER NOT NULL,
    score         REAL NOT NULL,
    grade         TEXT NOT NULL,
    reasons       TEXT NOT NULL,
    callbacks_weight   REAL NOT NULL,
    satisfaction_value REAL NOT NULL,
    complaint_points   REAL NOT NULL,
    exposure           REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX vendor_scores_grade ON vendor_scores(grade, score);

DROP INDEX callbacks_vendor;
CREATE INDEX callbacks_vendor ON callbacks(vendor_id, called_at, work_order_no, result);
DROP INDEX complaints_vendor;
CREATE INDEX complaints_vendor ON complaints(vendor_id, received_at, work_order_no, service_order_no, severity, status,
    outcome, deadline_at, closed_at, late_excused);
