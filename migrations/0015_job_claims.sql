-- Scheduled work (the daily evaluation) is claimed, not assumed: with several
-- serving processes on one database, the first to claim a day's work does it.
-- A claim not finished within its lease may be taken over (its process died).
CREATE TABLE job_claims (
    job        TEXT NOT NULL,   -- what: 'daily-evaluation'
    period     TEXT NOT NULL,   -- for when: the day (YYYY-MM-DD, Asia/Shanghai)
    claimed_by TEXT NOT NULL,   -- host and process id
    claimed_at TEXT NOT NULL,
    done_at    TEXT,
    PRIMARY KEY (job, period)
);
