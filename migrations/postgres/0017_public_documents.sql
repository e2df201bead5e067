-- Public documents (see the SQLite file, 0017_public_documents.sql).
CREATE TABLE public_documents (
    vendor_id   BIGINT PRIMARY KEY,
    uscc        TEXT COLLATE "C" NOT NULL,
    seq         BIGINT NOT NULL,
    valid_until TEXT COLLATE "C",
    etag        TEXT COLLATE "C" NOT NULL,
    built_at    TEXT COLLATE "C" NOT NULL,
    detail      BYTEA NOT NULL,
    item        BYTEA NOT NULL,
    profile     BYTEA NOT NULL
);
CREATE INDEX public_documents_uscc ON public_documents(uscc);
CREATE INDEX public_documents_seq ON public_documents(seq);

CREATE TABLE public_documents_state (
    id              BIGINT PRIMARY KEY CHECK (id = 1),
    checked_through BIGINT NOT NULL,
    builder         TEXT COLLATE "C" NOT NULL DEFAULT '',
    lease_until     TEXT COLLATE "C" NOT NULL DEFAULT ''
);
INSERT INTO public_documents_state(id, checked_through) VALUES (1, 0);
CREATE OR REPLACE FUNCTION public_changes_prune() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM public_changes WHERE seq <= LEAST(NEW.seq - 200000, (SELECT checked_through FROM public_documents_state));
    RETURN NULL;
END
$$;
CREATE INDEX public_documents_valid_until ON public_documents(valid_until) WHERE valid_until IS NOT NULL;

CREATE INDEX public_changes_vendor ON public_changes(vendor_id, seq);

-- Organisations and publication runs note -1, and an organisation's
-- change each member too (see the SQLite file).
CREATE FUNCTION public_changes_note_pages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (-1);
    RETURN NULL;
END
$$;
CREATE FUNCTION public_changes_note_org() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO public_changes(vendor_id) SELECT vendor_id FROM memberships WHERE org_id = OLD.id;
    ELSE
        INSERT INTO public_changes(vendor_id) SELECT vendor_id FROM memberships WHERE org_id = NEW.id;
    END IF;
    INSERT INTO public_changes(vendor_id) VALUES (-1);
    RETURN NULL;
END
$$;
DROP TRIGGER public_changes_orgs_i ON orgs;
DROP TRIGGER public_changes_orgs_u ON orgs;
DROP TRIGGER public_changes_orgs_d ON orgs;
DROP TRIGGER public_changes_runs_i ON publication_runs;
DROP TRIGGER public_changes_runs_u ON publication_runs;
CREATE TRIGGER public_changes_orgs_i AFTER INSERT ON orgs FOR EACH ROW EXECUTE FUNCTION public_changes_note_pages();
CREATE TRIGGER public_changes_orgs_u AFTER UPDATE ON orgs FOR EACH ROW EXECUTE FUNCTION public_changes_note_org();
CREATE TRIGGER public_changes_orgs_d AFTER DELETE ON orgs FOR EACH ROW EXECUTE FUNCTION public_changes_note_org();
CREATE TRIGGER public_changes_runs_i AFTER INSERT ON publication_runs FOR EACH ROW EXECUTE FUNCTION public_changes_note_pages();
CREATE TRIGGER public_changes_runs_u AFTER UPDATE ON publication_runs FOR EACH ROW EXECUTE FUNCTION public_changes_note_pages();
