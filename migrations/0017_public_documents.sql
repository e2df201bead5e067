-- Public documents: what the public sees of each vendor, built when
-- something that affects it changes (publicity.BuildDocuments) and stored,
-- so that a profile, the vendor JSON, a badge or a list row is one indexed
-- read. A document is current while no public change (public_changes) to
-- its vendor, and no change to every vendor (vendor 0), has a seq above the
-- document's seq, and until valid_until: the first instant at which what
-- the vendor's record shows changes with time alone (a sanction's display
-- ending, an override expiring, a pending downgrade becoming public).
CREATE TABLE public_documents (
    vendor_id   INTEGER PRIMARY KEY,  -- no foreign key: a deleted vendor's row is removed by the builder
    uscc        TEXT NOT NULL,        -- the vendor's code when built (not unique: a code may move)
    seq         INTEGER NOT NULL,     -- the public_changes seq the document reflects
    valid_until TEXT,                 -- NULL: nothing in it changes with time alone
    etag        TEXT NOT NULL,        -- of detail and profile
    built_at    TEXT NOT NULL,        -- when it was built (the JSON's Last-Modified)
    -- Small parts first: SQLite reads a row's columns in order, through
    -- the overflow pages of every large one before the one asked for.
    hit         BLOB NOT NULL,        -- the vendor as a row of the search page and lists
    detail      BLOB NOT NULL,        -- GET /api/v1/vendors/{uscc} exactly as sent
    profile     BLOB NOT NULL,        -- the rest of the disclosure page (publicity's stored form)
    item        BLOB NOT NULL         -- the vendor as an item of GET /api/v1/vendors
);
CREATE INDEX public_documents_uscc ON public_documents(uscc);
CREATE INDEX public_documents_seq ON public_documents(seq);

-- How far the builder has brought every document: all changes up to
-- checked_through are in the documents of their vendors. The log of
-- changes is never pruned past it, so a document is current exactly when
-- no change in the log names its vendor (or vendor 0) above its seq. One
-- process at a time builds (the holder of the lease).
CREATE TABLE public_documents_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    checked_through INTEGER NOT NULL,
    builder         TEXT NOT NULL DEFAULT '',
    lease_until     TEXT NOT NULL DEFAULT ''
);
INSERT INTO public_documents_state(id, checked_through) VALUES (1, 0);
DROP TRIGGER public_changes_prune;
CREATE TRIGGER public_changes_prune AFTER INSERT ON public_changes WHEN new.seq % 10000 = 0 BEGIN
    DELETE FROM public_changes WHERE seq <= min(new.seq - 200000, (SELECT checked_through FROM public_documents_state));
END;
CREATE INDEX public_documents_valid_until ON public_documents(valid_until) WHERE valid_until IS NOT NULL;

-- A document is checked against its vendor's latest change on every read.
CREATE INDEX public_changes_vendor ON public_changes(vendor_id, seq);

-- Vendor 0 stands for a change to every vendor's record (scoring rules).
-- Organisations and publication runs are not in any one vendor's record
-- beyond the memberships that name an organisation: their changes are
-- noted as -1 (pages about no one vendor: lists, organisations,
-- methodology), and an organisation's change also notes each member.
DROP TRIGGER public_changes_orgs_i;
DROP TRIGGER public_changes_orgs_u;
DROP TRIGGER public_changes_orgs_d;
DROP TRIGGER public_changes_runs_i;
DROP TRIGGER public_changes_runs_u;
CREATE TRIGGER public_changes_orgs_i AFTER INSERT ON orgs BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (-1);
END;
CREATE TRIGGER public_changes_orgs_u AFTER UPDATE ON orgs BEGIN
    INSERT INTO public_changes(vendor_id) SELECT vendor_id FROM memberships WHERE org_id = new.id;
    INSERT INTO public_changes(vendor_id) VALUES (-1);
END;
CREATE TRIGGER public_changes_orgs_d AFTER DELETE ON orgs BEGIN
    INSERT INTO public_changes(vendor_id) SELECT vendor_id FROM memberships WHERE org_id = old.id;
    INSERT INTO public_changes(vendor_id) VALUES (-1);
END;
CREATE TRIGGER public_changes_runs_i AFTER INSERT ON publication_runs BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (-1);
END;
CREATE TRIGGER public_changes_runs_u AFTER UPDATE ON publication_runs BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (-1);
END;
