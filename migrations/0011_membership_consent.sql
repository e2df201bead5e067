-- Membership needs the vendor's consent (CONTRACT.md "Console", association
-- role): an association that adds an already registered vendor makes an
-- 'invited' membership, public only once the vendor accepts it; the vendor
-- may decline ('declined') or leave. SQLite cannot change a CHECK
-- constraint, so the table is rebuilt with the new status and three columns:
--   invited_at   when the current invitation was made (NULL: none was needed)
--   responded_at when the vendor accepted or declined it
--   status_by    who set the current status: vendor, association, regulator,
--                or '' (the command line, the demo, rows older than this)
-- Nothing references memberships, so dropping the old table is safe; its
-- index and public_changes triggers (0004) are recreated as they were.

CREATE TABLE memberships_new (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES orgs(id),
    vendor_id    INTEGER NOT NULL REFERENCES vendors(id),
    status       TEXT NOT NULL CHECK (status IN ('invited','active','suspended','left','declined')),
    since        TEXT NOT NULL,
    until        TEXT,
    updated_at   TEXT NOT NULL,
    invited_at   TEXT,
    responded_at TEXT,
    status_by    TEXT NOT NULL DEFAULT '' CHECK (status_by IN ('','vendor','association','regulator')),
    UNIQUE (org_id, vendor_id)
);
INSERT INTO memberships_new(id, org_id, vendor_id, status, since, until, updated_at)
    SELECT id, org_id, vendor_id, status, since, until, updated_at FROM memberships;
DROP TABLE memberships;
ALTER TABLE memberships_new RENAME TO memberships;
CREATE INDEX memberships_vendor ON memberships(vendor_id);

CREATE TRIGGER public_changes_memberships_i AFTER INSERT ON memberships BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (new.vendor_id);
END;
CREATE TRIGGER public_changes_memberships_u AFTER UPDATE ON memberships BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (new.vendor_id);
END;
CREATE TRIGGER public_changes_memberships_d AFTER DELETE ON memberships BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (old.vendor_id);
END;
