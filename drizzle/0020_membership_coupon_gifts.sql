CREATE TABLE "membership_coupon_gift_rules" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"trigger" text NOT NULL,
	"template_id" text NOT NULL,
	"min_amount_fen" bigint,
	"store_ids" text[],
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_coupon_gift_rules_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "membership_coupon_gifts" (
	"merchant_id" text NOT NULL,
	"rule_id" text NOT NULL,
	"trigger_reference" text NOT NULL,
	"member_id" text NOT NULL,
	"coupon_id" text,
	"skipped_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_coupon_gifts_merchant_id_rule_id_trigger_reference_pk" PRIMARY KEY("merchant_id","rule_id","trigger_reference")
);
--> statement-breakpoint
CREATE INDEX "membership_coupon_gifts_member_idx" ON "membership_coupon_gifts" USING btree ("merchant_id","member_id");