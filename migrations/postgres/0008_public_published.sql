-- PostgreSQL version of ../0008_public_published.sql (rules in 0001; the
-- trigger functions are 0004's): public pages follow published grades,
-- pending downgrades, overrides, approved replies and predecessor links too.
CREATE TRIGGER public_changes_published_i AFTER INSERT ON published_grades FOR EACH ROW EXECUTE FUNCTION public_changes_note_vendor_id();
CREATE TRIGGER public_changes_published_u AFTER UPDATE ON published_grades FOR EACH ROW EXECUTE FUNCTION public_changes_note_vendor_id();
CREATE TRIGGER public_changes_pending_i AFTER INSERT ON pending_downgrades FOR EACH ROW EXECUTE FUNCTION public_changes_note_vendor_id();
CREATE TRIGGER public_changes_pending_u AFTER UPDATE ON pending_downgrades FOR EACH ROW EXECUTE FUNCTION public_changes_note_vendor_id();
CREATE TRIGGER public_changes_pending_d AFTER DELETE ON pending_downgrades FOR EACH ROW EXECUTE FUNCTION public_changes_note_vendor_id();
CREATE TRIGGER public_changes_override_i AFTER INSERT ON grade_overrides FOR EACH ROW EXECUTE FUNCTION public_changes_note_vendor_id();
CREATE TRIGGER public_changes_override_u AFTER UPDATE ON grade_overrides FOR EACH ROW EXECUTE FUNCTION public_changes_note_vendor_id();
CREATE TRIGGER public_changes_override_d AFTER DELETE ON grade_overrides FOR EACH ROW EXECUTE FUNCTION public_changes_note_vendor_id();
CREATE TRIGGER public_changes_reply_i AFTER INSERT ON vendor_replies FOR EACH ROW EXECUTE FUNCTION public_changes_note_vendor_id();
CREATE TRIGGER public_changes_reply_u AFTER UPDATE ON vendor_replies FOR EACH ROW EXECUTE FUNCTION public_changes_note_vendor_id();
CREATE TRIGGER public_changes_pred_i AFTER INSERT ON vendor_predecessors FOR EACH ROW EXECUTE FUNCTION public_changes_note_vendor_id();
