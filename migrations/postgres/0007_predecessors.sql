-- PostgreSQL version of ../0007_predecessors.sql (rules in 0001): a vendor
-- re-registered under a new code to shed its record is linked by a
-- regulator to its predecessor, whose records then count for it.
CREATE TABLE vendor_predecessors (
    vendor_id      BIGINT NOT NULL REFERENCES vendors(id),
    predecessor_id BIGINT NOT NULL UNIQUE REFERENCES vendors(id),
    reason         TEXT COLLATE "C" NOT NULL,
    linked_by      TEXT COLLATE "C" NOT NULL,
    linked_at      TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (vendor_id, predecessor_id),
    CHECK (vendor_id <> predecessor_id)
);
