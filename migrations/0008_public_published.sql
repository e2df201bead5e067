-- Public pages follow published grades, pending downgrades, overrides,
-- approved replies and predecessor links too (see 0004's public_changes).
CREATE TRIGGER public_changes_published_i AFTER INSERT ON published_grades BEGIN INSERT INTO public_changes(vendor_id) VALUES (new.vendor_id); END;
CREATE TRIGGER public_changes_published_u AFTER UPDATE ON published_grades BEGIN INSERT INTO public_changes(vendor_id) VALUES (new.vendor_id); END;
CREATE TRIGGER public_changes_pending_i AFTER INSERT ON pending_downgrades BEGIN INSERT INTO public_changes(vendor_id) VALUES (new.vendor_id); END;
CREATE TRIGGER public_changes_pending_u AFTER UPDATE ON pending_downgrades BEGIN INSERT INTO public_changes(vendor_id) VALUES (new.vendor_id); END;
CREATE TRIGGER public_changes_pending_d AFTER DELETE ON pending_downgrades BEGIN INSERT INTO public_changes(vendor_id) VALUES (old.vendor_id); END;
CREATE TRIGGER public_changes_override_i AFTER INSERT ON grade_overrides BEGIN INSERT INTO public_changes(vendor_id) VALUES (new.vendor_id); END;
CREATE TRIGGER public_changes_override_u AFTER UPDATE ON grade_overrides BEGIN INSERT INTO public_changes(vendor_id) VALUES (new.vendor_id); END;
CREATE TRIGGER public_changes_override_d AFTER DELETE ON grade_overrides BEGIN INSERT INTO public_changes(vendor_id) VALUES (old.vendor_id); END;
CREATE TRIGGER public_changes_reply_i AFTER INSERT ON vendor_replies BEGIN INSERT INTO public_changes(vendor_id) VALUES (new.vendor_id); END;
CREATE TRIGGER public_changes_reply_u AFTER UPDATE ON vendor_replies BEGIN INSERT INTO public_changes(vendor_id) VALUES (new.vendor_id); END;
CREATE TRIGGER public_changes_pred_i AFTER INSERT ON vendor_predecessors BEGIN INSERT INTO public_changes(vendor_id) VALUES (new.vendor_id); END;
