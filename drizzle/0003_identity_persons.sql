CREATE TABLE "identity_cross_merchant_links" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"person_id" text NOT NULL,
	"other_merchant_id" text NOT NULL,
	"other_person_id" text NOT NULL,
	"consent_reference" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "identity_cross_merchant_links_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "identity_cross_merchant_links_consent_ck" CHECK (length("identity_cross_merchant_links"."consent_reference") > 0)
);
--> statement-breakpoint
CREATE TABLE "identity_history" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"person_id" text NOT NULL,
	"event" text NOT NULL,
	"detail" jsonb NOT NULL,
	"merge_id" text,
	"context" text,
	"actor_kind" text NOT NULL,
	"actor_id" text NOT NULL,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "identity_history_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "identity_identifiers" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"person_id" text NOT NULL,
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"verified" boolean DEFAULT false NOT NULL,
	"strength" text NOT NULL,
	"source" text NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "identity_identifiers_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "identity_identifiers_strength_ck" CHECK ("identity_identifiers"."strength" in ('strong', 'medium', 'weak'))
);
--> statement-breakpoint
CREATE TABLE "identity_merge_moves" (
	"merchant_id" text NOT NULL,
	"merge_id" text NOT NULL,
	"position" integer NOT NULL,
	"module" text NOT NULL,
	"record" jsonb,
	CONSTRAINT "identity_merge_moves_merchant_id_merge_id_position_pk" PRIMARY KEY("merchant_id","merge_id","position")
);
--> statement-breakpoint
CREATE TABLE "identity_merges" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"survivor_id" text NOT NULL,
	"absorbed_id" text NOT NULL,
	"kind" text NOT NULL,
	"reason" text NOT NULL,
	"moved_identifiers" jsonb NOT NULL,
	"filled_attributes" jsonb NOT NULL,
	"decision" jsonb,
	"actor_kind" text NOT NULL,
	"actor_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"unmerged_at" timestamp with time zone,
	"unmerged_by" text,
	"unmerge_reason" text,
	CONSTRAINT "identity_merges_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "identity_pair_decisions" (
	"merchant_id" text NOT NULL,
	"first_person_id" text NOT NULL,
	"second_person_id" text NOT NULL,
	"decision" text NOT NULL,
	"why" text NOT NULL,
	"reason" text,
	"decided_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "identity_pair_decisions_merchant_id_first_person_id_second_person_id_pk" PRIMARY KEY("merchant_id","first_person_id","second_person_id")
);
--> statement-breakpoint
CREATE TABLE "identity_person_blocks" (
	"merchant_id" text NOT NULL,
	"block_key" text NOT NULL,
	"person_id" text NOT NULL,
	CONSTRAINT "identity_person_blocks_merchant_id_block_key_person_id_pk" PRIMARY KEY("merchant_id","block_key","person_id")
);
--> statement-breakpoint
CREATE TABLE "identity_persons" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"merged_into" text,
	"merged_at" timestamp with time zone,
	"display_name" text,
	"birthday" text,
	"address" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "identity_persons_merchant_id_id_pk" PRIMARY KEY("merchant_id","id"),
	CONSTRAINT "identity_persons_status_ck" CHECK ("identity_persons"."status" in ('active', 'merged') and (("identity_persons"."status" = 'merged') = ("identity_persons"."merged_into" is not null)))
);
--> statement-breakpoint
CREATE TABLE "identity_review_items" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"first_person_id" text NOT NULL,
	"second_person_id" text NOT NULL,
	"context" text NOT NULL,
	"source" text NOT NULL,
	"decision" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by" text,
	"resolution" text,
	"merge_id" text,
	CONSTRAINT "identity_review_items_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "identity_suggestions" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"first_person_id" text NOT NULL,
	"second_person_id" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"score" double precision NOT NULL,
	"explanation" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" text,
	"reason" text,
	"merge_id" text,
	CONSTRAINT "identity_suggestions_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "payments_channel_accounts" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"channel" text NOT NULL,
	"mode" text NOT NULL,
	"environment" text DEFAULT 'sandbox' NOT NULL,
	"public_config" jsonb NOT NULL,
	"sealed_secrets" text,
	"fee_rate_ppm" integer DEFAULT 3800 NOT NULL,
	"cost_rate_ppm" integer DEFAULT 2000 NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payments_channel_accounts_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "payments_ledger_entries" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"payment_id" text NOT NULL,
	"refund_id" text,
	"source_id" text NOT NULL,
	"store_id" text NOT NULL,
	"channel" text NOT NULL,
	"kind" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"fee_fen" bigint NOT NULL,
	"cost_fen" bigint NOT NULL,
	"business_date" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	CONSTRAINT "payments_ledger_entries_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "payments_notifications" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"channel" text NOT NULL,
	"channel_account_id" text NOT NULL,
	"notification_id" text NOT NULL,
	"kind" text NOT NULL,
	"out_trade_no" text NOT NULL,
	"out_refund_no" text,
	"payment_id" text,
	"content" jsonb NOT NULL,
	"outcome" text,
	"received_at" timestamp with time zone NOT NULL,
	"processed_at" timestamp with time zone,
	CONSTRAINT "payments_notifications_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "payments_operator_channel_accounts" (
	"operator_id" text NOT NULL,
	"channel" text NOT NULL,
	"environment" text DEFAULT 'sandbox' NOT NULL,
	"public_config" jsonb NOT NULL,
	"sealed_secrets" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payments_operator_channel_accounts_operator_id_channel_pk" PRIMARY KEY("operator_id","channel")
);
--> statement-breakpoint
CREATE TABLE "payments_order_events" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"payment_id" text NOT NULL,
	"refund_id" text,
	"type" text NOT NULL,
	"detail" jsonb NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payments_order_events_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "payments_orders" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"store_id" text NOT NULL,
	"qr_code_id" text,
	"desk" text,
	"channel" text NOT NULL,
	"channel_account_id" text NOT NULL,
	"kind" text NOT NULL,
	"merchant_order_no" text NOT NULL,
	"out_trade_no" text NOT NULL,
	"description" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"refunded_fen" bigint DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"fee_rate_ppm" integer NOT NULL,
	"cost_rate_ppm" integer NOT NULL,
	"channel_trade_no" text,
	"code_url" text,
	"pay_params" jsonb,
	"payer_identifiers" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"person_id" text,
	"failure_reason" text,
	"expires_at" timestamp with time zone NOT NULL,
	"paid_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payments_orders_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "payments_reconciliation_lines" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"reconciliation_id" text NOT NULL,
	"kind" text NOT NULL,
	"record_kind" text NOT NULL,
	"out_trade_no" text NOT NULL,
	"out_refund_no" text,
	"local_amount_fen" bigint,
	"channel_amount_fen" bigint,
	"local_status" text,
	"channel_status" text,
	"resolution" text DEFAULT 'open' NOT NULL,
	"note" text,
	"resolved_by" text,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "payments_reconciliation_lines_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "payments_reconciliations" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"channel" text NOT NULL,
	"bill_date" text NOT NULL,
	"source" text NOT NULL,
	"bill_records" integer NOT NULL,
	"matched" integer NOT NULL,
	"mismatches" integer NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payments_reconciliations_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "payments_refunds" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"payment_id" text NOT NULL,
	"store_id" text NOT NULL,
	"channel" text NOT NULL,
	"out_refund_no" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"reason" text NOT NULL,
	"status" text NOT NULL,
	"channel_refund_no" text,
	"failure_reason" text,
	"requested_by" text,
	"succeeded_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payments_refunds_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "payments_store_qr_codes" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"store_id" text NOT NULL,
	"desk" text,
	"label" text,
	"token" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payments_store_qr_codes_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "identity_cross_merchant_links_pair_uq" ON "identity_cross_merchant_links" USING btree ("merchant_id","person_id","other_merchant_id","other_person_id");--> statement-breakpoint
