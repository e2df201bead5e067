-- A vendor re-registered under a new code to shed its record: a regulator
-- links it to its predecessor, whose records then count for it.
CREATE TABLE vendor_predecessors (
    vendor_id      INTEGER NOT NULL REFERENCES vendors(id),
    predecessor_id INTEGER NOT NULL UNIQUE REFERENCES vendors(id),
    reason         TEXT NOT NULL,
    linked_by      TEXT NOT NULL,
    linked_at      TEXT NOT NULL,
    PRIMARY KEY (vendor_id, predecessor_id),
    CHECK (vendor_id <> predecessor_id)
) WITHOUT ROWID;
