CREATE TABLE "membership_consents" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"member_id" text NOT NULL,
	"person_id" text,
	"action" text NOT NULL,
	"purposes" jsonb NOT NULL,
	"text_version" text NOT NULL,
	"text_sha256" text NOT NULL,
	"channel" text NOT NULL,
	"payment_id" text,
	"store_id" text,
	"actor_kind" text NOT NULL,
	"actor_id" text,
	"evidence" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_consents_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "membership_member_code_keys" (
	"merchant_id" text NOT NULL,
	"member_id" text NOT NULL,
	"secret" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_member_code_keys_merchant_id_member_id_pk" PRIMARY KEY("merchant_id","member_id")
);
--> statement-breakpoint
CREATE INDEX "membership_consents_member_idx" ON "membership_consents" USING btree ("merchant_id","member_id","recorded_at");--> statement-breakpoint
-- Consent records are evidence: a withdrawal is a new row, never an edit (membership_ledger_refuse_change from 0007).
CREATE TRIGGER membership_consents_no_update BEFORE UPDATE OR DELETE ON membership_consents
  FOR EACH ROW EXECUTE FUNCTION membership_ledger_refuse_change();
