CREATE TABLE "membership_applied_references" (
	"merchant_id" text NOT NULL,
	"kind" text NOT NULL,
	"reference" text NOT NULL,
	"operation_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_applied_references_merchant_id_kind_reference_pk" PRIMARY KEY("merchant_id","kind","reference")
);
--> statement-breakpoint
CREATE TABLE "membership_coupon_templates" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"kind" text NOT NULL,
	"value_fen" bigint,
	"percent_bps" integer,
	"cap_fen" bigint,
	"min_spend_fen" bigint,
	"product_sku" text,
	"exchange_price_fen" bigint,
	"store_ids" jsonb,
	"product_skus" jsonb,
	"stackable" boolean DEFAULT false NOT NULL,
	"validity_kind" text NOT NULL,
	"valid_from" timestamp with time zone,
	"valid_until" timestamp with time zone,
	"valid_days" integer,
	"stock" integer,
	"issued_count" integer DEFAULT 0 NOT NULL,
	"per_member_limit" integer,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_coupon_templates_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "membership_coupon_templates_stock" CHECK ("membership_coupon_templates"."stock" is null or "membership_coupon_templates"."issued_count" <= "membership_coupon_templates"."stock")
);
--> statement-breakpoint
CREATE TABLE "membership_coupons" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"template_id" text NOT NULL,
	"member_id" text NOT NULL,
	"code" text NOT NULL,
	"status" text DEFAULT 'issued' NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_until" timestamp with time zone NOT NULL,
	"issue_source" text NOT NULL,
	"issue_reference" text,
	"lock_holder" text,
	"locked_until" timestamp with time zone,
	"redeemed_at" timestamp with time zone,
	"redeemed_store_id" text,
	"redemption_reference" text,
	"discount_fen" bigint,
	"voided_at" timestamp with time zone,
	"void_reason" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_coupons_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "membership_members" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"person_id" text,
	"card_number" text NOT NULL,
	"phone" text,
	"display_name" text,
	"birthday" text,
	"identifiers" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"join_channel" text NOT NULL,
	"store_id" text,
	"joined_at" timestamp with time zone NOT NULL,
	"consent_version" text NOT NULL,
	"consent_purposes" jsonb NOT NULL,
	"marketing_opt_in" boolean DEFAULT false NOT NULL,
	"marketing_opt_in_at" timestamp with time zone,
	"status" text DEFAULT 'active' NOT NULL,
	"tier_code" text,
	"tier_since" timestamp with time zone,
	"tier_below_since" timestamp with time zone,
	"tier_floor_code" text,
	"tier_floor_expires_at" timestamp with time zone,
	"tier_floor_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_members_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "membership_points_accounts" (
	"merchant_id" text NOT NULL,
	"member_id" text NOT NULL,
	"balance" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_points_accounts_merchant_id_member_id_pk" PRIMARY KEY("merchant_id","member_id")
);
--> statement-breakpoint
CREATE TABLE "membership_points_entries" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"member_id" text NOT NULL,
	"lot_id" text NOT NULL,
	"operation_id" text NOT NULL,
	"type" text NOT NULL,
	"delta" bigint NOT NULL,
	"reason" text,
	"reference" text,
	"actor_id" text NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_points_entries_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "membership_points_lots" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"member_id" text NOT NULL,
	"kind" text NOT NULL,
	"points" bigint NOT NULL,
	"remaining" bigint NOT NULL,
	"earned_at" timestamp with time zone NOT NULL,
	"available_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone,
	"source" text NOT NULL,
	"source_ref" text,
	"earn_snapshot" jsonb,
	"refunded_fen" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_points_lots_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "membership_points_lots_sign" CHECK (("membership_points_lots"."kind" = 'earn' and "membership_points_lots"."remaining" >= 0) or ("membership_points_lots"."kind" = 'debt' and "membership_points_lots"."remaining" <= 0))
);
--> statement-breakpoint
CREATE TABLE "membership_programs" (
	"merchant_id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"card_design" jsonb NOT NULL,
	"join_rules" jsonb NOT NULL,
	"consent_version" text NOT NULL,
	"points_per_yuan" integer NOT NULL,
	"points_pending_days" integer NOT NULL,
	"points_expiry_days" integer,
	"allow_negative_points" boolean NOT NULL,
	"redeem_points_per_yuan" integer NOT NULL,
	"earn_config" jsonb NOT NULL,
	"stored_value_cap_fen" bigint NOT NULL,
	"escrow_ratio_bps" integer NOT NULL,
	"top_up_plans" jsonb NOT NULL,
	"tier_basis" text NOT NULL,
	"tier_window_days" integer NOT NULL,
	"tier_downgrade_mode" text NOT NULL,
	"tier_downgrade_after_days" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "membership_stored_value_accounts" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"member_id" text NOT NULL,
	"principal_fen" bigint DEFAULT 0 NOT NULL,
	"bonus_fen" bigint DEFAULT 0 NOT NULL,
	"cap_fen" bigint,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_stored_value_accounts_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "membership_stored_value_accounts_non_negative" CHECK ("membership_stored_value_accounts"."principal_fen" >= 0 and "membership_stored_value_accounts"."bonus_fen" >= 0)
);
--> statement-breakpoint
CREATE TABLE "membership_stored_value_entries" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"account_id" text NOT NULL,
	"member_id" text NOT NULL,
	"type" text NOT NULL,
	"principal_delta" bigint NOT NULL,
	"bonus_delta" bigint NOT NULL,
	"payment_reference" text,
	"reference" text,
	"spend_entry_id" text,
	"store_id" text,
	"reason" text,
	"actor_id" text NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_stored_value_entries_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "membership_tier_definitions" (
	"merchant_id" text NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"rank" integer NOT NULL,
	"threshold" bigint NOT NULL,
	"points_multiplier_bps" integer DEFAULT 10000 NOT NULL,
	"discount_bps" integer DEFAULT 0 NOT NULL,
	"birthday_gift" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_tier_definitions_merchant_id_code_pk" PRIMARY KEY("merchant_id","code")
);
--> statement-breakpoint
CREATE TABLE "membership_tier_history" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"member_id" text NOT NULL,
	"from_tier" text,
	"to_tier" text,
	"reason" text NOT NULL,
	"detail" text,
	"metric" bigint,
	"actor_id" text NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "membership_tier_history_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "membership_coupons_code_uq" ON "membership_coupons" USING btree ("merchant_id","code");--> statement-breakpoint
