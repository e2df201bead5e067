-- The issuing authority of a sanction (作出决定机关), shown beside its
-- document number as Credit China shows decisions. Empty when a record
-- migrated from an earlier system does not name it.
ALTER TABLE sanctions ADD COLUMN authority TEXT NOT NULL DEFAULT '';
