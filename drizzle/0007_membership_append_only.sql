-- Membership ledgers are append-only: a correction is a new entry, never an edit, so the database
-- itself refuses updates and deletions of points entries, stored-value entries and tier history.
CREATE OR REPLACE FUNCTION membership_ledger_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'P0001';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER membership_points_entries_no_update BEFORE UPDATE OR DELETE ON membership_points_entries
  FOR EACH ROW EXECUTE FUNCTION membership_ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER membership_stored_value_entries_no_update BEFORE UPDATE OR DELETE ON membership_stored_value_entries
  FOR EACH ROW EXECUTE FUNCTION membership_ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER membership_tier_history_no_update BEFORE UPDATE OR DELETE ON membership_tier_history
  FOR EACH ROW EXECUTE FUNCTION membership_ledger_refuse_change();
