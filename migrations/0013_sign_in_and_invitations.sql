-- Sign-in attempts, counted in the database before a password is checked,
-- so that parallel requests and several serving processes share one count
-- (README, "Sign-in throttling"). Rows older than the window are deleted as
-- new attempts arrive. outcome: pending (being checked; counts as a
-- failure), failed; a successful sign-in deletes its (account, address) rows.
CREATE TABLE login_attempts (
    id      INTEGER PRIMARY KEY,
    account TEXT NOT NULL,    -- the username as typed, lower-cased, at most 65 characters
    ip      TEXT NOT NULL,    -- the client address
    at_ms   INTEGER NOT NULL, -- Unix milliseconds
    outcome TEXT NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'failed'))
);
CREATE INDEX login_attempts_account ON login_attempts(account, at_ms);
CREATE INDEX login_attempts_ip ON login_attempts(ip, at_ms);
CREATE INDEX login_attempts_at ON login_attempts(at_ms);

-- Browsers that signed in to an account before (a cookie whose SHA-256 is
-- kept here): their attempts are not slowed by the account-wide ceiling that
-- strangers' failures raise.
CREATE TABLE login_devices (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX login_devices_user ON login_devices(user_id, created_at);

-- Invitations get an id (to list and revoke them), the association that
-- issued them (NULL: a regulator or the command line), who used them and
-- when they were revoked.
CREATE TABLE invitations_v2 (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    vendor_id  INTEGER NOT NULL REFERENCES vendors(id),
    org_id     INTEGER REFERENCES orgs(id),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    used_by    INTEGER REFERENCES users(id),
    revoked_at TEXT,
    revoked_by TEXT
);
INSERT INTO invitations_v2(token_hash, vendor_id, org_id, created_by, created_at, expires_at, used_at)
    SELECT i.token_hash, i.vendor_id,
           (SELECT u.org_id FROM users u WHERE 'user:' || u.username = i.created_by AND u.role = 'association'),
           i.created_by, i.created_at, i.expires_at, i.used_at
    FROM invitations i ORDER BY i.created_at, i.token_hash;
DROP TABLE invitations;
ALTER TABLE invitations_v2 RENAME TO invitations;
CREATE INDEX invitations_vendor ON invitations(vendor_id);
CREATE INDEX invitations_org ON invitations(org_id, created_at);
