-- Citizen-facing search and methodology.
--
-- vendors.name_pinyin is the key that orders names as a Chinese reader
-- expects (拼音顺序): each character's most common pinyin reading with its
-- tone number, Latin letters folded to lower case, then the name itself to
-- break ties. SQL cannot compute pinyin, so the registry writes it with
-- every name (registry.NamePinyinKey) and fills rows that lack it when the
-- database is opened; the partial index finds them at once.
ALTER TABLE vendors ADD COLUMN name_pinyin TEXT NOT NULL DEFAULT '';
CREATE INDEX vendors_name_pinyin_missing ON vendors(id) WHERE name_pinyin = '';

-- The methodology page shows the latest publication run and the next one:
-- a run's start and end are public changes too (vendor 0: not one vendor).
CREATE TRIGGER public_changes_runs_i AFTER INSERT ON publication_runs BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (0);
END;
CREATE TRIGGER public_changes_runs_u AFTER UPDATE ON publication_runs BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (0);
END;
