-- Publication runs (SCORING.md "Publication"): one run per calendar month,
-- what each run published per vendor, each vendor's public grade and its
-- pending downgrade.

CREATE TABLE publication_runs (
    id            INTEGER PRIMARY KEY,
    period        TEXT NOT NULL UNIQUE,          -- YYYY-MM, Asia/Shanghai
    as_of         TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('running', 'done')),
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    actor         TEXT NOT NULL,
    rules_version TEXT NOT NULL DEFAULT '',
    vendors       INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX publication_runs_running ON publication_runs(status) WHERE status = 'running';

-- What each run decided for each vendor.
CREATE TABLE publications (
    run_id          INTEGER NOT NULL REFERENCES publication_runs(id),
    vendor_id       INTEGER NOT NULL REFERENCES vendors(id),
    evaluated_grade TEXT NOT NULL,
    evaluated_score REAL NOT NULL,
    published_grade TEXT NOT NULL,
    action          TEXT NOT NULL,
    PRIMARY KEY (run_id, vendor_id)
) WITHOUT ROWID;
CREATE INDEX publications_vendor ON publications(vendor_id, run_id);

-- Each vendor's grade as the public sees it.
CREATE TABLE published_grades (
    vendor_id     INTEGER PRIMARY KEY REFERENCES vendors(id),
    grade         TEXT NOT NULL,
    score         REAL NOT NULL,
    published_at  TEXT NOT NULL,
    run_id        INTEGER NOT NULL REFERENCES publication_runs(id),
    rules_version TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX published_grades_grade ON published_grades(grade, score);

-- A downgrade waiting for its objection period; objected_at is set when
-- the vendor objects in time (a regulator then decides).
CREATE TABLE pending_downgrades (
    vendor_id    INTEGER PRIMARY KEY REFERENCES vendors(id),
    grade        TEXT NOT NULL,
    score        REAL NOT NULL,
    run_id       INTEGER NOT NULL REFERENCES publication_runs(id),
    public_after TEXT NOT NULL,
    objected_at  TEXT
) WITHOUT ROWID;
