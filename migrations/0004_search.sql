-- Public disclosure site: vendor search and what its read models follow.
--
-- vendor_search is an FTS5 trigram index of vendor names (Chinese
-- substrings of three characters or more; rowid = vendors.id). Each name is
-- indexed with two trailing spaces, so that every character of it starts a
-- trigram: a one- or two-character query ("家政") is answered from the index
-- too, by looking up the trigrams that begin with it in vendor_search_terms
-- (fts5vocab) and matching any of them. Triggers on vendors keep it in step.
CREATE VIRTUAL TABLE vendor_search USING fts5(name, tokenize = 'trigram');
CREATE VIRTUAL TABLE vendor_search_terms USING fts5vocab(vendor_search, row);
INSERT INTO vendor_search(rowid, name) SELECT id, name || '  ' FROM vendors;

CREATE TRIGGER vendor_search_insert AFTER INSERT ON vendors BEGIN
    INSERT INTO vendor_search(rowid, name) VALUES (new.id, new.name || '  ');
END;
CREATE TRIGGER vendor_search_update AFTER UPDATE OF name ON vendors WHEN old.name IS NOT new.name BEGIN
    DELETE FROM vendor_search WHERE rowid = old.id;
    INSERT INTO vendor_search(rowid, name) VALUES (new.id, new.name || '  ');
END;
CREATE TRIGGER vendor_search_delete AFTER DELETE ON vendors BEGIN
    DELETE FROM vendor_search WHERE rowid = old.id;
END;

-- public_changes lists, in commit order, the vendors whose public record
-- changed: the vendor row (name, status, districts and categories, which
-- always update the row), its evaluation, memberships and sanctions;
-- vendor_id 0 stands for organisations and scoring rules. The application's
-- in-memory read models (search facets, pinyin initials, rendered pages)
-- follow it: they reload only the vendors listed after the last seq they
-- have seen, and max(seq) is the version cached pages are valid for. It is
-- append-only and keeps the latest 200,000 changes; a reader further behind
-- reloads everything. A later table that public pages read must note its
-- changes here too.
CREATE TABLE public_changes (
    seq       INTEGER PRIMARY KEY,
    vendor_id INTEGER NOT NULL
);
INSERT INTO public_changes(vendor_id) VALUES (0);
CREATE TRIGGER public_changes_prune AFTER INSERT ON public_changes WHEN new.seq % 10000 = 0 BEGIN
    DELETE FROM public_changes WHERE seq <= new.seq - 200000;
END;

CREATE TRIGGER public_changes_vendors_i AFTER INSERT ON vendors BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (new.id);
END;
CREATE TRIGGER public_changes_vendors_u AFTER UPDATE ON vendors BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (new.id);
END;
CREATE TRIGGER public_changes_vendors_d AFTER DELETE ON vendors BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (old.id);
END;
CREATE TRIGGER public_changes_memberships_i AFTER INSERT ON memberships BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (new.vendor_id);
END;
CREATE TRIGGER public_changes_memberships_u AFTER UPDATE ON memberships BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (new.vendor_id);
END;
CREATE TRIGGER public_changes_memberships_d AFTER DELETE ON memberships BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (old.vendor_id);
END;
CREATE TRIGGER public_changes_sanctions_i AFTER INSERT ON sanctions BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (new.vendor_id);
END;
CREATE TRIGGER public_changes_sanctions_u AFTER UPDATE ON sanctions BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (new.vendor_id);
END;
CREATE TRIGGER public_changes_sanctions_d AFTER DELETE ON sanctions BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (old.vendor_id);
END;
-- Every material change of a vendor's current evaluation (vendor_scores)
-- adds an evaluations row, so evaluations stand for both.
CREATE TRIGGER public_changes_evaluations_i AFTER INSERT ON evaluations BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (new.vendor_id);
END;
CREATE TRIGGER public_changes_scores_d AFTER DELETE ON vendor_scores BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (old.vendor_id);
END;
CREATE TRIGGER public_changes_orgs_i AFTER INSERT ON orgs BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (0);
END;
CREATE TRIGGER public_changes_orgs_u AFTER UPDATE ON orgs BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (0);
END;
CREATE TRIGGER public_changes_orgs_d AFTER DELETE ON orgs BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (0);
END;
CREATE TRIGGER public_changes_rules_i AFTER INSERT ON rules_versions BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (0);
END;
CREATE TRIGGER public_changes_rules_u AFTER UPDATE ON rules_versions BEGIN
    INSERT INTO public_changes(vendor_id) VALUES (0);
END;
