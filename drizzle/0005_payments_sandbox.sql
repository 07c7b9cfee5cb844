CREATE TABLE "payments_sandbox_buyer_codes" (
	"code" text PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"buyer" text NOT NULL,
	"behaviour" text NOT NULL,
	"polls_before_confirm" integer DEFAULT 1 NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payments_sandbox_keys" (
	"name" text PRIMARY KEY NOT NULL,
	"serial" text NOT NULL,
	"public_key" text NOT NULL,
	"sealed_private_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payments_sandbox_merchants" (
	"id" text PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"mode" text NOT NULL,
	"caller_id" text NOT NULL,
	"sub_id" text,
	"app_id" text NOT NULL,
	"sub_app_id" text,
	"seller_id" text,
	"service_provider_id" text,
	"name" text NOT NULL,
	"key_serial" text,
	"public_key" text NOT NULL,
	"sealed_api_v3_key" text,
	"verification" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payments_sandbox_notifications" (
	"id" text PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"merchant_id" text NOT NULL,
	"trade_id" text NOT NULL,
	"refund_id" text,
	"kind" text NOT NULL,
	"url" text NOT NULL,
	"body" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"attempt_log" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "payments_sandbox_refunds" (
	"id" text PRIMARY KEY NOT NULL,
	"trade_id" text NOT NULL,
	"merchant_id" text NOT NULL,
	"out_refund_no" text NOT NULL,
	"refund_no" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"reason" text,
	"notify_url" text,
	"status" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"succeeded_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "payments_sandbox_trades" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"channel" text NOT NULL,
	"kind" text NOT NULL,
	"out_trade_no" text NOT NULL,
	"channel_trade_no" text NOT NULL,
	"wallet_token" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"description" text NOT NULL,
	"notify_url" text,
	"state" text NOT NULL,
	"requested_payer" text,
	"buyer" text,
	"payer" jsonb,
	"behaviour" text,
	"polls_before_confirm" integer,
	"refunded_fen" bigint DEFAULT 0 NOT NULL,
	"request" jsonb NOT NULL,
	"expires_at" timestamp with time zone,
	"scanned_at" timestamp with time zone,
	"paid_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "payments_sandbox_merchants_caller_idx" ON "payments_sandbox_merchants" USING btree ("channel","caller_id","sub_id");--> statement-breakpoint
CREATE INDEX "payments_sandbox_notifications_due_idx" ON "payments_sandbox_notifications" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "payments_sandbox_notifications_trade_idx" ON "payments_sandbox_notifications" USING btree ("trade_id");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_sandbox_refunds_out_refund_no_idx" ON "payments_sandbox_refunds" USING btree ("trade_id","out_refund_no");--> statement-breakpoint
CREATE INDEX "payments_sandbox_refunds_merchant_idx" ON "payments_sandbox_refunds" USING btree ("merchant_id","out_refund_no");--> statement-breakpoint
CREATE INDEX "payments_sandbox_refunds_processing_idx" ON "payments_sandbox_refunds" USING btree ("status") WHERE status = 'PROCESSING';--> statement-breakpoint
CREATE UNIQUE INDEX "payments_sandbox_trades_out_trade_no_idx" ON "payments_sandbox_trades" USING btree ("merchant_id","out_trade_no");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_sandbox_trades_channel_trade_no_idx" ON "payments_sandbox_trades" USING btree ("channel_trade_no");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_sandbox_trades_wallet_token_idx" ON "payments_sandbox_trades" USING btree ("wallet_token");--> statement-breakpoint
CREATE INDEX "payments_sandbox_trades_paid_idx" ON "payments_sandbox_trades" USING btree ("merchant_id","paid_at");