-- Signed checkpoints of the audit chain (CONTRACT.md "Audit log"). Each row
-- is an Ed25519 signature, by a key kept outside the database, over
-- "chengxin-checkpoint/v1\n" || id || "\n" || hash || "\n" || at || "\n":
-- id is the audit entry whose hash was the chain's head, at the instant at
-- (RFC 3339 in +08:00, stored exactly as signed). A head is checkpointed
-- once. No foreign key to audit_log: a checkpoint must outlive a tampered
-- log, which is what it exists to expose.
CREATE TABLE checkpoints (
    id        INTEGER PRIMARY KEY,
    hash      TEXT NOT NULL,
    at        TEXT NOT NULL,
    key_id    TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
