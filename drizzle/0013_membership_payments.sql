CREATE TABLE "membership_checkout_refunds" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"checkout_id" text NOT NULL,
	"member_id" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"cash_fen" bigint NOT NULL,
	"stored_value_fen" bigint NOT NULL,
	"points_restored" bigint NOT NULL,
	"points_reversed" bigint NOT NULL,
	"coupons_restored" boolean NOT NULL,
	"payment_refund_id" text,
	"payment_refund_status" text,
	"reason" text NOT NULL,
	"actor_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_checkout_refunds_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "membership_retro_accruals" (
	"merchant_id" text NOT NULL,
	"payment_id" text NOT NULL,
	"person_id" text NOT NULL,
	"store_id" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"refunded_fen" bigint DEFAULT 0 NOT NULL,
	"paid_at" timestamp with time zone NOT NULL,
	"claimed_by_member_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_retro_accruals_merchant_id_payment_id_pk" PRIMARY KEY("merchant_id","payment_id")
);
--> statement-breakpoint
CREATE TABLE "membership_top_up_refunds" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"top_up_id" text NOT NULL,
	"member_id" text NOT NULL,
	"principal_fen" bigint NOT NULL,
	"forfeited_bonus_fen" bigint NOT NULL,
	"payment_refund_id" text,
	"status" text NOT NULL,
	"reason" text NOT NULL,
	"actor_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_top_up_refunds_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "membership_top_ups" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"member_id" text NOT NULL,
	"store_id" text NOT NULL,
	"principal_fen" bigint NOT NULL,
	"bonus_fen" bigint NOT NULL,
	"method" text NOT NULL,
	"payment_id" text,
	"status" text NOT NULL,
	"failure_reason" text,
	"entry_id" text,
	"refunded_principal_fen" bigint DEFAULT 0 NOT NULL,
	"forfeited_bonus_fen" bigint DEFAULT 0 NOT NULL,
	"actor_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"credited_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_top_ups_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "membership_top_ups_refunded" CHECK ("membership_top_ups"."refunded_principal_fen" between 0 and "membership_top_ups"."principal_fen" and "membership_top_ups"."forfeited_bonus_fen" between 0 and "membership_top_ups"."bonus_fen")
);
--> statement-breakpoint
ALTER TABLE "membership_checkouts" ADD COLUMN "payment_id" text;--> statement-breakpoint
ALTER TABLE "membership_checkouts" ADD COLUMN "payment_method" text;--> statement-breakpoint
ALTER TABLE "membership_checkouts" ADD COLUMN "points_earned" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "membership_checkouts" ADD COLUMN "refunded_fen" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "membership_checkouts" ADD COLUMN "completed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "membership_checkouts" ADD COLUMN "released_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "membership_checkouts" ADD COLUMN "release_reason" text;--> statement-breakpoint
ALTER TABLE "membership_checkouts" ADD COLUMN "orphan_payment_id" text;--> statement-breakpoint
ALTER TABLE "membership_checkouts" ADD COLUMN "orphan_refund_id" text;--> statement-breakpoint
ALTER TABLE "membership_checkouts" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "membership_programs" ADD COLUMN "top_up_earns_points" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "membership_programs" ADD COLUMN "retro_earn_hours" integer DEFAULT 24 NOT NULL;--> statement-breakpoint
CREATE INDEX "membership_checkout_refunds_checkout_idx" ON "membership_checkout_refunds" USING btree ("merchant_id","checkout_id");--> statement-breakpoint
CREATE INDEX "membership_retro_accruals_person_idx" ON "membership_retro_accruals" USING btree ("merchant_id","person_id","paid_at");--> statement-breakpoint
CREATE INDEX "membership_top_up_refunds_top_up_idx" ON "membership_top_up_refunds" USING btree ("merchant_id","top_up_id");--> statement-breakpoint
CREATE INDEX "membership_top_ups_member_idx" ON "membership_top_ups" USING btree ("merchant_id","member_id","id");--> statement-breakpoint
CREATE INDEX "membership_top_ups_awaiting_idx" ON "membership_top_ups" USING btree ("status","created_at") WHERE "membership_top_ups"."status" = 'awaiting_payment';--> statement-breakpoint
CREATE INDEX "membership_checkouts_awaiting_idx" ON "membership_checkouts" USING btree ("status","created_at") WHERE "membership_checkouts"."status" = 'awaiting_payment' or ("membership_checkouts"."orphan_payment_id" is not null and "membership_checkouts"."orphan_refund_id" is null);