CREATE TABLE "membership_merge_shortfalls" (
	"merchant_id" text NOT NULL,
	"merge_id" text NOT NULL,
	"kind" text NOT NULL,
	"item_id" text NOT NULL,
	"owed_to_member_id" text NOT NULL,
	"owed_by_member_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_merge_shortfalls_merchant_id_merge_id_kind_item_id_pk" PRIMARY KEY("merchant_id","merge_id","kind","item_id"),
	CONSTRAINT "membership_merge_shortfalls_amount_ck" CHECK ("membership_merge_shortfalls"."amount" > 0)
);
--> statement-breakpoint
ALTER TABLE "membership_members" ADD COLUMN "merged_into" text;--> statement-breakpoint
CREATE INDEX "membership_merge_shortfalls_owed_idx" ON "membership_merge_shortfalls" USING btree ("merchant_id","owed_to_member_id");