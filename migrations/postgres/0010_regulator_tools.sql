-- PostgreSQL version of ../0010_regulator_tools.sql (rules in 0001): a
-- sanction's issuing authority (empty when a migrated record does not name
-- it), and publications made outside a run, by time.
ALTER TABLE sanctions ADD COLUMN authority TEXT COLLATE "C" NOT NULL DEFAULT '';

CREATE INDEX grade_publications_cause ON grade_publications(cause, at);
