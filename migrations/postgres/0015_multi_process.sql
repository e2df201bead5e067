-- Scheduled work (the daily evaluation) is claimed, not assumed: with several
-- serving processes on one database, the first to claim a day's work does it.
-- A claim not finished within its lease may be taken over (its process died).
CREATE TABLE job_claims (
    job        TEXT COLLATE "C" NOT NULL,   -- what: 'daily-evaluation'
    period     TEXT COLLATE "C" NOT NULL,   -- for when: the day (YYYY-MM-DD, Asia/Shanghai)
    claimed_by TEXT COLLATE "C" NOT NULL,   -- host and process id
    claimed_at TEXT COLLATE "C" NOT NULL,
    done_at    TEXT COLLATE "C",
    PRIMARY KEY (job, period)
);

-- API token rate limits shared by every process (GCRA: the theoretical
-- arrival time of the token's next request, Unix milliseconds). Used on
-- PostgreSQL; an SQLite database is served by one process, which limits in
-- memory (registry/ratelimit.go).
CREATE TABLE token_rates (
    token_id BIGINT PRIMARY KEY REFERENCES api_tokens(id) ON DELETE CASCADE,
    tat_ms   BIGINT NOT NULL
);
