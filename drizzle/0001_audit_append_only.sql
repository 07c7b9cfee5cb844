-- The audit log is append-only: the database itself refuses edits and deletions, so tampering
-- needs privileges beyond the application's, and `memberplus audit verify` catches it anyway.
CREATE OR REPLACE FUNCTION platform_audit_entries_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'platform_audit_entries is append-only' USING ERRCODE = 'P0001';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER platform_audit_entries_no_update BEFORE UPDATE OR DELETE ON platform_audit_entries
  FOR EACH ROW EXECUTE FUNCTION platform_audit_entries_refuse_change();
--> statement-breakpoint
CREATE TRIGGER platform_audit_entries_no_truncate BEFORE TRUNCATE ON platform_audit_entries
  FOR EACH STATEMENT EXECUTE FUNCTION platform_audit_entries_refuse_change();
