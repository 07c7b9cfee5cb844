-- Rows written before shortfalls had ids get a stable one from their key (msf_ + 26 hex digits).
ALTER TABLE "membership_merge_shortfalls" ADD COLUMN "id" text;--> statement-breakpoint
UPDATE "membership_merge_shortfalls" SET "id" = 'msf_' || substr(md5("merge_id" || '/' || "kind" || '/' || "item_id"), 1, 26) WHERE "id" IS NULL;--> statement-breakpoint
ALTER TABLE "membership_merge_shortfalls" ALTER COLUMN "id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "membership_merge_shortfalls" ADD COLUMN "resolved_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "membership_merge_shortfalls" ADD COLUMN "resolved_by" text;--> statement-breakpoint
ALTER TABLE "membership_merge_shortfalls" ADD COLUMN "resolution_reason" text;--> statement-breakpoint
ALTER TABLE "membership_merge_shortfalls" ADD COLUMN "resolution_reference" text;--> statement-breakpoint
CREATE UNIQUE INDEX "membership_merge_shortfalls_id_uq" ON "membership_merge_shortfalls" USING btree ("merchant_id","id");--> statement-breakpoint
CREATE INDEX "membership_merge_shortfalls_owed_by_idx" ON "membership_merge_shortfalls" USING btree ("merchant_id","owed_by_member_id");--> statement-breakpoint
ALTER TABLE "membership_merge_shortfalls" ADD CONSTRAINT "membership_merge_shortfalls_status_ck" CHECK ("membership_merge_shortfalls"."status" in ('open', 'settled', 'written_off'));--> statement-breakpoint
ALTER TABLE "membership_merge_shortfalls" ADD CONSTRAINT "membership_merge_shortfalls_resolved_ck" CHECK (("membership_merge_shortfalls"."status" = 'open') = ("membership_merge_shortfalls"."resolved_at" is null));