-- PostgreSQL version of ../0012_citizen.sql (rules in 0001).
--
-- vendors.name_pinyin orders names as a Chinese reader expects; the
-- registry writes it with every name and fills rows that lack it when the
-- database is opened; the partial index finds them at once. Search and
-- sorting by it happen in the application's memory; nothing queries it
-- otherwise, so it needs no other index here either.
ALTER TABLE vendors ADD COLUMN name_pinyin TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX vendors_name_pinyin_missing ON vendors(id) WHERE name_pinyin = '';

-- A run's start and end are public changes too (vendor 0: not one vendor).
CREATE TRIGGER public_changes_runs_i AFTER INSERT ON publication_runs FOR EACH ROW EXECUTE FUNCTION public_changes_note_global();
CREATE TRIGGER public_changes_runs_u AFTER UPDATE ON publication_runs FOR EACH ROW EXECUTE FUNCTION public_changes_note_global();
