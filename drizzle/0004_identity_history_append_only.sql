-- Identity history is append-only: unmerge restores a prior state from it, so the database itself
-- refuses edits and deletions of what happened.
CREATE OR REPLACE FUNCTION identity_history_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'identity_history is append-only' USING ERRCODE = 'P0001';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER identity_history_no_update BEFORE UPDATE OR DELETE ON identity_history
  FOR EACH ROW EXECUTE FUNCTION identity_history_refuse_change();
