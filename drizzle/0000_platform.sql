CREATE TABLE "platform_agents" (
	"id" text PRIMARY KEY NOT NULL,
	"operator_id" text NOT NULL,
	"name" text NOT NULL,
	"contact_name" text,
	"contact_phone" text,
	"share_bps" integer DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "platform_api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"operator_id" text NOT NULL,
	"merchant_id" text,
	"name" text NOT NULL,
	"secret_hash" text NOT NULL,
	"scopes" text[] NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "platform_audit_entries" (
	"chain_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"id" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"operator_id" text,
	"merchant_id" text,
	"actor_kind" text NOT NULL,
	"actor_id" text NOT NULL,
	"actor_label" text NOT NULL,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"request_id" text,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "platform_audit_entries_chain_id_seq_pk" PRIMARY KEY("chain_id","seq")
);
--> statement-breakpoint
CREATE TABLE "platform_audit_heads" (
	"chain_id" text PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "platform_idempotency_keys" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"method" text NOT NULL,
	"path" text NOT NULL,
	"status_code" integer,
	"response_headers" jsonb,
	"response_body" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "platform_idempotency_keys_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
CREATE TABLE "platform_merchants" (
	"id" text PRIMARY KEY NOT NULL,
	"operator_id" text NOT NULL,
	"agent_id" text,
	"name" text NOT NULL,
	"legal_name" text,
	"timezone" text DEFAULT 'Asia/Shanghai' NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "platform_operators" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "platform_outbox_events" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"dispatched_at" timestamp with time zone,
	CONSTRAINT "platform_outbox_events_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "platform_sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"id" text NOT NULL,
	"user_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ip" text,
	"user_agent" text
);
--> statement-breakpoint
CREATE TABLE "platform_stores" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"address" text,
	"phone" text,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "platform_stores_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "platform_user_stores" (
	"merchant_id" text NOT NULL,
	"user_id" text NOT NULL,
	"store_id" text NOT NULL,
	CONSTRAINT "platform_user_stores_merchant_id_user_id_store_id_pk" PRIMARY KEY("merchant_id","user_id","store_id")
);
--> statement-breakpoint
CREATE TABLE "platform_users" (
	"id" text PRIMARY KEY NOT NULL,
	"operator_id" text NOT NULL,
	"agent_id" text,
	"merchant_id" text,
	"role" text NOT NULL,
	"login" text NOT NULL,
	"display_name" text NOT NULL,
	"phone" text,
	"password_hash" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"failed_logins" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"password_changed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "platform_webhook_attempts" (
	"merchant_id" text NOT NULL,
	"delivery_id" text NOT NULL,
	"attempt_no" integer NOT NULL,
	"attempted_at" timestamp with time zone NOT NULL,
	"status_code" integer,
	"error" text,
	"duration_ms" integer NOT NULL,
	"manual" boolean DEFAULT false NOT NULL,
	CONSTRAINT "platform_webhook_attempts_merchant_id_delivery_id_attempt_no_pk" PRIMARY KEY("merchant_id","delivery_id","attempt_no")
);
--> statement-breakpoint
CREATE TABLE "platform_webhook_deliveries" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"endpoint_id" text NOT NULL,
	"event_id" text NOT NULL,
	"event_type" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"last_attempt_at" timestamp with time zone,
	"last_status_code" integer,
	"last_error" text,
	"delivered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "platform_webhook_deliveries_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE TABLE "platform_webhook_endpoints" (
	"merchant_id" text NOT NULL,
	"id" text NOT NULL,
	"url" text NOT NULL,
	"description" text,
	"event_types" text[] NOT NULL,
	"secret_ciphertext" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "platform_webhook_endpoints_merchant_id_id_pk" PRIMARY KEY("merchant_id","id")
);
--> statement-breakpoint
CREATE INDEX "platform_agents_operator_idx" ON "platform_agents" USING btree ("operator_id");--> statement-breakpoint
CREATE INDEX "platform_api_keys_merchant_idx" ON "platform_api_keys" USING btree ("merchant_id");--> statement-breakpoint
CREATE INDEX "platform_audit_entries_merchant_idx" ON "platform_audit_entries" USING btree ("merchant_id","occurred_at");--> statement-breakpoint
CREATE INDEX "platform_merchants_operator_idx" ON "platform_merchants" USING btree ("operator_id");--> statement-breakpoint
CREATE INDEX "platform_merchants_agent_idx" ON "platform_merchants" USING btree ("agent_id");--> statement-breakpoint
CREATE INDEX "platform_outbox_undispatched_idx" ON "platform_outbox_events" USING btree ("occurred_at") WHERE "platform_outbox_events"."dispatched_at" is null;--> statement-breakpoint
CREATE INDEX "platform_sessions_user_idx" ON "platform_sessions" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "platform_stores_id_uq" ON "platform_stores" USING btree ("id");--> statement-breakpoint
CREATE UNIQUE INDEX "platform_users_login_uq" ON "platform_users" USING btree (lower("login"));--> statement-breakpoint
CREATE INDEX "platform_users_merchant_idx" ON "platform_users" USING btree ("merchant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "platform_webhook_deliveries_event_endpoint_uq" ON "platform_webhook_deliveries" USING btree ("merchant_id","event_id","endpoint_id");--> statement-breakpoint
CREATE INDEX "platform_webhook_deliveries_due_idx" ON "platform_webhook_deliveries" USING btree ("next_attempt_at") WHERE "platform_webhook_deliveries"."status" = 'pending';