CREATE TABLE "membership_checkouts" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"reference" text NOT NULL,
	"member_id" text NOT NULL,
	"store_id" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"member_discount_fen" bigint NOT NULL,
	"coupons" jsonb NOT NULL,
	"points_spent" bigint NOT NULL,
	"points_value_fen" bigint NOT NULL,
	"points_operation_id" text,
	"stored_value_fen" bigint NOT NULL,
	"stored_value_entry_id" text,
	"remainder_due_fen" bigint NOT NULL,
	"status" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_checkouts_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "membership_checkouts_reference_uq" ON "membership_checkouts" USING btree ("merchant_id","reference");--> statement-breakpoint
CREATE INDEX "membership_checkouts_member_idx" ON "membership_checkouts" USING btree ("merchant_id","member_id","id");