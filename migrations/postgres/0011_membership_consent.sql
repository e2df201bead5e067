-- PostgreSQL version of ../0011_membership_consent.sql (rules in 0001):
-- membership needs the vendor's consent; a vendor may decline ('declined')
-- an invitation. SQLite cannot change a CHECK constraint and rebuilds the
-- table; PostgreSQL replaces the constraint and adds the three columns in
-- place, which leaves the same table: the columns in the same order, the
-- rows with their ids, the index and the public_changes triggers (0004)
-- untouched.
--   invited_at   when the current invitation was made (NULL: none was needed)
--   responded_at when the vendor accepted or declined it
--   status_by    who set the current status: vendor, association, regulator,
--                or '' (the command line, the demo, rows older than this)
ALTER TABLE memberships DROP CONSTRAINT memberships_status_check;
ALTER TABLE memberships ADD CONSTRAINT memberships_status_check
    CHECK (status IN ('invited','active','suspended','left','declined'));
ALTER TABLE memberships ADD COLUMN invited_at TEXT COLLATE "C";
ALTER TABLE memberships ADD COLUMN responded_at TEXT COLLATE "C";
ALTER TABLE memberships ADD COLUMN status_by TEXT COLLATE "C" NOT NULL DEFAULT ''
    CHECK (status_by IN ('','vendor','association','regulator'));