CREATE INDEX "membership_coupons_member_idx" ON "membership_coupons" USING btree ("merchant_id","member_id","id");--> statement-breakpoint
CREATE INDEX "membership_coupons_template_member_idx" ON "membership_coupons" USING btree ("merchant_id","template_id","member_id");--> statement-breakpoint
CREATE UNIQUE INDEX "membership_members_card_uq" ON "membership_members" USING btree ("merchant_id","card_number");--> statement-breakpoint
CREATE UNIQUE INDEX "membership_members_person_uq" ON "membership_members" USING btree ("merchant_id","person_id") WHERE "membership_members"."person_id" is not null;--> statement-breakpoint
CREATE INDEX "membership_members_phone_idx" ON "membership_members" USING btree ("merchant_id","phone");--> statement-breakpoint
CREATE INDEX "membership_points_entries_member_idx" ON "membership_points_entries" USING btree ("merchant_id","member_id","id");--> statement-breakpoint
CREATE INDEX "membership_points_entries_lot_idx" ON "membership_points_entries" USING btree ("merchant_id","lot_id");--> statement-breakpoint
CREATE INDEX "membership_points_lots_member_idx" ON "membership_points_lots" USING btree ("merchant_id","member_id","earned_at");--> statement-breakpoint
CREATE INDEX "membership_points_lots_expiry_idx" ON "membership_points_lots" USING btree ("merchant_id","expires_at") WHERE "membership_points_lots"."remaining" > 0;--> statement-breakpoint
CREATE UNIQUE INDEX "membership_points_lots_debt_uq" ON "membership_points_lots" USING btree ("merchant_id","member_id") WHERE "membership_points_lots"."kind" = 'debt';--> statement-breakpoint
CREATE UNIQUE INDEX "membership_stored_value_accounts_member_uq" ON "membership_stored_value_accounts" USING btree ("merchant_id","member_id");--> statement-breakpoint
CREATE INDEX "membership_stored_value_entries_account_idx" ON "membership_stored_value_entries" USING btree ("merchant_id","account_id","id");--> statement-breakpoint
CREATE INDEX "membership_stored_value_entries_spend_idx" ON "membership_stored_value_entries" USING btree ("merchant_id","spend_entry_id") WHERE "membership_stored_value_entries"."spend_entry_id" is not null;--> statement-breakpoint
CREATE INDEX "membership_stored_value_entries_time_idx" ON "membership_stored_value_entries" USING btree ("merchant_id","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "membership_tier_definitions_rank_uq" ON "membership_tier_definitions" USING btree ("merchant_id","rank");--> statement-breakpoint
CREATE INDEX "membership_tier_history_member_idx" ON "membership_tier_history" USING btree ("merchant_id","member_id","id");