CREATE INDEX "identity_history_person_idx" ON "identity_history" USING btree ("merchant_id","person_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "identity_identifiers_value_uq" ON "identity_identifiers" USING btree ("merchant_id","kind","value") WHERE "identity_identifiers"."strength" <> 'weak';--> statement-breakpoint
CREATE UNIQUE INDEX "identity_identifiers_weak_uq" ON "identity_identifiers" USING btree ("merchant_id","kind","value","person_id") WHERE "identity_identifiers"."strength" = 'weak';--> statement-breakpoint
CREATE INDEX "identity_identifiers_person_idx" ON "identity_identifiers" USING btree ("merchant_id","person_id");--> statement-breakpoint
CREATE INDEX "identity_merges_survivor_idx" ON "identity_merges" USING btree ("merchant_id","survivor_id","id");--> statement-breakpoint
CREATE INDEX "identity_merges_absorbed_idx" ON "identity_merges" USING btree ("merchant_id","absorbed_id","id");--> statement-breakpoint
CREATE INDEX "identity_person_blocks_person_idx" ON "identity_person_blocks" USING btree ("merchant_id","person_id");--> statement-breakpoint
CREATE INDEX "identity_persons_merged_into_idx" ON "identity_persons" USING btree ("merchant_id","merged_into") WHERE "identity_persons"."merged_into" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "identity_review_items_open_pair_uq" ON "identity_review_items" USING btree ("merchant_id","first_person_id","second_person_id") WHERE "identity_review_items"."status" = 'open';--> statement-breakpoint
CREATE INDEX "identity_review_items_status_idx" ON "identity_review_items" USING btree ("merchant_id","status","id");--> statement-breakpoint
CREATE UNIQUE INDEX "identity_suggestions_pair_uq" ON "identity_suggestions" USING btree ("merchant_id","first_person_id","second_person_id");--> statement-breakpoint
CREATE INDEX "identity_suggestions_status_idx" ON "identity_suggestions" USING btree ("merchant_id","status","score");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_channel_accounts_channel_uq" ON "payments_channel_accounts" USING btree ("merchant_id","channel");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_channel_accounts_id_uq" ON "payments_channel_accounts" USING btree ("id");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_ledger_entries_source_uq" ON "payments_ledger_entries" USING btree ("merchant_id","source_id");--> statement-breakpoint
CREATE INDEX "payments_ledger_entries_date_idx" ON "payments_ledger_entries" USING btree ("business_date","merchant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_notifications_channel_id_uq" ON "payments_notifications" USING btree ("merchant_id","channel","notification_id");--> statement-breakpoint
CREATE INDEX "payments_notifications_pending_idx" ON "payments_notifications" USING btree ("received_at") WHERE "payments_notifications"."processed_at" is null;--> statement-breakpoint
CREATE INDEX "payments_order_events_payment_idx" ON "payments_order_events" USING btree ("merchant_id","payment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_orders_id_uq" ON "payments_orders" USING btree ("id");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_orders_merchant_order_no_uq" ON "payments_orders" USING btree ("merchant_id","merchant_order_no");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_orders_out_trade_no_uq" ON "payments_orders" USING btree ("merchant_id","channel","out_trade_no");--> statement-breakpoint
CREATE INDEX "payments_orders_store_idx" ON "payments_orders" USING btree ("merchant_id","store_id","created_at");--> statement-breakpoint
CREATE INDEX "payments_orders_paying_idx" ON "payments_orders" USING btree ("updated_at") WHERE "payments_orders"."status" in ('created', 'paying');--> statement-breakpoint
CREATE INDEX "payments_orders_paid_idx" ON "payments_orders" USING btree ("merchant_id","paid_at");--> statement-breakpoint
CREATE INDEX "payments_reconciliation_lines_rec_idx" ON "payments_reconciliation_lines" USING btree ("merchant_id","reconciliation_id");--> statement-breakpoint
CREATE INDEX "payments_reconciliations_date_idx" ON "payments_reconciliations" USING btree ("merchant_id","bill_date");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_refunds_out_refund_no_uq" ON "payments_refunds" USING btree ("merchant_id","out_refund_no");--> statement-breakpoint
CREATE INDEX "payments_refunds_payment_idx" ON "payments_refunds" USING btree ("merchant_id","payment_id");--> statement-breakpoint
CREATE INDEX "payments_refunds_processing_idx" ON "payments_refunds" USING btree ("updated_at") WHERE "payments_refunds"."status" = 'processing';--> statement-breakpoint
CREATE UNIQUE INDEX "payments_store_qr_codes_token_uq" ON "payments_store_qr_codes" USING btree ("token");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_store_qr_codes_id_uq" ON "payments_store_qr_codes" USING btree ("id");--> statement-breakpoint
CREATE INDEX "payments_store_qr_codes_store_idx" ON "payments_store_qr_codes" USING btree ("merchant_id","store_id");