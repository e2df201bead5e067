-- One publication history per vendor (SCORING.md "Publication", CONTRACT.md
-- "Vendor"): every time a vendor's grade became public or was confirmed,
-- whatever caused it — a publication run, a pending downgrade whose
-- objection period ended, a regulator's decision on an objection, a
-- blacklist entry (out of cycle) or a regulator's override. The current
-- published grade points at its latest entry and keeps when its grade was
-- first published (grade_since) and why the grade differs from what the
-- score alone would give (grade_note).

CREATE TABLE grade_publications (
    id            INTEGER PRIMARY KEY,
    vendor_id     INTEGER NOT NULL REFERENCES vendors(id),
    at            TEXT NOT NULL,                 -- when it became public
    grade         TEXT NOT NULL CHECK (grade IN ('A','B','C','D','N')),
    score         REAL,                          -- the score behind it; NULL: an override with no publication behind it
    grade_note    TEXT NOT NULL DEFAULT '',      -- '', a_requirements, cap_C, cap_D, held, review, override
    rules_version TEXT NOT NULL DEFAULT '',
    action        TEXT NOT NULL,                 -- what the publication rules decided (scoring.PublicationAction)
    cause         TEXT NOT NULL CHECK (cause IN ('run','matured','review','blacklist','override')),
    run_id        INTEGER REFERENCES publication_runs(id),
    sanction_id   INTEGER REFERENCES sanctions(id),
    case_id       INTEGER REFERENCES cases(id),
    reason        TEXT NOT NULL DEFAULT '',      -- public: an override's reason
    actor         TEXT NOT NULL
);
CREATE INDEX grade_publications_vendor ON grade_publications(vendor_id, at, id);

-- Runs recorded before this migration: every decision that published or
-- confirmed a grade (not a pending downgrade). The grade note is derived
-- from the reasons of the evaluation the run published.
INSERT INTO grade_publications(vendor_id, at, grade, score, grade_note, rules_version, action, cause, run_id, actor)
SELECT vendor_id, as_of, published_grade, evaluated_score,
    CASE
        WHEN action = 'upgrade_held' THEN 'held'
        WHEN published_grade <> evaluated_grade OR published_grade = 'N' THEN ''
        WHEN instr(reasons, '"cap_D"') > 0 THEN 'cap_D'
        WHEN instr(reasons, '"cap_C"') > 0 THEN 'cap_C'
        WHEN instr(reasons, '"a_requirements"') > 0 THEN 'a_requirements'
        ELSE ''
    END,
    rules_version, action, 'run', run_id, actor
FROM (SELECT p.vendor_id, r.as_of, p.published_grade, p.evaluated_grade, p.evaluated_score, p.action, r.rules_version,
        p.run_id, r.actor,
        coalesce((SELECT json_extract(e.body, '$.reasons') FROM evaluations e WHERE e.vendor_id = p.vendor_id AND e.as_of <= r.as_of
            ORDER BY e.as_of DESC, e.id DESC LIMIT 1), '') AS reasons
    FROM publications p JOIN publication_runs r ON r.id = p.run_id
    WHERE r.status = 'done' AND p.action NOT IN ('downgrade_pending', 'downgrade_kept'))
ORDER BY as_of, run_id, vendor_id;

-- Grades published outside a run before this migration (a matured pending
-- downgrade, a decision on an objection): the current published grade when
-- no run recorded it.
INSERT INTO grade_publications(vendor_id, at, grade, score, rules_version, action, cause, run_id, case_id, actor)
SELECT g.vendor_id, g.published_at, g.grade, g.score, g.rules_version,
    CASE WHEN c.id IS NULL THEN 'pending_published' ELSE 'objection_' || c.status END,
    CASE WHEN c.id IS NULL THEN 'matured' ELSE 'review' END,
    g.run_id, c.id, coalesce(c.decided_by, 'system')
FROM published_grades g
LEFT JOIN cases c ON c.id = (SELECT max(x.id) FROM cases x WHERE x.vendor_id = g.vendor_id AND x.kind = 'grade_objection'
    AND x.decided_at = g.published_at)
WHERE NOT EXISTS (SELECT 1 FROM grade_publications h WHERE h.vendor_id = g.vendor_id AND h.at = g.published_at AND h.grade = g.grade);

-- Overrides set before this migration.
INSERT INTO grade_publications(vendor_id, at, grade, score, grade_note, action, cause, reason, actor)
SELECT o.vendor_id, o.set_at, o.grade, (SELECT g.score FROM published_grades g WHERE g.vendor_id = o.vendor_id),
    'override', 'override', 'override', o.reason, o.set_by
FROM grade_overrides o;

CREATE TABLE published_grades_v2 (
    vendor_id      INTEGER PRIMARY KEY REFERENCES vendors(id),
    grade          TEXT NOT NULL,
    score          REAL NOT NULL,
    published_at   TEXT NOT NULL,        -- the latest publication that set or confirmed the grade
    grade_since    TEXT NOT NULL,        -- when this grade was first published (its streak's first entry)
    grade_note     TEXT NOT NULL DEFAULT '',
    rules_version  TEXT NOT NULL,
    publication_id INTEGER NOT NULL REFERENCES grade_publications(id)
) WITHOUT ROWID;

INSERT INTO published_grades_v2(vendor_id, grade, score, published_at, grade_since, grade_note, rules_version, publication_id)
SELECT h.vendor_id, h.grade, h.score, h.at,
    coalesce((SELECT min(s.at) FROM grade_publications s WHERE s.vendor_id = h.vendor_id AND s.cause <> 'override' AND s.grade = h.grade
        AND s.at > coalesce((SELECT max(d.at) FROM grade_publications d WHERE d.vendor_id = h.vendor_id AND d.cause <> 'override'
            AND d.grade <> h.grade), '')), h.at),
    h.grade_note, h.rules_version, h.id
FROM grade_publications h
WHERE h.id = (SELECT l.id FROM grade_publications l WHERE l.vendor_id = h.vendor_id AND l.cause <> 'override'
    ORDER BY l.at DESC, l.id DESC LIMIT 1)
  AND h.vendor_id IN (SELECT vendor_id FROM published_grades);

DROP TABLE published_grades;
ALTER TABLE published_grades_v2 RENAME TO published_grades;
CREATE INDEX published_grades_grade ON published_grades(grade, score);
CREATE TRIGGER public_changes_published_i AFTER INSERT ON published_grades BEGIN INSERT INTO public_changes(vendor_id) VALUES (new.vendor_id); END;
CREATE TRIGGER public_changes_published_u AFTER UPDATE ON published_grades BEGIN INSERT INTO public_changes(vendor_id) VALUES (new.vendor_id); END;
CREATE TRIGGER public_changes_published_d AFTER DELETE ON published_grades BEGIN INSERT INTO public_changes(vendor_id) VALUES (old.vendor_id); END;

-- A pending downgrade keeps the grade note of the evaluation it comes from,
-- so it is published with it.
ALTER TABLE pending_downgrades ADD COLUMN grade_note TEXT NOT NULL DEFAULT '';
