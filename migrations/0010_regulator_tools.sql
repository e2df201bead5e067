-- The regulator's tools. A sanction's issuing authority (作出决定机关),
-- shown beside its document number as Credit China shows decisions; empty
-- when a record migrated from an earlier system does not name it.
ALTER TABLE sanctions ADD COLUMN authority TEXT NOT NULL DEFAULT '';

-- Publications made outside a run (a blacklisting, a matured pending
-- downgrade, a decision on an objection, an override), by time, for the
-- publication runs page.
CREATE INDEX grade_publications_cause ON grade_publications(cause, at);
